/**
 * The world's runtime records: nodes with their reservations and accounts, work items (a request's task or
 * a twin's refresh), twins, tenants and requests in flight. They implement the scheduler's views
 * (`NodeView`, `WorkItem`, `TwinView`, `TenantView`) on themselves, so the runtime reads them without copies.
 * The mechanics that change them live in world.ts; these classes only hold state and derive from it.
 */
import { QuantileSketch } from '../metrics/quantiles.js';
import type { NodeDef, Scenario, TwinDef, WorkloadDef } from '../model/scenario.js';
import type { DataInput, NodeView, TenantView, TwinView, WorkItem } from '../scheduler/types.js';
import { IntrusiveList } from './linked-list.js';

export type NodeState = 'up' | 'down' | 'off' | 'provisioning';

/** the inputs of a task whose incoming edges carry no data, shared */
export const NO_INPUTS: readonly DataInput[] = Object.freeze([]);

export class NodeRt implements NodeView {
  readonly index: number;
  readonly id: string;
  readonly group: string;
  readonly tier: NodeDef['tier'];
  readonly zone: string | undefined;
  readonly computeCapacity: number;
  readonly attentionCapacity: number;
  readonly costPerSecond: number;
  readonly powerIdle: number;
  readonly powerBusy: number;
  readonly def: NodeDef;
  state: NodeState = 'up';
  usedCompute = 0;
  usedAttention = 0;
  /**
   * Compute kept free for a planned item that is waiting for this node, so that short work (refreshes) arriving
   * after it cannot take each unit as it frees and starve it; cleared at the start of every scheduling cycle.
   */
  heldForPlan = 0;
  /** items running or reserved here, in binding order: a list through the items (no Set to hash them in) */
  readonly #items = new IntrusiveList<Item>();
  /** Σ compute·end over running items, to get the backlog in O(1) */
  sumComputeEnd = 0;
  // accounting, from the warm-up on
  lastAccount = 0;
  computeBusy = 0; // compute-unit-seconds reserved
  attentionBusy = 0;
  computeUp = 0; // capacity-seconds while up
  attentionUp = 0;
  upSeconds = 0;
  energyJ = 0;
  completed = 0;
  failures = 0;
  #now: () => number;
  /** the task kinds `speed` was asked for, and their speeds */
  readonly #speedKinds: string[] = [];
  readonly #speeds: number[] = [];

  constructor(def: NodeDef, index: number, now: () => number) {
    this.def = def;
    this.index = index;
    this.id = def.id;
    this.group = def.group;
    this.tier = def.tier;
    this.zone = def.zone;
    this.computeCapacity = def.compute;
    this.attentionCapacity = def.attention;
    this.costPerSecond = def.costPerSecond;
    this.powerIdle = def.powerIdle;
    this.powerBusy = def.powerBusy;
    this.#now = now;
  }
  get up(): boolean {
    return this.state === 'up';
  }
  get freeCompute(): number {
    return this.state === 'up' ? this.computeCapacity - this.usedCompute - this.heldForPlan : 0;
  }
  get freeAttention(): number {
    return this.state === 'up' ? this.attentionCapacity - this.usedAttention : 0;
  }
  get running(): number {
    return this.#items.size;
  }
  addItem(item: Item): void {
    this.#items.push(item);
  }
  removeItem(item: Item): void {
    this.#items.remove(item);
  }
  /**
   * the proactive refresh bound here last (the allocator's, not one a task asked for) that `free` accepts, if
   * any runs
   */
  lastProactiveRefresh(free: (item: Item) => boolean): Item | undefined {
    for (let x = this.#items.last; x; x = x.prev)
      if (x.type === 'refresh' && !x.onDemand && free(x)) return x;
    return undefined;
  }
  /** the items here in binding order, as a new array */
  items(): Item[] {
    return this.#items.toArray();
  }
  get backlog(): number {
    if (this.#items.size === 0) return 0;
    return Math.max(0, (this.sumComputeEnd - this.#now() * this.usedCompute) / this.computeCapacity);
  }
  speed(kind: string): number {
    // the kinds asked for so far and their speeds (a handful): a string compare beats a keyed lookup here
    const kinds = this.#speedKinds;
    for (let k = 0; k < kinds.length; k++) if (kinds[k] === kind) return this.#speeds[k]!;
    const v = speedOf(this.def, kind);
    if (kinds.length < 16) {
      kinds.push(kind);
      this.#speeds.push(v);
    }
    return v;
  }
}

/** A node's speed for a kind of work: the kind's own, else the node's default. */
export function speedOf(def: NodeDef, kind: string): number {
  return def.speedByKind[kind] ?? def.speedDefault;
}

/** What an item reads from its task or refresh definition: shared by every item of it, not copied. */
export interface ItemSpec {
  readonly kind: string;
  readonly work: number;
  readonly compute: number;
  readonly attention: number;
  readonly tier?: NodeDef['tier'] | undefined;
  /** a task's result bytes returned to the user (refreshes have none) */
  readonly outputBytes?: number;
}

export class Item implements WorkItem {
  readonly uid: number;
  readonly type: 'task' | 'refresh';
  readonly tenant: number;
  readonly tenantId: string;
  readonly priority: number;
  readonly deadline: number;
  readonly arrival: number;
  readyTime: number;
  inputs: readonly DataInput[];
  readonly twin: number;
  plannedNode = -1;
  readonly request: number;
  /** task index within its request's DAG */
  readonly task: number;
  attempts = 0;
  node = -1;
  end = 0;
  event = -1;
  sampleTime = 0;
  sampleValue = 0;
  /** refresh asked for by a waiting task rather than by the attention allocator */
  onDemand = false;
  /** the request a task belongs to */
  req: RequestRt | undefined;
  /** neighbours among the items on its node (see `NodeRt.addItem`) */
  prev: Item | undefined;
  next: Item | undefined;

  /** the task's or refresh's definition: kind, work and demands are read from it (fewer fields per item) */
  readonly #spec: ItemSpec;
  /** a refresh's id, fixed by its twin; a task's id is built only when asked for (traces, explanations) */
  readonly #refreshId: string | undefined;

  // positional: an options object would be one more allocation per item
  constructor(
    uid: number,
    type: 'task' | 'refresh',
    spec: ItemSpec,
    tenant: number,
    tenantId: string,
    priority: number,
    deadline: number,
    arrival: number,
    readyTime: number,
    inputs: readonly DataInput[],
    twin: number,
    request: number,
    task: number,
    refreshId: string | undefined,
  ) {
    this.uid = uid;
    this.type = type;
    this.#spec = spec;
    this.tenant = tenant;
    this.tenantId = tenantId;
    this.priority = priority;
    this.deadline = deadline;
    this.arrival = arrival;
    this.readyTime = readyTime;
    this.inputs = inputs;
    this.twin = twin;
    this.request = request;
    this.task = task;
    this.#refreshId = refreshId;
    this.req = undefined;
    this.prev = undefined;
    this.next = undefined;
  }

  get kind(): string {
    return this.#spec.kind;
  }
  get work(): number {
    return this.#spec.work;
  }
  get compute(): number {
    return this.#spec.compute;
  }
  get attention(): number {
    return this.#spec.attention;
  }
  get tier(): NodeDef['tier'] | undefined {
    return this.#spec.tier;
  }
  get outputBytes(): number {
    return this.#spec.outputBytes ?? 0;
  }

  get id(): string {
    if (this.#refreshId !== undefined) return this.#refreshId;
    const req = this.req!;
    return `${req.w.id}#${req.uid}/${req.w.tasks[this.task]!.id}`;
  }
}

export class TwinRt implements TwinView {
  readonly index: number;
  readonly id: string;
  /** the id of this twin's refreshes, built once */
  readonly refreshId: string;
  readonly group: string;
  readonly tenant: number;
  readonly zone: string | undefined;
  readonly criticality: number;
  readonly anomalyRate: number;
  readonly refreshCompute: number;
  readonly refreshAttention: number;
  readonly refreshWork: number;
  readonly refreshBytes: number;
  readonly def: TwinDef;
  lastSample = 0;
  lastValue = 0;
  prevSample = Number.NaN;
  prevValue = 0;
  refreshing = false;
  waiters: Item[] | undefined;
  /** the on-demand refresh of this twin still waiting in the ready queue (none once it is bound) */
  pendingRefresh: Item | undefined = undefined;
  suspicion = 0;
  /** mean absolute change between samples per sqrt-second, the yardstick of suspicion */
  typicalChange = 0;
  changes = 0;
  /** onset times of anomalies no refresh has seen yet */
  anomalies: number[] | undefined;
  /** AoI accounting: time up to which the age integral is accounted */
  accounted = 0;
  refreshes = 0;
  /**
   * every refresh of this twin moves the same sample from the same place: one shared inputs list (shared with
   * every twin of the same zone and sample size, so that placing a refresh reads memory that is warm)
   */
  readonly refreshInputs: readonly DataInput[];
  constructor(def: TwinDef, index: number, tenant: number) {
    this.def = def;
    this.index = index;
    this.id = def.id;
    this.group = def.group;
    this.tenant = tenant;
    this.zone = def.zone;
    this.criticality = def.criticality;
    this.anomalyRate = def.anomaly?.rate ?? 0;
    this.refreshCompute = def.refresh.compute;
    this.refreshAttention = def.refresh.attention;
    this.refreshWork = def.refresh.work;
    this.refreshBytes = def.sampleBytes;
    this.refreshInputs = refreshInputsOf(def.zone, def.sampleBytes);
    this.refreshId = `refresh:${def.id}`;
  }
  get waiting(): number {
    return this.waiters?.length ?? 0;
  }
}

/** refresh inputs by zone (undefined: none) and sample bytes; the lists are never changed once made */
const REFRESH_INPUTS = new Map<string | undefined, Map<number, readonly DataInput[]>>();

function refreshInputsOf(zone: string | undefined, bytes: number): readonly DataInput[] {
  // −0 bytes keeps a list of its own (a map key would not tell it from 0)
  if (Object.is(bytes, -0)) return [{ from: { device: zone }, bytes }];
  let byBytes = REFRESH_INPUTS.get(zone);
  if (byBytes === undefined) {
    byBytes = new Map();
    REFRESH_INPUTS.set(zone, byBytes);
  }
  let inputs = byBytes.get(bytes);
  if (inputs === undefined) {
    inputs = [{ from: { device: zone }, bytes }];
    byBytes.set(bytes, inputs);
  }
  return inputs;
}

export class TenantRt implements TenantView {
  readonly index: number;
  readonly id: string;
  readonly weight: number;
  readonly quotaCompute: number | undefined;
  readonly quotaAttention: number | undefined;
  heldCompute = 0;
  heldAttention = 0;
  lastAccount = 0;
  computeHeld = 0; // integrals from the warm-up on
  attentionHeld = 0;
  // requests counted after the warm-up
  arrived = 0;
  completed = 0;
  lost = 0;
  withDeadline = 0;
  missed = 0;
  stretchInverseSum = 0;
  stretchCount = 0;
  readonly latency = new QuantileSketch();
  constructor(index: number, spec: Scenario['tenants'][number]) {
    this.index = index;
    this.id = spec.id;
    this.weight = spec.weight;
    this.quotaCompute = spec.quota.compute;
    this.quotaAttention = spec.quota.attention;
  }
}

/**
 * A request in flight. Completed requests go back to their workload's pool and are reused (fewer objects
 * for the young generation to promote); a failed one is not, as its other tasks may still be running.
 */
export class RequestRt {
  uid = 0;
  readonly w: WorkloadDef;
  readonly tenant: TenantRt;
  arrival = 0;
  deadline = 0;
  // plain arrays: a typed array costs far more to allocate; reused with the request
  readonly pending: number[];
  readonly taskNode: number[];
  readonly twins: number[];
  plan: Int32Array | undefined = undefined;
  done = 0;
  finish = 0;
  failed = false;
  counted = false;
  /** neighbours in the list of open requests (arrival order) */
  prev: RequestRt | undefined = undefined;
  next: RequestRt | undefined = undefined;
  constructor(w: WorkloadDef, tenant: TenantRt) {
    this.w = w;
    this.tenant = tenant;
    const n = w.tasks.length;
    this.pending = new Array<number>(n).fill(0);
    this.taskNode = new Array<number>(n).fill(-1);
    this.twins = new Array<number>(n).fill(-1);
  }
}
