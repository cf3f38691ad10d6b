/**
 * How a mean ± 95 % confidence interval is written in tables: the interval only when it says
 * something, and no more digits than the data carry.
 *
 * - One replication: the interval is undefined; the cell says `(n=1)` instead of a false `± 0`.
 * - Every replication equal (up to floating-point noise): the mean alone, no `± 0` and no `± 1e-16`.
 * - Digits: the mean is rounded where its interval starts to matter (two significant digits of the
 *   half-width), and never finer than the quantile sketch can resolve for sketched quantiles.
 */
import { formatSignificant as formatNumber } from './number.js';

export interface EstimateLike {
  mean: number;
  /** half-width of the 95 % interval; null (or NaN) when it is undefined (fewer than two replications) */
  ci95: number | null;
}

/** Relative accuracy of the quantile sketch behind latency and delay percentiles (metrics/quantiles.ts). */
export const SKETCH_RELATIVE_ACCURACY = 0.005;

/**
 * A half-width this small next to the mean is floating-point noise from summing equal values, not
 * spread between replications (sums of n doubles carry a relative error near n · 2⁻⁵³).
 */
const NOISE_RELATIVE = 1e-9;

export type IntervalKind = 'interval' | 'undefined' | 'none';

/** Whether an estimate has a meaningful interval, an undefined one (n = 1), or none (all runs equal). */
export function intervalKind(e: EstimateLike): IntervalKind {
  if (e.ci95 === null || !Number.isFinite(e.ci95)) return 'undefined';
  if (e.ci95 <= NOISE_RELATIVE * Math.max(Math.abs(e.mean), Number.MIN_VALUE)) return 'none';
  return 'interval';
}

/** Decimal places that keep `significant` digits of x (may be negative: rounding to tens, hundreds…). */
function decimalsFor(x: number, significant: number): number {
  if (x === 0 || !Number.isFinite(x)) return 0;
  return significant - 1 - Math.floor(Math.log10(Math.abs(x)));
}

function roundTo(x: number, decimals: number): string {
  // trailing zeros stay: "0.30 ± 0.52" tells the reader the second decimal was measured
  if (decimals >= 0) return x.toFixed(Math.min(decimals, 12));
  const unit = 10 ** -decimals;
  return String(Math.round(x / unit) * unit);
}

/** Writes x with no more digits than `resolution` (an absolute error bound) allows; formatNumber otherwise. */
export function formatWithResolution(x: number, resolution: number | undefined): string {
  if (!Number.isFinite(x)) return String(x);
  if (resolution === undefined || !(resolution > 0)) return formatNumber(x);
  const decimals = decimalsFor(resolution, 1);
  if (Math.abs(x) >= 1e9 || decimals > 12) return formatNumber(x);
  return roundTo(x, decimals);
}

/**
 * One table cell for an estimate.
 * @param sketched true for quantiles read from a quantile sketch: digits stop at its relative accuracy
 * @example formatEstimate({ mean: 12.3456, ci95: 0.4321 }) // "12.35 ± 0.43"
 * @example formatEstimate({ mean: 7, ci95: null }) // "7 (n=1)"
 */
export function formatEstimate(e: EstimateLike, options: { sketched?: boolean } = {}): string {
  const sketchResolution = options.sketched ? SKETCH_RELATIVE_ACCURACY * Math.abs(e.mean) : undefined;
  const kind = intervalKind(e);
  if (kind !== 'interval') {
    const mean = formatWithResolution(e.mean, sketchResolution);
    return kind === 'undefined' ? `${mean} (n=1)` : mean;
  }
  const ci = e.ci95 as number;
  const resolution = Math.max(10 ** -decimalsFor(ci, 2), sketchResolution ?? 0);
  const mean = formatWithResolution(e.mean, resolution);
  // an interval narrower than the sketch resolves: say how narrow, not "± 0.00"
  if (ci < resolution / 2) return `${mean} ± <${formatWithResolution(resolution, resolution)}`;
  return `${mean} ± ${formatWithResolution(ci, resolution)}`;
}
