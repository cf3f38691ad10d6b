// The model layer's public surface: schema, types, loader.
export { closest, didYouMean, editDistance } from './did-you-mean.js';
export { DEFAULT_MAX_BYTES, type ExpandOptions, expandScenario, memberId } from './expand.js';
export { scenarioJsonSchema } from './json-schema.js';
export {
  DEFAULT_MAX_ALIAS_COUNT,
  type LoadOptions,
  loadScenario,
  type ParseOptions,
  parseScenario,
  type SafeParseResult,
  safeLoadScenario,
  safeParseScenario,
} from './load.js';
export { formatPath } from './locate.js';
export { describeSelector, type LabelledNode, nodeLabels, selects } from './privacy.js';
export type * from './scenario.js';
export * from './schema.js';
