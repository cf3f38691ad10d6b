// Streaming metrics: summaries the simulator feeds value by value. Pure numeric code; imports
// nothing from world, scheduler or policies.

export {
  type BatchMeansOptions,
  type BatchMeansResult,
  batchMeans,
  incompleteBeta,
  logGamma,
  type MeanInterval,
  meanCi95,
  meanInterval,
  meanIntervalOf,
  normalCdf,
  normalQuantile,
  studentTCdf,
  studentTQuantile,
} from './confidence.js';
export {
  alignVectors,
  dominantResourceOf,
  dominantShare,
  dominantShareOf,
  dominantShareOfTwo,
  jainFromSums,
  jainIndex,
  normalizedJainIndex,
  type ResourceVector,
} from './fairness.js';
export { QuantileSketch, type QuantileSketchOptions, type QuantileSummary } from './quantiles.js';
export { AgeOfInformation, aoiIntegral, periodicMeanAge, TimeWeightedAverage } from './time-weighted.js';
export { RunningStats } from './welford.js';
export {
  type EventStats,
  type LevelStats,
  MetricsWindow,
  type MetricsWindowOptions,
  type WindowSnapshot,
  windowShare,
} from './window.js';
