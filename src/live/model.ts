/**
 * The live system's records, shaped as the scheduler's views (NodeView, TwinView, TenantView, WorkItem) so
 * that the policies read them exactly as they read the simulated world's. Times are service seconds: wall
 * seconds since the runtime started (sample times in epoch ms are converted on arrival).
 */

import type { ForecastBank } from '../forecast/index.js';
import type { PolicyRef } from '../model/scenario.js';
import type { TenantSpec, Tier } from '../model/schema.js';
import type { Decision } from '../scheduler/decision.js';
import type { Profile } from '../scheduler/profile.js';
import type { DataInput, NodeView, Snapshot, TenantView, TwinView, WorkItem } from '../scheduler/types.js';
import type { RegisterMessage, Sample, ServerMessage } from './protocol.js';

/** Samples of a twin kept for `forecast` tasks and what-if rate estimates. */
export const HISTORY_LENGTH = 256;
/** Most samples one refresh carries: the newest ones since the state's (a refresh reflects the newest). */
export const PENDING_LIMIT = 1024;

/**
 * A scenario twin's thing id: `namespace:name` with the tenant as namespace, made a valid Ditto namespace
 * (letters, digits and `_`, each dot-separated part starting with a letter): tenant `general-ward` gives
 * `general_ward:bed-1`. The thing's `tenant` stays the tenant's own id.
 */
export function thingIdFor(tenant: string, twin: string): string {
  const ns = tenant
    .split('.')
    .map((part) => {
      const w = part.replace(/\W/g, '_');
      return /^[A-Za-z]/.test(w) ? w : `t${w}`;
    })
    .join('.');
  return `${ns}:${twin}`;
}

export class LiveNode implements NodeView {
  readonly index: number;
  readonly id: string;
  tier!: Tier;
  zone: string | undefined;
  group!: string;
  up = true;
  computeCapacity!: number;
  attentionCapacity!: number;
  usedCompute = 0;
  usedAttention = 0;
  /** compute kept free for planned work waiting for this node (the scheduling runtime's hold) */
  heldCompute = 0;
  costPerSecond!: number;
  readonly powerIdle = 0;
  readonly powerBusy = 0;
  speedDefault!: number;
  speedKinds!: Record<string, number>;
  labels!: Record<string, string>;
  handlers!: Set<string>;
  /** attempts running here */
  readonly items = new Set<LiveItem>();
  /** service seconds of the last message from the agent */
  lastSeen = 0;
  connections = 0;
  send!: (msg: ServerMessage) => void;
  /** closes the agent's connection (set by the transport) */
  hangUp: (reason: string) => void = () => {};
  readonly #now: () => number;
  // accounting for utilisation
  busyCompute = 0;
  busyAttention = 0;
  upCompute = 0;
  upAttention = 0;
  lastAccount = 0;

  constructor(index: number, reg: RegisterMessage, now: () => number, send: (msg: ServerMessage) => void) {
    this.index = index;
    this.id = reg.id;
    this.#now = now;
    this.lastAccount = now();
    this.update(reg, send);
  }

  /** Takes a re-registration (same id): capacities may have changed. */
  update(reg: RegisterMessage, send: (msg: ServerMessage) => void): void {
    this.tier = reg.kind;
    this.group = reg.labels.group ?? reg.id;
    this.zone = reg.labels.zone;
    this.computeCapacity = reg.compute;
    this.attentionCapacity = reg.attention;
    this.costPerSecond = reg.costPerSecond;
    this.speedDefault = reg.speed.default;
    this.speedKinds = reg.speed.kinds;
    this.labels = reg.labels;
    this.handlers = new Set(reg.handlers);
    this.send = send;
  }

  get freeCompute(): number {
    return this.up ? this.computeCapacity - this.usedCompute - this.heldCompute : 0;
  }
  get freeAttention(): number {
    return this.up ? this.attentionCapacity - this.usedAttention : 0;
  }
  get running(): number {
    return this.items.size;
  }
  get backlog(): number {
    const now = this.#now();
    let sum = 0;
    for (const it of this.items) sum += it.compute * Math.max(0, it.expectedEnd - now);
    return sum / this.computeCapacity;
  }
  speed(kind: string): number {
    return this.speedKinds[kind] ?? this.speedDefault;
  }

  /** Brings the utilisation integrals up to `now` (call before any change of use or state). */
  account(now: number, from: number): void {
    const start = Math.max(this.lastAccount, from);
    if (now > start && this.up) {
      const dt = now - start;
      this.busyCompute += this.usedCompute * dt;
      this.busyAttention += this.usedAttention * dt;
      this.upCompute += this.computeCapacity * dt;
      this.upAttention += this.attentionCapacity * dt;
    }
    this.lastAccount = now;
  }
}

export interface RefreshSpec {
  readonly kind: string;
  readonly work: number;
  readonly compute: number;
  readonly attention: number;
}

export class LiveTwin implements TwinView {
  readonly index: number;
  readonly id: string;
  /** `namespace:name` as in Eclipse Ditto: the tenant is the namespace */
  readonly thingId: string;
  readonly group: string;
  readonly tenant: number;
  readonly tenantId: string;
  readonly zone: string | undefined;
  readonly criticality: number;
  readonly anomalyRate: number;
  readonly refresh: RefreshSpec;
  readonly sampleBytes: number;
  readonly maxAge: number | undefined;
  updater: string;
  /** service seconds: generation time of the newest sample the state reflects */
  lastSample: number;
  lastValue = 0;
  refreshing = false;
  waiting = 0;
  suspicion = 0;
  typicalChange = 0;
  changes = 0;
  state: unknown = null;
  revision = 0;
  refreshes = 0;
  /** samples stored since the last refresh started (they are read from the store when one is dispatched) */
  pendingCount = 0;
  /** epoch ms: generation time of the newest sample the state reflects (-Infinity before the first) */
  reflectedMs = Number.NEGATIVE_INFINITY;
  /** newest samples, oldest first (ring of HISTORY_LENGTH) */
  readonly history: Sample[] = [];
  samplesReceived = 0;
  /** items waiting for this twin to be fresh */
  readonly waiters: LiveItem[] = [];
  /** the on-demand refresh of this twin still waiting in the ready queue (none once it is bound) */
  pendingRefresh: LiveItem | undefined = undefined;
  // age-of-information integral from the warm-up on
  accounted = 0;

  constructor(init: {
    index: number;
    id: string;
    group: string;
    tenant: number;
    tenantId: string;
    zone: string | undefined;
    criticality: number;
    anomalyRate: number;
    refresh: RefreshSpec;
    sampleBytes: number;
    maxAge: number | undefined;
    updater: string;
    registeredAt: number;
  }) {
    this.index = init.index;
    this.id = init.id;
    this.thingId = thingIdFor(init.tenantId, init.id);
    this.group = init.group;
    this.tenant = init.tenant;
    this.tenantId = init.tenantId;
    this.zone = init.zone;
    this.criticality = init.criticality;
    this.anomalyRate = init.anomalyRate;
    this.refresh = init.refresh;
    this.sampleBytes = init.sampleBytes;
    this.maxAge = init.maxAge;
    this.updater = init.updater;
    this.lastSample = init.registeredAt;
    this.accounted = init.registeredAt;
  }

  // what one refresh costs, as policies read it
  get refreshCompute(): number {
    return this.refresh.compute;
  }
  get refreshAttention(): number {
    return this.refresh.attention;
  }
  get refreshWork(): number {
    return this.refresh.work;
  }
  get refreshBytes(): number {
    return this.sampleBytes;
  }

  /** `count` samples were stored; `newest` is the newest of them (kept in the history for forecasts). */
  samplesStored(count: number, newest: Sample): void {
    this.samplesReceived += count;
    this.pendingCount += count;
    this.history.push(newest);
    if (this.history.length > HISTORY_LENGTH) this.history.shift();
  }
}

export class LiveTenant implements TenantView {
  readonly index: number;
  readonly id: string;
  readonly weight: number;
  heldCompute = 0;
  heldAttention = 0;
  readonly quotaCompute: number | undefined;
  readonly quotaAttention: number | undefined;

  constructor(index: number, spec: { id: string; weight: number; quota?: TenantSpec['quota'] | undefined }) {
    this.index = index;
    this.id = spec.id;
    this.weight = spec.weight;
    this.quotaCompute = spec.quota?.compute;
    this.quotaAttention = spec.quota?.attention;
  }
}

export interface LiveTaskSpec {
  readonly id: string;
  readonly kind: string;
  readonly handler: string;
  readonly work: number;
  readonly compute: number;
  readonly attention: number;
  readonly tier: Tier | undefined;
  /** twins (by index) the task reads, and the oldest state it accepts */
  readonly twins: readonly number[];
  readonly maxAge: number | undefined;
  /** indices of the tasks it follows */
  readonly after: readonly number[];
}

export type RequestStatus = 'waiting' | 'running' | 'completed' | 'failed';

export class LiveRequest {
  readonly uid: number;
  readonly id: string;
  readonly workload: string;
  readonly tenant: LiveTenant;
  /** the tenant it was submitted for (the scheduling tenant's id, or an authenticated tenant's) */
  readonly tenantId: string;
  readonly priority: number;
  readonly arrival: number;
  readonly deadline: number;
  readonly tasks: readonly LiveTaskSpec[];
  readonly params: Readonly<Record<string, unknown>>;
  readonly pending: number[];
  /** how many times each task has been dispatched (a re-dispatch adds one) */
  readonly attempts: number[];
  readonly outputs: (unknown | undefined)[];
  readonly taskNodes: (string | undefined)[];
  status: RequestStatus = 'waiting';
  finish = Number.NaN;
  error: string | undefined;
  done = 0;
  counted: boolean;

  constructor(init: {
    uid: number;
    workload: string;
    tenant: LiveTenant;
    tenantId?: string;
    priority: number;
    arrival: number;
    deadline: number;
    tasks: readonly LiveTaskSpec[];
    params: Readonly<Record<string, unknown>>;
    counted: boolean;
  }) {
    this.uid = init.uid;
    this.id = `r-${init.uid}`;
    this.workload = init.workload;
    this.tenant = init.tenant;
    this.tenantId = init.tenantId ?? init.tenant.id;
    this.priority = init.priority;
    this.arrival = init.arrival;
    this.deadline = init.deadline;
    this.tasks = init.tasks;
    this.attempts = init.tasks.map(() => 0);
    this.params = init.params;
    this.counted = init.counted;
    this.pending = init.tasks.map((t) => t.after.length);
    this.outputs = init.tasks.map(() => undefined);
    this.taskNodes = init.tasks.map(() => undefined);
  }
}

const NO_INPUTS: readonly DataInput[] = Object.freeze([]);

/** One unit of work: a request's task or a twin refresh. Re-dispatch gives it a new attempt id. */
export class LiveItem implements WorkItem {
  readonly uid: number;
  readonly id: string;
  readonly type: 'task' | 'refresh';
  readonly tenant: number;
  readonly tenantId: string;
  readonly priority: number;
  readonly deadline: number;
  readonly arrival: number;
  readyTime: number;
  readonly kind: string;
  readonly work: number;
  readonly compute: number;
  readonly attention: number;
  readonly tier: Tier | undefined;
  readonly inputs = NO_INPUTS;
  readonly twin: number;
  plannedNode = -1;
  readonly request: number;
  readonly req: LiveRequest | undefined;
  readonly task: number;
  readonly handler: string;
  attempt = -1;
  node: LiveNode | undefined;
  boundAt = 0;
  expectedEnd = 0;
  retries = 0;
  onDemand = false;
  /** twins refreshed for this task since it became ready (they count as fresh enough) */
  readonly refreshedFor = new Set<number>();
  /** performance.now() when it joined the ready queue; NaN once a cycle could not place it */
  readyAtMs = Number.NaN;
  /** for a refresh: the samples it carries, read from the store when it is dispatched */
  samples: Sample[] = [];
  /** service seconds at which the current attempt's lease runs out */
  leaseUntil = Number.POSITIVE_INFINITY;

  constructor(init: {
    uid: number;
    id: string;
    type: 'task' | 'refresh';
    tenant: LiveTenant;
    priority: number;
    deadline: number;
    arrival: number;
    kind: string;
    handler: string;
    work: number;
    compute: number;
    attention: number;
    tier: Tier | undefined;
    twin: number;
    req: LiveRequest | undefined;
    task: number;
  }) {
    this.uid = init.uid;
    this.id = init.id;
    this.type = init.type;
    this.tenant = init.tenant.index;
    this.tenantId = init.tenant.id;
    this.priority = init.priority;
    this.deadline = init.deadline;
    this.arrival = init.arrival;
    this.readyTime = init.arrival;
    this.kind = init.kind;
    this.handler = init.handler;
    this.work = init.work;
    this.compute = init.compute;
    this.attention = init.attention;
    this.tier = init.tier;
    this.twin = init.twin;
    this.req = init.req;
    this.request = init.req?.uid ?? -1;
    this.task = init.task;
  }
}

/**
 * What accounting, snapshots and what-ifs read of the live runtime: its records and clock, nothing it does.
 * (They take this view rather than the runtime class, so the runtime can own them without an import circle.)
 */
export interface LiveState extends Snapshot {
  readonly policy: PolicyRef;
  readonly profile: Profile;
  /** wall-clock ms at which service time 0 began */
  readonly startMs: number;
  readonly warmup: number;
  /** service seconds */
  readonly now: number;
  readonly nodes: readonly LiveNode[];
  readonly twins: readonly LiveTwin[];
  readonly tenants: readonly LiveTenant[];
  readonly queue: { readonly size: number };
  readonly arrivalRates: ForecastBank;
  /** decisions made so far */
  readonly decisions: number;
  recordFeedback(d: Decision): void;
}
