// The public API: explicit re-exports only.

export * as engine from './engine/index.js';
export type { ErrorCode, InputIssue } from './errors.js';
export { ArsError, formatIssues, InputError } from './errors.js';
export { type CompareOptions, type CompareResult, compare } from './experiment/compare.js';
export { type RunOptions, runScenario } from './experiment/run.js';
export { type Estimate, summarizeDocuments } from './experiment/summarize.js';
export {
  type SweepOptions,
  type SweepResult,
  type SweepSource,
  sweep,
  sweepFromStore,
} from './experiment/sweep.js';
export { parseVary, type VarySpec } from './experiment/sweep-grid.js';
export * as forecast from './forecast/index.js';
export * as metrics from './metrics/index.js';
export {
  type LoadOptions,
  loadScenario,
  type ParseOptions,
  parseScenario,
  type SafeParseResult,
  safeLoadScenario,
  safeParseScenario,
  scenarioJsonSchema,
} from './model/index.js';
export type * from './model/scenario.js';
export * from './model/schema.js';
export { policyNames, registry } from './policies/index.js';
export { detectInput, type ReportInput, type ReportOptions, renderReport } from './report/html/report.js';
export type * from './scheduler/plugins.js';
export { buildProfile, type Profile, type ProfileSpec, type WeightedScore } from './scheduler/profile.js';
export { type PolicyFactory, PolicyRegistry } from './scheduler/registry.js';
export type { CandidateExplanation, Decision, DecisionSink } from './scheduler/scheduler.js';
export type * from './scheduler/types.js';
export { DEFAULT_STORE, RunStore } from './store/runs-sqlite.js';
export type { RunResult } from './world/results.js';
export type { ExecutionRecord, WorldOptions } from './world/world.js';
