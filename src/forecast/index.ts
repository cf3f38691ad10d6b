// Online forecasting: explicit re-exports only.

export { mase, OnlineAccuracy, smape } from './accuracy.js';
export type { AutoForecasterOptions, ChoiceChangeListener } from './auto.js';
export { AutoForecaster, defaultCandidates } from './auto.js';
export type { EvaluationRow, SyntheticOptions } from './evaluate.js';
export { burstySeries, diurnalSeries, evaluateForecasters, formatEvaluationTable } from './evaluate.js';
export type { EwmaOptions } from './ewma.js';
export { EWMA_DEFAULTS, Ewma } from './ewma.js';
export type { Forecaster } from './forecaster.js';
export type { HoltOptions } from './holt.js';
export { HOLT_DEFAULTS, Holt } from './holt.js';
export type { HoltWintersOptions } from './holt-winters.js';
export { HOLT_WINTERS_DEFAULTS, HoltWinters } from './holt-winters.js';
export type { ArrivalRateOptions, EstimatorState, ForecastBankOptions, ForecastBankState } from './rate.js';
export { ArrivalRateEstimator, ForecastBank } from './rate.js';
export type { SeasonalNaiveOptions } from './seasonal-naive.js';
export { SeasonalNaive } from './seasonal-naive.js';
export type { DriftEstimatorOptions } from './uncertainty.js';
export { DriftEstimator } from './uncertainty.js';
