import { checkHorizon, checkInteger, checkObservation, type Forecaster } from './forecaster.js';

export interface SeasonalNaiveOptions {
  /** Season length in steps (integer >= 1). 1 gives the naive last-value forecaster. Default 1. */
  readonly m?: number;
}

/**
 * Seasonal naive: the forecast for a step is the observation exactly one season earlier (the
 * latest full season repeats). With m = 1 it is the naive forecaster: every horizon gets the
 * newest value. While the step one season before the target is not observed yet (fewer than
 * m observations), the forecast falls back to the newest value. It is the benchmark that MASE is scaled by, and the fallback of
 * the auto-selector. O(1) time per update, O(m) memory (a ring of the last m values).
 *
 * @throws ArsError `ARS_E_INPUT_ARGUMENT` when m is not an integer >= 1.
 * @example
 *   const f = new SeasonalNaive({ m: 3 }); [1, 2, 3, 4].forEach((y) => f.update(y));
 *   f.forecast(1) // 2   (the value 3 steps before the target step 5)
 */
export class SeasonalNaive implements Forecaster {
  readonly name: string;
  readonly m: number;
  private readonly ring: Float64Array;
  private count = 0;

  constructor(options: SeasonalNaiveOptions = {}) {
    this.m = checkInteger('seasonal-naive season length m', options.m ?? 1, 1);
    this.ring = new Float64Array(this.m);
    this.name = this.m === 1 ? 'naive' : `seasonal-naive(m=${this.m})`;
  }

  get n(): number {
    return this.count;
  }

  update(y: number): void {
    checkObservation(y);
    this.ring[this.count % this.m] = y;
    this.count++;
  }

  forecast(h: number): number {
    checkHorizon(h);
    if (this.count === 0) return Number.NaN;
    const last = this.count - 1;
    // The newest observed step with the same phase as the target step last + h.
    const source = last + h - Math.ceil(h / this.m) * this.m;
    return this.ring[(source >= 0 ? source : last) % this.m]!;
  }

  reset(): void {
    this.ring.fill(0);
    this.count = 0;
  }
}
