/**
 * What the rooms of the world share: the scenario, the profile, the clock and event list, the runtime
 * records and the scheduling runtime. `World` (world.ts) implements it and hands itself to each room, so a
 * room reads the others' state through this interface and never imports another room or the facade.
 * It extends `Snapshot` because policy hooks are given the world as their snapshot.
 */
import type { Simulation } from '../engine/simulation.js';
import type { Scenario } from '../model/scenario.js';
import type { Profile } from '../scheduler/profile.js';
import type { SchedulingRuntime } from '../scheduler/runtime/index.js';
import type { DecisionSink } from '../scheduler/scheduler.js';
import type { Snapshot } from '../scheduler/types.js';
import type { Network } from './network.js';
import type { NodeRt, TenantRt, TwinRt } from './state.js';

export interface WorldCore extends Snapshot {
  readonly scenario: Scenario;
  readonly profile: Profile;
  readonly sim: Simulation;
  readonly seed: number;
  readonly horizon: number;
  readonly warmup: number;
  readonly nodes: NodeRt[];
  readonly twins: TwinRt[];
  readonly tenants: TenantRt[];
  readonly network: Network;
  readonly runtime: SchedulingRuntime;
  readonly trace: DecisionSink | undefined;
  /** the next item uid: tasks and refreshes draw from one counter (batch plans sort by it) */
  nextUid(): number;
  /** a tenant's index from its id (0 when unknown) */
  tenantIndex(id: string): number;
  /** asks the runtime for a scheduling cycle (coalesced) */
  requestCycle(): void;
}
