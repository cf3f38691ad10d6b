/**
 * Streaming quantile summary for non-negative values such as latencies, in the spirit of
 * DDSketch (Masson, Rim & Lee, VLDB 2019): values fall into logarithmic buckets whose
 * boundaries grow by a factor γ = (1 + α) / (1 − α), and a bucket is reported by the one
 * value that is within relative error α of everything it holds.
 *
 * Guarantee: for 0 ≤ q ≤ 1, let x be the exact order statistic of rank ⌊q · (n − 1)⌋
 * (0-based) of the values added. Then `quantile(q)` returns y with |y − x| ≤ α · x, for
 * every x ≥ `minTrackable`; values below `minTrackable` (zeros included) are counted in
 * a zero bucket and reported as 0, an absolute error below `minTrackable`. The bound holds as
 * long as the sketch has not collapsed (more than `maxBuckets` distinct buckets between the
 * smallest and the largest value; with the defaults this needs values spanning ~70 decades).
 * When it collapses, the lowest buckets fold together and only low quantiles lose accuracy.
 *
 * count, min, max and mean are exact (mean up to floating-point summation).
 * An empty sketch reports NaN for every statistic and quantile, and count 0.
 *
 * Cost: `add` is O(1) (one logarithm, amortised O(1) when the bucket range grows);
 * `quantile` is O(buckets in use); memory is 8 bytes per bucket between the smallest and
 * largest value seen (≈ 230 buckets per decade at α = 0.005), capped by `maxBuckets`.
 * Sketches with the same options merge exactly: the merge equals the sketch of the union.
 */
import { ArsError } from '../errors.js';

export interface QuantileSketchOptions {
  /** Relative accuracy α, in (0, 1). Default 0.005 (0.5 %). */
  readonly relativeAccuracy?: number;
  /** Values below this (zeros included) are counted as 0. Default 1e-9. */
  readonly minTrackable?: number;
  /** Upper bound on the number of logarithmic buckets kept. Default 16384. */
  readonly maxBuckets?: number;
}

export interface QuantileSummary {
  readonly count: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

const DEFAULTS = {
  relativeAccuracy: 0.005,
  minTrackable: 1e-9,
  maxBuckets: 16384,
} satisfies Required<QuantileSketchOptions>;

const INITIAL_CAPACITY = 64;

export class QuantileSketch {
  readonly relativeAccuracy: number;
  readonly minTrackable: number;
  readonly maxBuckets: number;
  private readonly gamma: number;
  private readonly invLogGamma: number;
  // Dense bucket store: counts[k] holds bucket index `offset + k`.
  private counts = new Float64Array(0);
  private offset = 0;
  // Range of bucket indices currently holding counts (valid when bucketCount > 0).
  private lowIndex = 0;
  private highIndex = -1;
  private bucketCount = 0;
  private zeroCount = 0;
  private total = 0;
  private sum = 0;
  private minValue = Number.POSITIVE_INFINITY;
  private maxValue = Number.NEGATIVE_INFINITY;
  private collapsedFlag = false;

  constructor(options: QuantileSketchOptions = {}) {
    const o = { ...DEFAULTS, ...options };
    if (!(o.relativeAccuracy > 0 && o.relativeAccuracy < 1)) {
      throw new ArsError(
        'ARS_E_INPUT_ARGUMENT',
        `relativeAccuracy must be in (0, 1), got ${o.relativeAccuracy}`,
      );
    }
    if (!(o.minTrackable > 0 && Number.isFinite(o.minTrackable))) {
      throw new ArsError('ARS_E_INPUT_ARGUMENT', `minTrackable must be positive, got ${o.minTrackable}`);
    }
    if (!(Number.isInteger(o.maxBuckets) && o.maxBuckets >= 2)) {
      throw new ArsError('ARS_E_INPUT_ARGUMENT', `maxBuckets must be an integer ≥ 2, got ${o.maxBuckets}`);
    }
    this.relativeAccuracy = o.relativeAccuracy;
    this.minTrackable = o.minTrackable;
    this.maxBuckets = o.maxBuckets;
    this.gamma = (1 + o.relativeAccuracy) / (1 - o.relativeAccuracy);
    this.invLogGamma = 1 / Math.log(this.gamma);
  }

  /** Number of values added (with their multiplicities). */
  get count(): number {
    return this.total;
  }
  get min(): number {
    return this.total === 0 ? Number.NaN : this.minValue;
  }
  get max(): number {
    return this.total === 0 ? Number.NaN : this.maxValue;
  }
  get mean(): number {
    return this.total === 0 ? Number.NaN : this.sum / this.total;
  }
  /** True once buckets have been folded together to respect `maxBuckets` (low quantiles lose the bound). */
  get collapsed(): boolean {
    return this.collapsedFlag;
  }

  /**
   * Adds `value` (≥ 0, finite) `count` times (a positive integer). O(1).
   * @throws ArsError ARS_E_INPUT_ARGUMENT for a negative, NaN or infinite value or a bad count.
   */
  add(value: number, count = 1): void {
    if (!(value >= 0 && value < Number.POSITIVE_INFINITY)) {
      throw new ArsError('ARS_E_INPUT_ARGUMENT', `QuantileSketch accepts finite values ≥ 0, got ${value}`);
    }
    if (count !== 1 && !(Number.isInteger(count) && count > 0)) {
      throw new ArsError('ARS_E_INPUT_ARGUMENT', `count must be a positive integer, got ${count}`);
    }
    this.total += count;
    this.sum += value * count;
    if (value < this.minValue) this.minValue = value;
    if (value > this.maxValue) this.maxValue = value;
    if (value < this.minTrackable) {
      this.zeroCount += count;
      return;
    }
    this.addToBucket(this.indexOf(value), count);
  }

  /**
   * The q-quantile, 0 ≤ q ≤ 1, within the relative error bound of the class comment.
   * q = 0 and q = 1 return the exact min and max. NaN when empty.
   * @throws ArsError ARS_E_INPUT_ARGUMENT when q is outside [0, 1].
   */
  quantile(q: number): number {
    if (!(q >= 0 && q <= 1)) {
      throw new ArsError('ARS_E_INPUT_ARGUMENT', `quantile must be in [0, 1], got ${q}`);
    }
    if (this.total === 0) return Number.NaN;
    if (q === 0) return this.minValue;
    if (q === 1) return this.maxValue;
    const rank = Math.floor(q * (this.total - 1));
    if (rank < this.zeroCount) return 0;
    let seen = this.zeroCount;
    let estimate = this.maxValue;
    for (let index = this.lowIndex; index <= this.highIndex; index++) {
      seen += this.counts[index - this.offset] ?? 0;
      if (seen > rank) {
        estimate = this.valueOf(index);
        break;
      }
    }
    // Clamping to the exact extremes never moves the estimate away from the true order statistic.
    return Math.min(this.maxValue, Math.max(this.minValue, estimate));
  }

  /** count, min, max, mean and the 50th, 95th and 99th percentiles. */
  summary(): QuantileSummary {
    return {
      count: this.total,
      min: this.min,
      max: this.max,
      mean: this.mean,
      p50: this.quantile(0.5),
      p95: this.quantile(0.95),
      p99: this.quantile(0.99),
    };
  }

  /**
   * Adds every value of `other` into this sketch. The result is identical to having added
   * both streams to one sketch (up to the order of floating-point summation of the mean).
   * @throws ArsError ARS_E_INPUT_ARGUMENT when the two sketches have different options.
   */
  merge(other: QuantileSketch): void {
    if (
      other.relativeAccuracy !== this.relativeAccuracy ||
      other.minTrackable !== this.minTrackable ||
      other.maxBuckets !== this.maxBuckets
    ) {
      throw new ArsError('ARS_E_INPUT_ARGUMENT', 'cannot merge quantile sketches with different options');
    }
    if (other.total === 0) return;
    this.total += other.total;
    this.sum += other.sum;
    this.zeroCount += other.zeroCount;
    if (other.minValue < this.minValue) this.minValue = other.minValue;
    if (other.maxValue > this.maxValue) this.maxValue = other.maxValue;
    if (other.collapsedFlag) this.collapsedFlag = true;
    for (let index = other.lowIndex; index <= other.highIndex; index++) {
      const c = other.counts[index - other.offset] ?? 0;
      if (c > 0) this.addToBucket(index, c);
    }
  }

  /** A new sketch with the same options and contents. */
  clone(): QuantileSketch {
    const copy = new QuantileSketch({
      relativeAccuracy: this.relativeAccuracy,
      minTrackable: this.minTrackable,
      maxBuckets: this.maxBuckets,
    });
    copy.merge(this);
    return copy;
  }

  /** Forgets every value; keeps the allocated buckets for reuse. */
  clear(): void {
    this.counts.fill(0);
    this.lowIndex = 0;
    this.highIndex = -1;
    this.bucketCount = 0;
    this.zeroCount = 0;
    this.total = 0;
    this.sum = 0;
    this.minValue = Number.POSITIVE_INFINITY;
    this.maxValue = Number.NEGATIVE_INFINITY;
    this.collapsedFlag = false;
  }

  /** Bucket i holds (γ^(i−1), γ^i]. */
  private indexOf(value: number): number {
    return Math.ceil(Math.log(value) * this.invLogGamma);
  }

  /** The point of (γ^(i−1), γ^i] with the same relative distance α to both ends. */
  private valueOf(index: number): number {
    return (2 * this.gamma ** index) / (this.gamma + 1);
  }

  private addToBucket(index: number, count: number): void {
    if (this.bucketCount === 0) {
      this.lowIndex = index;
      this.highIndex = index;
      this.bucketCount = 1;
      this.ensureRange(index, index);
      this.counts[index - this.offset]! += count;
      return;
    }
    if (index > this.highIndex) {
      const newLow = Math.max(this.lowIndex, index - this.maxBuckets + 1);
      if (newLow > this.lowIndex) this.foldBelow(newLow);
      this.highIndex = index;
    } else if (index < this.lowIndex) {
      const floor = this.highIndex - this.maxBuckets + 1;
      if (index < floor) {
        // Below the kept range: count it in the lowest kept bucket.
        this.collapsedFlag = true;
        index = floor;
      }
      this.lowIndex = index;
    }
    this.bucketCount = this.highIndex - this.lowIndex + 1;
    this.ensureRange(this.lowIndex, this.highIndex);
    this.counts[index - this.offset]! += count;
  }

  /** Moves every count below `newLow` into bucket `newLow`. */
  private foldBelow(newLow: number): void {
    this.collapsedFlag = true;
    let moved = 0;
    const stop = Math.min(newLow - 1, this.highIndex);
    for (let index = this.lowIndex; index <= stop; index++) {
      const k = index - this.offset;
      moved += this.counts[k] ?? 0;
      this.counts[k] = 0;
    }
    this.lowIndex = newLow;
    this.ensureRange(newLow, Math.max(newLow, this.highIndex));
    this.counts[newLow - this.offset]! += moved;
  }

  /** Makes counts cover [low, high], recentring with slack so that growth is amortised O(1). */
  private ensureRange(low: number, high: number): void {
    const length = this.counts.length;
    if (low >= this.offset && high < this.offset + length) return;
    const needed = high - low + 1;
    const capacity = Math.min(
      this.maxBuckets + 1,
      Math.max(INITIAL_CAPACITY, needed * 2, Math.min(2 * length, this.maxBuckets + 1)),
    );
    const slack = capacity - needed;
    const newOffset = low - Math.floor(slack / 2);
    const next = new Float64Array(capacity);
    if (this.bucketCount > 0 && length > 0) {
      // Copy the overlap of the old store with the new one; counts outside it are already zero.
      const from = Math.max(this.offset, newOffset);
      const to = Math.min(this.offset + length, newOffset + capacity);
      for (let index = from; index < to; index++) next[index - newOffset] = this.counts[index - this.offset]!;
    }
    this.counts = next;
    this.offset = newOffset;
  }
}
