// The model layer's public surface: schema, types, loader.
export { closest, didYouMean, editDistance } from './did-you-mean.js';
export { batchWindow, type ExpandOptions, expandScenario, memberId } from './expand.js';
export { scenarioJsonSchema } from './json-schema.js';
export {
  checkWork,
  DEFAULT_LIMITS,
  estimateWork,
  expectedArrivals,
  formatCount,
  type Limits,
  NO_LIMITS,
  resolveLimits,
  type WorkEstimate,
  type WorkProblem,
  type WorkRequest,
  workProblem,
} from './limits.js';
export {
  type LoadOptions,
  loadScenario,
  type ParseOptions,
  parseScenario,
  type SafeParseResult,
  safeLoadScenario,
  safeParseScenario,
} from './load.js';
export {
  type AddIssue,
  documentLocator,
  formatPath,
  issueCollector,
  type Locate,
  type PathSegment,
} from './locate.js';
export { describeSelector, type LabelledNode, nodeLabels, selects } from './privacy.js';
export {
  DEFAULT_MAX_ALIAS_COUNT,
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_DEPTH,
  decodeText,
  parseText,
  readBoundedFile,
  readReason,
  readTextFile,
  tooDeep,
} from './read.js';
export type * from './scenario.js';
export * from './schema.js';
