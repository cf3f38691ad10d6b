/**
 * The world's accounts: what it measures, streamed into integrals and summaries as the run goes, from the
 * warm-up on. Node and tenant integrals (reserved compute and attention, capacity while up, energy), the
 * twins' age-of-information integrals, request outcomes and latencies, refresh and anomaly counts, Jain's
 * index over the tenants' service, and the feedback controller's windows. The formulas (AoI integral,
 * Jain's index, dominant shares) are src/metrics'; this room decides what they are applied to and when.
 * `accounts()` is the whole input of the result document (results.ts reads nothing else).
 */
import { jainFromSums } from '../metrics/fairness.js';
import { QuantileSketch } from '../metrics/quantiles.js';
import { aoiIntegral, weightedAgeNow } from '../metrics/time-weighted.js';
import { windowShare } from '../metrics/window.js';
import type { MetricsWindow } from '../scheduler/plugins.js';
import type { WorldCore } from './core.js';
import type { RunAccounts } from './results.js';
import type { NodeRt, RequestRt, TenantRt, TwinRt } from './state.js';
import { feedbackDecision } from './trace.js';

/** Told of what the accounts see, for per-window series (`--series`); absent, nothing is recorded. */
export interface AccountsObserver {
  requestArrived(now: number, req: RequestRt): void;
  requestCompleted(now: number, req: RequestRt, latency: number, missed: boolean): void;
  requestFailed(now: number, req: RequestRt, missed: boolean): void;
  /** area under twin `t`'s age over an accounted span (already counted in the accounts) */
  twinAged(t: TwinRt, area: number): void;
}

export class Accounting {
  readonly #w: WorldCore;
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
  /** proactive refreshes stopped to make room for one a task waits for */
  refreshesPreempted = 0;
  retries = 0;
  provisioningCost = 0;
  scaleUps = 0;
  scaleDowns = 0;
  /** the feedback controller's parameters after each window */
  readonly feedbackLog: { time: number; parameters: Readonly<Record<string, number>> }[] = [];
  observer: AccountsObserver | undefined;
  // the current feedback window's counters, and the node integrals at its start
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

  constructor(w: WorldCore) {
    this.#w = w;
  }

  /**
   * Brings a node's integrals up to now. Called before every change to its reservations or state, so it
   * also tells the runtime's free-compute index that the node may have moved.
   */
  node(n: NodeRt): void {
    const w = this.#w;
    w.runtime.nodeChanged(n.index);
    const now = w.sim.now;
    const from = Math.max(n.lastAccount, w.warmup);
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

  tenant(t: TenantRt): void {
    const now = this.#w.sim.now;
    const from = Math.max(t.lastAccount, this.#w.warmup);
    if (now > from) {
      t.computeHeld += t.heldCompute * (now - from);
      t.attentionHeld += t.heldAttention * (now - from);
    }
    t.lastAccount = now;
  }

  /** Age-of-information integral of one twin up to now, from the warm-up on (the sawtooth's area). */
  age(t: TwinRt): void {
    const now = this.#w.sim.now;
    const warmup = this.#w.warmup;
    const from = Math.max(t.accounted, warmup);
    if (now > from) {
      const s = t.lastSample;
      const area = aoiIntegral(from, now, s);
      this.aoiIntegral += area;
      this.weightedAoiIntegral += t.criticality * area;
      // the age rises from (from − s) to (now − s): the part of that span spent above the promised bound
      const bound = t.def.maxAge;
      if (bound !== undefined) this.overAgeSeconds += Math.max(0, now - s - Math.max(from - s, bound));
      this.observer?.twinAged(t, area);
    }
    if (now >= warmup) this.maxAoI = Math.max(this.maxAoI, now - t.lastSample);
    t.accounted = now;
  }

  // ------------------------------------------------------------------ request outcomes

  requestArrived(req: RequestRt): void {
    if (!req.counted) return;
    req.tenant.arrived++;
    this.#window.arrivals++;
    this.observer?.requestArrived(this.#w.sim.now, req);
  }

  /** A request whose tasks have all completed; `ideal` is its latency on an idle cluster. */
  requestCompleted(req: RequestRt, ideal: number): void {
    if (!req.counted) return;
    const t = req.tenant;
    const latency = req.finish - req.arrival;
    t.completed++;
    this.#window.completions++;
    this.latency.add(latency);
    t.latency.add(latency);
    t.stretchInverseSum += latency > 0 ? Math.min(1, ideal / latency) : 1;
    t.stretchCount++;
    let missed = false;
    if (Number.isFinite(req.deadline)) {
      t.withDeadline++;
      this.#window.deadlines++;
      if (req.finish > req.deadline + 1e-12) {
        t.missed++;
        this.#window.misses++;
        missed = true;
      }
    }
    this.observer?.requestCompleted(this.#w.sim.now, req, latency, missed);
  }

  /** A request lost to a failure: it counts as served with infinite latency (and a miss if it had a deadline). */
  requestFailed(req: RequestRt): void {
    if (!req.counted) return;
    const t = req.tenant;
    t.lost++;
    t.stretchCount++;
    const missed = Number.isFinite(req.deadline);
    if (missed) {
      t.withDeadline++;
      t.missed++;
      this.#window.deadlines++;
      this.#window.misses++;
    }
    this.observer?.requestFailed(this.#w.sim.now, req, missed);
  }

  // ------------------------------------------------------------------ fairness and windows

  /** Jain's index over tenants' normalised service: the mean inverse stretch (ideal / actual latency) of their requests. */
  jainIndex(): number {
    let sum = 0;
    let sq = 0;
    let k = 0;
    for (const t of this.#w.tenants) {
      if (t.stretchCount === 0) continue;
      const x = t.stretchInverseSum / t.stretchCount;
      sum += x;
      sq += x * x;
      k++;
    }
    return k === 0 || sq === 0 ? 1 : jainFromSums(sum, sq, k);
  }

  /**
   * Closes the feedback window ending now: accounts every node, returns what the window saw, and opens the
   * next one. The controller, if any, is told by the caller.
   */
  closeWindow(queueLength: number): MetricsWindow {
    const w = this.#w;
    const now = w.sim.now;
    const win = this.#window;
    let busyC = 0;
    let busyA = 0;
    let upC = 0;
    let upA = 0;
    for (const n of w.nodes) {
      this.node(n);
      busyC += n.computeBusy;
      busyA += n.attentionBusy;
      upC += n.computeUp;
      upA += n.attentionUp;
    }
    const window: MetricsWindow = {
      start: win.start,
      end: now,
      arrivals: win.arrivals,
      completions: win.completions,
      deadlineMisses: win.misses,
      deadlineMissRate: win.deadlines > 0 ? win.misses / win.deadlines : 0,
      weightedAoI: weightedAgeNow(w.twins, now),
      computeUtilization: windowShare(busyC, win.computeBusy, upC, win.computeUp),
      attentionUtilization: windowShare(busyA, win.attentionBusy, upA, win.attentionUp),
      jain: this.jainIndex(),
      queueLength,
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
    return window;
  }

  /**
   * The feedback window's event: closes the window, shows it to the profile's feedback controller (which
   * may change its parameters, logged and traced) and schedules the next window.
   */
  readonly onFeedbackWindow = (): void => {
    const w = this.#w;
    const now = w.sim.now;
    const window = this.closeWindow(w.runtime.queue.size);
    const fb = w.profile.feedback;
    if (fb) {
      fb.observe(window, w);
      const parameters = fb.parameters();
      this.feedbackLog.push({ time: now, parameters });
      w.trace?.record(feedbackDecision(now, fb.name, window, parameters));
    }
    const every = w.scenario.scheduling.feedbackWindow;
    if (now + every < w.horizon) w.sim.schedule(every, this.onFeedbackWindow, null);
  };

  /** Brings every integral up to now (the horizon) before the result is read. */
  finish(): void {
    const w = this.#w;
    for (const n of w.nodes) this.node(n);
    for (const t of w.tenants) this.tenant(t);
    for (const t of w.twins) this.age(t);
  }

  get missedAnomalies(): number {
    return this.anomalies - this.detected;
  }

  /** What the result document is computed from. */
  accounts(extra: { openRequests: number; decisions: number }): RunAccounts {
    const w = this.#w;
    return {
      scenarioName: w.scenario.name,
      policyName: w.profile.name,
      seed: w.seed,
      horizon: w.horizon,
      warmup: w.warmup,
      totalCompute: w.totalCompute,
      totalAttention: w.totalAttention,
      nodes: w.nodes,
      tenants: w.tenants,
      twins: w.twins.map((t) => ({
        criticality: t.criticality,
        promisesMaxAge: t.def.maxAge !== undefined,
      })),
      openRequests: extra.openRequests,
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
      refreshesPreempted: this.refreshesPreempted,
      jain: this.jainIndex(),
      decisions: extra.decisions,
      retries: this.retries,
      events: w.sim.eventsProcessed,
      feedback:
        this.feedbackLog.length > 0 ? this.feedbackLog[this.feedbackLog.length - 1]!.parameters : null,
    };
  }
}
