/**
 * Requests in flight: a workload's arrival becomes a request whose task DAG runs task by task. This room
 * draws arrivals, tells a demand-forecasting allocator and a request planner about them, makes a task ready
 * once its predecessors are done (waiting first for its twin when the twin is too stale), and closes the
 * request when its last task completes or a failure loses it. Under a batch planner, tasks that no plan
 * placed wait for the next planning window here.
 */
import type { RandomStream } from '../engine/random.js';
import type { Tier } from '../model/schema.js';
import type { ArrivalView, RequestPlanView } from '../scheduler/plugins.js';
import type { Accounting } from './accounting.js';
import type { WorldCore } from './core.js';
import type { WorkloadTables } from './dag.js';
import { IntrusiveList } from './linked-list.js';
import { Item, NO_INPUTS, type RequestRt } from './state.js';
import { planDecision } from './trace.js';

/** What the request path asks of the twins' room: hold `item` until twin `twin` is fresh enough. */
export interface FreshnessGate {
  /** true when the item now waits for a refresh of the twin (it is enqueued by the twins' room later) */
  waitIfStale(item: Item, twin: number, maxAge: number): boolean;
}

export class Requests {
  readonly #w: WorldCore;
  readonly #tables: WorkloadTables;
  readonly #accounts: Accounting;
  readonly #rng: RandomStream;
  gate: FreshnessGate | undefined;
  /** open requests in arrival order: a doubly linked list through the requests (no Set to hash them in) */
  readonly open = new IntrusiveList<RequestRt>();
  /** tasks waiting for the next batch-planning window (only under a batch planner) */
  #batchPending: Item[] | undefined;
  #requestUid = 0;
  /** per workload, the compute its tier-pinned tasks ask per tier (null: none pinned), built at its first arrival */
  readonly #byTier = new Map<RequestRt['w'], ArrivalView['computeByTier'] | null>();

  constructor(w: WorldCore, tables: WorkloadTables, accounts: Accounting, rngArrivals: RandomStream) {
    this.#w = w;
    this.#tables = tables;
    this.#accounts = accounts;
    this.#rng = rngArrivals;
    this.#batchPending = w.profile.planner?.planBatch ? [] : undefined;
  }

  /**
   * A request of workload `wi` arrives now. `restored` (a fork restarting a request that was open when it
   * was taken): its real arrival and absolute deadline; it counts, and the allocator is not told again.
   */
  arrive(wi: number, restored?: { arrival: number; deadline: number }): void {
    const w = this.#w;
    const now = w.sim.now;
    const workload = w.scenario.workloads[wi]!;
    const tenant = w.tenants[w.tenantIndex(workload.tenant)]!;
    const req = this.#tables.acquire(wi, tenant);
    req.uid = this.#requestUid++;
    req.arrival = restored ? restored.arrival : now;
    req.deadline = restored
      ? restored.deadline
      : workload.deadline !== undefined
        ? now + workload.deadline
        : Number.POSITIVE_INFINITY;
    req.plan = undefined;
    req.done = 0;
    req.finish = now;
    req.failed = false;
    req.counted = restored !== undefined || now >= w.warmup;
    this.#tables.prepare(req, this.#rng);
    this.#accounts.requestArrived(req);
    this.open.push(req);
    if (w.profile.attention.requestArrived && !restored) this.#announce(req);
    if (w.profile.planner?.planRequest) this.plan(req);
    const tasks = workload.tasks;
    for (let k = 0; k < tasks.length; k++)
      if (tasks[k]!.inEdges.length === 0) this.#taskReady(req, tasks[k]!.index);
  }

  /** A workload's compute per tier its pinned tasks ask (the same for every request of it: shared, read-only). */
  #computeByTier(w: RequestRt['w']): ArrivalView['computeByTier'] | null {
    let byTier = this.#byTier.get(w);
    if (byTier === undefined) {
      let sums: Partial<Record<Tier, number>> | null = null;
      for (const task of w.tasks)
        if (task.tier !== undefined) {
          sums ??= {};
          sums[task.tier] = (sums[task.tier] ?? 0) + task.work * task.compute;
        }
      byTier = sums;
      this.#byTier.set(w, byTier);
    }
    return byTier;
  }

  /** Tells a demand-forecasting allocator about an arrival: what it will cost and which twins it needs fresh. */
  #announce(req: RequestRt): void {
    const twins: number[] = [];
    const maxAges: number[] = [];
    let work = 0;
    let compute = 0;
    let attention = 0;
    for (const task of req.w.tasks) {
      work += task.work;
      compute += task.work * task.compute;
      attention += task.work * task.attention;
      if (task.twin && req.twins[task.index]! >= 0) {
        twins.push(req.twins[task.index]!);
        maxAges.push(task.twin.maxAge);
      }
    }
    const byTier = this.#computeByTier(req.w);
    this.#w.profile.attention.requestArrived!(
      {
        workload: req.w.id,
        tenant: req.tenant.index,
        time: req.arrival,
        deadline: req.deadline,
        priority: req.w.priority,
        work,
        computeDemand: compute,
        attentionDemand: attention,
        ...(byTier ? { computeByTier: byTier } : {}),
        twins,
        maxAges,
      },
      this.#w,
    );
  }

  #planView(req: RequestRt): RequestPlanView {
    return {
      id: `${req.w.id}#${req.uid}`,
      tenant: req.tenant.index,
      arrival: req.arrival,
      deadline: req.deadline,
      tasks: req.w.tasks,
      edges: req.w.edges,
    };
  }

  /** Asks the request planner for a plan of the whole DAG (at arrival, and again when a planned node fails). */
  plan(req: RequestRt): void {
    const w = this.#w;
    const plan = w.profile.planner!.planRequest!(this.#planView(req), w);
    req.plan = plan;
    if (w.trace) {
      w.trace.record(
        planDecision(
          w.sim.now,
          `${req.w.id}#${req.uid}`,
          w.profile.planner!.name,
          Object.fromEntries(req.w.tasks.map((t) => [t.id, w.nodes[plan[t.index]!]?.id ?? null])),
        ),
      );
    }
  }

  #taskReady(req: RequestRt, ti: number): void {
    const w = this.#w;
    const workload = req.w;
    const task = workload.tasks[ti]!;
    const inputs = this.#tables.inputsOf(req, ti);
    const item = new Item(
      w.nextUid(),
      'task',
      task,
      req.tenant.index,
      req.tenant.id,
      workload.priority,
      req.deadline,
      req.arrival,
      w.sim.now,
      inputs ?? NO_INPUTS,
      req.twins[ti]!,
      req.uid,
      ti,
      undefined,
    );
    if (req.plan) item.plannedNode = this.livePlanned(req.plan[ti]!);
    item.req = req;
    const twinIndex = req.twins[ti]!;
    if (task.twin && twinIndex >= 0 && this.gate!.waitIfStale(item, twinIndex, task.twin.maxAge)) return;
    this.enqueue(item);
  }

  /** Ready work goes to the queue; under a batch planner, tasks not yet planned wait for the next window. */
  enqueue(item: Item): void {
    if (this.#batchPending && item.type === 'task' && item.plannedNode < 0) this.#batchPending.push(item);
    else this.#w.runtime.enqueue(item);
  }

  /** A planned node, if it is still up; -1 sends the work to regular placement. */
  livePlanned(node: number): number {
    return node >= 0 && this.#w.nodes[node]?.state === 'up' ? node : -1;
  }

  /** A task of a request completed on `item.node`: its successors whose inputs are all done become ready. */
  completeTask(item: Item): void {
    const req = item.req!;
    req.taskNode[item.task] = item.node;
    if (req.failed) return;
    const w = this.#w;
    const task = req.w.tasks[item.task]!;
    req.finish = Math.max(req.finish, w.sim.now + w.network.toUser(item.node, task.outputBytes));
    req.done++;
    const outEdges = task.outEdges;
    for (let k = 0; k < outEdges.length; k++) {
      const to = req.w.edges[outEdges[k]!]!.to;
      if (--req.pending[to]! === 0) this.#taskReady(req, to);
    }
    if (req.done === req.w.tasks.length) this.#complete(req);
  }

  #complete(req: RequestRt): void {
    this.open.remove(req);
    // every task of it has completed, so no item or queue refers to it any more: reuse it
    this.#tables.release(req);
    this.#accounts.requestCompleted(req, this.#tables.idealLatency[req.w.index]!);
  }

  /** A request lost to a failure (its other tasks may still run; their results are dropped). */
  fail(req: RequestRt): void {
    if (req.failed) return;
    req.failed = true;
    this.open.remove(req);
    this.#accounts.requestFailed(req);
  }

  /** The batch-planning window: the tasks gathered since the last one are planned together and queued. */
  planBatch(): void {
    const w = this.#w;
    const items = this.#batchPending!;
    if (items.length === 0) return;
    this.#batchPending = [];
    items.sort((a, b) => a.uid - b.uid);
    const plan = w.profile.planner!.planBatch!(items, w);
    items.forEach((it, i) => {
      // what the planner leaves unassigned goes to regular placement
      it.plannedNode = this.livePlanned(plan[i] ?? -1);
      w.runtime.enqueue(it);
    });
    if (w.trace)
      w.trace.record(
        planDecision(
          w.sim.now,
          `batch of ${items.length}`,
          w.profile.planner!.name,
          Object.fromEntries(items.map((it) => [it.id, w.nodes[it.plannedNode]?.id ?? null])),
        ),
      );
    w.requestCycle();
  }

  /** At the horizon: requests still open whose deadline has passed count as misses; the others' outcome is unknown. */
  finish(): void {
    const horizon = this.#w.horizon;
    for (let req = this.open.first; req; req = req.next) {
      if (req.counted && Number.isFinite(req.deadline) && req.deadline <= horizon) {
        req.tenant.withDeadline++;
        req.tenant.missed++;
      }
    }
  }
}
