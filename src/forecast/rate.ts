import { ArsError } from '../errors.js';
import { AutoForecaster } from './auto.js';
import { checkInRange, checkInteger, type Forecaster } from './forecaster.js';

export interface ArrivalRateOptions {
  /** Window length in seconds. Default 60. */
  readonly windowSeconds?: number;
  /** Windows are [origin + k * windowSeconds, origin + (k + 1) * windowSeconds). Default 0. */
  readonly origin?: number;
  /** Season length in windows for the default forecaster (e.g. 1440 for a daily cycle of 60 s windows). Default 1. */
  readonly seasonWindows?: number;
  /** Forecaster of the per-window rate, owned by the estimator. Default `new AutoForecaster({ m: seasonWindows })`. */
  readonly forecaster?: Forecaster;
  /** Largest number of windows one call may close; a bigger jump is refused as a likely clock error. Default 100000. */
  readonly maxGapWindows?: number;
}

/**
 * Arrival-rate estimator: bins an event stream into fixed windows and feeds the rate of each
 * closed window (events per second) to a forecaster, one update per window.
 *
 * The window grid starts at the first `record` or `advanceTo`; every window after that is fed,
 * empty ones as a rate of 0. Time must not run backwards across windows: an event stamped before
 * the open window (late delivery in live mode) is counted in the open window and tallied in
 * `lateEvents` rather than rewriting a window the forecaster has already seen.
 * Cost: O(1) per event, O(1) per closed window; memory is the forecaster's.
 */
export class ArrivalRateEstimator {
  readonly windowSeconds: number;
  readonly origin: number;
  readonly forecaster: Forecaster;
  private readonly maxGapWindows: number;
  private openIndex = Number.NaN;
  private openCount = 0;
  private late = 0;
  /** the newest closed windows' rates (at most HISTORY_WINDOWS), what a snapshot keeps */
  private history: number[] = [];

  constructor(options: ArrivalRateOptions = {}) {
    this.windowSeconds = checkInRange('windowSeconds', options.windowSeconds ?? 60, 0, Number.MAX_VALUE, {
      low: true,
    });
    this.origin = checkFinite('origin', options.origin ?? 0);
    this.maxGapWindows = checkInteger('maxGapWindows', options.maxGapWindows ?? 100_000, 1);
    const m = checkInteger('seasonWindows', options.seasonWindows ?? 1, 1);
    this.forecaster = options.forecaster ?? new AutoForecaster({ m });
  }

  /** Records `count` events (default 1) at `time` (seconds), closing any windows that ended before it. */
  record(time: number, count = 1): void {
    checkInRange('event count', count, 0, Number.MAX_VALUE);
    this.advanceTo(time);
    if (this.windowIndex(time) < this.openIndex) this.late += count;
    this.openCount += count;
  }

  /** Moves the clock to `time` (seconds): every window that ends at or before it is closed and fed. */
  advanceTo(time: number): void {
    checkFinite('time', time);
    const index = this.windowIndex(time);
    if (Number.isNaN(this.openIndex)) {
      this.openIndex = index;
      return;
    }
    const gap = index - this.openIndex;
    if (gap > this.maxGapWindows) {
      throw new ArsError(
        'ARS_E_INPUT_ARGUMENT',
        `time ${time} is ${gap} windows after the open window (more than maxGapWindows ${this.maxGapWindows})`,
      );
    }
    while (this.openIndex < index) {
      this.feed(this.openCount / this.windowSeconds);
      this.openCount = 0;
      this.openIndex++;
    }
  }

  private feed(rate: number): void {
    this.forecaster.update(rate);
    this.history.push(rate);
    if (this.history.length > 2 * HISTORY_WINDOWS)
      this.history.splice(0, this.history.length - HISTORY_WINDOWS);
  }

  /** What a restart needs to go on: the newest closed windows' rates and the open window (see `restore`). */
  snapshot(): EstimatorState {
    return {
      rates: this.history.slice(-HISTORY_WINDOWS),
      openStart: this.openWindowStart,
      openCount: this.openCount,
      late: this.late,
    };
  }

  /**
   * Goes on from a snapshot taken by another estimator, whose clock read `shift` seconds less than this one's:
   * its rates are fed again (forecasters are deterministic, so up to HISTORY_WINDOWS windows the state is the
   * same as the snapshot's), its open window is reopened. Windows between then and now close as empty ones.
   */
  restore(state: EstimatorState, shift = 0): void {
    this.reset();
    for (const r of state.rates) if (Number.isFinite(r) && r >= 0) this.feed(r);
    if (Number.isFinite(state.openStart)) {
      this.openIndex = this.windowIndex(state.openStart + shift + this.windowSeconds / 2);
      this.openCount = state.openCount;
    }
    this.late = state.late;
  }

  /**
   * Predicted arrivals per second in the k-th window from now: k = 1 is the window currently
   * open, k = 2 the one after it, and so on. Never negative; `NaN` until a window has closed.
   */
  predictRate(k = 1): number {
    // Math.max keeps NaN (no data yet) as NaN.
    return Math.max(this.forecaster.forecast(k), 0);
  }

  /** Predicted number of arrivals in the k-th window from now (`predictRate(k) * windowSeconds`). */
  predictArrivals(k = 1): number {
    return this.predictRate(k) * this.windowSeconds;
  }

  /** Number of windows closed and fed to the forecaster. */
  get windowsClosed(): number {
    return this.forecaster.n;
  }

  /** Start time of the open window (`NaN` before the first call). */
  get openWindowStart(): number {
    return this.origin + this.openIndex * this.windowSeconds;
  }

  /** Events counted so far in the open window. */
  get openWindowCount(): number {
    return this.openCount;
  }

  /** Events recorded with a time before the open window (counted in the open window instead). */
  get lateEvents(): number {
    return this.late;
  }

  reset(): void {
    this.forecaster.reset();
    this.openIndex = Number.NaN;
    this.openCount = 0;
    this.late = 0;
    this.history = [];
  }

  private windowIndex(time: number): number {
    return Math.floor((time - this.origin) / this.windowSeconds);
  }
}

/** Closed windows a snapshot keeps per estimator. */
export const HISTORY_WINDOWS = 1000;

/** An estimator's snapshot (JSON). */
export interface EstimatorState {
  rates: number[];
  /** start of the open window on the estimator's clock; NaN (null in JSON) before the first event */
  openStart: number;
  openCount: number;
  late: number;
}

/** A bank's snapshot (JSON): its clock and each key's estimator. */
export interface ForecastBankState {
  now: number;
  keys: Record<string, EstimatorState>;
}

export interface ForecastBankOptions {
  /** Window length in seconds, shared by all keys. Default 60. */
  readonly windowSeconds?: number;
  /** Window grid origin, shared by all keys, so windows of different keys line up. Default 0. */
  readonly origin?: number;
  /** Season length in windows of each key's default auto-forecaster. Default 1. */
  readonly seasonWindows?: number;
  /** Builds the forecaster of a new key. Default: an `AutoForecaster` with m = seasonWindows. */
  readonly createForecaster?: (key: string) => Forecaster;
  /** Told about every change of a key's auto-forecaster choice (default forecasters only). */
  readonly onChange?: (
    key: string,
    from: string,
    to: string,
    scores: Readonly<Record<string, number>>,
  ) => void;
  /** See `ArrivalRateOptions.maxGapWindows`. */
  readonly maxGapWindows?: number;
}

/**
 * One arrival-rate estimator per key (e.g. `tenant/workload`), on a shared window grid and a
 * shared clock. A key is created by its first event and its windows start there. `advanceTo`
 * only moves the shared clock; each key catches up lazily when it is next touched, so an idle key
 * costs nothing until it is read. Cheap for hundreds of keys: with the default forecaster a key
 * holds O(seasonWindows) numbers and an event costs O(1).
 */
export class ForecastBank {
  private readonly options: ForecastBankOptions;
  private readonly estimators = new Map<string, ArrivalRateEstimator>();
  private now = Number.NEGATIVE_INFINITY;

  constructor(options: ForecastBankOptions = {}) {
    // Validate the shared options once, not at the first key.
    new ArrivalRateEstimator({ ...options, forecaster: NO_FORECASTER });
    this.options = options;
  }

  /** Records `count` events (default 1) of `key` at `time` (seconds). */
  record(key: string, time: number, count = 1): void {
    checkFinite('time', time);
    let estimator = this.estimators.get(key);
    if (estimator === undefined) {
      estimator = this.create(key);
      this.estimators.set(key, estimator);
    }
    this.now = Math.max(this.now, time);
    estimator.advanceTo(this.now);
    estimator.record(time, count);
  }

  /** Moves the shared clock to `time`; keys catch up when next touched. */
  advanceTo(time: number): void {
    checkFinite('time', time);
    this.now = Math.max(this.now, time);
  }

  /** Predicted arrivals per second of `key` in the k-th window from the clock (see `ArrivalRateEstimator.predictRate`); `NaN` for an unknown key. */
  predictRate(key: string, k = 1): number {
    const estimator = this.caughtUp(key);
    return estimator === undefined ? Number.NaN : estimator.predictRate(k);
  }

  /** Predicted arrivals of `key` in the k-th window from the clock; `NaN` for an unknown key. */
  predictArrivals(key: string, k = 1): number {
    const estimator = this.caughtUp(key);
    return estimator === undefined ? Number.NaN : estimator.predictArrivals(k);
  }

  /** The estimator of `key`, caught up with the shared clock, or undefined. */
  get(key: string): ArrivalRateEstimator | undefined {
    return this.caughtUp(key);
  }

  /** Name of the forecaster `key` currently uses (the auto-forecaster's choice when it is one). */
  chosen(key: string): string | undefined {
    const forecaster = this.caughtUp(key)?.forecaster;
    if (forecaster === undefined) return undefined;
    return forecaster instanceof AutoForecaster ? forecaster.chosen : forecaster.name;
  }

  keys(): string[] {
    return [...this.estimators.keys()];
  }

  /** Every key's estimator, for a restart (see `ArrivalRateEstimator.snapshot`). */
  snapshot(): ForecastBankState {
    const keys: Record<string, EstimatorState> = {};
    for (const key of this.estimators.keys()) keys[key] = this.caughtUp(key)!.snapshot();
    return { now: this.now, keys };
  }

  /**
   * Goes on from a snapshot of a bank whose clock read `shift` seconds less than this one's (a restarted
   * service counts from its own start). Keys of the snapshot replace this bank's; malformed entries are skipped.
   */
  restore(state: ForecastBankState, shift = 0): void {
    if (Number.isFinite(state.now + shift)) this.now = Math.max(this.now, state.now + shift);
    for (const [key, st] of Object.entries(state.keys ?? {})) {
      if (!st || !Array.isArray(st.rates)) continue;
      const estimator = this.create(key);
      estimator.restore(
        {
          rates: st.rates,
          openStart: typeof st.openStart === 'number' ? st.openStart : Number.NaN,
          openCount: Number.isFinite(st.openCount) && st.openCount >= 0 ? st.openCount : 0,
          late: Number.isFinite(st.late) ? st.late : 0,
        },
        shift,
      );
      this.estimators.set(key, estimator);
    }
  }

  get size(): number {
    return this.estimators.size;
  }

  /** The shared clock: the latest time `advanceTo` or `record` was given (−∞ before either). */
  get clock(): number {
    return this.now;
  }

  private caughtUp(key: string): ArrivalRateEstimator | undefined {
    const estimator = this.estimators.get(key);
    if (estimator !== undefined && Number.isFinite(this.now)) estimator.advanceTo(this.now);
    return estimator;
  }

  private create(key: string): ArrivalRateEstimator {
    const { createForecaster, onChange, seasonWindows } = this.options;
    const forecaster =
      createForecaster?.(key) ??
      new AutoForecaster({
        m: seasonWindows ?? 1,
        onChange: onChange && ((from, to, scores) => onChange(key, from, to, scores)),
      });
    return new ArrivalRateEstimator({ ...this.options, forecaster });
  }
}

const NO_FORECASTER: Forecaster = {
  name: 'none',
  n: 0,
  update: () => {},
  forecast: () => Number.NaN,
  reset: () => {},
};

function checkFinite(what: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ArsError('ARS_E_INPUT_ARGUMENT', `${what} must be a finite number, got ${String(value)}`);
  }
  return value;
}
