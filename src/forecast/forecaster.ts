import { ArsError } from '../errors.js';

/**
 * An online forecaster of one univariate series observed at equally spaced steps.
 *
 * Contract, shared by every implementation in this folder:
 * - `update(y)` appends one observation. It costs O(1) time; memory is O(1), or O(m) for a
 *   seasonal method with season length m. `y` must be finite, otherwise `ARS_E_INPUT_ARGUMENT`.
 * - `forecast(h)` is the point forecast `h` steps after the newest observation (`h = 1` is the
 *   next value). `h` must be an integer >= 1, otherwise `ARS_E_INPUT_ARGUMENT`. It never changes
 *   state, so calling it any number of times is safe. Before the first observation (`n === 0`)
 *   it returns `NaN`: there is no information yet, and a caller must not mistake that for zero.
 * - `n` is the number of observations since construction or the last `reset()`.
 * - `reset()` forgets every observation; parameters stay. Afterwards the forecaster behaves
 *   exactly like a freshly constructed one with the same parameters.
 * - Deterministic: the same observations give bit-identical forecasts.
 */
export interface Forecaster {
  /** Stable, human-readable identifier including the parameters, e.g. `ewma(a=0.3)`. */
  readonly name: string;
  update(y: number): void;
  forecast(h: number): number;
  readonly n: number;
  reset(): void;
}

/** Throws `ARS_E_INPUT_ARGUMENT` unless `value` lies in the interval (closed ends unless told). */
export function checkInRange(
  what: string,
  value: number,
  low: number,
  high: number,
  open: { low?: boolean; high?: boolean } = {},
): number {
  const belowLow = open.low ? value <= low : value < low;
  const aboveHigh = open.high ? value >= high : value > high;
  if (!Number.isFinite(value) || belowLow || aboveHigh) {
    const interval = `${open.low ? '(' : '['}${low}, ${high}${open.high ? ')' : ']'}`;
    throw new ArsError('ARS_E_INPUT_ARGUMENT', `${what} must be in ${interval}, got ${value}`);
  }
  return value;
}

/** Throws `ARS_E_INPUT_ARGUMENT` unless `value` is an integer >= `min`. */
export function checkInteger(what: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new ArsError('ARS_E_INPUT_ARGUMENT', `${what} must be an integer >= ${min}, got ${value}`);
  }
  return value;
}

/** Throws `ARS_E_INPUT_ARGUMENT` unless `y` is a finite number (one observation). */
export function checkObservation(y: number): number {
  if (typeof y !== 'number' || !Number.isFinite(y)) {
    throw new ArsError('ARS_E_INPUT_ARGUMENT', `observation must be a finite number, got ${String(y)}`);
  }
  return y;
}

/** Throws `ARS_E_INPUT_ARGUMENT` unless `h` is a valid horizon (an integer >= 1). */
export function checkHorizon(h: number): number {
  return checkInteger('forecast horizon h', h, 1);
}

/**
 * Sum of phi + phi^2 + ... + phi^h: how many trend steps a damped trend contributes after h steps.
 * With phi = 1 this is h (an undamped linear trend).
 */
export function dampedSteps(phi: number, h: number): number {
  if (phi === 1) return h;
  return (phi * (1 - phi ** h)) / (1 - phi);
}

/** Short decimal for names: 0.30000000000000004 prints as 0.3. */
export function fmt(x: number): string {
  return String(Number(x.toPrecision(6)));
}
