import type { PolicyRef, Scenario } from '../model/scenario.js';
import { registry } from '../policies/index.js';
import { withSensitivePlacement } from '../policies/privacy/index.js';
import type { DecisionSink } from '../scheduler/scheduler.js';
import type { RunResult } from '../world/results.js';
import { type ExecutionRecord, type SeriesSettings, World } from '../world/world.js';

export interface RunOptions {
  /** a policy name, or name and parameters; default: the scenario's policy */
  policy?: string | PolicyRef;
  seed?: number;
  horizon?: number;
  trace?: DecisionSink;
  /** told of every binding of work to a node */
  onExecute?: (r: ExecutionRecord) => void;
  onProgress?: (fraction: number) => void;
  /** record per-window series into the result's `series` field */
  series?: SeriesSettings;
}

/**
 * The one place a run's policy and parameters are decided (`ars run`, `ars compare`, the library):
 * - no policy: the scenario's, with its parameters;
 * - a name: that policy; the scenario's parameters apply when the scenario names the same policy;
 * - `overrides` (`--param key=value`) go over either, key by key;
 * - a `PolicyRef` (name and parameters) is taken as given: the caller has resolved it.
 */
export function resolvePolicy(
  scenario: Scenario,
  policy: RunOptions['policy'],
  overrides: Readonly<Record<string, unknown>> = {},
): PolicyRef {
  if (policy !== undefined && typeof policy !== 'string') return policy;
  const name = policy ?? scenario.policy.name;
  const own = name === scenario.policy.name ? scenario.policy.params : {};
  return { name, params: { ...own, ...overrides } };
}

/** Simulates one scenario with one policy and seed; a pure function of its inputs. */
export function runScenario(scenario: Scenario, options: RunOptions = {}): RunResult {
  const ref = resolvePolicy(scenario, options.policy);
  // every policy obeys the scenario's privacy rule the same way; without one the profile is unchanged
  const profile = withSensitivePlacement(registry.create(ref.name, ref.params), scenario);
  const world = new World(scenario, profile, {
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.horizon !== undefined ? { horizon: options.horizon } : {}),
    ...(options.trace ? { trace: options.trace } : {}),
    ...(options.onExecute ? { onExecute: options.onExecute } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.series ? { series: options.series } : {}),
  });
  return world.run();
}
