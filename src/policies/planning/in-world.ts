/**
 * The static planners as world plugins. When a request arrives, HEFT, CPOP or PEFT plan its whole DAG against
 * the nodes' current state; at each scheduling window Min-Min, Max-Min, GA or PSO plan the batch of ready work.
 * Execution then follows the plan: each item waits for its planned node (`WorkItem.plannedNode`).
 *
 * How the world becomes a static problem:
 * - processors are the nodes that are up, at most `MAX_PROCESSORS` of them (the least backlogged, ties to the
 *   lowest index), so planning stays cheap on a cluster of thousands;
 * - a task's cost on a node is work / speed for its kind; a node that cannot hold it (tier, capacity) costs
 *   `INFEASIBLE`, so no planner picks it while another node exists;
 * - communication between two nodes is the world's latency + bytes / bandwidth;
 * - for DAG planners a node is as many processors as it holds copies of the request's largest task (see
 *   `dagPlanner`); for batch planners it is one machine that becomes free after its backlog (the reserved work
 *   spread over its capacity);
 * - the world keeps compute free on a node for the planned work waiting for it, ahead of proactive refreshes.
 * Every schedule a planner returns here passes `validateSchedule` before it is used; a violation is a bug.
 */
import { ArsError } from '../../errors.js';
import { fitsEver } from '../../scheduler/feasibility.js';
import type { Planner, RequestPlanView } from '../../scheduler/plugins.js';
import type { NodeView, Snapshot, WorkItem } from '../../scheduler/types.js';
import type { DagProblem, EtcProblem } from './problem.js';
import { buildDagProblem } from './problem.js';
import type { Schedule } from './schedule.js';
import { validateSchedule } from './validate.js';

export const MAX_PROCESSORS = 64;
/** cost of a task on a node that cannot run it: larger than any real plan, finite for the planners' arithmetic */
export const INFEASIBLE = 1e9;

function candidates(s: Snapshot): NodeView[] {
  const up = s.nodes.filter((n) => n.up);
  if (up.length <= MAX_PROCESSORS) return up;
  return up.sort((a, b) => a.backlog - b.backlog || a.index - b.index).slice(0, MAX_PROCESSORS);
}

/** A node a planner may give the task to: the scheduler's one rule, on capacity (the plan runs later). */
const fits = fitsEver;

/** Latency and bandwidth matrices between the candidate nodes, read off the world's network. */
function links(nodes: readonly NodeView[], s: Snapshot): { latency: number[][]; bandwidth: number[][] } {
  const PROBE = 1e6;
  const latency = nodes.map((a) =>
    nodes.map((b) => (a === b ? 0 : s.transferTime({ node: a.index }, b.index, 0))),
  );
  const bandwidth = nodes.map((a, i) =>
    nodes.map((b, j) => {
      if (a === b) return 1;
      const t = s.transferTime({ node: a.index }, b.index, PROBE) - latency[i]![j]!;
      return t > 0 ? PROBE / t : 1e18;
    }),
  );
  return { latency, bandwidth };
}

type DagAlgorithm = (problem: DagProblem, options: { now?: number; ready?: readonly number[] }) => Schedule;

/** Most processors one node contributes to a plan (its slots for the request's largest task). */
export const MAX_SLOTS_PER_NODE = 8;

/**
 * HEFT, CPOP or PEFT planning each request's DAG on arrival. A node that can hold k of the request's largest task
 * at once contributes k processors (up to `MAX_SLOTS_PER_NODE`), free now for as many as its free compute holds
 * and after its backlog for the rest, and each busy until the work planned onto it before ends. Data moves
 * between slots of one node for free.
 */
export function dagPlanner(name: string, algorithm: DagAlgorithm): Planner {
  // when the work planned onto each slot of each node (key node * MAX_SLOTS_PER_NODE + slot) is expected to finish
  const plannedUntil = new Map<number, number>();
  return {
    name,
    planRequest(req: RequestPlanView, s: Snapshot): Int32Array {
      const out = new Int32Array(req.tasks.length).fill(-1);
      const largest = Math.max(...req.tasks.map((t) => t.compute));
      const slots: { node: NodeView; slot: number; ready: number }[] = [];
      for (const n of candidates(s)) {
        const k = Math.min(MAX_SLOTS_PER_NODE, Math.max(1, Math.floor(n.computeCapacity / largest)));
        const freeNow = Math.floor(n.freeCompute / largest);
        for (let j = 0; j < k && slots.length < MAX_PROCESSORS; j++) {
          const base = j < freeNow ? s.now : s.now + n.backlog;
          const planned = plannedUntil.get(n.index * MAX_SLOTS_PER_NODE + j) ?? 0;
          slots.push({ node: n, slot: j, ready: Math.max(base, planned) });
        }
      }
      if (slots.length === 0) return out;
      const cost: Record<string, number[]> = {};
      for (const t of req.tasks) {
        const row = slots.map(({ node }) => (fits(t, node) ? t.work / node.speed(t.kind) : INFEASIBLE));
        // a task no candidate can hold is left to regular placement, and so is the rest of its request
        if (row.every((c) => c >= INFEASIBLE)) return out;
        cost[t.id] = row;
      }
      const nodes = slots.map((x) => x.node);
      const { latency, bandwidth } = links(nodes, s);
      const problem = buildDagProblem({
        processors: slots.map(({ node, slot }) => `${node.id}/${slot}`),
        cost,
        edges: req.edges.map((e) => [req.tasks[e.from]!.id, req.tasks[e.to]!.id, e.bytes]),
        latency,
        bandwidth,
      });
      const state = { now: s.now, ready: slots.map((x) => x.ready) };
      const schedule = algorithm(problem, state);
      const violations = validateSchedule(problem, schedule, state);
      if (violations.length > 0) {
        throw new ArsError(
          'ARS_E_INTERNAL',
          `${name} planned an invalid schedule: ${violations[0]!.message}`,
        );
      }
      for (const e of schedule.entries) {
        const { node, slot } = slots[e.processorIndex]!;
        out[e.taskIndex] = node.index;
        const key = node.index * MAX_SLOTS_PER_NODE + slot;
        plannedUntil.set(key, Math.max(plannedUntil.get(key) ?? 0, e.finish));
      }
      return out;
    },
  };
}

type EtcAlgorithm = (problem: EtcProblem, s: Snapshot) => Schedule;

/**
 * A batch planner: the ready items of a scheduling window as independent tasks on an ETC matrix whose entry is
 * the time for the item's inputs to reach the node plus its run time there, each node starting at its backlog.
 */
export function batchPlanner(name: string, algorithm: EtcAlgorithm): Planner {
  return {
    name,
    planBatch(items: readonly WorkItem[], s: Snapshot): Int32Array {
      const out = new Int32Array(items.length).fill(-1);
      const nodes = candidates(s);
      if (nodes.length === 0 || items.length === 0) return out;
      const M = nodes.length;
      const etc = new Float64Array(items.length * M);
      items.forEach((it, t) => {
        nodes.forEach((n, m) => {
          etc[t * M + m] = fits(it, n)
            ? s.inputsReadyAt(it, n.index) - s.now + it.work / n.speed(it.kind)
            : INFEASIBLE;
        });
      });
      const problem: EtcProblem = {
        kind: 'etc',
        taskNames: items.map((it) => it.id),
        processorNames: nodes.map((n) => n.id),
        tasks: items.length,
        processors: M,
        etc,
        ready: Float64Array.from(nodes, (n) => n.backlog),
      };
      const schedule = algorithm(problem, s);
      const violations = validateSchedule(problem, schedule);
      if (violations.length > 0) {
        throw new ArsError('ARS_E_INTERNAL', `${name} planned an invalid batch: ${violations[0]!.message}`);
      }
      for (const e of schedule.entries) {
        if ((etc[e.taskIndex * M + e.processorIndex] ?? INFEASIBLE) < INFEASIBLE)
          out[e.taskIndex] = nodes[e.processorIndex]!.index;
      }
      return out;
    },
  };
}
