/**
 * What a fork of the world copies: plain records only (numbers, arrays, one typed array for the twins), so
 * a fork is cheap to take and cheap to start again; nothing of the scenario is parsed or expanded again
 * (the fork's world shares the scenario object). A fork run builds a fresh world from this state with the
 * clock at the fork's time, the warm-up there (everything is measured from the fork on), and its own event
 * list and random streams.
 *
 * What is copied, and how:
 * - nodes: up, down (repaired after a fresh exponential repair time), off; a node being provisioned counts
 *   as up. Work running on a node is not copied as such: its request is (below), so it runs again.
 * - twins: last sample time and value, the previous sample, suspicion and its yardstick (their ages).
 * - open requests: workload, arrival and absolute deadline; each arrives again at the fork's time with its
 *   whole DAG (a request half done is redone: the fork overestimates the backlog a little, the same for
 *   every run of one fork), and its latency and deadline count from its real arrival.
 * - random streams: new ones, keyed by the world's seed and the fork's time. Copies of the live streams
 *   would replay the run's real future (its next arrivals, failures and anomalies): a controller would see
 *   what it cannot know. Every run of one fork uses the same streams (common random numbers).
 */
import type { Scenario } from '../model/scenario.js';
import type { WorldCore } from './core.js';
import type { NodeState, RequestRt, TwinRt } from './state.js';

/** Per twin, these fields, in this order, packed in one Float64Array. */
const TWIN_FIELDS = 6;

export interface ForkState {
  readonly time: number;
  readonly seed: number;
  readonly nodeStates: readonly NodeState[];
  readonly twins: Float64Array;
  /** per open request: workload index, arrival, absolute deadline (Infinity when none) */
  readonly open: Float64Array;
  /** per workload: Poisson requests/s to drive the fork with, NaN for the scenario's own process */
  readonly rates?: readonly number[];
}

/** The fork's seed: the world's, mixed with the fork time in milliseconds (unsigned 32 bits). */
export function forkSeed(seed: number, time: number): number {
  let h = Math.imul((seed | 0) ^ 0x2545f491, 0x9e3779b1);
  h ^= Math.round(time * 1000) | 0;
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  return (h ^ (h >>> 13)) >>> 0;
}

export function captureFork(w: WorldCore, open: { first: RequestRt | undefined }): ForkState {
  const now = w.sim.now;
  const twins = new Float64Array(w.twins.length * TWIN_FIELDS);
  for (const t of w.twins) {
    const o = t.index * TWIN_FIELDS;
    twins[o] = t.lastSample;
    twins[o + 1] = t.lastValue;
    twins[o + 2] = t.prevSample;
    twins[o + 3] = t.prevValue;
    twins[o + 4] = t.suspicion;
    twins[o + 5] = t.typicalChange;
  }
  const index = new Map(w.scenario.workloads.map((x, i) => [x, i]));
  const rows: number[] = [];
  for (let r = open.first; r; r = r.next) rows.push(index.get(r.w) ?? 0, r.arrival, r.deadline);
  return {
    time: now,
    seed: forkSeed(w.seed, now),
    nodeStates: w.nodes.map((n) => (n.state === 'provisioning' ? 'up' : n.state)),
    twins,
    open: Float64Array.from(rows),
  };
}

/** The state of a snapshot taken elsewhere (the live service): twins as old as `ages` says at time 0. */
export function snapshotState(
  scenario: Scenario,
  nodes: readonly { state: NodeState }[],
  ages: Readonly<Record<string, number>>,
  seed: number,
): ForkState {
  const twins = new Float64Array(scenario.twins.length * TWIN_FIELDS);
  scenario.twins.forEach((t, i) => {
    const o = i * TWIN_FIELDS;
    const age = ages[t.id];
    twins[o] = age !== undefined && Number.isFinite(age) && age > 0 ? -age : 0;
    twins[o + 1] = Number.NaN;
    twins[o + 2] = Number.NaN;
  });
  return {
    time: 0,
    seed: seed >>> 0,
    nodeStates: nodes.map((n) => n.state),
    twins,
    open: new Float64Array(0),
  };
}

/** Puts the copied twin fields back (before the world's rooms read them). */
export function restoreTwin(t: TwinRt, s: ForkState): void {
  const o = t.index * TWIN_FIELDS;
  const f = s.twins;
  t.lastSample = f[o]!;
  // a snapshot of a system the simulator did not run has no sample values: keep the asset's own
  if (!Number.isNaN(f[o + 1]!)) t.lastValue = f[o + 1]!;
  t.prevSample = f[o + 2]!;
  t.prevValue = f[o + 3]!;
  t.suspicion = f[o + 4]!;
  t.typicalChange = f[o + 5]!;
  t.changes = t.typicalChange > 0 ? 20 : 0;
  t.accounted = s.time;
}
