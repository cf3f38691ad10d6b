import type { PolicyRef, Scenario } from '../model/scenario.js';
import { registry } from '../policies/index.js';
import { withSensitivePlacement } from '../policies/privacy/index.js';
import type { DecisionSink } from '../scheduler/scheduler.js';
import type { RunResult } from '../world/results.js';
import { type ExecutionRecord, World } from '../world/world.js';

export interface RunOptions {
  /** a policy name, or name and parameters; default: the scenario's policy */
  policy?: string | PolicyRef;
  seed?: number;
  horizon?: number;
  trace?: DecisionSink;
  /** told of every binding of work to a node */
  onExecute?: (r: ExecutionRecord) => void;
  onProgress?: (fraction: number) => void;
}

export function resolvePolicy(scenario: Scenario, policy: RunOptions['policy']): PolicyRef {
  if (policy === undefined) return scenario.policy;
  if (typeof policy === 'string') {
    // the scenario's parameters apply when it names the same policy
    return { name: policy, params: policy === scenario.policy.name ? scenario.policy.params : {} };
  }
  return policy;
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
  });
  return world.run();
}
