/**
 * A what-if that starts from the live state instead of fresh twins: the live service's snapshot scenario
 * (src/live/snapshot.ts, `snapshotSpec`) and its twins' ages go into the world's fork port
 * (`World.snapshotFork`), and every policy runs from that one copied state on the same streams (common
 * random numbers). The live what-if route may call it in place of simulating the snapshot from fresh twins
 * (it does not yet: src/live/plugin.ts is owned elsewhere).
 */
import type { PolicyRef, Scenario } from '../model/scenario.js';
import { registry } from '../policies/index.js';
import { withSensitivePlacement } from '../policies/privacy/index.js';
import type { ForkOutcome } from '../scheduler/fork.js';
import { World } from '../world/world.js';

export interface ForkWhatIfOptions {
  /** simulated seconds ahead (default: the scenario's horizon) */
  readonly horizon?: number;
  /** the fork's streams (default: the scenario's seed) */
  readonly seed?: number;
  /** stop a run after this many events (reported as truncated) */
  readonly maxEvents?: number;
}

/** Runs each policy from the snapshot with its twins as old as `ages` says (seconds, by twin id). */
export function whatIfFromAges(
  scenario: Scenario,
  ages: Readonly<Record<string, number>>,
  policies: readonly (string | PolicyRef)[],
  o: ForkWhatIfOptions = {},
): { policy: string; outcome: ForkOutcome }[] {
  const fork = World.snapshotFork(scenario, ages, o.seed ?? scenario.seed);
  return policies.map((p) => {
    const ref = typeof p === 'string' ? { name: p, params: {} } : p;
    const profile = withSensitivePlacement(registry.create(ref.name, ref.params), scenario);
    const outcome = fork.run({
      profile,
      horizon: o.horizon ?? scenario.horizon,
      ...(o.maxEvents !== undefined ? { maxEvents: o.maxEvents } : {}),
    });
    return { policy: ref.name, outcome };
  });
}
