/**
 * A metrics window for feedback controllers: events (arrivals, completions, deadline misses,
 * each with an optional value such as a latency) and levels (queue length, utilisation) are
 * recorded as simulated time advances, and `read(now)` returns counts, rates, means, minima
 * and maxima over the last `width` seconds.
 *
 * Time is cut into buckets of width `width / buckets` starting at `start`; bucket k covers
 * [start + k·b, start + (k + 1)·b). `read(now)` aggregates the last `buckets` complete buckets,
 * so a controller calling it every `width` seconds with `buckets: 1` sees tumbling windows
 * [(k − 1)W, kW), and with `buckets: m` a window sliding in steps of W/m. An event at exactly a
 * boundary belongs to the later bucket. Times within 1e-9 bucket widths below a boundary count as
 * on it, so that accumulated floating-point clocks (0.1 + 0.2) land where a reader expects.
 *
 * Empty windows: count 0, sum 0, and NaN for rate (only when the window has zero length, i.e.
 * before the first bucket is complete), mean, min and max.
 * Cost: O(1) per record and per level change within a bucket, O(metrics) per bucket boundary
 * crossed (at most buckets + 1 per call), O(metrics · buckets) per read; memory O(metrics ·
 * buckets). Metric names are interned on first use.
 */
import { ArsError } from '../errors.js';

export interface MetricsWindowOptions {
  /** Window length in simulated seconds (> 0). */
  readonly width: number;
  /** Buckets per window: 1 (default) gives a tumbling window, more a sliding one. */
  readonly buckets?: number;
  /** Time of the first bucket boundary (default 0). */
  readonly start?: number;
}

export interface EventStats {
  readonly count: number;
  /** count / window duration (events per second). */
  readonly rate: number;
  readonly sum: number;
  /** sum / count: the mean recorded value (e.g. mean latency). */
  readonly mean: number;
  readonly min: number;
  readonly max: number;
}

export interface LevelStats {
  /** Time-weighted mean over the part of the window since the level was first set. */
  readonly mean: number;
  readonly min: number;
  readonly max: number;
  /** Value held at the end of the window. */
  readonly last: number;
}

export interface WindowSnapshot {
  readonly start: number;
  readonly end: number;
  readonly duration: number;
  readonly events: Readonly<Record<string, EventStats>>;
  readonly levels: Readonly<Record<string, LevelStats>>;
}

interface EventMetric {
  readonly count: Float64Array;
  readonly sum: Float64Array;
  readonly min: Float64Array;
  readonly max: Float64Array;
}

interface LevelMetric {
  readonly integral: Float64Array;
  readonly min: Float64Array;
  readonly max: Float64Array;
  readonly endValue: Float64Array;
  readonly born: number;
  value: number;
  since: number;
}

const BOUNDARY_TOLERANCE = 1e-9;

export class MetricsWindow {
  readonly width: number;
  readonly buckets: number;
  readonly start: number;
  private readonly bucketWidth: number;
  private readonly ring: number;
  private readonly events = new Map<string, EventMetric>();
  private readonly levels = new Map<string, LevelMetric>();
  private current = 0;
  private clock: number;

  constructor(options: MetricsWindowOptions) {
    const { width, buckets = 1, start = 0 } = options;
    if (!(width > 0 && Number.isFinite(width))) {
      throw new ArsError('ARS_E_INPUT_ARGUMENT', `window width must be a positive number, got ${width}`);
    }
    if (!(Number.isInteger(buckets) && buckets >= 1)) {
      throw new ArsError('ARS_E_INPUT_ARGUMENT', `buckets must be a positive integer, got ${buckets}`);
    }
    this.width = width;
    this.buckets = buckets;
    this.start = start;
    this.bucketWidth = width / buckets;
    this.ring = buckets + 1; // the complete buckets of one window plus the one being filled
    this.clock = start;
  }

  /** Records one event at `now` carrying `value` (default 1). O(1). */
  record(now: number, name: string, value = 1): void {
    this.advance(now);
    let m = this.events.get(name);
    if (m === undefined) {
      m = {
        count: new Float64Array(this.ring),
        sum: new Float64Array(this.ring),
        min: new Float64Array(this.ring).fill(Number.POSITIVE_INFINITY),
        max: new Float64Array(this.ring).fill(Number.NEGATIVE_INFINITY),
      };
      this.events.set(name, m);
    }
    const s = this.slot(this.current);
    m.count[s]! += 1;
    m.sum[s]! += value;
    if (value < m.min[s]!) m.min[s] = value;
    if (value > m.max[s]!) m.max[s] = value;
  }

  /** The level `name` takes `value` from `now` on (piecewise constant). O(1). */
  level(now: number, name: string, value: number): void {
    this.advance(now);
    const s = this.slot(this.current);
    const m = this.levels.get(name);
    if (m === undefined) {
      const fresh: LevelMetric = {
        integral: new Float64Array(this.ring),
        min: new Float64Array(this.ring).fill(Number.POSITIVE_INFINITY),
        max: new Float64Array(this.ring).fill(Number.NEGATIVE_INFINITY),
        endValue: new Float64Array(this.ring).fill(Number.NaN),
        born: now,
        value,
        since: now,
      };
      fresh.min[s] = value;
      fresh.max[s] = value;
      this.levels.set(name, fresh);
      return;
    }
    m.integral[s]! += m.value * (now - m.since);
    m.since = now;
    m.value = value;
    if (value < m.min[s]!) m.min[s] = value;
    if (value > m.max[s]!) m.max[s] = value;
  }

  /** Statistics over the last `buckets` complete buckets before `now`. O(metrics · buckets). */
  read(now: number): WindowSnapshot {
    this.advance(now);
    const first = Math.max(0, this.current - this.buckets);
    const windowStart = this.start + first * this.bucketWidth;
    const windowEnd = this.start + this.current * this.bucketWidth;
    const duration = windowEnd - windowStart;
    const events: Record<string, EventStats> = {};
    for (const [name, m] of this.events) {
      let count = 0;
      let sum = 0;
      let min = Number.POSITIVE_INFINITY;
      let max = Number.NEGATIVE_INFINITY;
      for (let k = first; k < this.current; k++) {
        const s = this.slot(k);
        count += m.count[s]!;
        sum += m.sum[s]!;
        if (m.min[s]! < min) min = m.min[s]!;
        if (m.max[s]! > max) max = m.max[s]!;
      }
      events[name] = {
        count,
        rate: duration > 0 ? count / duration : Number.NaN,
        sum,
        mean: count > 0 ? sum / count : Number.NaN,
        min: count > 0 ? min : Number.NaN,
        max: count > 0 ? max : Number.NaN,
      };
    }
    const levels: Record<string, LevelStats> = {};
    for (const [name, m] of this.levels) {
      let integral = 0;
      let min = Number.POSITIVE_INFINITY;
      let max = Number.NEGATIVE_INFINITY;
      for (let k = first; k < this.current; k++) {
        const s = this.slot(k);
        integral += m.integral[s]!;
        if (m.min[s]! < min) min = m.min[s]!;
        if (m.max[s]! > max) max = m.max[s]!;
      }
      const covered = windowEnd - Math.max(windowStart, m.born);
      const seen = covered > 0;
      levels[name] = {
        mean: seen ? integral / covered : Number.NaN,
        min: seen ? min : Number.NaN,
        max: seen ? max : Number.NaN,
        last: this.current > 0 && seen ? m.endValue[this.slot(this.current - 1)]! : Number.NaN,
      };
    }
    return { start: windowStart, end: windowEnd, duration, events, levels };
  }

  private slot(bucket: number): number {
    return bucket % this.ring;
  }

  private bucketOf(t: number): number {
    return Math.floor((t - this.start) / this.bucketWidth + BOUNDARY_TOLERANCE);
  }

  /** Moves the clock to `now`, closing every bucket boundary crossed. */
  private advance(now: number): void {
    if (!(now >= this.clock)) {
      throw new ArsError(
        'ARS_E_INPUT_ARGUMENT',
        `time went backwards in the metrics window: ${now} < ${this.clock}`,
      );
    }
    this.clock = now;
    const target = this.bucketOf(now);
    if (target <= this.current) return;
    // Buckets at or before target − ring fall out of the ring: skip them without closing.
    const oldest = target - this.ring;
    if (oldest > this.current) this.current = oldest;
    while (this.current < target) {
      const closing = this.slot(this.current);
      const end = this.start + (this.current + 1) * this.bucketWidth;
      for (const m of this.levels.values()) {
        if (m.since < end) {
          m.integral[closing]! += m.value * (end - m.since);
          m.since = end;
        }
        m.endValue[closing] = m.value;
      }
      this.current++;
      const s = this.slot(this.current);
      for (const m of this.events.values()) {
        m.count[s] = 0;
        m.sum[s] = 0;
        m.min[s] = Number.POSITIVE_INFINITY;
        m.max[s] = Number.NEGATIVE_INFINITY;
      }
      for (const m of this.levels.values()) {
        m.integral[s] = 0;
        m.min[s] = m.value;
        m.max[s] = m.value;
        m.endValue[s] = Number.NaN;
      }
    }
  }
}

/**
 * The share of a window spent busy, from cumulative integrals read at the window's start and end:
 * (busy − busy₀) / (capacity − capacity₀), 0 when no capacity accrued. The world's feedback windows and
 * its `--series` utilisation read their integrals this way (the integrals are exact, so a tumbling window
 * needs no buckets).
 */
export function windowShare(
  busy: number,
  busyAtStart: number,
  capacity: number,
  capacityAtStart: number,
): number {
  return capacity - capacityAtStart > 0 ? (busy - busyAtStart) / (capacity - capacityAtStart) : 0;
}
