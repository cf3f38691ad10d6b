import {
  checkHorizon,
  checkInRange,
  checkInteger,
  checkObservation,
  dampedSteps,
  type Forecaster,
  fmt,
} from './forecaster.js';

export interface HoltWintersOptions {
  /** Season length in steps (integer >= 2), e.g. 24 for hourly windows with a daily cycle. Required. */
  readonly m: number;
  /** Level smoothing weight, in (0, 1]. Default 0.2. */
  readonly alpha?: number;
  /** Trend smoothing weight, in [0, 1]. Default 0.05. */
  readonly beta?: number;
  /** Seasonal smoothing weight, in [0, 1]. Default 0.1. */
  readonly gamma?: number;
  /** Trend damping factor, in (0, 1]; 1 is an undamped linear trend. Default 1. */
  readonly phi?: number;
}

export const HOLT_WINTERS_DEFAULTS = {
  alpha: 0.2,
  beta: 0.05,
  gamma: 0.1,
  phi: 1,
} as const satisfies Required<Omit<HoltWintersOptions, 'm'>>;

/**
 * Holt-Winters exponential smoothing with additive seasonality (and optional trend damping).
 *
 * State: a level, a per-step trend and m seasonal offsets, one per phase of the season.
 *
 * Initialisation from the first two seasons (2m observations): the trend is the difference of
 * the two season means divided by m; each phase's offset is the average, over both seasons, of
 * the observation minus the straight line through the season means at that step (so the offsets
 * sum to zero); the level is that line's value at the last of the 2m steps. A noiseless
 * line-plus-season is thereby captured exactly. Before that, the forecast is the seasonal-naive
 * one (the value one season before the target, or the newest value when that is not observed yet).
 *
 * Each later observation y at phase p: the level blends (weight alpha) the deseasonalised
 * observation y - s[p] with the previous level advanced by the damped trend; the trend blends
 * (weight beta) the level change with the previous damped trend; then s[p] blends (weight gamma)
 * y minus the new level with its old value. The h-step forecast is
 * level + (phi + ... + phi^h) * trend + the offset of the target step's phase.
 * O(1) time per update, O(m) memory.
 *
 * @throws ArsError `ARS_E_INPUT_ARGUMENT` when m is not an integer >= 2 or a weight is out of range.
 */
export class HoltWinters implements Forecaster {
  readonly name: string;
  readonly m: number;
  readonly alpha: number;
  readonly beta: number;
  readonly gamma: number;
  readonly phi: number;
  private readonly warmup: Float64Array;
  private readonly season: Float64Array;
  private level = Number.NaN;
  private trend = 0;
  private count = 0;

  constructor(options: HoltWintersOptions) {
    const o = { ...HOLT_WINTERS_DEFAULTS, ...options };
    this.m = checkInteger('holt-winters season length m', o.m, 2);
    this.alpha = checkInRange('holt-winters alpha', o.alpha, 0, 1, { low: true });
    this.beta = checkInRange('holt-winters beta', o.beta, 0, 1);
    this.gamma = checkInRange('holt-winters gamma', o.gamma, 0, 1);
    this.phi = checkInRange('holt-winters phi', o.phi, 0, 1, { low: true });
    this.warmup = new Float64Array(2 * this.m);
    this.season = new Float64Array(this.m);
    const damping = this.phi === 1 ? '' : `,phi=${fmt(this.phi)}`;
    this.name =
      `holt-winters(m=${this.m},a=${fmt(this.alpha)},b=${fmt(this.beta)},` +
      `g=${fmt(this.gamma)}${damping})`;
  }

  get n(): number {
    return this.count;
  }

  update(y: number): void {
    checkObservation(y);
    const m = this.m;
    if (this.count < 2 * m) {
      this.warmup[this.count] = y;
      this.count++;
      if (this.count === 2 * m) this.initialise();
      return;
    }
    const phase = this.count % m;
    const previous = this.level;
    const dampedTrend = this.phi * this.trend;
    const offset = this.season[phase]!;
    this.level = this.alpha * (y - offset) + (1 - this.alpha) * (previous + dampedTrend);
    this.trend = this.beta * (this.level - previous) + (1 - this.beta) * dampedTrend;
    this.season[phase] = this.gamma * (y - this.level) + (1 - this.gamma) * offset;
    this.count++;
  }

  private initialise(): void {
    const m = this.m;
    let sum1 = 0;
    let sum2 = 0;
    for (let i = 0; i < m; i++) {
      sum1 += this.warmup[i]!;
      sum2 += this.warmup[m + i]!;
    }
    const mean1 = sum1 / m;
    const mean2 = sum2 / m;
    const trend = (mean2 - mean1) / m;
    // A season's mean sits at its middle step, (m - 1) / 2 steps after its first.
    const middle = (m - 1) / 2;
    for (let i = 0; i < m; i++) {
      const line = trend * (i - middle);
      this.season[i] = (this.warmup[i]! - (mean1 + line) + (this.warmup[m + i]! - (mean2 + line))) / 2;
    }
    this.trend = trend;
    this.level = mean2 + trend * middle;
  }

  forecast(h: number): number {
    checkHorizon(h);
    const m = this.m;
    const last = this.count - 1;
    if (this.count === 0) return Number.NaN;
    if (this.count < 2 * m) {
      const source = last + h - Math.ceil(h / m) * m;
      return this.warmup[source >= 0 ? source : last]!;
    }
    return this.level + dampedSteps(this.phi, h) * this.trend + this.season[(last + h) % m]!;
  }

  reset(): void {
    this.warmup.fill(0);
    this.season.fill(0);
    this.level = Number.NaN;
    this.trend = 0;
    this.count = 0;
  }
}
