/**
 * The live runtime: the simulator's `SchedulingRuntime` (src/scheduler/runtime) on the wall clock. Agents are
 * the nodes, the served scenario's twins are the twins, submitted requests are the work. This object is the
 * system side of the runtime's ports: it implements the scheduler's `Snapshot` over agents and twins, a
 * `Binder` that reserves a node's capacity and sends the work to its agent, and a `Clock` on wall seconds
 * since the service started. The cycle (queue order, placement, holds for planned work, attention filling)
 * is the simulator's own code; every decision is explained and kept (and handed to `onDecision` for the
 * store, the trace file and the event stream).
 *
 * Leases: every attempt has a lease of `leaseFactor` times its expected duration on its node (plus three
 * heartbeats). An agent silent for three heartbeats is taken down, and an attempt whose lease runs out is
 * cancelled on its agent; either way the work is dispatched again under a new attempt id, and a late result
 * of the old attempt is ignored, so a task completes once and a request completes once. After a restart
 * (src/live/persist.ts) a resumed request's running attempts wait, under their old ids and leases, for their
 * agents to come back (`submit` with `resume`); attempt ids of each run start after every earlier run's.
 */
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { RandomStreams } from '../engine/random.js';
import { ForecastBank } from '../forecast/index.js';
import type { PolicyRef, Scenario } from '../model/scenario.js';
import { registry } from '../policies/index.js';
import type { Filter, RequestPlanView } from '../scheduler/plugins.js';
import type { Profile } from '../scheduler/profile.js';
import { type Binder, type Clock, SchedulingRuntime, type Stopped } from '../scheduler/runtime/index.js';
import type { Decision, ReadyQueue } from '../scheduler/scheduler.js';
import type { Location, NodeView, Snapshot, WorkItem } from '../scheduler/types.js';
import { hastened, mostUrgent } from '../scheduler/urgency.js';
import { LiveAccounting } from './accounting.js';
import { BUILT_IN_TASKS, BUILT_IN_UPDATERS } from './handlers.js';
import { LiveItem, LiveNode, LiveRequest, LiveTenant, LiveTwin, PENDING_LIMIT } from './model.js';
import { NodeTenancy } from './node-tenancy.js';
import type { RegisterMessage, ResultMessage, Sample, TaskInput } from './protocol.js';
import type { PlannedRequest, TwinResolver } from './requests.js';

export interface LiveRuntimeOptions {
  readonly scenario?: Scenario | undefined;
  /** default: the scenario's policy, else `ars` */
  readonly policy?: PolicyRef | undefined;
  /** the twins' update handler: last, ewma, kalman or a user handler name (default last) */
  readonly updater?: string;
  /** seconds from the start excluded from the metrics (default 0) */
  readonly warmup?: number;
  /** wall clock in epoch milliseconds (default Date.now) */
  readonly clockMs?: () => number;
  /** how often agents send heartbeats; an agent silent for three is taken down (default 1000) */
  readonly heartbeatMs?: number;
  /** decisions kept in memory for `/decisions` and explanations (default 100,000) */
  readonly decisionLimit?: number;
  readonly seed?: number;
  readonly onDecision?: (d: Decision) => void;
  /**
   * Reads the stored samples of a thing generated after `afterMs` (epoch ms), oldest first, at most `limit`:
   * what a refresh carries to its agent. Without it a refresh carries no samples (unit tests).
   */
  readonly readSamples?: (thingId: string, afterMs: number, limit: number) => Promise<Sample[]>;
  /** an attempt's lease: this many times its expected duration, plus three heartbeats (default 3) */
  readonly leaseFactor?: number;
  /** the number of the first request id (`r-N`): a restart on a kept store goes on after the stored ones */
  readonly firstRequest?: number;
}

/** How often the runtime looks at heartbeats, feedback windows and idle attention, in milliseconds. */
export const TICK_MS = 100;
/** Window of the live arrival-rate forecasts, seconds. */
export const ARRIVAL_WINDOW = 10;
/** Default lease of an attempt, in multiples of its expected duration on its node. */
export const LEASE_FACTOR = 3;

/**
 * Service seconds after which the wait of work still in the queue is explained again (and recorded if its
 * reasons changed). In between, the cycles that try it decide untraced: the same choice, without building an
 * explanation for every node, which for a long queue tried at every message would be most of the service's work.
 */
export const WAIT_EXPLAINED_EVERY = 1;

const handlerFilter: Filter = {
  name: 'live-handler',
  filter(item, node) {
    const h = (item as LiveItem).handler;
    const builtIn = item.type === 'refresh' ? BUILT_IN_UPDATERS : BUILT_IN_TASKS;
    if (h === undefined || h in builtIn || (node as LiveNode).handlers.has(h)) return { ok: true };
    return { ok: false, reason: `agent has no handler "${h}"` };
  },
};

export class LiveRuntime extends EventEmitter implements Snapshot {
  readonly scenario: Scenario | undefined;
  readonly policy: PolicyRef;
  readonly profile: Profile;
  readonly startMs: number;
  readonly warmup: number;
  readonly heartbeatMs: number;
  readonly nodes: LiveNode[] = [];
  readonly twins: LiveTwin[] = [];
  readonly tenants: LiveTenant[] = [];
  readonly requests = new Map<string, LiveRequest>();
  readonly accounting: LiveAccounting;
  readonly decisionLog: Decision[] = [];
  /** arrivals per workload, forecast by the project's forecasters (what-if uses the predicted rates) */
  readonly arrivalRates = new ForecastBank({ windowSeconds: ARRIVAL_WINDOW });
  /** nodes bound to one tenant by their credential run only its work (a filter of the profile) */
  readonly nodeTenancy = new NodeTenancy();
  readonly #clockMs: () => number;
  readonly #decisionLimit: number;
  /**
   * Per subject that waits: what its last recorded wait said (`waitReasons`), for a wait saying it again is not
   * recorded, and when its wait was last explained (service seconds, and `#nodesChanged` then), for it is
   * explained again only after WAIT_EXPLAINED_EVERY or once a node has come or gone
   */
  readonly #lastWait = new Map<string, { why: string; at: number; nodes: number }>();
  /** how many times a node has joined, come up or gone down */
  #nodesChanged = 0;
  /**
   * Waits explained again and not recorded: a task or refresh that still waits for the same reasons as its last
   * recorded wait (its first wait and each change of its reasons are recorded; in between, the cycles that try
   * it decide untraced, and its wait is explained again every WAIT_EXPLAINED_EVERY or once a node comes or goes)
   */
  repeatedWaits = 0;
  readonly #onDecision: ((d: Decision) => void) | undefined;
  readonly #readSamples: LiveRuntimeOptions['readSamples'];
  readonly #leaseFactor: number;
  readonly #byAttempt = new Map<number, LiveItem>();
  /** tasks of resumed requests whose attempt ran on an agent before a restart: held until it comes back */
  readonly #parked = new Map<number, { item: LiveItem; node: string }>();
  readonly #twinByName = new Map<string, number>();
  readonly #groups = new Map<string, number[]>();
  readonly #nodeById = new Map<string, LiveNode>();
  readonly #rngPolicy;
  readonly #rngPick;
  readonly #maxRetries: number;
  readonly #minRefreshAttention: number;
  readonly #attentionDemands: number[];
  /** the simulator's scheduling cycle; rebuilt (queue carried over) when a new agent adds a node */
  #sched!: SchedulingRuntime;
  /** decisions of scheduling runtimes replaced by a rebuild */
  #decisionsBefore = 0;
  #generation = 0;
  #uid = 0;
  #requestUid = 0;
  #attempt = 0;
  #frozenNow: number | undefined;
  /** stopped: attempts let go from now on keep their stored leases, for the next start */
  #stopped = false;
  #timer: ReturnType<typeof setInterval> | undefined;
  #nextFeedback: number;
  #lastTick = 0;

  constructor(options: LiveRuntimeOptions = {}) {
    super();
    this.setMaxListeners(0);
    const scenario = options.scenario;
    this.scenario = scenario;
    this.policy = options.policy ?? scenario?.policy ?? { name: 'ars', params: {} };
    const built = registry.create(this.policy.name, this.policy.params);
    // Without the policy's placer: a placer such as ARS's index asks the filters once per class of alike nodes,
    // and the live filters (an agent's handlers, a node bound to a tenant) differ between agents of one group.
    // Untraced decisions (between explanations of a wait) scan the nodes instead, which live are few; a traced
    // decision scans them anyway. The choice is the same: a placer only finds the scan's node faster.
    this.profile = {
      ...built,
      placer: undefined,
      filters: Object.freeze([...built.filters, handlerFilter, this.nodeTenancy.filter]),
    };
    this.#clockMs = options.clockMs ?? Date.now;
    this.startMs = this.#clockMs();
    this.warmup = options.warmup ?? 0;
    this.heartbeatMs = options.heartbeatMs ?? 1000;
    this.#decisionLimit = options.decisionLimit ?? 100_000;
    this.#onDecision = options.onDecision;
    this.#readSamples = options.readSamples;
    this.#leaseFactor = options.leaseFactor ?? LEASE_FACTOR;
    this.#requestUid = options.firstRequest ?? 0;
    const streams = new RandomStreams(options.seed ?? scenario?.seed ?? 1);
    this.#rngPolicy = streams.stream('policy');
    this.#rngPick = streams.stream('arrivals');
    this.#maxRetries = scenario?.failures.maxRetries ?? 3;
    const tenantSpecs = scenario?.tenants ?? [{ id: 'default', weight: 1, quota: undefined }];
    tenantSpecs.forEach((t, i) => {
      this.tenants.push(new LiveTenant(i, t));
    });
    const tenantIndex = new Map(this.tenants.map((t) => [t.id, t.index]));
    for (const d of scenario?.twins ?? []) {
      const tenant = tenantIndex.get(d.tenant) ?? 0;
      const twin = new LiveTwin({
        index: this.twins.length,
        id: d.id,
        group: d.group,
        tenant,
        tenantId: this.tenants[tenant]!.id,
        zone: d.zone,
        criticality: d.criticality,
        anomalyRate: d.anomaly?.rate ?? 0,
        refresh: d.refresh,
        sampleBytes: d.sampleBytes,
        maxAge: d.maxAge,
        updater: options.updater ?? 'last',
        registeredAt: 0,
      });
      this.twins.push(twin);
      this.#twinByName.set(twin.id, twin.index);
      this.#twinByName.set(twin.thingId, twin.index);
      const g = this.#groups.get(d.group) ?? [];
      g.push(twin.index);
      this.#groups.set(d.group, g);
    }
    this.#minRefreshAttention = this.twins.reduce(
      (m, t) => Math.min(m, t.refresh.attention > 0 ? t.refresh.attention : m),
      Number.POSITIVE_INFINITY,
    );
    // the attention demands that occur, as the simulated world tells its runtime
    const levels = new Set<number>([0]);
    for (const t of this.twins) levels.add(t.refresh.attention);
    for (const w of scenario?.workloads ?? []) for (const task of w.tasks) levels.add(task.attention);
    this.#attentionDemands = [...levels];
    this.#buildScheduler();
    this.accounting = new LiveAccounting(this);
    this.#nextFeedback = scenario?.scheduling.feedbackWindow ?? 60;
    this.profile.attention.init?.(this);
    this.#timer = setInterval(() => this.#tick(), TICK_MS);
    this.#timer.unref();
  }

  // ------------------------------------------------------------------ the ports

  /**
   * The scheduling runtime over the current nodes. Its node index and free-attention books are sized by the
   * node count, so a new agent (not a returning one) builds a new one; ready work moves over in queue order.
   */
  #buildScheduler(): void {
    const old = this.#sched as SchedulingRuntime | undefined;
    const generation = ++this.#generation;
    const clock: Clock = {
      get now() {
        return rt.now;
      },
      // a microtask: before the event loop turns, so a ready task is assigned without waiting behind other
      // I/O; events of one callback share one cycle, and the cycle sees one instant
      soon: (fn) =>
        queueMicrotask(() => {
          if (generation !== this.#generation) return;
          this.#frozenNow = this.now;
          try {
            fn();
          } finally {
            this.#frozenNow = undefined;
          }
          this.#afterCycle();
        }),
    };
    const rt = this;
    const binder: Binder = {
      bind: (item, node) => this.#bind(item as LiveItem, this.nodes[node]!),
      newRefresh: (twin) => this.#refreshItem(this.twins[twin]!),
      dropRefresh: (item) => {
        this.twins[item.twin]!.refreshing = false;
      },
      preempt: (room) => this.#preempt(room),
      hold: (node, compute) => {
        const n = this.nodes[node]!;
        this.#sched.nodeChanged(node);
        n.heldCompute = compute;
      },
    };
    this.#sched = new SchedulingRuntime({
      profile: this.profile,
      snapshot: this,
      binder,
      clock,
      trace: {
        record: (d) => this.#record(d),
        explainsWait: (subject) => {
          const last = this.#lastWait.get(subject);
          return (
            last === undefined ||
            last.nodes !== this.#nodesChanged ||
            this.now - last.at >= WAIT_EXPLAINED_EVERY
          );
        },
      },
      attentionDemands: this.#attentionDemands,
      minRefreshAttention: this.#minRefreshAttention,
    });
    if (old) {
      this.#decisionsBefore += old.decisions;
      for (const item of [...old.queue.items()]) this.#sched.enqueue(item);
      for (const n of this.nodes) n.heldCompute = 0;
    }
  }

  /** ready work, in the profile's order (the scheduling runtime's queue) */
  get queue(): ReadyQueue {
    return this.#sched.queue;
  }

  /** placement and attention decisions taken */
  get decisions(): number {
    return this.#decisionsBefore + this.#sched.decisions;
  }

  /** Service seconds; fixed for the length of one scheduling cycle so a decision sees one instant. */
  get now(): number {
    return this.#frozenNow ?? (this.#clockMs() - this.startMs) / 1000;
  }

  /** Service seconds of an epoch-millisecond time. */
  serviceTime(epochMs: number): number {
    return (epochMs - this.startMs) / 1000;
  }

  get totalCompute(): number {
    let c = 0;
    for (const n of this.nodes) if (n.up) c += n.computeCapacity;
    return c;
  }

  get totalAttention(): number {
    let a = 0;
    for (const n of this.nodes) if (n.up) a += n.attentionCapacity;
    return a;
  }

  /** Live data moves over the real network; the scheduler is not told a model of it. */
  transferTime(_from: Location, _to: number, _bytes: number): number {
    return 0;
  }

  inputsReadyAt(_item: WorkItem, _to: number): number {
    return this.now;
  }

  random(): number {
    return this.#rngPolicy.next();
  }

  // ------------------------------------------------------------------ agents

  /** An agent registered: a new node, or the same node back up (same id keeps its index). */
  connectAgent(reg: RegisterMessage, send: LiveNode['send']): LiveNode {
    const now = this.now;
    let node = this.#nodeById.get(reg.id);
    if (node) {
      if (node.up && node.connections > 0)
        throw Object.assign(new Error(`agent id "${reg.id}" is already connected`), {
          code: 'ARS_E_AGENT_DUPLICATE',
        });
      this.#sched.nodeChanged(node.index);
      node.account(now, this.warmup);
      const before = fixedAttributes(node);
      node.update(reg, send);
      node.up = true;
      this.#nodesChanged++;
      // the free-compute index sorts nodes by these (tier, capacities, …): built again when they changed
      if (fixedAttributes(node) !== before) this.#buildScheduler();
    } else {
      node = new LiveNode(this.nodes.length, reg, () => this.now, send);
      this.nodes.push(node);
      this.#nodeById.set(node.id, node);
      this.#nodesChanged++;
      this.#buildScheduler();
    }
    node.connections = 1;
    node.lastSeen = now;
    this.#adoptParked(node);
    this.emit('node', { node: node.id, up: true, time: now });
    this.requestCycle();
    return node;
  }

  heartbeat(node: LiveNode): void {
    node.lastSeen = this.now;
  }

  /** The agent is gone: its running work goes back to the queue under new attempts. */
  disconnectAgent(node: LiveNode, reason = 'disconnected'): void {
    if (!node.up) return;
    const now = this.now;
    this.#sched.nodeChanged(node.index);
    node.account(now, this.warmup);
    node.up = false;
    this.#nodesChanged++;
    node.connections = 0;
    node.heldCompute = 0;
    // a silent agent's connection may still be open: close it so that the agent reconnects and registers again
    if (reason !== 'disconnected') node.hangUp(reason);
    for (const item of [...node.items]) {
      this.#release(item);
      this.#redispatch(item, `${node.id} ${reason}`);
    }
    // planned work waits for a node that is gone: let placement choose again
    for (const item of this.queue.items())
      if (item.plannedNode === node.index) (item as LiveItem).plannedNode = -1;
    this.emit('node', { node: node.id, up: false, reason, time: now });
    this.requestCycle();
  }

  #redispatch(item: LiveItem, why: string): void {
    item.retries++;
    this.#record({
      time: this.now,
      kind: 'place',
      subject: item.id,
      chosen: null,
      candidates: [],
      waiting: `re-dispatched: ${why}`,
    });
    if (item.type === 'refresh') {
      const twin = this.twins[item.twin]!;
      // the samples it carried are not reflected yet: they stay in the store for the next refresh
      twin.pendingCount += item.samples.length;
      item.samples = [];
      twin.refreshing = false;
      this.profile.attention.refreshed?.(twin.index, false, this);
      if (twin.waiters.length > 0)
        this.#requestRefresh(twin, twin.waiters[0]!.priority, twin.waiters[0]!.deadline);
      return;
    }
    if (item.retries > this.#maxRetries) {
      this.#failRequest(item.req!, `task ${item.id} lost after ${item.retries - 1} retries (${why})`);
      return;
    }
    item.plannedNode = -1;
    item.readyAtMs = Number.NaN;
    this.#sched.enqueue(item);
  }

  /** A result from an agent. Results of attempts that were re-dispatched, or from another agent, are ignored. */
  result(node: LiveNode, msg: ResultMessage): void {
    node.lastSeen = this.now;
    const item = this.#byAttempt.get(msg.attempt);
    if (!item || item.node !== node) {
      this.emit('late', { node: node.id, attempt: msg.attempt });
      return;
    }
    this.#frozenNow = this.now;
    try {
      this.#release(item);
      if (item.type === 'refresh') this.#completeRefresh(item, msg);
      else if (msg.ok) this.#completeTask(item, msg.output);
      else
        this.#failRequest(
          item.req!,
          `task ${item.id} failed on ${node.id}: ${msg.error ?? 'no reason given'}`,
        );
    } finally {
      this.#frozenNow = undefined;
    }
    this.requestCycle();
  }

  // ------------------------------------------------------------------ twins

  twinByName(name: string): LiveTwin | undefined {
    const i = this.#twinByName.get(name);
    return i === undefined ? undefined : this.twins[i];
  }

  /**
   * Samples of a twin were stored (the telemetry ingest's event): they move its state only when a refresh
   * runs, which reads them from the store. `newest` is the newest of them, kept for forecasts.
   */
  samplesStored(twin: LiveTwin, count: number, newest: Sample): void {
    twin.samplesStored(count, newest);
    this.accounting.samples += count;
  }

  #requestRefresh(twin: LiveTwin, priority: number, deadline: number): void {
    const item = this.#refreshItem(twin, priority, deadline);
    this.profile.attention.refreshStarted?.(twin.index, this);
    item.onDemand = true;
    twin.pendingRefresh = item;
    this.#sched.enqueue(item);
  }

  /**
   * A task more urgent than the queued refresh it waits for: the refresh is replaced by one as urgent as the
   * most urgent of its waiters (as in the simulator, world/twins.ts); one already bound runs as it is.
   */
  #hasten(twin: LiveTwin, priority: number, deadline: number): void {
    const pending = twin.pendingRefresh;
    const u = pending && hastened({ priority, deadline }, pending);
    if (u === undefined || this.queue.removeWhere((it) => it === pending).length === 0) return;
    const item = this.#refreshItem(twin, u.priority, u.deadline);
    item.onDemand = true;
    twin.pendingRefresh = item;
    this.#sched.enqueue(item);
  }

  #refreshItem(twin: LiveTwin, priority = 0, deadline = Number.POSITIVE_INFINITY): LiveItem {
    twin.refreshing = true;
    const r = twin.refresh;
    return new LiveItem({
      uid: this.#uid++,
      id: `refresh:${twin.id}`,
      type: 'refresh',
      tenant: this.tenants[twin.tenant]!,
      priority,
      deadline,
      arrival: this.now,
      kind: r.kind,
      handler: twin.updater,
      work: r.work,
      compute: r.compute,
      attention: r.attention,
      tier: undefined,
      twin: twin.index,
      req: undefined,
      task: -1,
    });
  }

  #completeRefresh(item: LiveItem, msg: ResultMessage): void {
    const twin = this.twins[item.twin]!;
    twin.refreshing = false;
    if (!msg.ok) {
      twin.pendingCount += item.samples.length;
      this.profile.attention.refreshed?.(twin.index, false, this);
      this.emit('twin', { thingId: twin.thingId, ok: false, error: msg.error, time: this.now });
    } else {
      twin.state = msg.output ?? null;
      twin.revision++;
      twin.refreshes++;
      if (item.onDemand) this.accounting.refreshesOnDemand++;
      else this.accounting.refreshesProactive++;
      const newest = item.samples[item.samples.length - 1];
      if (msg.sampleTime !== undefined && newest) {
        twin.reflectedMs = Math.max(twin.reflectedMs, msg.sampleTime);
        const t = this.serviceTime(msg.sampleTime);
        if (t > twin.lastSample) {
          this.accounting.accountAge(twin);
          const value = firstNumber(newest.value);
          const dt = Math.max(t - twin.lastSample, 1e-9);
          const change = Math.abs(value - twin.lastValue) / Math.sqrt(dt);
          twin.suspicion = twin.typicalChange > 0 ? change / twin.typicalChange : 0;
          twin.changes++;
          twin.typicalChange += (change - twin.typicalChange) / Math.min(twin.changes, 20);
          twin.lastSample = t;
          twin.lastValue = value;
        }
      }
      this.profile.attention.refreshed?.(twin.index, true, this);
      this.emit('twin', {
        thingId: twin.thingId,
        tenant: twin.tenantId,
        revision: twin.revision,
        state: twin.state,
        ageSeconds: this.now - twin.lastSample,
        sourceTime: Number.isFinite(twin.reflectedMs) ? twin.reflectedMs : null,
        time: this.now,
      });
    }
    // a waiting task goes on once the twin's state meets its age bound, or once this refresh started after the
    // task began waiting (then it has the freshest state the devices gave, even under a bound no refresh meets)
    const waiters = twin.waiters.splice(0);
    const kept: LiveItem[] = [];
    const age = this.now - twin.lastSample;
    for (const w of waiters) {
      if (
        msg.ok &&
        (item.boundAt >= w.readyTime || age <= (w.req!.tasks[w.task]!.maxAge ?? Number.POSITIVE_INFINITY))
      ) {
        twin.waiting--;
        w.refreshedFor.add(twin.index);
        w.readyTime = this.now;
        this.#ready(w);
      } else kept.push(w);
    }
    twin.waiters.push(...kept);
    if (kept.length > 0) {
      const u = mostUrgent(kept);
      this.#requestRefresh(twin, u.priority, u.deadline);
    }
  }

  // ------------------------------------------------------------------ requests

  readonly resolver: TwinResolver = {
    byName: (name) => this.#twinByName.get(name),
    pickFromGroup: (group) => {
      const g = this.#groups.get(group);
      return g && g.length > 0 ? g[this.#rngPick.int(g.length)] : undefined;
    },
    handlerFor: (kind) => {
      if (kind in BUILT_IN_TASKS) return kind;
      for (const n of this.nodes) if (n.handlers.has(kind)) return kind;
      return 'work';
    },
  };

  /** Accepts a planned request: its root tasks become ready now. */
  submit(
    plan: PlannedRequest,
    params: Readonly<Record<string, unknown>> = {},
    /** a request resumed after a restart keeps its stored number */
    uid?: number,
    /** a resumed request's finished tasks and the leases of its attempts still running on agents */
    resume?: ResumedState,
  ): LiveRequest {
    const now = this.now;
    const tenant = this.tenants.find((t) => t.id === plan.tenant) ?? this.tenants[0]!;
    const req = new LiveRequest({
      uid: uid ?? this.#requestUid++,
      workload: plan.workload,
      tenant,
      tenantId: plan.tenant,
      priority: plan.priority,
      arrival: now,
      deadline: plan.deadline !== undefined ? now + plan.deadline : Number.POSITIVE_INFINITY,
      tasks: plan.tasks,
      params,
      counted: now >= this.warmup,
    });
    this.requests.set(req.id, req);
    this.accounting.arrived(req);
    // a resumed request was counted before the restart (the forecasters go on from their snapshot)
    if (!resume) this.arrivalRates.record(req.workload, now);
    this.#announce(req);
    const planner = this.profile.planner;
    const planned = planner?.planRequest ? planner.planRequest(this.#planView(req), this) : undefined;
    if (resume) this.#resumeTasks(req, resume);
    req.tasks.forEach((_t, i) => {
      if (req.pending[i]! > 0 || req.outputs[i] !== undefined || req.status === 'completed') return;
      const lease = resume?.leases.find((l) => l.task === i);
      if (lease) this.#park(req, i, lease);
      else this.#taskReady(req, i, planned?.[i] ?? -1);
    });
    if (planned) (req as { planned?: Int32Array }).planned = planned;
    this.emit('request', { id: req.id, status: req.status, time: now });
    this.requestCycle();
    return req;
  }

  #announce(req: LiveRequest): void {
    const alloc = this.profile.attention;
    if (!alloc.requestArrived) return;
    let work = 0;
    let compute = 0;
    let attention = 0;
    let byTier: Partial<Record<NodeView['tier'], number>> | undefined;
    const twins: number[] = [];
    const maxAges: number[] = [];
    for (const t of req.tasks) {
      work += t.work;
      compute += t.work * t.compute;
      attention += t.work * t.attention;
      if (t.tier !== undefined) {
        byTier ??= {};
        byTier[t.tier] = (byTier[t.tier] ?? 0) + t.work * t.compute;
      }
      if (t.maxAge !== undefined)
        for (const x of t.twins) {
          twins.push(x);
          maxAges.push(t.maxAge);
        }
    }
    alloc.requestArrived(
      {
        workload: req.workload,
        tenant: req.tenant.index,
        time: req.arrival,
        deadline: req.deadline,
        priority: req.priority,
        work,
        computeDemand: compute,
        attentionDemand: attention,
        ...(byTier ? { computeByTier: byTier } : {}),
        twins,
        maxAges,
      },
      this,
    );
  }

  #planView(req: LiveRequest): RequestPlanView {
    const edges: { from: number; to: number; bytes: number }[] = [];
    req.tasks.forEach((t, i) => {
      for (const j of t.after) edges.push({ from: j, to: i, bytes: 0 });
    });
    return {
      id: req.id,
      tenant: req.tenant.index,
      arrival: req.arrival,
      deadline: req.deadline,
      tasks: req.tasks.map((t) => ({
        id: t.id,
        kind: t.kind,
        work: t.work,
        compute: t.compute,
        attention: t.attention,
        tier: t.tier,
      })),
      edges,
    };
  }

  #taskReady(req: LiveRequest, i: number, plannedNode: number): void {
    const item = this.#taskItem(req, i);
    item.plannedNode = plannedNode >= 0 && this.nodes[plannedNode]?.up ? plannedNode : -1;
    this.#ready(item);
  }

  // ------------------------------------------------------------------ restart (src/live/persist.ts)

  /** Attempt ids from here on start at `first` (a restart takes ids no earlier run gave). */
  resumeAttempts(first: number): void {
    this.#attempt = Math.max(this.#attempt, first);
  }

  /** Outputs of the tasks a resumed request finished before the restart. */
  #resumeTasks(req: LiveRequest, resume: ResumedState): void {
    resume.outputs.forEach((output, i) => {
      if (output === undefined || i >= req.tasks.length || req.outputs[i] !== undefined) return;
      req.outputs[i] = output;
      req.done++;
      req.tasks.forEach((t, j) => {
        if (t.after.includes(i)) req.pending[j]!--;
      });
    });
    if (req.done > 0) req.status = 'running';
    if (req.done === req.tasks.length) {
      // every task was done; only the request's own record was not written before the restart
      req.status = 'completed';
      req.finish = this.now;
      this.accounting.completed(req);
      this.emit('request', { id: req.id, status: req.status, time: req.finish, latency: 0 });
    }
  }

  /** A task whose attempt held a lease on an agent when the process stopped: it waits for that agent. */
  #park(req: LiveRequest, i: number, lease: ResumedLease): void {
    const item = this.#taskItem(req, i);
    item.attempt = lease.attempt;
    item.leaseUntil = lease.leaseUntil;
    req.status = 'running';
    req.attempts[i] = (req.attempts[i] ?? 0) + 1;
    this.#parked.set(lease.attempt, { item, node: lease.node });
  }

  /** An agent (re)connected: attempts it held before a restart are its again, under their ids and leases. */
  #adoptParked(node: LiveNode): void {
    for (const [attempt, p] of this.#parked) {
      if (p.node !== node.id) continue;
      this.#parked.delete(attempt);
      const item = p.item;
      const leaseUntil = item.leaseUntil;
      this.#reserve(item, node, this.now);
      item.attempt = attempt;
      item.leaseUntil = leaseUntil;
      this.#byAttempt.set(attempt, item);
      this.#record({
        time: this.now,
        kind: 'place',
        subject: item.id,
        chosen: node.id,
        candidates: [],
        waiting: `attempt ${attempt} held by ${node.id} across a restart`,
      });
    }
  }

  /** Held attempts whose lease ran out before their agent came back run again under new attempts. */
  #expireParked(now: number): void {
    for (const [attempt, p] of this.#parked) {
      if (p.item.leaseUntil >= now) continue;
      this.#parked.delete(attempt);
      this.#released(p.item);
      this.#redispatch(p.item, `lease of attempt ${attempt} on ${p.node} expired before it came back`);
    }
  }

  /** Persistence hook: an attempt no longer holds its lease. */
  #released(item: LiveItem): void {
    if (item.type !== 'task' || !item.req || this.#stopped) return;
    this.emit('released', {
      requestId: item.req.id,
      taskId: item.req.tasks[item.task]!.id,
      attempt: item.attempt,
    });
  }

  #taskItem(req: LiveRequest, i: number): LiveItem {
    const t = req.tasks[i]!;
    const item = new LiveItem({
      uid: this.#uid++,
      id: `${req.id}/${t.id}`,
      type: 'task',
      tenant: req.tenant,
      priority: req.priority,
      deadline: req.deadline,
      arrival: req.arrival,
      kind: t.kind,
      handler: t.handler,
      work: t.work,
      compute: t.compute,
      attention: t.attention,
      tier: t.tier,
      twin: t.twins[0] ?? -1,
      req,
      task: i,
    });
    item.readyTime = this.now;
    return item;
  }

  /** Ready work waits for its twins when they are older than it accepts, else joins the queue. */
  #ready(item: LiveItem): void {
    const t = item.req!.tasks[item.task]!;
    if (t.maxAge !== undefined) {
      for (const x of t.twins) {
        const twin = this.twins[x]!;
        // a twin refreshed for this task counts as fresh: a bound tighter than the devices can meet ends
        // with the freshest state there is instead of looping (as in the simulator)
        if (this.now - twin.lastSample > t.maxAge && !item.refreshedFor.has(x)) {
          // wait for one refresh of this twin that starts after now
          twin.waiters.push(item);
          twin.waiting++;
          if (!twin.refreshing) this.#requestRefresh(twin, item.priority, item.deadline);
          else this.#hasten(twin, item.priority, item.deadline);
          return;
        }
      }
    }
    if (item.req!.status === 'waiting') item.req!.status = 'running';
    item.readyAtMs = performance.now();
    this.#sched.enqueue(item);
  }

  #completeTask(item: LiveItem, output: unknown): void {
    const req = item.req!;
    // a request completes once: a task already done (or a request already over) takes no second result
    if (req.status === 'failed' || req.status === 'completed' || req.outputs[item.task] !== undefined) return;
    req.outputs[item.task] = output ?? null;
    req.taskNodes[item.task] = item.node?.id;
    req.done++;
    this.emit('task', {
      requestId: req.id,
      taskId: req.tasks[item.task]!.id,
      state: 'done',
      node: item.node?.id,
      attempt: item.attempt,
      time: this.now,
    });
    req.tasks.forEach((t, j) => {
      if (t.after.includes(item.task) && --req.pending[j]! === 0) {
        const planned = (req as { planned?: Int32Array }).planned;
        this.#taskReady(req, j, planned?.[j] ?? -1);
      }
    });
    if (req.done === req.tasks.length) {
      req.status = 'completed';
      req.finish = this.now;
      this.accounting.completed(req);
      this.emit('request', {
        id: req.id,
        status: req.status,
        time: req.finish,
        latency: req.finish - req.arrival,
      });
    }
  }

  #failRequest(req: LiveRequest, error: string): void {
    if (req.status === 'failed' || req.status === 'completed') return;
    req.status = 'failed';
    req.error = error;
    req.finish = this.now;
    // its waiting tasks leave the queue and the twins' waiting lists
    this.queue.removeWhere((it) => (it as LiveItem).req === req);
    for (const t of this.twins) {
      const before = t.waiters.length;
      const left = t.waiters.filter((w) => w.req !== req);
      t.waiters.splice(0, before, ...left);
      t.waiting = left.length;
    }
    for (const [attempt, p] of this.#parked)
      if (p.item.req === req) {
        this.#parked.delete(attempt);
        this.#released(p.item);
      }
    for (const [, it] of this.#byAttempt)
      if (it.req === req) {
        this.#release(it);
        it.node?.send({ type: 'cancel', attempt: it.attempt });
      }
    this.accounting.failed(req);
    this.emit('request', { id: req.id, status: req.status, error, time: req.finish });
  }

  // ------------------------------------------------------------------ scheduling

  /** Asks the scheduling runtime for a cycle at the current instant (one per callback). */
  requestCycle(): void {
    this.#sched.requestCycle();
  }

  /** One scheduling cycle, now: the simulator's (src/scheduler/runtime). */
  cycle(): void {
    this.#frozenNow = this.now;
    try {
      this.#sched.cycle();
    } finally {
      this.#frozenNow = undefined;
    }
    this.#afterCycle();
  }

  /** What a cycle left in the queue waits for capacity: from now on its delay is queueing, not decision latency. */
  #afterCycle(): void {
    // the waits of work that left the queue without being placed (cancelled, failed, replaced) are forgotten
    // once they outnumber the queue (a twin's, of an attention choice, are as many as the twins at most)
    if (this.#lastWait.size > 2 * this.queue.size + 1024) {
      const waiting = new Set<string>();
      for (const item of this.queue.items()) waiting.add(item.id);
      for (const subject of this.#lastWait.keys())
        if (!waiting.has(subject) && !this.#twinByName.has(subject)) this.#lastWait.delete(subject);
    }
    if (this.queue.size === 0) return;
    for (const item of this.queue.items()) (item as LiveItem).readyAtMs = Number.NaN;
  }

  /**
   * The binder's `preempt`: the proactive refresh bound last among those `room` accepts (ties to the lower
   * node) and no task waits for is cancelled at its agent and released; a result it still sends is late and
   * ignored. The samples it carried stay in the store for the twin's next refresh.
   */
  #preempt(room: (node: number, victim: WorkItem) => boolean): Stopped | undefined {
    let victim: LiveItem | undefined;
    for (const n of this.nodes) {
      if (!n.up || n.usedAttention <= 0) continue;
      for (const it of n.items) {
        // a proactive refresh tasks have come to wait for is demanded too
        if (it.type !== 'refresh' || it.onDemand || this.twins[it.twin]!.waiters.length > 0) continue;
        if (victim !== undefined && it.boundAt <= victim.boundAt) continue;
        if (room(n.index, it)) victim = it;
      }
    }
    if (victim === undefined) return undefined;
    const node = victim.node!;
    node.send({ type: 'cancel', attempt: victim.attempt });
    this.#release(victim);
    this.accounting.refreshesPreempted++;
    const twin = this.twins[victim.twin]!;
    twin.pendingCount += victim.samples.length;
    victim.samples = [];
    twin.refreshing = false;
    this.profile.attention.refreshed?.(twin.index, false, this);
    return { item: victim, node: node.index };
  }

  /** The binder's `bind`: reserves the item's demands on the node, then sends the work to its agent. */
  #bind(item: LiveItem, node: LiveNode): void {
    const now = this.now;
    this.#reserve(item, node, now);
    item.attempt = this.#attempt++;
    this.#byAttempt.set(item.attempt, item);
    if (item.type === 'refresh') {
      this.#dispatchRefresh(item, node);
      return;
    }
    const req = item.req!;
    const spec = req.tasks[item.task]!;
    req.attempts[item.task] = (req.attempts[item.task] ?? 0) + 1;
    const upstream: Record<string, unknown> = {};
    for (const j of spec.after) upstream[req.tasks[j]!.id] = req.outputs[j];
    const withHistory = item.handler !== 'work' && item.handler !== 'twin-query';
    const input: TaskInput = {
      request: req.id,
      params: req.params,
      twins: spec.twins.map((x) => {
        const t = this.twins[x]!;
        return {
          thingId: t.thingId,
          state: t.state,
          ageSeconds: now - t.lastSample,
          history: withHistory ? [...t.history] : [],
        };
      }),
      upstream,
    };
    node.send({
      type: 'assign',
      attempt: item.attempt,
      id: item.id,
      work: 'task',
      kind: item.kind,
      handler: item.handler,
      seconds: item.work,
      input,
    });
    const latencyMs = performance.now() - item.readyAtMs;
    if (!Number.isNaN(latencyMs)) this.accounting.decisionLatencyMs.add(latencyMs);
    // a deferred item's delay from now on is queueing, not decision latency
    item.readyAtMs = Number.NaN;
    this.emit('task', {
      requestId: req.id,
      taskId: spec.id,
      state: 'assigned',
      node: node.id,
      attempt: item.attempt,
      leaseUntil: item.leaseUntil,
      time: now,
      // wall milliseconds from ready to this assignment being sent, when it was decided in the cycle it became ready
      ...(Number.isNaN(latencyMs) ? {} : { decisionLatencyMs: latencyMs }),
    });
  }

  /** Reserves the item's demands on the node, and its lease. */
  #reserve(item: LiveItem, node: LiveNode, now: number): void {
    this.#sched.nodeChanged(node.index);
    node.account(now, this.warmup);
    const tenant = this.tenants[item.tenant]!;
    node.usedCompute += item.compute;
    node.usedAttention += item.attention;
    tenant.heldCompute += item.compute;
    tenant.heldAttention += item.attention;
    item.node = node;
    item.boundAt = now;
    if (item.type === 'refresh') {
      const twin = this.twins[item.twin];
      if (twin !== undefined && twin.pendingRefresh === item) twin.pendingRefresh = undefined;
    }
    const expected = item.work / node.speed(item.kind);
    item.expectedEnd = now + expected;
    item.leaseUntil = now + this.#leaseFactor * expected + (3 * this.heartbeatMs) / 1000;
    node.items.add(item);
  }

  /** A refresh carries the samples stored since the state's newest: read them, then send the work. */
  #dispatchRefresh(item: LiveItem, node: LiveNode): void {
    const twin = this.twins[item.twin]!;
    const attempt = item.attempt;
    const send = (samples: Sample[]) => {
      // re-dispatched or cancelled while the samples were read: this attempt is over
      if (this.#byAttempt.get(attempt) !== item) return;
      item.samples = samples;
      node.send({
        type: 'assign',
        attempt,
        id: item.id,
        work: 'refresh',
        kind: item.kind,
        handler: item.handler,
        seconds: item.work,
        input: { thingId: twin.thingId, updater: twin.updater, state: twin.state, samples },
      });
    };
    // nothing stored since the last refresh read the store: nothing newer to carry
    const stored = twin.pendingCount;
    twin.pendingCount = 0;
    if (!this.#readSamples || stored === 0) {
      send([]);
      return;
    }
    this.#readSamples(twin.thingId, twin.reflectedMs, PENDING_LIMIT).then(send, (err: Error) => {
      if (this.#byAttempt.get(attempt) !== item) return;
      this.#release(item);
      this.#redispatch(item, `samples could not be read: ${err.message}`);
      this.requestCycle();
    });
  }

  #release(item: LiveItem): void {
    const node = item.node;
    if (!node || !this.#byAttempt.delete(item.attempt)) return;
    this.#sched.nodeChanged(node.index);
    node.account(this.now, this.warmup);
    const tenant = this.tenants[item.tenant]!;
    node.usedCompute = Math.max(0, node.usedCompute - item.compute);
    node.usedAttention = Math.max(0, node.usedAttention - item.attention);
    tenant.heldCompute = Math.max(0, tenant.heldCompute - item.compute);
    tenant.heldAttention = Math.max(0, tenant.heldAttention - item.attention);
    node.items.delete(item);
    item.leaseUntil = Number.POSITIVE_INFINITY;
    this.#released(item);
  }

  #record(d: Decision): void {
    if (d.kind === 'place' || d.kind === 'attention') {
      if (d.chosen === null) {
        const why = waitReasons(d);
        const last = this.#lastWait.get(d.subject);
        if (last?.why === why) {
          last.at = d.time;
          last.nodes = this.#nodesChanged;
          this.repeatedWaits++;
          return;
        }
        this.#lastWait.set(d.subject, { why, at: d.time, nodes: this.#nodesChanged });
      } else this.#lastWait.delete(d.subject);
    }
    this.decisionLog.push(d);
    if (this.decisionLog.length > this.#decisionLimit)
      this.decisionLog.splice(0, this.decisionLog.length >> 1);
    this.#onDecision?.(d);
    if (this.listenerCount('decision') > 0) this.emit('decision', d);
  }

  /** Kept decisions about a subject (a twin id, a task id `r-7/fetch`, or a request id for all its tasks). */
  decisionsAbout(subject: string | undefined, limit = 1000): Decision[] {
    const out: Decision[] = [];
    for (let i = this.decisionLog.length - 1; i >= 0 && out.length < limit; i--) {
      const d = this.decisionLog[i]!;
      if (subject === undefined || d.subject === subject || d.subject.startsWith(`${subject}/`)) out.push(d);
    }
    return out.reverse();
  }

  // ------------------------------------------------------------------ clock

  #tick(): void {
    const now = this.now;
    const silence = (3 * this.heartbeatMs) / 1000;
    // after a stall of this process (a long what-if, a GC pause, no CPU) nobody could be heard: start the
    // heartbeat clocks and the leases again rather than blame the agents
    if (now - this.#lastTick > silence) {
      const stall = now - this.#lastTick;
      for (const n of this.nodes) {
        n.lastSeen = now;
        for (const it of n.items) it.leaseUntil += stall;
      }
    }
    this.#lastTick = now;
    if (this.#parked.size > 0) this.#expireParked(now);
    // agents that stopped talking are down (a half-open TCP connection never closes by itself)
    for (const n of this.nodes)
      if (n.up && now - n.lastSeen > silence) this.disconnectAgent(n, 'missed heartbeats');
    // attempts past their lease: the agent is alive but the work is stuck; cancel it there, run it again
    for (const n of this.nodes) {
      if (!n.up) continue;
      for (const it of [...n.items]) {
        if (it.leaseUntil >= now) continue;
        n.send({ type: 'cancel', attempt: it.attempt });
        this.#release(it);
        this.#redispatch(it, `lease of attempt ${it.attempt} on ${n.id} expired`);
      }
    }
    if (now >= this.#nextFeedback) {
      this.#frozenNow = now;
      try {
        this.accounting.feedbackWindow();
      } finally {
        this.#frozenNow = undefined;
      }
      this.#nextFeedback = now + (this.scenario?.scheduling.feedbackWindow ?? 60);
    }
    this.requestCycle();
  }

  /**
   * Stops the clock; agents stay connected until the server closes. Attempts running now keep their leases in
   * the store (a graceful stop releases them here, but the next start holds them for their agents again).
   */
  stop(): void {
    clearInterval(this.#timer);
    this.#stopped = true;
  }

  recordFeedback(d: Decision): void {
    this.#record(d);
  }
}

/** A lease of a resumed request's task, on the service clock (see `LiveRuntime.submit`). */
export interface ResumedLease {
  readonly task: number;
  readonly attempt: number;
  readonly node: string;
  /** service seconds */
  readonly leaseUntil: number;
}

export interface ResumedState {
  /** by task index: the output of a finished task, undefined for one not finished */
  readonly outputs: readonly unknown[];
  readonly leases: readonly ResumedLease[];
}

/** A node's attributes the free-compute index is built from, and more, as one string (compared across a re-registration). */
function fixedAttributes(n: LiveNode): string {
  return JSON.stringify([
    n.tier,
    n.group,
    n.zone,
    n.computeCapacity,
    n.attentionCapacity,
    n.costPerSecond,
    n.speedDefault,
    n.speedKinds,
  ]);
}

/**
 * What a wait says, without its figures: why planned work cannot go to its node, and for other work the reasons
 * the nodes refused it (how many nodes gave each is left out, as are the numbers in a reason, such as a finish
 * time, which change at every cycle while the reason stays the same).
 */
export function waitReasons(d: Decision & { kind: 'place' | 'attention' }): string {
  const parts: string[] = [d.planned ?? '', d.waiting ?? ''];
  if (d.unschedulable) parts.push(...Object.keys(d.unschedulable).sort());
  // the refusals of filters that explain them (sensitive placement), which the trace carries beside the rest
  const refused = (d as { readonly refused?: Readonly<Record<string, unknown>> }).refused;
  if (refused) parts.push(...Object.keys(refused).sort());
  return parts.join('\n').replace(/-?\d+(\.\d+)?/g, '#');
}

function firstNumber(v: Sample['value']): number {
  if (typeof v === 'number') return v;
  for (const x of Object.values(v)) if (typeof x === 'number') return x;
  return 0;
}
