/**
 * What a policy sees of the world. The world implements these interfaces on its own objects (no copies
 * on the hot path); policies read them and never reach into world internals (a layer rule in CI).
 */
import type { Tier } from '../model/schema.js';

/** A node as policies see it. Capacities are in the scenario's units; times in simulated seconds. */
export interface NodeView {
  /** position in `Snapshot.nodes`, stable for the whole run */
  readonly index: number;
  readonly id: string;
  readonly group: string;
  readonly tier: Tier;
  readonly zone: string | undefined;
  /** false while failed, being provisioned or switched off by the autoscaler */
  readonly up: boolean;
  readonly computeCapacity: number;
  readonly attentionCapacity: number;
  readonly freeCompute: number;
  readonly freeAttention: number;
  /** work items running or reserved on the node */
  readonly running: number;
  /** seconds until the compute currently reserved frees up, spread over the node's capacity */
  readonly backlog: number;
  readonly costPerSecond: number;
  readonly powerIdle: number;
  readonly powerBusy: number;
  /** speed factor for a task kind: a task of `work` w runs w / speed seconds here */
  speed(kind: string): number;
}

/** Where the data of an input lives: a node (by index), or the physical asset in a zone. */
export type Location = { readonly node: number } | { readonly device: string | undefined };

export interface DataInput {
  readonly from: Location;
  readonly bytes: number;
}

/** A unit of work waiting for a node: a request's task or a twin refresh. */
export interface WorkItem {
  /** unique, increasing in creation order: the FIFO tie-break everywhere */
  readonly uid: number;
  /** human-readable id, e.g. `query#12/fetch` or `refresh:press-3` */
  readonly id: string;
  readonly type: 'task' | 'refresh';
  readonly tenant: number;
  readonly tenantId: string;
  readonly priority: number;
  /** absolute deadline of the request, Infinity if none */
  readonly deadline: number;
  /** arrival time of the request (for a refresh: when it was asked for) */
  readonly arrival: number;
  /** when the item became ready to run */
  readonly readyTime: number;
  readonly kind: string;
  readonly work: number;
  readonly compute: number;
  readonly attention: number;
  readonly tier: Tier | undefined;
  readonly inputs: readonly DataInput[];
  /** twin index, for refreshes */
  readonly twin: number;
  /** the node a planner assigned this item to, -1 if none */
  readonly plannedNode: number;
  /** the request this task belongs to, -1 for refreshes */
  readonly request: number;
  /**
   * bytes of the result this task returns to the user who sent the request (the request is done only once
   * they have arrived); absent or 0: none (refreshes, intermediate tasks)
   */
  readonly outputBytes?: number;
}

/** A twin as policies see it. */
export interface TwinView {
  readonly index: number;
  readonly id: string;
  readonly group: string;
  readonly tenant: number;
  readonly zone: string | undefined;
  readonly criticality: number;
  /** sample time of the newest state the twin holds */
  readonly lastSample: number;
  /** the value of that newest sample (uncertainty-growth estimates) */
  readonly lastValue: number;
  /** true while a refresh of it is in flight */
  readonly refreshing: boolean;
  /** tasks waiting for this twin to be refreshed */
  readonly waiting: number;
  /** |last sample change| / typical change: how surprising the newest sample was (0 when unknown) */
  readonly suspicion: number;
  /**
   * anomalies per second the asset model declares for this twin's asset (0 when it declares none): the
   * platform's prior from maintenance history, which a policy may refine from what it observes
   */
  readonly anomalyRate: number;
  /**
   * What one refresh of this twin costs: the compute and attention units it holds on a node while it runs
   * (the quota and capacity checks count these), its work in seconds at speed 1, and the bytes of its sample.
   */
  readonly refreshCompute: number;
  readonly refreshAttention: number;
  readonly refreshWork: number;
  readonly refreshBytes: number;
}

export interface TenantView {
  readonly index: number;
  readonly id: string;
  readonly weight: number;
  /** compute and attention currently held by the tenant's running work */
  readonly heldCompute: number;
  readonly heldAttention: number;
  readonly quotaCompute: number | undefined;
  readonly quotaAttention: number | undefined;
}

/** The read-only world a policy decides in. */
export interface Snapshot {
  readonly now: number;
  readonly nodes: readonly NodeView[];
  readonly twins: readonly TwinView[];
  readonly tenants: readonly TenantView[];
  readonly totalCompute: number;
  readonly totalAttention: number;
  /** seconds to move `bytes` from `from` to node `to` (latency + bytes / bandwidth; 0 on the same node) */
  transferTime(from: Location, to: number, bytes: number): number;
  /** when the item's inputs would all have arrived at node `to` if sent now */
  inputsReadyAt(item: WorkItem, to: number): number;
  /** a uniform random number in [0,1) from the policy's own seeded stream */
  random(): number;
}

/** The outcome of a filter: a value, never an exception ("does not fit" is not a bug). */
export type Status = { readonly ok: true } | { readonly ok: false; readonly reason: string };
export const OK: Status = { ok: true };
