/**
 * The simulated twin system: nodes with compute and attention, a network, assets whose true state drifts,
 * twins that go stale until refreshed, tenants' requests arriving as task DAGs, failures and autoscaling.
 * It executes the decisions of a policy profile and streams everything it measures into summaries.
 *
 * Resource model: space sharing. A task or refresh reserves `compute` and `attention` units on one node from
 * the moment it is bound until it finishes; its input data moves first (latency + bytes / bandwidth), then it
 * runs `work / speed` seconds. Durations do not depend on what else runs on the node, so a planner's finish
 * times are kept by execution (processor sharing would make every finish time depend on later arrivals).
 *
 * This file is the facade: it builds the records and the rooms, implements the runtime's ports and the
 * `Snapshot` policies read, and handles the events that belong to no single room (arrivals, failures, the
 * planning and progress clocks). The rooms, one concern each (docs/architecture.md):
 * - state.ts: the runtime records; dag.ts: per-workload tables; requests.ts: requests in flight;
 * - execution.ts: bind, release, transfers, completion, evacuation; twins.ts: samples, suspicion,
 *   anomalies, probes; pools.ts: elastic pools; accounting.ts: integrals, windows, Jain, feedback;
 * - series.ts: per-window series (`--series`); results.ts: the result document, from the accounts.
 */
import { type RandomStream, RandomStreams } from '../engine/random.js';
import { Simulation } from '../engine/simulation.js';
import type { QuantileSketch } from '../metrics/quantiles.js';
import type { Scenario } from '../model/scenario.js';
import type { Forkable, ForkOutcome, WorldFork } from '../scheduler/fork.js';
import type { Profile } from '../scheduler/profile.js';
import { type Binder, type Clock, SchedulingRuntime } from '../scheduler/runtime/index.js';
import type { DecisionSink, ReadyQueue } from '../scheduler/scheduler.js';
import type { Location, Snapshot, WorkItem } from '../scheduler/types.js';
import { Accounting } from './accounting.js';
import { type ArrivalProcess, arrivalProcess } from './arrivals.js';
import { AssetStates } from './asset.js';
import type { WorldCore } from './core.js';
import { WorkloadTables } from './dag.js';
import { Execution, type ExecutionRecord } from './execution.js';
import { captureFork, type ForkState, forkSeed, restoreTwin, snapshotState } from './fork.js';
import { Network } from './network.js';
import { Pools } from './pools.js';
import { Requests } from './requests.js';
import { buildResult, type RunResult } from './results.js';
import { type SeriesSettings, WorldSeries } from './series.js';
import { type Item, NodeRt, TenantRt, TwinRt } from './state.js';
import { Twins } from './twins.js';

export type { ExecutionRecord } from './execution.js';
export type { SeriesSettings } from './series.js';
export { Item, NodeRt, TenantRt, TwinRt } from './state.js';

export interface WorldOptions {
  seed?: number;
  /** called on every binding of work to a node */
  onExecute?: (r: ExecutionRecord) => void;
  horizon?: number;
  trace?: DecisionSink;
  /** called every `progressEvery` simulated seconds with the fraction done (progress bars) */
  onProgress?: (fraction: number) => void;
  progressEvery?: number;
  /** record per-window series into the result's `series` field (`ars run --series`) */
  series?: SeriesSettings;
  /** start from a fork's copied state (`World.fork`) instead of the scenario's beginning */
  from?: ForkState;
}

export class World implements Snapshot, WorldCore, Forkable {
  readonly scenario: Scenario;
  readonly profile: Profile;
  readonly seed: number;
  readonly horizon: number;
  readonly warmup: number;
  readonly sim: Simulation;
  readonly nodes: NodeRt[];
  readonly twins: TwinRt[];
  readonly tenants: TenantRt[];
  readonly network: Network;
  /** the scheduling cycle, driven through the ports this world implements (`Binder`, `Clock`, itself as `Snapshot`) */
  readonly runtime: SchedulingRuntime;
  readonly totalCompute: number;
  readonly totalAttention: number;
  readonly trace: DecisionSink | undefined;
  // the rooms
  readonly accounts: Accounting;
  readonly #tables: WorkloadTables;
  readonly #requests: Requests;
  readonly #twins: Twins;
  readonly #execution: Execution;
  readonly #pools: Pools;
  readonly #series: WorldSeries | undefined;
  readonly #rngArrivals: RandomStream;
  readonly #rngFailures: RandomStream;
  readonly #rngPolicy: RandomStream;
  readonly #tenantIndex = new Map<string, number>();
  readonly #arrivals: ArrivalProcess[] = [];
  #uid = 0;
  readonly #from: ForkState | undefined;

  constructor(scenario: Scenario, profile: Profile, options: WorldOptions = {}) {
    const from = options.from;
    this.#from = from;
    this.sim = new Simulation(from ? { start: from.time } : {});
    this.scenario = scenario;
    this.profile = profile;
    this.seed = from ? from.seed : (options.seed ?? scenario.seed);
    this.horizon = options.horizon ?? scenario.horizon;
    this.warmup = from ? from.time : Math.min(scenario.warmup, this.horizon);
    this.trace = options.trace;
    const streams = new RandomStreams(this.seed);
    this.#rngArrivals = streams.stream('arrivals');
    this.#rngFailures = streams.stream('failures');
    const rngAnomalies = streams.stream('anomalies');
    this.#rngPolicy = streams.stream('policy');
    const now = () => this.sim.now;
    this.nodes = scenario.nodes.map((d, i) => new NodeRt(d, i, now));
    for (const [i, t] of scenario.tenants.entries()) this.#tenantIndex.set(t.id, i);
    this.tenants = scenario.tenants.map((t, i) => new TenantRt(i, t));
    this.twins = scenario.twins.map((d, i) => new TwinRt(d, i, this.#tenantIndex.get(d.tenant) ?? 0));
    this.network = new Network(scenario.network, scenario.nodes);
    const assets = new AssetStates(scenario.twins, streams.stream('dynamics'));
    Pools.initialStates(this);
    if (from) for (const n of this.nodes) n.state = from.nodeStates[n.index]!;
    let total = 0;
    let totalA = 0;
    for (const n of this.nodes) {
      total += n.computeCapacity;
      totalA += n.attentionCapacity;
    }
    this.totalCompute = total;
    this.totalAttention = totalA;
    this.accounts = new Accounting(this);
    this.#tables = new WorkloadTables(scenario, this.nodes);
    this.#requests = new Requests(this, this.#tables, this.accounts, this.#rngArrivals);
    this.#twins = new Twins(this, this.accounts, assets, rngAnomalies, (item) =>
      this.#requests.enqueue(item),
    );
    this.#requests.gate = this.#twins;
    if (from) this.#twins.restore(from, restoreTwin);
    this.#execution = new Execution(this, this.accounts, this.#requests, this.#twins, options.onExecute);
    this.#pools = new Pools(this, this.accounts);
    // the attention demands that occur, so that the runtime's index keeps the nodes able to meet each apart,
    // the least attention a refresh asks for, and the least compute any work asks for (with the least of those
    // attention levels: a cycle stops trying once no node has that much free)
    const levels = new Set<number>();
    let minCompute = Number.POSITIVE_INFINITY;
    let minRefreshAttention = Number.POSITIVE_INFINITY;
    for (const t of scenario.twins) {
      levels.add(t.refresh.attention);
      minRefreshAttention = Math.min(minRefreshAttention, t.refresh.attention);
      minCompute = Math.min(minCompute, t.refresh.compute);
    }
    for (const w of scenario.workloads)
      for (const task of w.tasks) {
        levels.add(task.attention);
        minCompute = Math.min(minCompute, task.compute);
      }
    const sim = this.sim;
    const clock: Clock = {
      get now() {
        return sim.now;
      },
      soon: (fn) => sim.soon(fn),
    };
    const binder: Binder = {
      bind: (item, node) => this.#execution.bind(item as Item, node),
      preempt: (room) => this.#execution.preempt(room),
      newRefresh: (twin) => this.#twins.refreshItem(this.twins[twin]!),
      dropRefresh: (item) => {
        this.twins[item.twin]!.refreshing = false;
      },
      hold: (node, compute) => {
        const n = this.nodes[node]!;
        this.accounts.node(n);
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
      minRefreshAttention,
      minDemand: { compute: minCompute, attention: Math.min(...levels) },
    });
    if (options.series) {
      this.#series = new WorldSeries(this, this.accounts, options.series);
      this.accounts.observer = this.#series;
    }
    this.#start(options);
  }

  // ------------------------------------------------------------------ WorldCore

  nextUid(): number {
    return this.#uid++;
  }

  tenantIndex(id: string): number {
    return this.#tenantIndex.get(id) ?? 0;
  }

  requestCycle(): void {
    this.runtime.requestCycle();
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

  // ------------------------------------------------------------------ events

  #start(options: WorldOptions): void {
    const sim = this.sim;
    this.profile.attention.init?.(this);
    const from = this.#from;
    const start = from ? from.time : 0;
    this.scenario.workloads.forEach((w, i) => {
      const rate = from?.rates?.[i];
      const p =
        rate === undefined || Number.isNaN(rate)
          ? arrivalProcess(w, this.#rngArrivals, start)
          : rate > 0
            ? arrivalProcess({ ...w, arrival: { kind: 'poisson', rate } }, this.#rngArrivals, start)
            : { next: () => Number.POSITIVE_INFINITY, rateAt: () => 0 };
      this.#arrivals.push(p);
      const t = p.next();
      if (t < this.horizon) sim.scheduleAt(t, this.#onArrival, i);
    });
    for (const n of this.nodes) {
      const f = n.def.failure;
      if (f && n.state === 'down') sim.schedule(this.#rngFailures.exponential(1 / f.mttr), this.#onRepair, n);
      else if (f) sim.schedule(this.#rngFailures.exponential(1 / f.mtbf), this.#onFailure, n);
    }
    if (from) {
      const o = from.open;
      for (let k = 0; k + 2 < o.length; k += 3)
        this.#requests.arrive(o[k]!, { arrival: o[k + 1]!, deadline: o[k + 2]! });
    }
    this.#twins.start();
    this.#pools.start();
    if (this.profile.planner?.planBatch)
      sim.schedule(this.scenario.scheduling.window, this.#onBatchWindow, null);
    sim.schedule(this.scenario.scheduling.feedbackWindow, this.accounts.onFeedbackWindow, null);
    if (this.twins.length > 0) sim.schedule(this.#twins.probeInterval(), this.#twins.onProbe, null);
    if (options.onProgress) {
      const every = options.progressEvery ?? this.horizon / 100;
      const tick = () => {
        options.onProgress!(Math.min(1, sim.now / this.horizon));
        if (sim.now + every < this.horizon) sim.schedule(every, tick, null);
      };
      sim.schedule(every, tick, null);
    }
    this.#series?.start();
    this.requestCycle();
  }

  /** Runs to the horizon and returns the result document. */
  run(): RunResult {
    this.sim.run(this.horizon);
    this.accounts.finish();
    this.#requests.finish();
    const result = buildResult(
      this.accounts.accounts({ openRequests: this.openRequests, decisions: this.decisions }),
    );
    if (this.#series) result.series = this.#series.finish();
    return result;
  }

  // ------------------------------------------------------------------ the fork port

  /**
   * A copy of the state now (see fork.ts for what is copied), to be run ahead under candidate profiles.
   * The copy is plain records; each `run` builds a fresh world from it on the same scenario object, with
   * the fork's own event list and streams, and never touches this world.
   */
  fork(): WorldFork {
    return World.forkFrom(this.scenario, captureFork(this, this.#requests.open));
  }

  /**
   * A fork of a system this simulator did not run, such as the live service (its what-if): `scenario` is
   * its snapshot as a scenario, `ages` each twin's age of information now (seconds, by twin id; absent:
   * fresh). The fork starts at time 0 with the nodes in their initial states and no request open.
   */
  static snapshotFork(
    scenario: Scenario,
    ages: Readonly<Record<string, number>>,
    seed = scenario.seed,
  ): WorldFork {
    const nodes = scenario.nodes.map((d) => ({ group: d.group, state: 'up' })) as unknown as NodeRt[];
    Pools.initialStates({ scenario, nodes });
    return World.forkFrom(scenario, snapshotState(scenario, nodes, ages, seed));
  }

  /** The fork port over a copied state: each run builds a fresh world from it. */
  static forkFrom(scenario: Scenario, state: ForkState): WorldFork {
    return {
      time: state.time,
      scenario,
      workloads: scenario.workloads.map((w) => ({ id: w.id, tenant: w.tenant })),
      run: (o) => {
        let from: ForkState = o.arrivalRates ? { ...state, rates: o.arrivalRates } : state;
        // another set of streams: the fork's seed mixed with the set's number (the same mixing as a fork's time)
        if (o.stream) from = { ...from, seed: forkSeed(state.seed, o.stream) };
        const world = new World(scenario, o.profile, { horizon: state.time + o.horizon, from });
        return world.#runAhead(o.maxEvents ?? Number.POSITIVE_INFINITY);
      },
    };
  }

  /** Runs a fork to its horizon, or until `maxEvents` events (checked every 1/64 of the horizon). */
  #runAhead(maxEvents: number): ForkOutcome {
    const sim = this.sim;
    const start = sim.now;
    const step = (this.horizon - start) / 64;
    let truncated = false;
    for (let k = 1; k <= 64; k++) {
      sim.run(k === 64 ? this.horizon : start + k * step);
      if (sim.eventsProcessed >= maxEvents && k < 64) {
        truncated = true;
        break;
      }
    }
    this.accounts.finish();
    this.#requests.finish();
    const result = buildResult(
      this.accounts.accounts({ openRequests: this.openRequests, decisions: this.decisions }),
    );
    return { start, end: sim.now, events: sim.eventsProcessed, truncated, result };
  }

  readonly #onArrival = (wi: number): void => {
    this.#requests.arrive(wi);
    const next = this.#arrivals[wi]!.next();
    if (next < this.horizon) this.sim.scheduleAt(next, this.#onArrival, wi);
    this.requestCycle();
  };

  readonly #onBatchWindow = (): void => {
    this.#requests.planBatch();
    if (this.sim.now + this.scenario.scheduling.window < this.horizon)
      this.sim.schedule(this.scenario.scheduling.window, this.#onBatchWindow, null);
  };

  readonly #onFailure = (n: NodeRt): void => {
    const f = n.def.failure!;
    if (n.state !== 'up') {
      this.sim.schedule(this.#rngFailures.exponential(1 / f.mtbf), this.#onFailure, n);
      return;
    }
    this.accounts.node(n);
    n.state = 'down';
    n.failures++;
    this.#execution.evacuate(n);
    this.sim.schedule(this.#rngFailures.exponential(1 / f.mttr), this.#onRepair, n);
    this.requestCycle();
  };

  readonly #onRepair = (n: NodeRt): void => {
    this.accounts.node(n);
    if (n.state === 'down') n.state = 'up';
    this.sim.schedule(this.#rngFailures.exponential(1 / n.def.failure!.mtbf), this.#onFailure, n);
    this.requestCycle();
  };

  // ------------------------------------------------------------------ reading

  /** ready work waiting for a node, in the profile's order */
  get queue(): ReadyQueue {
    return this.runtime.queue;
  }

  /** placement decisions taken, for results */
  get decisions(): number {
    return this.runtime.decisions;
  }

  /** Requests still in flight. */
  get openRequests(): number {
    return this.#requests.open.size;
  }

  /** What the twin believes the asset's state is now. */
  twinEstimate(t: TwinRt, now: number): number {
    return this.#twins.estimate(t, now);
  }

  jainIndex(): number {
    return this.accounts.jainIndex();
  }

  get latency(): QuantileSketch {
    return this.accounts.latency;
  }

  get feedbackLog(): Accounting['feedbackLog'] {
    return this.accounts.feedbackLog;
  }

  get missedAnomalies(): number {
    return this.accounts.missedAnomalies;
  }
}
