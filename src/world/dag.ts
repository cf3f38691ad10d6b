/**
 * Per-workload tables, computed once from the scenario's task DAGs so that the request path does no
 * searching: each workload's ideal latency, which task of a request draws the twin of an asset group, each
 * task's sole data-carrying edge, shared inputs lists, and the pool of finished requests kept for reuse.
 */
import type { RandomStream } from '../engine/random.js';
import type { Scenario, WorkloadDef } from '../model/scenario.js';
import type { DataInput } from '../scheduler/types.js';
import { type NodeRt, RequestRt, type TenantRt } from './state.js';

export class WorkloadTables {
  readonly #scenario: Scenario;
  /** per workload: the response time of a request on an idle cluster */
  readonly idealLatency: number[];
  /** per workload, per task position: the index of the first task reading the same asset group (-1: none) */
  readonly #firstOfGroup: Int32Array[];
  /** per workload, per task: its one incoming edge carrying data, or -1 (none, or several) */
  readonly #soleDataEdge: Int32Array[];
  /** per workload, per edge, per source node: the shared inputs list of `soleInput` */
  readonly #soleInputs: (readonly DataInput[] | undefined)[][][];
  /** per workload, completed requests ready for reuse */
  readonly #requestPool: RequestRt[][];
  /** per asset group, the indices of its twins */
  readonly #groupTwins = new Map<string, number[]>();

  constructor(scenario: Scenario, nodes: readonly NodeRt[]) {
    this.#scenario = scenario;
    for (const [i, d] of scenario.twins.entries()) {
      const list = this.#groupTwins.get(d.group) ?? [];
      list.push(i);
      this.#groupTwins.set(d.group, list);
    }
    this.idealLatency = scenario.workloads.map((w) => criticalPath(w, nodes));
    this.#requestPool = scenario.workloads.map(() => []);
    this.#firstOfGroup = scenario.workloads.map((w) => {
      const first = new Map<string, number>();
      return Int32Array.from(w.tasks, (t) => {
        if (!t.twin) return -1;
        if (!first.has(t.twin.group)) first.set(t.twin.group, t.index);
        return first.get(t.twin.group)!;
      });
    });
    this.#soleDataEdge = scenario.workloads.map((w) =>
      Int32Array.from(w.tasks, (t) => {
        const data = t.inEdges.filter((e) => w.edges[e]!.bytes > 0);
        return data.length === 1 ? data[0]! : -1;
      }),
    );
    this.#soleInputs = scenario.workloads.map(() => []);
  }

  /** A request object for workload `wi`: a finished one reused, or a new one. */
  acquire(wi: number, tenant: TenantRt): RequestRt {
    return this.#requestPool[wi]!.pop() ?? new RequestRt(this.#scenario.workloads[wi]!, tenant);
  }

  /** Gives back a request none of whose items or queues refer to it any more. */
  release(req: RequestRt): void {
    this.#requestPool[req.w.index]!.push(req);
  }

  /**
   * Resets a request's per-task state for a new arrival and draws the twin each task reads: tasks reading
   * the same asset group share one twin, drawn by the first of them (from `rng`, in task order).
   */
  prepare(req: RequestRt, rng: RandomStream): void {
    const w = req.w;
    // Indexed loops over the scenario's arrays: they are frozen, and for-of over a frozen array allocates
    // an iterator result per step in V8.
    const tasks = w.tasks;
    const n = tasks.length;
    const firstOfGroup = this.#firstOfGroup[w.index]!;
    for (let k = 0; k < n; k++) {
      const task = tasks[k]!;
      req.pending[task.index] = task.inEdges.length;
      req.taskNode[task.index] = -1;
      req.twins[task.index] = -1;
      if (task.twin) {
        const first = firstOfGroup[k]!;
        if (first === task.index) {
          const group = this.#groupTwins.get(task.twin.group) ?? [];
          req.twins[task.index] = group.length > 0 ? group[rng.int(group.length)]! : -1;
        } else req.twins[task.index] = req.twins[first]!;
      }
    }
  }

  /** The inputs of task `ti` of a request, from where its predecessors ran; undefined when none carries data. */
  inputsOf(req: RequestRt, ti: number): readonly DataInput[] | undefined {
    const w = req.w;
    const sole = this.#soleDataEdge[w.index]![ti]!;
    if (sole >= 0) return this.#soleInput(w.index, sole, req.taskNode[w.edges[sole]!.from]!);
    let inputs: readonly DataInput[] | undefined;
    const inEdges = w.tasks[ti]!.inEdges;
    for (let k = 0; k < inEdges.length; k++) {
      const edge = w.edges[inEdges[k]!]!;
      if (edge.bytes > 0)
        ((inputs ??= []) as DataInput[]).push({
          from: { node: req.taskNode[edge.from]! },
          bytes: edge.bytes,
        });
    }
    return inputs;
  }

  /** The inputs list of a task whose one data edge comes from `node`: one shared list per edge and node. */
  #soleInput(wi: number, edge: number, node: number): readonly DataInput[] {
    const byNode = (this.#soleInputs[wi]![edge] ??= []);
    let list = byNode[node];
    if (!list) {
      list = Object.freeze([
        Object.freeze({
          from: Object.freeze({ node }),
          bytes: this.#scenario.workloads[wi]!.edges[edge]!.bytes,
        }),
      ]);
      byNode[node] = list;
    }
    return list;
  }
}

/** Response time of a request on an idle cluster: the DAG's longest path at the best speed, data moving for free. */
function criticalPath(w: WorkloadDef, nodes: readonly NodeRt[]): number {
  const finish = new Float64Array(w.tasks.length);
  let best = 0;
  for (const t of w.tasks) {
    let start = 0;
    for (const e of t.inEdges) start = Math.max(start, finish[w.edges[e]!.from]!);
    let speed = 0;
    for (const n of nodes)
      if (t.tier === undefined || n.tier === t.tier) speed = Math.max(speed, n.speed(t.kind));
    finish[t.index] = start + t.work / (speed || 1);
    best = Math.max(best, finish[t.index]!);
  }
  return best;
}
