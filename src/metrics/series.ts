/**
 * Per-window time series of a run, streaming and bounded in memory: the recorder behind `--series`.
 *
 * Three kinds of series, each fed in time order:
 * - `level(name, t, value)`: a piecewise-constant quantity (queue length, utilisation, AoI); each
 *   window reports its time-weighted mean over the part of the window the level was known.
 * - `count(name, t, n)`: events (deadline misses, completions); each window reports how many.
 * - `sample(name, t, value)`: observations (latencies); each window reports count, mean, p50, p95
 *   and p99 from a quantile sketch (2 % relative accuracy: coarse, because there is one per window).
 *
 * Memory is bounded: when a series would need more than `maxWindows` windows, adjacent windows
 * merge pairwise and the window doubles. Merging is exact for counts and levels and exact for the
 * sketches (they merge losslessly), so the result depends only on the inputs, never on when the
 * merges happened: the same run gives the same bytes.
 *
 * Cost: O(1) amortised per call (a level that spans many windows costs one step per window it
 * crosses); memory O(series × maxWindows).
 */
import { ArsError } from '../errors.js';
import { QuantileSketch } from './quantiles.js';

export interface SeriesOptions {
  /** first window width, in simulated seconds */
  readonly window: number;
  /** time the first window starts (the warm-up's end, usually) */
  readonly start?: number;
  /** most windows kept per series before they merge pairwise; default 2048 */
  readonly maxWindows?: number;
}

/** Relative accuracy of the per-window latency sketches. */
const WINDOW_SKETCH_ACCURACY = 0.02;

interface LevelState {
  kind: 'level';
  /** integral of the level over each window */
  area: number[];
  /** time with a known level in each window */
  covered: number[];
  value: number;
  since: number;
  known: boolean;
}

interface CountState {
  kind: 'count';
  counts: number[];
}

interface SampleState {
  kind: 'sample';
  sketches: (QuantileSketch | undefined)[];
}

type State = LevelState | CountState | SampleState;

export interface SeriesDocument {
  start: number;
  window: number;
  /** window i covers [start + i·window, start + (i+1)·window) */
  windows: number;
  series: Record<
    string,
    | { kind: 'level'; mean: (number | null)[] }
    | { kind: 'count'; count: number[] }
    | {
        kind: 'sample';
        count: number[];
        mean: (number | null)[];
        p50: (number | null)[];
        p95: (number | null)[];
        p99: (number | null)[];
      }
  >;
}

export class SeriesRecorder {
  readonly start: number;
  readonly maxWindows: number;
  #window: number;
  #windows = 0;
  readonly #series = new Map<string, State>();

  constructor(options: SeriesOptions) {
    if (!(options.window > 0 && Number.isFinite(options.window)))
      throw new ArsError(
        'ARS_E_INPUT_ARGUMENT',
        `series window must be a positive number, got ${options.window}`,
      );
    this.#window = options.window;
    this.start = options.start ?? 0;
    this.maxWindows = Math.max(2, options.maxWindows ?? 2048);
  }

  get window(): number {
    return this.#window;
  }

  /** Index of the window holding t, growing (and, past the bound, coarsening) the windows to reach it. */
  #index(t: number): number {
    if (t < this.start) return -1;
    let i = this.#slot(t);
    while (i >= this.maxWindows) {
      this.#coarsen();
      i = this.#slot(t);
    }
    if (i >= this.#windows) this.#grow(i + 1);
    return i;
  }

  /**
   * The window holding t by the same arithmetic as the window bounds (start + i·window): the quotient
   * alone can round to the window before a bound that t sits on, and a level spread from there would
   * never get past it.
   */
  #slot(t: number): number {
    const w = this.#window;
    let i = Math.floor((t - this.start) / w);
    if (this.start + (i + 1) * w <= t) i++;
    else if (i > 0 && this.start + i * w > t) i--;
    return i;
  }

  #grow(n: number): void {
    for (const s of this.#series.values()) {
      if (s.kind === 'level') {
        while (s.area.length < n) s.area.push(0);
        while (s.covered.length < n) s.covered.push(0);
      } else if (s.kind === 'count') while (s.counts.length < n) s.counts.push(0);
      else while (s.sketches.length < n) s.sketches.push(undefined);
    }
    this.#windows = n;
  }

  /** Merges windows pairwise and doubles the window: memory stays under maxWindows per series. */
  #coarsen(): void {
    const pairs = <T>(xs: T[], merge: (a: T, b: T | undefined) => T): T[] => {
      const out: T[] = [];
      for (let i = 0; i < xs.length; i += 2) out.push(merge(xs[i]!, xs[i + 1]));
      return out;
    };
    const add = (a: number, b: number | undefined) => a + (b ?? 0);
    for (const s of this.#series.values()) {
      if (s.kind === 'level') {
        s.area = pairs(s.area, add);
        s.covered = pairs(s.covered, add);
      } else if (s.kind === 'count') s.counts = pairs(s.counts, add);
      else
        s.sketches = pairs(s.sketches, (a, b) => {
          if (!a) return b;
          if (b) a.merge(b);
          return a;
        });
    }
    this.#window *= 2;
    this.#windows = Math.ceil(this.#windows / 2);
  }

  #state<K extends State['kind']>(name: string, kind: K): Extract<State, { kind: K }> {
    let s = this.#series.get(name);
    if (!s) {
      const n = this.#windows;
      s =
        kind === 'level'
          ? {
              kind,
              area: new Array(n).fill(0),
              covered: new Array(n).fill(0),
              value: 0,
              since: 0,
              known: false,
            }
          : kind === 'count'
            ? { kind, counts: new Array(n).fill(0) }
            : { kind: 'sample', sketches: new Array(n).fill(undefined) };
      this.#series.set(name, s);
    } else if (s.kind !== kind)
      throw new ArsError('ARS_E_INTERNAL', `series ${name} is a ${s.kind} series, not a ${kind} series`);
    return s as Extract<State, { kind: K }>;
  }

  /** Spreads the current level of s over the windows between its last change and t. */
  #accrue(s: LevelState, t: number): void {
    if (!s.known || t <= s.since) return;
    let from = Math.max(s.since, this.start);
    while (from < t) {
      const i = this.#index(from);
      const end = Math.min(t, this.start + (i + 1) * this.#window);
      s.area[i]! += s.value * (end - from);
      s.covered[i]! += end - from;
      from = end;
    }
  }

  /** The level of `name` is `value` from time t on. */
  level(name: string, t: number, value: number): void {
    const s = this.#state(name, 'level');
    this.#accrue(s, t);
    s.value = value;
    s.since = t;
    s.known = true;
  }

  count(name: string, t: number, n = 1): void {
    const i = this.#index(t);
    if (i < 0) return;
    this.#state(name, 'count').counts[i]! += n;
  }

  sample(name: string, t: number, value: number): void {
    const i = this.#index(t);
    if (i < 0) return;
    const s = this.#state(name, 'sample');
    let sketch = s.sketches[i];
    if (!sketch) {
      sketch = new QuantileSketch({ relativeAccuracy: WINDOW_SKETCH_ACCURACY });
      s.sketches[i] = sketch;
    }
    sketch.add(value);
  }

  /** The series up to time `end` (levels are carried to it), in name order. */
  finish(end: number): SeriesDocument {
    if (end > this.start) this.#index(end - 1e-12 * Math.max(1, Math.abs(end)));
    const series: SeriesDocument['series'] = {};
    for (const name of [...this.#series.keys()].sort()) {
      const s = this.#series.get(name)!;
      if (s.kind === 'level') {
        this.#accrue(s, end);
        s.since = Math.max(s.since, end);
        series[name] = {
          kind: 'level',
          mean: s.area.map((a, i) => (s.covered[i]! > 0 ? a / s.covered[i]! : null)),
        };
      } else if (s.kind === 'count') series[name] = { kind: 'count', count: [...s.counts] };
      else {
        const q = (p: number) => s.sketches.map((k) => (k && k.count > 0 ? k.quantile(p) : null));
        series[name] = {
          kind: 'sample',
          count: s.sketches.map((k) => k?.count ?? 0),
          mean: s.sketches.map((k) => (k && k.count > 0 ? k.mean : null)),
          p50: q(0.5),
          p95: q(0.95),
          p99: q(0.99),
        };
      }
    }
    return { start: this.start, window: this.#window, windows: this.#windows, series };
  }
}
