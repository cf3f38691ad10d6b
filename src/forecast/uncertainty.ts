import { ArsError } from '../errors.js';
import { checkInRange } from './forecaster.js';

export interface DriftEstimatorOptions {
  /** Also estimate a constant drift (mean change per second). Default true. */
  readonly estimateDrift?: boolean;
  /**
   * Per-increment forgetting factor in (0, 1]: each new increment multiplies the weight of all
   * older ones by it, so the estimate follows a volatility that changes over time. 1 keeps the
   * whole history equally weighted. Default 1.
   */
  readonly forgetting?: number;
}

/**
 * Online estimate of how fast a twin's state drifts away from its last sample.
 *
 * Model: between samples the asset's value moves like a Brownian motion with drift, so an
 * increment dx over a gap dt has mean mu * dt and variance sigma^2 * dt. From the successive
 * samples (time, value) the estimator keeps five weighted sums (weights w, w * dt, w * dx,
 * w * dx^2 / dt, w^2 * dt) and from them gives
 * - `driftPerSecond` mu = sum(w dx) / sum(w dt), the weighted maximum-likelihood estimate;
 * - `variancePerSecond` sigma^2 = [sum(w dx^2/dt) - mu * sum(w dx)] / [sum(w) - sum(w^2 dt) / sum(w dt)],
 *   the weighted residual sum of squares corrected so that it is unbiased (with drift fixed at 0
 *   it is sum(w dx^2/dt) / sum(w));
 * - `expectedError(age)` = sqrt(sigma^2 * age + (mu * age)^2), the root-mean-square distance
 *   between the twin's last sample and the true value `age` seconds later.
 * Samples must come in time order; a sample at the same time as the previous one replaces it.
 * Measurement noise on samples is not separated from the drift and inflates sigma^2 at short gaps.
 * O(1) time per sample, O(1) memory.
 */
export class DriftEstimator {
  readonly estimateDrift: boolean;
  readonly forgetting: number;
  private lastTime = Number.NaN;
  private lastValue = Number.NaN;
  private samples = 0;
  private increments = 0;
  private w = 0;
  private wDt = 0;
  private wDx = 0;
  private wDx2PerDt = 0;
  private w2Dt = 0;

  constructor(options: DriftEstimatorOptions = {}) {
    this.estimateDrift = options.estimateDrift ?? true;
    this.forgetting = checkInRange('drift forgetting', options.forgetting ?? 1, 0, 1, { low: true });
  }

  /** Adds one sample of the twin's state (value) taken at `time` seconds. */
  observe(time: number, value: number): void {
    if (!Number.isFinite(time) || !Number.isFinite(value)) {
      throw new ArsError(
        'ARS_E_INPUT_ARGUMENT',
        `sample time and value must be finite, got (${time}, ${value})`,
      );
    }
    if (this.samples > 0) {
      const dt = time - this.lastTime;
      if (dt < 0) {
        throw new ArsError(
          'ARS_E_INPUT_ARGUMENT',
          `samples must be in time order: ${time} comes after ${this.lastTime}`,
        );
      }
      if (dt > 0) {
        const dx = value - this.lastValue;
        const f = this.forgetting;
        this.w = f * this.w + 1;
        this.wDt = f * this.wDt + dt;
        this.wDx = f * this.wDx + dx;
        this.wDx2PerDt = f * this.wDx2PerDt + (dx * dx) / dt;
        this.w2Dt = f * f * this.w2Dt + dt;
        this.increments++;
      }
    }
    this.lastTime = time;
    this.lastValue = value;
    this.samples++;
  }

  /** Samples observed. */
  get n(): number {
    return this.samples;
  }

  /** Increments (pairs of successive samples with a positive gap) used. */
  get incrementCount(): number {
    return this.increments;
  }

  /** Estimated mean change per second (0 when drift is not estimated; `NaN` before an increment). */
  get driftPerSecond(): number {
    if (!this.estimateDrift) return 0;
    return this.increments === 0 ? Number.NaN : this.wDx / this.wDt;
  }

  /**
   * Estimated variance of the change per second of elapsed time. `NaN` until there are enough
   * increments: 1 without drift, 2 with drift.
   */
  get variancePerSecond(): number {
    if (!this.estimateDrift) return this.increments === 0 ? Number.NaN : this.wDx2PerDt / this.w;
    if (this.increments < 2) return Number.NaN;
    const residual = this.wDx2PerDt - (this.wDx * this.wDx) / this.wDt;
    const dof = this.w - this.w2Dt / this.wDt;
    // Rounding can push a residual of an exactly linear series a hair below zero.
    return dof > 0 ? Math.max(0, residual) / dof : Number.NaN;
  }

  /**
   * Root-mean-square error of a twin whose newest sample is `age` seconds old:
   * sqrt(sigma^2 * age + (drift * age)^2). `NaN` while the variance is unknown.
   */
  expectedError(age: number): number {
    checkInRange('age', age, 0, Number.POSITIVE_INFINITY);
    const drift = this.driftPerSecond * age;
    return Math.sqrt(this.variancePerSecond * age + drift * drift);
  }

  reset(): void {
    this.lastTime = Number.NaN;
    this.lastValue = Number.NaN;
    this.samples = 0;
    this.increments = 0;
    this.w = 0;
    this.wDt = 0;
    this.wDx = 0;
    this.wDx2PerDt = 0;
    this.w2Dt = 0;
  }
}
