/**
 * Running mean, variance, min and max by Welford's update (Welford 1962), mergeable by the
 * pairwise formula of Chan, Golub & LeVeque (1979), so partial results from worker threads or
 * replications combine exactly as if one collector had seen every value.
 *
 * Empty: count 0 and NaN for mean, variance, min and max. One value: sample variance NaN
 * (undefined with n − 1 = 0 degrees of freedom), population variance 0.
 * Cost: O(1) per value and per merge, five numbers of memory.
 */
import { ArsError } from '../errors.js';

export class RunningStats {
  private n = 0;
  private m = 0;
  private m2 = 0;
  private lo = Number.POSITIVE_INFINITY;
  private hi = Number.NEGATIVE_INFINITY;

  /** Statistics of `values`, in order. */
  static of(values: Iterable<number>): RunningStats {
    const s = new RunningStats();
    for (const v of values) s.add(v);
    return s;
  }

  get count(): number {
    return this.n;
  }
  get mean(): number {
    return this.n === 0 ? Number.NaN : this.m;
  }
  /** Sample variance (divides by n − 1); NaN for fewer than two values. */
  get variance(): number {
    return this.n < 2 ? Number.NaN : this.m2 / (this.n - 1);
  }
  /** Population variance (divides by n); NaN when empty. */
  get populationVariance(): number {
    return this.n === 0 ? Number.NaN : this.m2 / this.n;
  }
  /** Sample standard deviation; NaN for fewer than two values. */
  get stddev(): number {
    return Math.sqrt(this.variance);
  }
  get min(): number {
    return this.n === 0 ? Number.NaN : this.lo;
  }
  get max(): number {
    return this.n === 0 ? Number.NaN : this.hi;
  }
  /** Sum of the values (mean · count). */
  get sum(): number {
    return this.m * this.n;
  }

  /**
   * Adds one finite value. O(1).
   * @throws ArsError ARS_E_INPUT_ARGUMENT for NaN or an infinite value.
   */
  add(x: number): void {
    if (!Number.isFinite(x))
      throw new ArsError('ARS_E_INPUT_ARGUMENT', `RunningStats needs finite values, got ${x}`);
    this.n++;
    const delta = x - this.m;
    this.m += delta / this.n;
    this.m2 += delta * (x - this.m);
    if (x < this.lo) this.lo = x;
    if (x > this.hi) this.hi = x;
  }

  /** Adds everything `other` has seen into this collector. O(1). */
  merge(other: RunningStats): void {
    if (other.n === 0) return;
    if (this.n === 0) {
      this.n = other.n;
      this.m = other.m;
      this.m2 = other.m2;
      this.lo = other.lo;
      this.hi = other.hi;
      return;
    }
    const n = this.n + other.n;
    const delta = other.m - this.m;
    this.m += (delta * other.n) / n;
    this.m2 += other.m2 + (delta * delta * this.n * other.n) / n;
    this.n = n;
    if (other.lo < this.lo) this.lo = other.lo;
    if (other.hi > this.hi) this.hi = other.hi;
  }

  clone(): RunningStats {
    const c = new RunningStats();
    c.merge(this);
    return c;
  }

  clear(): void {
    this.n = 0;
    this.m = 0;
    this.m2 = 0;
    this.lo = Number.POSITIVE_INFINITY;
    this.hi = Number.NEGATIVE_INFINITY;
  }
}
