import { ArsError } from '../errors.js';
import { Ewma } from './ewma.js';
import { checkInRange, checkInteger, checkObservation, type Forecaster } from './forecaster.js';
import { Holt } from './holt.js';
import { HoltWinters } from './holt-winters.js';
import { SeasonalNaive } from './seasonal-naive.js';

/** Called when the auto-selector switches forecaster; `scores` maps each candidate name to its score. */
export type ChoiceChangeListener = (
  from: string,
  to: string,
  scores: Readonly<Record<string, number>>,
) => void;

export interface AutoForecasterOptions {
  /** Season length in steps (integer >= 1) of the seasonal-naive baseline and the MASE-style scale. Default 1. */
  readonly m?: number;
  /**
   * Candidate forecasters, fresh instances owned by the selector (it updates and resets them).
   * Names must be distinct. The seasonal-naive baseline with season m is added when no candidate
   * has its name. Default: `defaultCandidates(m)`.
   */
  readonly candidates?: readonly Forecaster[];
  /** Half-life, in steps, of the exponentially weighted error averages. Default max(2m, 20). */
  readonly errorHalfLife?: number;
  /** Scored steps before anything but the baseline may be chosen. Default max(m, 10). */
  readonly warmup?: number;
  /** Relative score improvement needed to switch between two eligible forecasters, in [0, 1). Default 0.05. */
  readonly hysteresis?: number;
  /** Told about every change of choice, so the caller can log it. */
  readonly onChange?: ChoiceChangeListener;
}

/**
 * The default candidate set for season length m: seasonal naive (the baseline), naive, two
 * EWMAs (alpha 0.2 and 0.5), a damped Holt (alpha 0.3, beta 0.1, phi 0.9), and for m >= 2 an
 * additive Holt-Winters with its default weights.
 */
export function defaultCandidates(m = 1): Forecaster[] {
  checkInteger('season length m', m, 1);
  const candidates: Forecaster[] = [new SeasonalNaive({ m })];
  if (m > 1) candidates.push(new SeasonalNaive({ m: 1 }));
  candidates.push(new Ewma({ alpha: 0.2 }), new Ewma({ alpha: 0.5 }), new Holt({ phi: 0.9 }));
  if (m > 1) candidates.push(new HoltWinters({ m }));
  return candidates;
}

/**
 * Online automatic model selection for one series.
 *
 * All candidates see every observation. Before each observation every candidate's one-step
 * forecast is kept; when the observation arrives its absolute error is folded into that
 * candidate's exponentially weighted mean absolute error. A candidate's score is that mean
 * divided by the equally weighted mean of |y_t - y_{t-m}| (the in-sample seasonal-naive error),
 * i.e. a rolling MASE. Scoring starts once m observations exist, so the seasonal-naive
 * baseline always scores exactly 1.
 *
 * Choice rule, applied after each observation once `warmup` steps have been scored: a
 * candidate is eligible when its score is below the baseline's (one that loses to seasonal
 * naive on this series is never used); the target is the eligible candidate with the lowest
 * score (earlier in the list on ties), or the baseline when none is eligible. The selector
 * switches to the target when the current choice is no longer eligible, or when the target's
 * score is lower than the current one's by more than the `hysteresis` fraction. Forecasts come
 * from the current choice, exposed as `chosen`.
 *
 * O(k) time per update and O(k) memory plus the candidates' own (k = number of candidates).
 *
 * @throws ArsError `ARS_E_INPUT_ARGUMENT` on bad options or duplicate candidate names.
 */
export class AutoForecaster implements Forecaster {
  readonly name: string;
  readonly m: number;
  private readonly candidates: readonly Forecaster[];
  private readonly baseline: number;
  private readonly decay: number;
  private readonly warmup: number;
  private readonly hysteresis: number;
  private readonly onChange: ChoiceChangeListener | undefined;
  private readonly pending: Float64Array;
  private readonly errorSum: Float64Array;
  private readonly ring: Float64Array;
  private scaleSum = 0;
  private scoredSteps = 0;
  private count = 0;
  private current: number;

  constructor(options: AutoForecasterOptions = {}) {
    this.m = checkInteger('auto season length m', options.m ?? 1, 1);
    const halfLife = checkInRange(
      'auto errorHalfLife',
      options.errorHalfLife ?? Math.max(2 * this.m, 20),
      0,
      Number.MAX_VALUE,
      { low: true },
    );
    this.decay = 0.5 ** (1 / halfLife);
    this.warmup = checkInteger('auto warmup', options.warmup ?? Math.max(this.m, 10), 0);
    this.hysteresis = checkInRange('auto hysteresis', options.hysteresis ?? 0.05, 0, 1, { high: true });
    this.onChange = options.onChange;

    const candidates = [...(options.candidates ?? defaultCandidates(this.m))];
    const baselineName = new SeasonalNaive({ m: this.m }).name;
    if (!candidates.some((c) => c.name === baselineName)) {
      candidates.unshift(new SeasonalNaive({ m: this.m }));
    }
    const names = new Set<string>();
    for (const c of candidates) {
      if (names.has(c.name)) {
        throw new ArsError('ARS_E_INPUT_ARGUMENT', `duplicate auto candidate name ${c.name}`);
      }
      names.add(c.name);
    }
    this.candidates = candidates;
    this.baseline = candidates.findIndex((c) => c.name === baselineName);
    this.current = this.baseline;
    this.pending = new Float64Array(candidates.length).fill(Number.NaN);
    this.errorSum = new Float64Array(candidates.length);
    this.ring = new Float64Array(this.m);
    this.name = `auto(m=${this.m})`;
  }

  get n(): number {
    return this.count;
  }

  /** Name of the forecaster currently used. */
  get chosen(): string {
    return this.candidates[this.current]!.name;
  }

  /** Candidate names, in order. */
  get candidateNames(): string[] {
    return this.candidates.map((c) => c.name);
  }

  /** Each candidate's current rolling MASE-style score (`NaN` before scoring starts). */
  scores(): Record<string, number> {
    const out: Record<string, number> = {};
    this.candidates.forEach((c, i) => {
      out[c.name] = this.score(i);
    });
    return out;
  }

  private score(i: number): number {
    if (this.scoredSteps === 0) return Number.NaN;
    // Both sums carry the same weights, so their ratio is the ratio of weighted means.
    if (this.scaleSum === 0) return this.errorSum[i]! === 0 ? 0 : Number.POSITIVE_INFINITY;
    return this.errorSum[i]! / this.scaleSum;
  }

  update(y: number): void {
    checkObservation(y);
    const m = this.m;
    const slot = this.count % m;
    if (this.count >= m) {
      const d = this.decay;
      this.scaleSum = d * this.scaleSum + Math.abs(y - this.ring[slot]!);
      const baselineError = Math.abs(y - this.pending[this.baseline]!);
      for (let i = 0; i < this.candidates.length; i++) {
        // A candidate without a forecast is charged the baseline's error: it can never win by it.
        const error = Math.abs(y - this.pending[i]!);
        this.errorSum[i] = d * this.errorSum[i]! + (Number.isFinite(error) ? error : baselineError);
      }
      this.scoredSteps++;
    }
    this.ring[slot] = y;
    this.count++;
    for (let i = 0; i < this.candidates.length; i++) {
      const candidate = this.candidates[i]!;
      candidate.update(y);
      this.pending[i] = candidate.forecast(1);
    }
    if (this.scoredSteps >= Math.max(this.warmup, 1)) this.choose();
  }

  private choose(): void {
    const baselineScore = this.score(this.baseline);
    let target = this.baseline;
    let targetScore = baselineScore;
    for (let i = 0; i < this.candidates.length; i++) {
      const s = this.score(i);
      if (s < targetScore) {
        target = i;
        targetScore = s;
      }
    }
    if (target === this.current) return;
    const currentScore = this.score(this.current);
    const currentEligible = this.current === this.baseline || currentScore < baselineScore;
    if (currentEligible && !(targetScore < currentScore * (1 - this.hysteresis))) return;
    const from = this.chosen;
    this.current = target;
    this.onChange?.(from, this.chosen, this.scores());
  }

  forecast(h: number): number {
    return this.candidates[this.current]!.forecast(h);
  }

  reset(): void {
    for (const c of this.candidates) c.reset();
    this.pending.fill(Number.NaN);
    this.errorSum.fill(0);
    this.ring.fill(0);
    this.scaleSum = 0;
    this.scoredSteps = 0;
    this.count = 0;
    this.current = this.baseline;
  }
}
