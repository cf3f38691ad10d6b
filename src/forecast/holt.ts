import {
  checkHorizon,
  checkInRange,
  checkObservation,
  dampedSteps,
  type Forecaster,
  fmt,
} from './forecaster.js';

export interface HoltOptions {
  /** Level smoothing weight, in (0, 1]. Default 0.3. */
  readonly alpha?: number;
  /** Trend smoothing weight, in [0, 1]. Default 0.1. */
  readonly beta?: number;
  /** Trend damping factor, in (0, 1]; 1 is an undamped linear trend. Default 1. */
  readonly phi?: number;
}

export const HOLT_DEFAULTS = { alpha: 0.3, beta: 0.1, phi: 1 } as const satisfies Required<HoltOptions>;

/**
 * Holt's linear-trend exponential smoothing, optionally with a damped trend (Gardner & McKenzie).
 *
 * State: a level and a per-step trend. Initialisation: the first observation sets the level with
 * zero trend; the second sets the level to itself and the trend to the difference of the two.
 * From the third on, the level is a blend (weight alpha) of the observation and the previous
 * level advanced by the damped trend, and the trend is a blend (weight beta) of the newest level
 * change and the previous damped trend. The h-step forecast is level + (phi + ... + phi^h) * trend,
 * so with phi < 1 long-range forecasts flatten out at level + trend * phi / (1 - phi).
 * O(1) time per update, O(1) memory.
 *
 * @throws ArsError `ARS_E_INPUT_ARGUMENT` when a parameter is outside its interval.
 * @example
 *   const f = new Holt(); f.update(1); f.update(3); f.forecast(2) // 7
 */
export class Holt implements Forecaster {
  readonly name: string;
  readonly alpha: number;
  readonly beta: number;
  readonly phi: number;
  private level = Number.NaN;
  private trend = 0;
  private count = 0;

  constructor(options: HoltOptions = {}) {
    const o = { ...HOLT_DEFAULTS, ...options };
    this.alpha = checkInRange('holt alpha', o.alpha, 0, 1, { low: true });
    this.beta = checkInRange('holt beta', o.beta, 0, 1);
    this.phi = checkInRange('holt phi', o.phi, 0, 1, { low: true });
    const damping = this.phi === 1 ? '' : `,phi=${fmt(this.phi)}`;
    this.name = `holt(a=${fmt(this.alpha)},b=${fmt(this.beta)}${damping})`;
  }

  get n(): number {
    return this.count;
  }

  update(y: number): void {
    checkObservation(y);
    if (this.count === 0) {
      this.level = y;
      this.trend = 0;
    } else if (this.count === 1) {
      this.trend = y - this.level;
      this.level = y;
    } else {
      const previous = this.level;
      const dampedTrend = this.phi * this.trend;
      this.level = this.alpha * y + (1 - this.alpha) * (previous + dampedTrend);
      this.trend = this.beta * (this.level - previous) + (1 - this.beta) * dampedTrend;
    }
    this.count++;
  }

  forecast(h: number): number {
    checkHorizon(h);
    return this.level + dampedSteps(this.phi, h) * this.trend;
  }

  reset(): void {
    this.level = Number.NaN;
    this.trend = 0;
    this.count = 0;
  }
}
