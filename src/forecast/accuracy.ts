import { ArsError } from '../errors.js';
import { checkInteger, checkObservation } from './forecaster.js';

/**
 * Online forecast accuracy of one series: MASE and sMAPE, updated as each one-step-ahead error
 * is observed. O(1) time per observation, O(m) memory.
 *
 * Call `observe(forecast, actual)` once per step, in order, with the forecast that was made for
 * that step before the actual was known. A forecast of `NaN` (a forecaster with no data yet) is
 * not scored, but its actual still counts towards the MASE scale.
 *
 * - MASE (mean absolute scaled error, Hyndman & Koehler 2006): the mean absolute forecast error
 *   divided by the mean absolute error of the seasonal-naive method (y_t - y_{t-m}) over the
 *   actuals seen so far ("in-sample" grows with the stream). Below 1 beats seasonal naive.
 *   `NaN` until at least one error is scored and m + 1 actuals are known. On a series whose
 *   scale is 0 (seasonal naive is perfect) it is 0 when the forecaster is perfect too and
 *   `Infinity` otherwise.
 * - sMAPE, the 0..200 percent convention (as in the M4 competition): the mean over scored steps
 *   of 200 * |actual - forecast| / (|actual| + |forecast|), a step where both are 0 counting as
 *   0. 0 is perfect, 200 is the worst (opposite signs, or one of the two is 0). `NaN` until one
 *   error is scored.
 */
export class OnlineAccuracy {
  /** Seasonal period of the MASE scale (1 = naive). */
  readonly m: number;
  private readonly ring: Float64Array;
  private actuals = 0;
  private scaleSum = 0;
  private scored = 0;
  private absErrorSum = 0;
  private squaredErrorSum = 0;
  private smapeSum = 0;

  constructor(m = 1) {
    this.m = checkInteger('MASE seasonal period m', m, 1);
    this.ring = new Float64Array(this.m);
  }

  observe(forecast: number, actual: number): void {
    checkObservation(actual);
    if (!Number.isNaN(forecast)) {
      if (!Number.isFinite(forecast)) {
        throw new ArsError('ARS_E_INPUT_ARGUMENT', `forecast must be finite or NaN, got ${forecast}`);
      }
      const error = Math.abs(actual - forecast);
      this.absErrorSum += error;
      this.squaredErrorSum += error * error;
      const denominator = Math.abs(actual) + Math.abs(forecast);
      this.smapeSum += denominator === 0 ? 0 : (200 * error) / denominator;
      this.scored++;
    }
    const slot = this.actuals % this.m;
    if (this.actuals >= this.m) this.scaleSum += Math.abs(actual - this.ring[slot]!);
    this.ring[slot] = actual;
    this.actuals++;
  }

  /** Number of scored (forecast, actual) pairs. */
  get count(): number {
    return this.scored;
  }

  /** Mean absolute error of the scored forecasts. */
  get mae(): number {
    return this.scored === 0 ? Number.NaN : this.absErrorSum / this.scored;
  }

  /** Root mean squared error of the scored forecasts. */
  get rmse(): number {
    return this.scored === 0 ? Number.NaN : Math.sqrt(this.squaredErrorSum / this.scored);
  }

  /** In-sample mean absolute error of seasonal naive over the actuals seen so far. */
  get scale(): number {
    return this.actuals <= this.m ? Number.NaN : this.scaleSum / (this.actuals - this.m);
  }

  get mase(): number {
    const mae = this.mae;
    const scale = this.scale;
    if (Number.isNaN(mae) || Number.isNaN(scale)) return Number.NaN;
    if (scale === 0) return mae === 0 ? 0 : Number.POSITIVE_INFINITY;
    return mae / scale;
  }

  /** sMAPE in percent, 0..200. */
  get smape(): number {
    return this.scored === 0 ? Number.NaN : this.smapeSum / this.scored;
  }

  reset(): void {
    this.ring.fill(0);
    this.actuals = 0;
    this.scaleSum = 0;
    this.scored = 0;
    this.absErrorSum = 0;
    this.squaredErrorSum = 0;
    this.smapeSum = 0;
  }
}

/** Batch MASE of aligned arrays (see `OnlineAccuracy`). O(n). */
export function mase(actual: readonly number[], forecast: readonly number[], m = 1): number {
  return score(actual, forecast, m).mase;
}

/** Batch sMAPE in percent, 0..200, of aligned arrays (see `OnlineAccuracy`). O(n). */
export function smape(actual: readonly number[], forecast: readonly number[]): number {
  return score(actual, forecast, 1).smape;
}

function score(actual: readonly number[], forecast: readonly number[], m: number): OnlineAccuracy {
  if (actual.length !== forecast.length) {
    throw new ArsError(
      'ARS_E_INPUT_ARGUMENT',
      `actual and forecast must have the same length, got ${actual.length} and ${forecast.length}`,
    );
  }
  const accuracy = new OnlineAccuracy(m);
  for (let i = 0; i < actual.length; i++) accuracy.observe(forecast[i]!, actual[i]!);
  return accuracy;
}
