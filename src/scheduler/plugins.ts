/**
 * The extension points. A policy is a profile (profile.ts) that picks one plugin or more per point.
 * Contracts are written on each interface; the conformance suite in src/policies checks them.
 */
import type { NodeView, Snapshot, Status, WorkItem } from './types.js';

export interface Plugin {
  readonly name: string;
}

/**
 * Orders ready work. `compare` must be a strict weak order that does not change while both items wait
 * (the ready queue is a heap); ties fall back to `uid`, i.e. FIFO.
 */
export interface QueueSort extends Plugin {
  compare(a: WorkItem, b: WorkItem): number;
  /**
   * Optional: a number per item, fixed while it waits, such that `compare(a, b)` is key(a) − key(b). The
   * queue then asks for an item's key once, when a comparison first needs it, keeps it beside the item and
   * compares those (the same order, without asking for a key at every comparison).
   */
  key?(item: WorkItem): number;
  /**
   * Optional dynamic fairness across tenants: the tenant to serve next among those with waiting work.
   * Called before each placement; when present, the queue keeps one heap per tenant.
   */
  nextTenant?(candidates: readonly number[], s: Snapshot): number;
}

/** Says whether a node may run an item. Must not change state. Capacity is checked by the framework. */
export interface Filter extends Plugin {
  filter(item: WorkItem, node: NodeView, s: Snapshot): Status;
  /**
   * When true, an explained placement lists the nodes this filter refused, by reason (`refused` in the
   * trace), even when another node was chosen: for rules a user must be able to audit (sensitive data).
   */
  readonly explainRefusals?: boolean;
  /**
   * Promise that the verdict depends on the item and its tenant's state only, never on the node (a tenant-level
   * rule, like the framework's quota). The runtime then asks it once per task with any node, and a task it
   * refuses is set aside for the cycle like one over its tenant's quota: it does not count towards the run of
   * unplaceable items that ends a cycle, so one tenant at its limit cannot hold up the others' work.
   */
  readonly tenantRule?: boolean;
}

/**
 * How good a node is for an item, ideally in [0, 1], higher is better. The framework multiplies by the
 * profile's weight and sums; the node with the highest total wins, ties going to the lowest node index.
 */
export interface Score extends Plugin {
  score(item: WorkItem, node: NodeView, s: Snapshot): number;
  /** called once per placement decision before scoring, e.g. to find the range of a quantity to normalise */
  prepare?(item: WorkItem, s: Snapshot): void;
  /** told where the item went (stateful scores such as round-robin) */
  bound?(item: WorkItem, node: NodeView): void;
  /**
   * Promise that, for a fixed item, the score reads nothing of the node but `freeCompute` and
   * `computeCapacity`, never falls as `freeCompute` rises, is pure (no state, no randomness) and needs no
   * `prepare`. The framework then finds the best node from an index by free compute instead of scoring
   * every node (same choice, bit for bit). Leave it unset when unsure: it is only a speed-up.
   */
  readonly monotoneInFreeCompute?: boolean;
}

/**
 * A profile's own node index: finds the node the full scan (filters and weighted scores over every node)
 * would choose, without scoring every node. `choose` must return exactly the scan's answer (the same node, or
 * -1), asking `judge` for the framework's feasibility check and weighted sum; the framework has already
 * checked the item's tenant quota. `nodeChanged(i)` is called before every change of node i (reservations,
 * holds, up or down), as for the framework's free-compute index.
 */
export interface Placer extends Plugin {
  nodeChanged(i: number): void;
  choose(item: WorkItem, s: Snapshot, judge: PlacerJudge): number;
}

/** The framework's feasibility check and weighted score sum for the profile, as a `Placer` must use them. */
export interface PlacerJudge {
  feasible(item: WorkItem, node: NodeView, s: Snapshot): boolean;
  total(item: WorkItem, node: NodeView, s: Snapshot): number;
}

/** A request's DAG as a planner sees it, tasks in topological order. */
export interface RequestPlanView {
  readonly id: string;
  readonly tenant: number;
  readonly arrival: number;
  readonly deadline: number;
  readonly tasks: readonly {
    readonly id: string;
    readonly kind: string;
    readonly work: number;
    readonly compute: number;
    readonly attention: number;
    readonly tier: NodeView['tier'] | undefined;
  }[];
  readonly edges: readonly { readonly from: number; readonly to: number; readonly bytes: number }[];
}

/**
 * Whole-DAG or batch planners. `planRequest` assigns every task of a newly arrived request to a node
 * (execution then follows the plan: each task waits for its node); `planBatch` assigns a batch of ready
 * items at each scheduling window. Return -1 for an item the planner leaves to the regular placement.
 */
export interface Planner extends Plugin {
  planRequest?(request: RequestPlanView, s: Snapshot): Int32Array;
  planBatch?(items: readonly WorkItem[], s: Snapshot): Int32Array;
}

/** One attention decision's explanation: which twin, with what features and weight. */
export interface AttentionChoice {
  readonly twin: number;
  /**
   * The node whose free refresh slot the twin was chosen for (absent or −1: none). The runtime binds the refresh
   * there when that node takes it (up, room, the tenant's quota, the profile's filters: `fits`), without asking
   * the placement; otherwise the refresh is placed as any item is.
   */
  readonly node?: number;
  readonly score?: number;
  readonly weight?: number;
  readonly parts?: Readonly<Record<string, number>>;
  /** anything else worth explaining (target period, runner-up, forecaster in use), copied into the trace */
  readonly detail?: Readonly<Record<string, unknown>>;
}

/** A request as it arrives, for allocators that forecast demand per tenant, workload and twin. */
export interface ArrivalView {
  readonly workload: string;
  readonly tenant: number;
  readonly time: number;
  readonly deadline: number;
  readonly priority: number;
  /** Σ of its tasks' work (seconds at speed 1) */
  readonly work: number;
  /** Σ over its tasks of work × compute units, and of work × attention units */
  readonly computeDemand: number;
  readonly attentionDemand: number;
  /**
   * Σ work × compute units of its tasks that must run on a tier (`tier` set), per tier; absent when no task
   * names one. What an elastic pool of that tier can expect to be asked for.
   */
  readonly computeByTier?: Readonly<Partial<Record<NodeView['tier'], number>>>;
  /** the twins its tasks need fresh (one entry per such task) and the oldest sample age each accepts */
  readonly twins: readonly number[];
  readonly maxAges: readonly number[];
}

/**
 * Who gets attention. When nodes have free attention the world asks for up to `slots` twins to refresh now,
 * best first; it may return fewer (idle attention is allowed). Twins already refreshing must not be returned.
 */
export interface AttentionAllocator extends Plugin {
  init?(s: Snapshot): void;
  /**
   * `explain` is false when nothing will read the choices' score, weight, parts or detail (no trace): an
   * allocator may then leave them out and save building them. Absent means true.
   */
  select(s: Snapshot, slots: number, explain?: boolean): readonly AttentionChoice[];
  /** the world tells the allocator when any refresh of a twin starts (also refreshes a task asked for) */
  refreshStarted?(twin: number, s: Snapshot): void;
  /**
   * ... and when it ends, or when a twin it selected could not be placed (ok = the twin got a new sample).
   * Called exactly once per `select`ed twin that was not started, and once per started refresh.
   */
  refreshed?(twin: number, ok: boolean, s: Snapshot): void;
  /** told of every request arrival (demand forecasting); not called when absent */
  requestArrived?(r: ArrivalView, s: Snapshot): void;
  /**
   * Whether `item`, a refresh a task waits for that finds no room on any node, may stop the proactive refresh
   * bound last and take its place (`Binder.preempt`): a demanded sample before a speculative one. `waiting` is
   * the number of refreshes ahead of it in this cycle that found no room either (they take the slots that free
   * first). Absent: never.
   */
  preempts?(item: WorkItem, s: Snapshot, waiting: number): boolean;
}

/** A window of metrics handed to feedback controllers every `scheduling.feedbackWindow` seconds. */
export interface MetricsWindow {
  readonly start: number;
  readonly end: number;
  readonly arrivals: number;
  readonly completions: number;
  readonly deadlineMisses: number;
  /** misses over requests whose deadline fell in the window (0 when none did) */
  readonly deadlineMissRate: number;
  readonly weightedAoI: number;
  readonly computeUtilization: number;
  readonly attentionUtilization: number;
  readonly jain: number;
  readonly queueLength: number;
}

/** An elastic node group as a scaler sees it, every `interval` seconds. */
export interface PoolView {
  readonly group: string;
  readonly tier: NodeView['tier'];
  readonly min: number;
  readonly max: number;
  /** nodes up or being provisioned */
  readonly active: number;
  readonly up: number;
  /** up nodes running nothing */
  readonly idle: number;
  readonly perNodeCompute: number;
  readonly usedCompute: number;
  /** ready items that could run on this tier, and the compute they ask for */
  readonly waiting: number;
  readonly waitingCompute: number;
  readonly interval: number;
  readonly provisioningDelay: number;
  /** what starting one node costs (the scenario's `elastic.provisioningCost`); absent when not told */
  readonly provisioningCost?: number;
}

/**
 * Sizes elastic pools. Returns how many nodes the pool should have (up or provisioning); the world clamps it to
 * the pool's limits. Without one in the profile, the scenario's rule decides (src/world/scaler.ts).
 */
export interface Scaler extends Plugin {
  desired(pool: PoolView, s: Snapshot): number;
}

/** Watches metric windows and retunes its own policy's parameters. */
export interface Feedback extends Plugin {
  observe(w: MetricsWindow, s: Snapshot): void;
  /** current parameter values, for traces and reports */
  parameters(): Readonly<Record<string, number>>;
}
