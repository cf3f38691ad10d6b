/**
 * The simulated twin system: nodes with compute and attention, a network, assets whose true state drifts,
 * twins that go stale until refreshed, tenants' requests arriving as task DAGs, failures and autoscaling.
 * It executes the decisions of a policy profile and streams everything it measures into summaries.
 *
 * Resource model: space sharing. A task or refresh reserves `compute` and `attention` units on one node from
 * the moment it is bound until it finishes; its input data moves first (latency + bytes / bandwidth), then it
 * runs `work / speed` seconds. Durations do not depend on what else runs on the node, so a planner's finish
 * times are kept by execution (processor sharing would make every finish time depend on later arrivals).
 */
import { type RandomStream, RandomStreams } from '../engine/random.js';
import { Simulation } from '../engine/simulation.js';
import { QuantileSketch } from '../metrics/quantiles.js';
import type { Scenario, WorkloadDef } from '../model/scenario.js';
import type { MetricsWindow, PoolView, RequestPlanView, Scaler } from '../scheduler/plugins.js';
import type { Profile } from '../scheduler/profile.js';
import { type Binder, type Clock, SchedulingRuntime } from '../scheduler/runtime/index.js';
import type { DecisionSink, ReadyQueue } from '../scheduler/scheduler.js';
import type { DataInput, Location, Snapshot, WorkItem } from '../scheduler/types.js';
import { type ArrivalProcess, arrivalProcess } from './arrivals.js';
import { AssetStates } from './asset.js';
import { IntrusiveList } from './linked-list.js';
import { Network } from './network.js';
import { buildResult, type RunAccounts, type RunResult } from './results.js';
import { ruleScaler } from './scaler.js';
import { Item, NO_INPUTS, NodeRt, RequestRt, TenantRt, TwinRt } from './state.js';

export { Item, NodeRt, TenantRt, TwinRt } from './state.js';

/** What `WorldOptions.onExecute` is told each time work is bound to a node (conformance checks, replays). */
export interface ExecutionRecord {
  readonly id: string;
  readonly type: 'task' | 'refresh';
  readonly request: number;
  readonly task: number;
  readonly node: string;
  /** when the node's resources were reserved */
  readonly bound: number;
  /** when the inputs had all arrived and processing began */
  readonly start: number;
  readonly end: number;
  readonly compute: number;
  readonly attention: number;
  /** the node's reserved compute and attention right after this reservation */
  readonly nodeCompute: number;
  readonly nodeAttention: number;
  readonly capacityCompute: number;
  readonly capacityAttention: number;
}

export interface WorldOptions {
  seed?: number;
  /** called on every binding of work to a node */
  onExecute?: (r: ExecutionRecord) => void;
  horizon?: number;
  trace?: DecisionSink;
  /** called every `progressEvery` simulated seconds with the fraction done (progress bars) */
  onProgress?: (fraction: number) => void;
  progressEvery?: number;
}

export class World implements Snapshot {
  readonly scenario: Scenario;
  readonly profile: Profile;
  readonly seed: number;
  readonly horizon: number;
  readonly warmup: number;
  readonly sim = new Simulation();
  readonly nodes: NodeRt[];
  readonly twins: TwinRt[];
  readonly tenants: TenantRt[];
  readonly network: Network;
  /** the scheduling cycle, driven through the ports this world implements (`Binder`, `Clock`, itself as `Snapshot`) */
  readonly runtime: SchedulingRuntime;
  readonly totalCompute: number;
  readonly totalAttention: number;
  readonly #streams: RandomStreams;
  readonly #rngArrivals: RandomStream;
  readonly #rngFailures: RandomStream;
  readonly #rngAnomalies: RandomStream;
  readonly #rngPolicy: RandomStream;
  readonly #assets: AssetStates;
  readonly #trace: DecisionSink | undefined;
  readonly #onExecute: WorldOptions['onExecute'];
  readonly #groupTwins = new Map<string, number[]>();
  readonly #tenantIndex = new Map<string, number>();
  readonly #arrivals: ArrivalProcess[] = [];
  /** open requests in arrival order: a doubly linked list through the requests (no Set to hash them in) */
  readonly #open = new IntrusiveList<RequestRt>();
  /** per workload, completed requests ready for reuse */
  readonly #requestPool: RequestRt[][];
  readonly #idealLatency: number[];
  /** per workload, per task position: the index of the first task reading the same asset group (-1: none) */
  readonly #firstOfGroup: Int32Array[];
  /**
   * Each twin's `lastSample`, mirrored in one dense array: a task's freshness check reads a random twin's
   * sample time, and the twins' own objects are scattered over the heap (a cache miss or two each).
   */
  readonly #lastSampleOf: Float64Array;
  /** per workload, per task: its one incoming edge carrying data, or -1 (none, or several) */
  readonly #soleDataEdge: Int32Array[];
  /** per workload, per edge, per source node: the shared inputs list of `#soleInput` */
  readonly #soleInputs: (readonly DataInput[] | undefined)[][][];
  #uid = 0;
  #requestUid = 0;
  /** the scenario's scaling rule of each elastic group, used unless the profile has a scaler */
  readonly #ruleScalers = new Map<string, Scaler>();
  /** tasks waiting for the next batch-planning window (only under a batch planner) */
  #batchPending: Item[] | undefined;
  #minRefreshAttention = Number.POSITIVE_INFINITY;
  // metrics
  readonly latency = new QuantileSketch();
  readonly detectionDelay = new QuantileSketch();
  aoiIntegral = 0;
  weightedAoiIntegral = 0;
  maxAoI = 0;
  /** seconds twins spent older than their promised `maxAge`, summed over twins */
  overAgeSeconds = 0;
  anomalies = 0;
  detected = 0;
  trackingSquares = 0;
  trackingProbes = 0;
  refreshesProactive = 0;
  refreshesOnDemand = 0;
  refreshesFailed = 0;
  retries = 0;
  provisioningCost = 0;
  scaleUps = 0;
  scaleDowns = 0;
  #probeCursor = 0;
  // feedback window counters
  #window = {
    start: 0,
    arrivals: 0,
    completions: 0,
    misses: 0,
    deadlines: 0,
    computeBusy: 0,
    attentionBusy: 0,
    computeUp: 0,
    attentionUp: 0,
  };
  readonly feedbackLog: { time: number; parameters: Readonly<Record<string, number>> }[] = [];

  constructor(scenario: Scenario, profile: Profile, options: WorldOptions = {}) {
    this.scenario = scenario;
    this.profile = profile;
    this.seed = options.seed ?? scenario.seed;
    this.horizon = options.horizon ?? scenario.horizon;
    this.warmup = Math.min(scenario.warmup, this.horizon);
    this.#trace = options.trace;
    this.#batchPending = profile.planner?.planBatch ? [] : undefined;
    this.#onExecute = options.onExecute;
    this.#streams = new RandomStreams(this.seed);
    this.#rngArrivals = this.#streams.stream('arrivals');
    this.#rngFailures = this.#streams.stream('failures');
    this.#rngAnomalies = this.#streams.stream('anomalies');
    this.#rngPolicy = this.#streams.stream('policy');
    const now = () => this.sim.now;
    this.nodes = scenario.nodes.map((d, i) => new NodeRt(d, i, now));
    for (const [i, t] of scenario.tenants.entries()) this.#tenantIndex.set(t.id, i);
    this.tenants = scenario.tenants.map((t, i) => new TenantRt(i, t));
    this.twins = scenario.twins.map((d, i) => {
      const list = this.#groupTwins.get(d.group) ?? [];
      list.push(i);
      this.#groupTwins.set(d.group, list);
      this.#minRefreshAttention = Math.min(this.#minRefreshAttention, d.refresh.attention);
      return new TwinRt(d, i, this.#tenantIndex.get(d.tenant) ?? 0);
    });
    this.network = new Network(scenario.network, scenario.nodes);
    this.#assets = new AssetStates(scenario.twins, this.#streams.stream('dynamics'));
    // elastic pools start at their `count`; the nodes up to `max` exist but are off
    let total = 0;
    let totalA = 0;
    const startCount = new Map(scenario.nodeGroups.map((g) => [g.id, g.count]));
    // position within the group, not `def.index` (the position among all nodes)
    const member = new Map<string, number>();
    for (const n of this.nodes) {
      const k = member.get(n.group) ?? 0;
      member.set(n.group, k + 1);
      if (k >= (startCount.get(n.group) ?? Number.POSITIVE_INFINITY)) n.state = 'off';
      total += n.computeCapacity;
      totalA += n.attentionCapacity;
    }
    this.totalCompute = total;
    this.totalAttention = totalA;
    // the attention demands that occur, so that the runtime's index keeps the nodes able to meet each apart
    const levels = new Set<number>();
    for (const t of scenario.twins) levels.add(t.refresh.attention);
    for (const w of scenario.workloads) for (const task of w.tasks) levels.add(task.attention);
    const sim = this.sim;
    const clock: Clock = {
      get now() {
        return sim.now;
      },
      soon: (fn) => sim.schedule(0, fn, null),
    };
    const binder: Binder = {
      bind: (item, node) => this.#bind(item as Item, node),
      newRefresh: (twin) => this.#refreshItem(this.twins[twin]!),
      dropRefresh: (item) => {
        this.twins[item.twin]!.refreshing = false;
      },
      hold: (node, compute) => {
        const n = this.nodes[node]!;
        this.#accountNode(n);
        n.heldForPlan = compute;
      },
    };
    this.runtime = new SchedulingRuntime({
      profile,
      snapshot: this,
      binder,
      clock,
      trace: options.trace,
      attentionDemands: [...levels],
      minRefreshAttention: this.#minRefreshAttention,
    });
    this.#idealLatency = scenario.workloads.map((w) => this.#criticalPath(w));
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
    this.#lastSampleOf = new Float64Array(this.twins.length);
    for (const t of this.twins) this.#lastSampleOf[t.index] = t.lastSample;
    for (const t of this.twins) {
      t.lastValue = this.#assets.valueAt(t.index, 0);
      t.accounted = 0;
    }
    this.#start(options);
  }

  // ------------------------------------------------------------------ Snapshot

  get now(): number {
    return this.sim.now;
  }

  transferTime(from: Location, to: number, bytes: number): number {
    return 'node' in from
      ? this.network.estimate(from.node, this.nodes[from.node]!.zone, to, bytes)
      : this.network.estimate(-1, from.device, to, bytes);
  }

  inputsReadyAt(item: WorkItem, to: number): number {
    let t = this.sim.now;
    const inputs = item.inputs;
    for (let k = 0; k < inputs.length; k++)
      t = Math.max(t, this.sim.now + this.transferTime(inputs[k]!.from, to, inputs[k]!.bytes));
    return t;
  }

  random(): number {
    return this.#rngPolicy.next();
  }

  // ------------------------------------------------------------------ set-up

  #start(options: WorldOptions): void {
    const sim = this.sim;
    this.profile.attention.init?.(this);
    this.scenario.workloads.forEach((w, i) => {
      const p = arrivalProcess(w, this.#rngArrivals);
      this.#arrivals.push(p);
      const t = p.next();
      if (t < this.horizon) sim.scheduleAt(t, this.#onArrival, i);
    });
    for (const n of this.nodes) {
      const f = n.def.failure;
      if (f) sim.schedule(this.#rngFailures.exponential(1 / f.mtbf), this.#onFailure, n);
    }
    for (const t of this.twins) {
      const a = t.def.anomaly;
      if (a && a.rate > 0) sim.schedule(this.#rngAnomalies.exponential(a.rate), this.#onAnomaly, t);
    }
    for (const g of this.scenario.nodeGroups) {
      if (!g.elastic) continue;
      this.#ruleScalers.set(g.id, ruleScaler(g.elastic.rule));
      sim.schedule(g.elastic.interval, this.#onScale, g.id);
    }
    if (this.profile.planner?.planBatch)
      sim.schedule(this.scenario.scheduling.window, this.#onBatchWindow, null);
    sim.schedule(this.scenario.scheduling.feedbackWindow, this.#onFeedbackWindow, null);
    if (this.twins.length > 0) sim.schedule(this.#probeInterval(), this.#onProbe, null);
    if (options.onProgress) {
      const every = options.progressEvery ?? this.horizon / 100;
      const tick = () => {
        options.onProgress!(Math.min(1, sim.now / this.horizon));
        if (sim.now + every < this.horizon) sim.schedule(every, tick, null);
      };
      sim.schedule(every, tick, null);
    }
    this.#requestCycle();
  }

  /** Runs to the horizon and returns the result document. */
  run(): RunResult {
    this.sim.run(this.horizon);
    this.#finish();
    return buildResult(this.#accounts());
  }

  // ------------------------------------------------------------------ accounting

  /**
   * Brings a node's integrals up to now. Called before every change to its reservations or state, so it
   * also tells the free-compute index that the node may have moved.
   */
  #accountNode(n: NodeRt): void {
    this.runtime.nodeChanged(n.index);
    const now = this.sim.now;
    const from = Math.max(n.lastAccount, this.warmup);
    if (now > from && (n.state === 'up' || n.state === 'provisioning')) {
      const dt = now - from;
      n.upSeconds += dt;
      n.energyJ += (n.powerIdle + ((n.powerBusy - n.powerIdle) * n.usedCompute) / n.computeCapacity) * dt;
      if (n.state === 'up') {
        n.computeBusy += n.usedCompute * dt;
        n.attentionBusy += n.usedAttention * dt;
        n.computeUp += n.computeCapacity * dt;
        n.attentionUp += n.attentionCapacity * dt;
      }
    }
    n.lastAccount = now;
  }

  #accountTenant(t: TenantRt): void {
    const now = this.sim.now;
    const from = Math.max(t.lastAccount, this.warmup);
    if (now > from) {
      t.computeHeld += t.heldCompute * (now - from);
      t.attentionHeld += t.heldAttention * (now - from);
    }
    t.lastAccount = now;
  }

  /** Age-of-information integral of one twin up to now, from the warm-up on (a sawtooth: ∫ (x − lastSample) dx). */
  #accountAge(t: TwinRt): void {
    const now = this.sim.now;
    const from = Math.max(t.accounted, this.warmup);
    if (now > from) {
      const s = t.lastSample;
      const area = ((now - s) * (now - s) - (from - s) * (from - s)) / 2;
      this.aoiIntegral += area;
      this.weightedAoiIntegral += t.criticality * area;
      // the age rises from (from − s) to (now − s): the part of that span spent above the promised bound
      const bound = t.def.maxAge;
      if (bound !== undefined) this.overAgeSeconds += Math.max(0, now - s - Math.max(from - s, bound));
    }
    if (now >= this.warmup) this.maxAoI = Math.max(this.maxAoI, now - t.lastSample);
    t.accounted = now;
  }

  // ------------------------------------------------------------------ requests

  readonly #onArrival = (wi: number): void => {
    const w = this.scenario.workloads[wi]!;
    const now = this.sim.now;
    const tenant = this.tenants[this.#tenantIndex.get(w.tenant) ?? 0]!;
    const n = w.tasks.length;
    const req = this.#requestPool[wi]!.pop() ?? new RequestRt(w, tenant);
    req.uid = this.#requestUid++;
    req.arrival = now;
    req.deadline = w.deadline !== undefined ? now + w.deadline : Number.POSITIVE_INFINITY;
    req.plan = undefined;
    req.done = 0;
    req.finish = now;
    req.failed = false;
    req.counted = now >= this.warmup;
    // Indexed loops over the scenario's arrays here and below: they are frozen, and for-of over a frozen
    // array allocates an iterator result per step in V8. Tasks reading the same asset group share one twin,
    // drawn by the first of them.
    const tasks = w.tasks;
    const firstOfGroup = this.#firstOfGroup[wi]!;
    for (let k = 0; k < n; k++) {
      const task = tasks[k]!;
      req.pending[task.index] = task.inEdges.length;
      req.taskNode[task.index] = -1;
      req.twins[task.index] = -1;
      if (task.twin) {
        const first = firstOfGroup[k]!;
        if (first === task.index) {
          const group = this.#groupTwins.get(task.twin.group) ?? [];
          req.twins[task.index] = group.length > 0 ? group[this.#rngArrivals.int(group.length)]! : -1;
        } else req.twins[task.index] = req.twins[first]!;
      }
    }
    if (req.counted) {
      tenant.arrived++;
      this.#window.arrivals++;
    }
    this.#open.push(req);
    if (this.profile.attention.requestArrived) this.#announce(req);
    if (this.profile.planner?.planRequest) this.#plan(req);
    for (let k = 0; k < n; k++) if (tasks[k]!.inEdges.length === 0) this.#taskReady(req, tasks[k]!.index);
    const next = this.#arrivals[wi]!.next();
    if (next < this.horizon) this.sim.scheduleAt(next, this.#onArrival, wi);
    this.#requestCycle();
  };

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
    this.profile.attention.requestArrived!(
      {
        workload: req.w.id,
        tenant: req.tenant.index,
        time: req.arrival,
        deadline: req.deadline,
        priority: req.w.priority,
        work,
        computeDemand: compute,
        attentionDemand: attention,
        twins,
        maxAges,
      },
      this,
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

  #plan(req: RequestRt): void {
    const plan = this.profile.planner!.planRequest!(this.#planView(req), this);
    req.plan = plan;
    if (this.#trace) {
      this.#trace.record({
        time: this.sim.now,
        kind: 'plan',
        subject: `${req.w.id}#${req.uid}`,
        chosen: this.profile.planner!.name,
        candidates: [],
        assignment: Object.fromEntries(
          req.w.tasks.map((t) => [t.id, this.nodes[plan[t.index]!]?.id ?? null]),
        ),
      });
    }
  }

  #taskReady(req: RequestRt, ti: number): void {
    const w = req.w;
    const task = w.tasks[ti]!;
    let inputs: readonly DataInput[] | undefined;
    const sole = this.#soleDataEdge[w.index]![ti]!;
    if (sole >= 0) inputs = this.#soleInput(w.index, sole, req.taskNode[w.edges[sole]!.from]!);
    else {
      const inEdges = task.inEdges;
      for (let k = 0; k < inEdges.length; k++) {
        const edge = w.edges[inEdges[k]!]!;
        if (edge.bytes > 0)
          ((inputs ??= []) as DataInput[]).push({
            from: { node: req.taskNode[edge.from]! },
            bytes: edge.bytes,
          });
      }
    }
    const item = new Item(
      this.#uid++,
      'task',
      task,
      req.tenant.index,
      req.tenant.id,
      w.priority,
      req.deadline,
      req.arrival,
      this.sim.now,
      inputs ?? NO_INPUTS,
      req.twins[ti]!,
      req.uid,
      ti,
      undefined,
    );
    if (req.plan) item.plannedNode = this.#livePlanned(req.plan[ti]!);
    item.req = req;
    const twinIndex = req.twins[ti]!;
    if (task.twin && twinIndex >= 0) {
      if (this.sim.now - this.#lastSampleOf[twinIndex]! > task.twin.maxAge) {
        const twin = this.twins[twinIndex]!;
        (twin.waiters ??= []).push(item);
        if (!twin.refreshing) this.#requestRefresh(twin, req.w.priority, req.deadline);
        return;
      }
    }
    this.#enqueue(item);
  }

  /** Ready work goes to the queue; under a batch planner, tasks not yet planned wait for the next window. */
  #enqueue(item: Item): void {
    if (this.#batchPending && item.type === 'task' && item.plannedNode < 0) this.#batchPending.push(item);
    else this.runtime.enqueue(item);
  }

  /** The inputs list of a task whose one data edge comes from `node`: one shared list per edge and node. */
  #soleInput(wi: number, edge: number, node: number): readonly DataInput[] {
    const byNode = (this.#soleInputs[wi]![edge] ??= []);
    let list = byNode[node];
    if (!list) {
      list = Object.freeze([
        Object.freeze({
          from: Object.freeze({ node }),
          bytes: this.scenario.workloads[wi]!.edges[edge]!.bytes,
        }),
      ]);
      byNode[node] = list;
    }
    return list;
  }

  #livePlanned(node: number): number {
    return node >= 0 && this.nodes[node]?.state === 'up' ? node : -1;
  }

  #completeTask(item: Item): void {
    const req = item.req!;
    req.taskNode[item.task] = item.node;
    const now = this.sim.now;
    if (req.failed) return;
    const task = req.w.tasks[item.task]!;
    req.finish = Math.max(req.finish, now + this.network.toUser(item.node, task.outputBytes));
    req.done++;
    const outEdges = task.outEdges;
    for (let k = 0; k < outEdges.length; k++) {
      const to = req.w.edges[outEdges[k]!]!.to;
      if (--req.pending[to]! === 0) this.#taskReady(req, to);
    }
    if (req.done === req.w.tasks.length) this.#completeRequest(req);
  }

  #completeRequest(req: RequestRt): void {
    this.#open.remove(req);
    // every task of it has completed, so no item or queue refers to it any more: reuse it
    this.#requestPool[req.w.index]!.push(req);
    if (!req.counted) return;
    const t = req.tenant;
    const latency = req.finish - req.arrival;
    t.completed++;
    this.#window.completions++;
    this.latency.add(latency);
    t.latency.add(latency);
    const ideal = this.#idealLatency[req.w.index]!;
    t.stretchInverseSum += latency > 0 ? Math.min(1, ideal / latency) : 1;
    t.stretchCount++;
    if (Number.isFinite(req.deadline)) {
      t.withDeadline++;
      this.#window.deadlines++;
      if (req.finish > req.deadline + 1e-12) {
        t.missed++;
        this.#window.misses++;
      }
    }
  }

  #failRequest(req: RequestRt): void {
    if (req.failed) return;
    req.failed = true;
    this.#open.remove(req);
    if (!req.counted) return;
    const t = req.tenant;
    t.lost++;
    t.stretchCount++;
    if (Number.isFinite(req.deadline)) {
      t.withDeadline++;
      t.missed++;
      this.#window.deadlines++;
      this.#window.misses++;
    }
  }

  // ------------------------------------------------------------------ twins

  #requestRefresh(twin: TwinRt, priority: number, deadline: number): void {
    const item = this.#refreshItem(twin, priority, deadline);
    this.profile.attention.refreshStarted?.(twin.index, this);
    item.onDemand = true;
    this.runtime.enqueue(item);
  }

  #refreshItem(twin: TwinRt, priority = 0, deadline = Number.POSITIVE_INFINITY): Item {
    const r = twin.def.refresh;
    twin.refreshing = true;
    return new Item(
      this.#uid++,
      'refresh',
      r,
      twin.tenant,
      this.tenants[twin.tenant]!.id,
      priority,
      deadline,
      this.sim.now,
      this.sim.now,
      twin.refreshInputs,
      twin.index,
      -1,
      -1,
      twin.refreshId,
    );
  }

  #completeRefresh(item: Item): void {
    const twin = this.twins[item.twin]!;
    const now = this.sim.now;
    this.#accountAge(twin);
    if (item.sampleTime >= twin.lastSample) {
      // suspicion: how unusual this change is against the typical change per sqrt-second seen so far
      const dt = Math.max(item.sampleTime - twin.lastSample, 1e-9);
      const change = Math.abs(item.sampleValue - twin.lastValue) / Math.sqrt(dt);
      twin.suspicion = twin.typicalChange > 0 ? change / twin.typicalChange : 0;
      twin.changes++;
      twin.typicalChange += (change - twin.typicalChange) / Math.min(twin.changes, 20);
      twin.prevSample = twin.lastSample;
      twin.prevValue = twin.lastValue;
      twin.lastSample = item.sampleTime;
      this.#lastSampleOf[twin.index] = item.sampleTime;
      twin.lastValue = item.sampleValue;
    }
    twin.refreshing = false;
    twin.refreshes++;
    if (item.onDemand) this.refreshesOnDemand++;
    else this.refreshesProactive++;
    if (twin.anomalies) {
      const left: number[] = [];
      for (const onset of twin.anomalies) {
        if (onset <= item.sampleTime) {
          if (onset >= this.warmup) {
            this.detected++;
            this.detectionDelay.add(now - onset);
          }
        } else left.push(onset);
      }
      twin.anomalies = left.length > 0 ? left : undefined;
    }
    this.profile.attention.refreshed?.(twin.index, true, this);
    this.#releaseWaiters(twin, item.sampleTime);
  }

  /**
   * Releases the tasks waiting for this twin whose wait began no later than the sample just delivered:
   * a refresh already in flight when a task started waiting carries an older sample, so the task keeps
   * waiting and asks for another. Accepting any refresh that started after the wait began means a bound
   * tighter than a refresh can meet still ends (with the freshest sample possible) instead of looping.
   */
  #releaseWaiters(twin: TwinRt, sampleTime: number): void {
    const waiters = twin.waiters;
    if (!waiters) return;
    let kept: Item[] | undefined;
    for (const w of waiters) {
      if (sampleTime >= w.readyTime) {
        w.readyTime = this.sim.now;
        this.#enqueue(w);
      } else (kept ??= []).push(w);
    }
    twin.waiters = kept;
    if (kept) this.#requestRefresh(twin, kept[0]!.priority, kept[0]!.deadline);
  }

  /** What the twin believes the asset's state is now. */
  twinEstimate(t: TwinRt, now: number): number {
    if (t.def.forecaster === 'linear' && Number.isFinite(t.prevSample) && t.lastSample > t.prevSample) {
      return (
        t.lastValue + ((t.lastValue - t.prevValue) / (t.lastSample - t.prevSample)) * (now - t.lastSample)
      );
    }
    return t.lastValue;
  }

  readonly #onAnomaly = (twin: TwinRt): void => {
    const a = twin.def.anomaly!;
    const now = this.sim.now;
    this.#assets.startAnomaly(twin.index, now, a.kind, a.magnitude);
    (twin.anomalies ??= []).push(now);
    if (now >= this.warmup) this.anomalies++;
    this.sim.schedule(this.#rngAnomalies.exponential(a.rate), this.#onAnomaly, twin);
  };

  #probeInterval(): number {
    return Math.max(this.horizon / 200, 1e-6);
  }

  /** Tracking error is measured by probing a rotating subset of twins at fixed times (cost bounded per probe). */
  readonly #onProbe = (): void => {
    const now = this.sim.now;
    if (now >= this.warmup) {
      const k = Math.min(this.twins.length, 256);
      for (let j = 0; j < k; j++) {
        const t = this.twins[this.#probeCursor]!;
        this.#probeCursor = (this.#probeCursor + 1) % this.twins.length;
        const err = this.twinEstimate(t, now) - this.#assets.valueAt(t.index, now);
        this.trackingSquares += err * err;
        this.trackingProbes++;
      }
    }
    if (now + this.#probeInterval() < this.horizon)
      this.sim.schedule(this.#probeInterval(), this.#onProbe, null);
  };

  // ------------------------------------------------------------------ scheduling

  #requestCycle(): void {
    this.runtime.requestCycle();
  }

  /** ready work waiting for a node, in the profile's order */
  get queue(): ReadyQueue {
    return this.runtime.queue;
  }

  /** placement decisions taken, for results */
  get decisions(): number {
    return this.runtime.decisions;
  }

  #bind(item: Item, ni: number): void {
    const n = this.nodes[ni]!;
    const now = this.sim.now;
    this.#accountNode(n);
    const tenant = this.tenants[item.tenant]!;
    this.#accountTenant(tenant);
    n.usedCompute += item.compute;
    n.usedAttention += item.attention;
    tenant.heldCompute += item.compute;
    tenant.heldAttention += item.attention;
    let ready = now;
    const inputs = item.inputs;
    for (let k = 0; k < inputs.length; k++) {
      const inp = inputs[k]!;
      const from = inp.from;
      const arrival =
        'node' in from
          ? this.network.send(now, from.node, this.nodes[from.node]!.zone, ni, inp.bytes)
          : this.network.send(now, -1, from.device, ni, inp.bytes);
      if (arrival > ready) ready = arrival;
    }
    if (item.type === 'refresh') {
      item.sampleTime = now;
      item.sampleValue = this.#assets.valueAt(item.twin, now);
    }
    item.node = ni;
    item.end = ready + item.work / n.speed(item.kind);
    n.addItem(item);
    n.sumComputeEnd += item.compute * item.end;
    item.event = this.sim.scheduleAt(item.end, this.#onDone, item);
    this.#onExecute?.({
      id: item.id,
      type: item.type,
      request: item.request,
      task: item.task,
      node: n.id,
      bound: now,
      start: ready,
      end: item.end,
      compute: item.compute,
      attention: item.attention,
      nodeCompute: n.usedCompute,
      nodeAttention: n.usedAttention,
      capacityCompute: n.computeCapacity,
      capacityAttention: n.attentionCapacity,
    });
  }

  #release(item: Item): NodeRt {
    const n = this.nodes[item.node]!;
    this.#accountNode(n);
    const tenant = this.tenants[item.tenant]!;
    this.#accountTenant(tenant);
    n.usedCompute -= item.compute;
    n.usedAttention -= item.attention;
    if (n.usedCompute < 1e-9) n.usedCompute = 0;
    if (n.usedAttention < 1e-9) n.usedAttention = 0;
    tenant.heldCompute -= item.compute;
    tenant.heldAttention -= item.attention;
    n.removeItem(item);
    n.sumComputeEnd -= item.compute * item.end;
    if (n.running === 0) n.sumComputeEnd = 0;
    return n;
  }

  readonly #onDone = (item: Item): void => {
    const n = this.#release(item);
    n.completed++;
    if (item.type === 'refresh') this.#completeRefresh(item);
    else this.#completeTask(item);
    this.#requestCycle();
  };

  // ------------------------------------------------------------------ failures and scaling

  readonly #onFailure = (n: NodeRt): void => {
    const f = n.def.failure!;
    if (n.state !== 'up') {
      this.sim.schedule(this.#rngFailures.exponential(1 / f.mtbf), this.#onFailure, n);
      return;
    }
    this.#accountNode(n);
    n.state = 'down';
    n.failures++;
    this.#evacuate(n);
    this.sim.schedule(this.#rngFailures.exponential(1 / f.mttr), this.#onRepair, n);
    this.#requestCycle();
  };

  readonly #onRepair = (n: NodeRt): void => {
    this.#accountNode(n);
    if (n.state === 'down') n.state = 'up';
    this.sim.schedule(this.#rngFailures.exponential(1 / n.def.failure!.mtbf), this.#onFailure, n);
    this.#requestCycle();
  };

  /** Stops the work on a node that went away: refreshes are dropped, tasks retried or lost, plans redone. */
  #evacuate(n: NodeRt): void {
    const { onFailure, maxRetries } = this.scenario.failures;
    for (const item of n.items()) {
      this.sim.cancel(item.event);
      this.#release(item);
      item.node = -1;
      if (item.type === 'refresh') {
        const twin = this.twins[item.twin]!;
        twin.refreshing = false;
        this.refreshesFailed++;
        this.profile.attention.refreshed?.(twin.index, false, this);
        if (twin.waiters) this.#requestRefresh(twin, 0, Number.POSITIVE_INFINITY);
        continue;
      }
      const req = item.req!;
      item.attempts++;
      if (onFailure === 'retry' && item.attempts <= maxRetries && !req.failed) {
        this.retries++;
        item.plannedNode = -1;
        item.readyTime = this.sim.now;
        this.#enqueue(item);
      } else {
        this.#failRequest(req);
      }
    }
    n.usedCompute = 0;
    n.usedAttention = 0;
    n.sumComputeEnd = 0;
    // work planned onto this node goes back to the planner, or to regular placement
    const replan = new Set<RequestRt>();
    for (let req = this.#open.first; req; req = req.next) if (req.plan?.includes(n.index)) replan.add(req);
    for (const req of replan) this.#plan(req);
    const moved = this.queue.removeWhere((it) => it.plannedNode === n.index);
    for (const it of moved) {
      const item = it as Item;
      const req = item.req;
      item.plannedNode = req?.plan ? this.#livePlanned(req.plan[item.task]!) : -1;
      this.#enqueue(item);
    }
  }

  readonly #onScale = (groupId: string): void => {
    const g = this.scenario.nodeGroups.find((x) => x.id === groupId)!;
    const e = g.elastic!;
    const members = this.nodes.filter((n) => n.group === groupId);
    const active = members.filter((n) => n.state === 'up' || n.state === 'provisioning');
    const up = members.filter((n) => n.state === 'up');
    let waiting = 0;
    let waitingCompute = 0;
    for (const it of this.queue.items()) {
      if (it.tier === undefined || it.tier === g.tier) {
        waiting++;
        waitingCompute += it.compute;
      }
    }
    const pool: PoolView = {
      group: g.id,
      tier: g.tier,
      min: e.min,
      max: e.max,
      active: active.length,
      up: up.length,
      idle: up.filter((n) => n.running === 0).length,
      perNodeCompute: g.compute,
      usedCompute: up.reduce((a, n) => a + n.usedCompute, 0),
      waiting,
      waitingCompute,
      interval: e.interval,
      provisioningDelay: e.provisioningDelay,
    };
    const scaler = this.profile.scaler ?? this.#ruleScalers.get(g.id)!;
    let desired = Math.round(scaler.desired(pool, this));
    if (!Number.isFinite(desired)) desired = active.length;
    desired = Math.max(e.min, Math.min(e.max, desired));
    const now = this.sim.now;
    if (desired > active.length) {
      for (const n of members) {
        if (desired <= members.filter((m) => m.state === 'up' || m.state === 'provisioning').length) break;
        if (n.state !== 'off') continue;
        this.#accountNode(n);
        n.state = 'provisioning';
        this.scaleUps++;
        if (now >= this.warmup) this.provisioningCost += e.provisioningCost;
        this.sim.schedule(e.provisioningDelay, this.#onProvisioned, n);
        if (this.#trace)
          this.#trace.record({
            time: now,
            kind: 'scale',
            subject: g.id,
            chosen: n.id,
            candidates: [],
            action: 'up',
            desired,
          });
      }
    } else if (desired < active.length) {
      let excess = active.length - desired;
      for (let i = members.length - 1; i >= 0 && excess > 0; i--) {
        const n = members[i]!;
        if (n.state !== 'up' || n.running > 0) continue;
        this.#accountNode(n);
        n.state = 'off';
        excess--;
        this.scaleDowns++;
        if (this.#trace)
          this.#trace.record({
            time: now,
            kind: 'scale',
            subject: g.id,
            chosen: n.id,
            candidates: [],
            action: 'down',
            desired,
          });
      }
    }
    if (now + e.interval < this.horizon) this.sim.schedule(e.interval, this.#onScale, groupId);
  };

  readonly #onProvisioned = (n: NodeRt): void => {
    this.#accountNode(n);
    if (n.state === 'provisioning') n.state = 'up';
    this.#requestCycle();
  };

  readonly #onBatchWindow = (): void => {
    const items = this.#batchPending!;
    if (items.length > 0) {
      this.#batchPending = [];
      items.sort((a, b) => a.uid - b.uid);
      const plan = this.profile.planner!.planBatch!(items, this);
      items.forEach((it, i) => {
        // what the planner leaves unassigned goes to regular placement
        it.plannedNode = this.#livePlanned(plan[i] ?? -1);
        this.runtime.enqueue(it);
      });
      if (this.#trace)
        this.#trace.record({
          time: this.sim.now,
          kind: 'plan',
          subject: `batch of ${items.length}`,
          chosen: this.profile.planner!.name,
          candidates: [],
          assignment: Object.fromEntries(items.map((it) => [it.id, this.nodes[it.plannedNode]?.id ?? null])),
        });
      this.#requestCycle();
    }
    if (this.sim.now + this.scenario.scheduling.window < this.horizon)
      this.sim.schedule(this.scenario.scheduling.window, this.#onBatchWindow, null);
  };

  readonly #onFeedbackWindow = (): void => {
    const now = this.sim.now;
    const w = this.#window;
    let busyC = 0;
    let busyA = 0;
    let upC = 0;
    let upA = 0;
    for (const n of this.nodes) {
      this.#accountNode(n);
      busyC += n.computeBusy;
      busyA += n.attentionBusy;
      upC += n.computeUp;
      upA += n.attentionUp;
    }
    let cw = 0;
    let age = 0;
    for (const t of this.twins) {
      cw += t.criticality;
      age += t.criticality * (now - t.lastSample);
    }
    const window: MetricsWindow = {
      start: w.start,
      end: now,
      arrivals: w.arrivals,
      completions: w.completions,
      deadlineMisses: w.misses,
      deadlineMissRate: w.deadlines > 0 ? w.misses / w.deadlines : 0,
      weightedAoI: cw > 0 ? age / cw : 0,
      computeUtilization: upC - w.computeUp > 0 ? (busyC - w.computeBusy) / (upC - w.computeUp) : 0,
      attentionUtilization: upA - w.attentionUp > 0 ? (busyA - w.attentionBusy) / (upA - w.attentionUp) : 0,
      jain: this.jainIndex(),
      queueLength: this.queue.size,
    };
    this.#window = {
      start: now,
      arrivals: 0,
      completions: 0,
      misses: 0,
      deadlines: 0,
      computeBusy: busyC,
      attentionBusy: busyA,
      computeUp: upC,
      attentionUp: upA,
    };
    const fb = this.profile.feedback;
    if (fb) {
      fb.observe(window, this);
      const parameters = fb.parameters();
      this.feedbackLog.push({ time: now, parameters });
      if (this.#trace)
        this.#trace.record({
          time: now,
          kind: 'feedback',
          subject: fb.name,
          chosen: null,
          candidates: [],
          window,
          parameters,
        });
    }
    const every = this.scenario.scheduling.feedbackWindow;
    if (now + every < this.horizon) this.sim.schedule(every, this.#onFeedbackWindow, null);
  };

  // ------------------------------------------------------------------ results

  /** Jain's index over tenants' normalised service: the mean inverse stretch (ideal / actual latency) of their requests. */
  jainIndex(): number {
    let sum = 0;
    let sq = 0;
    let k = 0;
    for (const t of this.tenants) {
      if (t.stretchCount === 0) continue;
      const x = t.stretchInverseSum / t.stretchCount;
      sum += x;
      sq += x * x;
      k++;
    }
    return k === 0 || sq === 0 ? 1 : (sum * sum) / (k * sq);
  }

  /** Response time of a request on an idle cluster: the DAG's longest path at the best speed, data moving for free. */
  #criticalPath(w: WorkloadDef): number {
    const finish = new Float64Array(w.tasks.length);
    let best = 0;
    for (const t of w.tasks) {
      let start = 0;
      for (const e of t.inEdges) start = Math.max(start, finish[w.edges[e]!.from]!);
      let speed = 0;
      for (const n of this.nodes)
        if (t.tier === undefined || n.tier === t.tier) speed = Math.max(speed, n.speed(t.kind));
      finish[t.index] = start + t.work / (speed || 1);
      best = Math.max(best, finish[t.index]!);
    }
    return best;
  }

  #finish(): void {
    for (const n of this.nodes) this.#accountNode(n);
    for (const t of this.tenants) this.#accountTenant(t);
    for (const t of this.twins) this.#accountAge(t);
    // requests still open whose deadline has passed count as misses; the others' outcome is unknown
    for (let req = this.#open.first; req; req = req.next) {
      if (req.counted && Number.isFinite(req.deadline) && req.deadline <= this.horizon) {
        req.tenant.withDeadline++;
        req.tenant.missed++;
      }
    }
  }

  /** What the result document is computed from (results.ts reads nothing else). */
  #accounts(): RunAccounts {
    return {
      scenarioName: this.scenario.name,
      policyName: this.profile.name,
      seed: this.seed,
      horizon: this.horizon,
      warmup: this.warmup,
      totalCompute: this.totalCompute,
      totalAttention: this.totalAttention,
      nodes: this.nodes,
      tenants: this.tenants,
      twins: this.twins.map((t) => ({
        criticality: t.criticality,
        promisesMaxAge: t.def.maxAge !== undefined,
      })),
      openRequests: this.openRequests,
      latency: this.latency,
      detectionDelay: this.detectionDelay,
      provisioningCost: this.provisioningCost,
      scaleUps: this.scaleUps,
      scaleDowns: this.scaleDowns,
      aoiIntegral: this.aoiIntegral,
      weightedAoiIntegral: this.weightedAoiIntegral,
      maxAoI: this.maxAoI,
      overAgeSeconds: this.overAgeSeconds,
      trackingSquares: this.trackingSquares,
      trackingProbes: this.trackingProbes,
      anomalies: this.anomalies,
      missedAnomalies: this.missedAnomalies,
      refreshesProactive: this.refreshesProactive,
      refreshesOnDemand: this.refreshesOnDemand,
      refreshesFailed: this.refreshesFailed,
      jain: this.jainIndex(),
      decisions: this.decisions,
      retries: this.retries,
      events: this.sim.eventsProcessed,
      feedback:
        this.feedbackLog.length > 0 ? this.feedbackLog[this.feedbackLog.length - 1]!.parameters : null,
    };
  }

  /** Sum of the requests still in flight, for results. */
  get openRequests(): number {
    return this.#open.size;
  }

  get missedAnomalies(): number {
    return this.anomalies - this.detected;
  }
}
