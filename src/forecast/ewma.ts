import { checkHorizon, checkInRange, checkObservation, type Forecaster, fmt } from './forecaster.js';

export interface EwmaOptions {
  /** Smoothing weight of the newest observation, in (0, 1]. Default 0.3. */
  readonly alpha?: number;
}

export const EWMA_DEFAULTS = { alpha: 0.3 } as const satisfies Required<EwmaOptions>;

/**
 * Simple exponential smoothing (an exponentially weighted moving average of the level).
 *
 * The first observation becomes the level; each later one moves the level a fraction `alpha`
 * of the way towards itself. The forecast is flat: every horizon gets the current level.
 * O(1) time per update, O(1) memory.
 *
 * @throws ArsError `ARS_E_INPUT_ARGUMENT` when alpha is outside (0, 1].
 * @example
 *   const f = new Ewma({ alpha: 0.5 }); f.update(10); f.update(20); f.forecast(3) // 15
 */
export class Ewma implements Forecaster {
  readonly name: string;
  readonly alpha: number;
  private level = Number.NaN;
  private count = 0;

  constructor(options: EwmaOptions = {}) {
    const o = { ...EWMA_DEFAULTS, ...options };
    this.alpha = checkInRange('ewma alpha', o.alpha, 0, 1, { low: true });
    this.name = `ewma(a=${fmt(this.alpha)})`;
  }

  get n(): number {
    return this.count;
  }

  update(y: number): void {
    checkObservation(y);
    this.level = this.count === 0 ? y : this.level + this.alpha * (y - this.level);
    this.count++;
  }

  forecast(h: number): number {
    checkHorizon(h);
    return this.level;
  }

  reset(): void {
    this.level = Number.NaN;
    this.count = 0;
  }
}
