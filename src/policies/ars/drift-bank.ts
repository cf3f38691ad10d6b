/**
 * The uncertainty-growth estimators of all twins in one Float64Array, a record of nine numbers per twin,
 * instead of one `DriftEstimator` object each. The arithmetic is `DriftEstimator`'s (src/forecast/
 * uncertainty.ts, drift estimated, forgetting f), expression for expression, so every value is the one an
 * estimator fed the same samples gives (drift-bank.test.ts checks it bit for bit). Why: each refresh of a
 * 10,000-twin fleet updates one estimator, and an object's number fields are each boxed on the heap, so
 * an update reached several cold cache lines; a record is one or two.
 */
import { ArsError } from '../../errors.js';
import { checkInRange } from '../../forecast/forecaster.js';

// fields of a twin's record
const LAST_TIME = 0;
const LAST_VALUE = 1;
const SAMPLES = 2;
const INCREMENTS = 3;
const W = 4;
const W_DT = 5;
const W_DX = 6;
const W_DX2_PER_DT = 7;
const W2_DT = 8;
const STRIDE = 9;

export class DriftBank {
  readonly forgetting: number;
  readonly #d: Float64Array;

  constructor(twins: number, forgetting: number) {
    this.forgetting = checkInRange('drift forgetting', forgetting, 0, 1, { low: true });
    this.#d = new Float64Array(twins * STRIDE);
    for (let i = 0; i < twins; i++) {
      this.#d[i * STRIDE + LAST_TIME] = Number.NaN;
      this.#d[i * STRIDE + LAST_VALUE] = Number.NaN;
    }
  }

  /** Samples observed for twin i (`DriftEstimator.n`). */
  samples(i: number): number {
    return this.#d[i * STRIDE + SAMPLES]!;
  }

  /** `DriftEstimator.observe` for twin i. */
  observe(i: number, time: number, value: number): void {
    if (!Number.isFinite(time) || !Number.isFinite(value)) {
      throw new ArsError(
        'ARS_E_INPUT_ARGUMENT',
        `sample time and value must be finite, got (${time}, ${value})`,
      );
    }
    const d = this.#d;
    const o = i * STRIDE;
    if (d[o + SAMPLES]! > 0) {
      const dt = time - d[o + LAST_TIME]!;
      if (dt < 0) {
        throw new ArsError(
          'ARS_E_INPUT_ARGUMENT',
          `samples must be in time order: ${time} comes after ${d[o + LAST_TIME]}`,
        );
      }
      if (dt > 0) {
        const dx = value - d[o + LAST_VALUE]!;
        const f = this.forgetting;
        d[o + W] = f * d[o + W]! + 1;
        d[o + W_DT] = f * d[o + W_DT]! + dt;
        d[o + W_DX] = f * d[o + W_DX]! + dx;
        d[o + W_DX2_PER_DT] = f * d[o + W_DX2_PER_DT]! + (dx * dx) / dt;
        d[o + W2_DT] = f * f * d[o + W2_DT]! + dt;
        d[o + INCREMENTS] = d[o + INCREMENTS]! + 1;
      }
    }
    d[o + LAST_TIME] = time;
    d[o + LAST_VALUE] = value;
    d[o + SAMPLES] = d[o + SAMPLES]! + 1;
  }

  /** `DriftEstimator.expectedError(age)` for twin i: √(σ² · age + (μ · age)²), NaN while σ² is unknown. */
  expectedError(i: number, age: number): number {
    checkInRange('age', age, 0, Number.POSITIVE_INFINITY);
    const d = this.#d;
    const o = i * STRIDE;
    const increments = d[o + INCREMENTS]!;
    const wDt = d[o + W_DT]!;
    const wDx = d[o + W_DX]!;
    const driftPerSecond = increments === 0 ? Number.NaN : wDx / wDt;
    let variancePerSecond = Number.NaN;
    if (!(increments < 2)) {
      const residual = d[o + W_DX2_PER_DT]! - (wDx * wDx) / wDt;
      const dof = d[o + W]! - d[o + W2_DT]! / wDt;
      variancePerSecond = dof > 0 ? Math.max(0, residual) / dof : Number.NaN;
    }
    const drift = driftPerSecond * age;
    return Math.sqrt(variancePerSecond * age + drift * drift);
  }
}
