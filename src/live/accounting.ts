/**
 * What the live runtime measures, defined as the simulator defines it (src/world/results.ts) so that the two
 * can be compared: request latency percentiles and deadline misses, time-weighted age of information weighted
 * by criticality, utilisation of compute and attention, Jain's index over tenants' inverse stretch. Also the
 * metric windows the policy's feedback controller reads.
 */
import { jainIndex } from '../metrics/fairness.js';
import { QuantileSketch } from '../metrics/quantiles.js';
import { aoiIntegral, weightedAgeNow } from '../metrics/time-weighted.js';
import { windowShare } from '../metrics/window.js';
import type { MetricsWindow } from '../scheduler/plugins.js';
import type { LiveRequest, LiveState, LiveTwin } from './model.js';

interface TenantCounters {
  arrived: number;
  completed: number;
  failed: number;
  withDeadline: number;
  missed: number;
  stretchInverseSum: number;
  stretchCount: number;
  readonly latency: QuantileSketch;
}

export interface LiveSummary {
  readonly time: number;
  readonly warmup: number;
  readonly policy: string;
  readonly requests: {
    readonly arrived: number;
    readonly completed: number;
    readonly failed: number;
    readonly latency: { mean: number | null; p50: number | null; p95: number | null; p99: number | null };
    readonly deadlineMissRate: number | null;
  };
  readonly twins: {
    readonly count: number;
    readonly meanAoI: number | null;
    readonly weightedAoI: number | null;
    readonly maxAoI: number | null;
    readonly refreshes: { proactive: number; onDemand: number };
    readonly samples: number;
  };
  readonly nodes: readonly {
    id: string;
    tier: string;
    up: boolean;
    computeUtilization: number | null;
    attentionUtilization: number | null;
    running: number;
  }[];
  readonly queueLength: number;
  readonly decisions: number;
  /** ms from a task becoming ready to its assignment being sent (tasks that found a node at once) */
  readonly decisionLatencyMs: { count: number; p50: number | null; p99: number | null; max: number | null };
  readonly jain: number;
}

export class LiveAccounting {
  readonly #rt: LiveState;
  readonly latency = new QuantileSketch();
  /** ms from a task joining the ready queue to its assignment being sent, for tasks placed at once */
  readonly decisionLatencyMs = new QuantileSketch();
  readonly #tenants: TenantCounters[];
  samples = 0;
  refreshesOnDemand = 0;
  refreshesProactive = 0;
  aoiIntegral = 0;
  weightedAoiIntegral = 0;
  #window = {
    start: 0,
    arrivals: 0,
    completions: 0,
    misses: 0,
    deadlines: 0,
    busyC: 0,
    busyA: 0,
    upC: 0,
    upA: 0,
  };

  constructor(rt: LiveState) {
    this.#rt = rt;
    this.#tenants = rt.tenants.map(() => ({
      arrived: 0,
      completed: 0,
      failed: 0,
      withDeadline: 0,
      missed: 0,
      stretchInverseSum: 0,
      stretchCount: 0,
      latency: new QuantileSketch(),
    }));
  }

  arrived(req: LiveRequest): void {
    if (!req.counted) return;
    this.#tenants[req.tenant.index]!.arrived++;
    this.#window.arrivals++;
  }

  completed(req: LiveRequest): void {
    if (!req.counted) return;
    const t = this.#tenants[req.tenant.index]!;
    const latency = req.finish - req.arrival;
    t.completed++;
    t.latency.add(latency);
    this.latency.add(latency);
    this.#window.completions++;
    const ideal = this.#idealLatency(req);
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

  failed(req: LiveRequest): void {
    if (!req.counted) return;
    const t = this.#tenants[req.tenant.index]!;
    t.failed++;
    t.stretchCount++;
    if (Number.isFinite(req.deadline)) {
      t.withDeadline++;
      t.missed++;
      this.#window.deadlines++;
      this.#window.misses++;
    }
  }

  /** The request's longest path at the fastest connected speed: its latency on an idle platform. */
  #idealLatency(req: LiveRequest): number {
    const finish = new Float64Array(req.tasks.length);
    let longest = 0;
    req.tasks.forEach((t, i) => {
      let best = 0;
      for (const n of this.#rt.nodes) best = Math.max(best, n.speed(t.kind));
      let start = 0;
      for (const j of t.after) start = Math.max(start, finish[j]!);
      finish[i] = start + (best > 0 ? t.work / best : t.work);
      longest = Math.max(longest, finish[i]!);
    });
    return longest;
  }

  /** Age-of-information integral of one twin up to now, from the warm-up on (a sawtooth). */
  accountAge(t: LiveTwin): void {
    const now = this.#rt.now;
    const from = Math.max(t.accounted, this.#rt.warmup);
    if (now > from) {
      const area = aoiIntegral(from, now, t.lastSample);
      this.aoiIntegral += area;
      this.weightedAoiIntegral += t.criticality * area;
    }
    t.accounted = now;
  }

  /** Jain's index over the tenants' mean inverse stretch (tenants with no finished request left out), as simulated. */
  jainIndex(): number {
    const values: number[] = [];
    for (const t of this.#tenants) if (t.stretchCount > 0) values.push(t.stretchInverseSum / t.stretchCount);
    return values.length === 0 ? 1 : jainIndex(values);
  }

  #utilisationTotals(): { busyC: number; busyA: number; upC: number; upA: number } {
    const now = this.#rt.now;
    let busyC = 0;
    let busyA = 0;
    let upC = 0;
    let upA = 0;
    for (const n of this.#rt.nodes) {
      n.account(now, this.#rt.warmup);
      busyC += n.busyCompute;
      busyA += n.busyAttention;
      upC += n.upCompute;
      upA += n.upAttention;
    }
    return { busyC, busyA, upC, upA };
  }

  /** Closes a feedback window: the profile's controller reads it and may retune, and the change is traced. */
  feedbackWindow(): void {
    const rt = this.#rt;
    const now = rt.now;
    const w = this.#window;
    const u = this.#utilisationTotals();
    const window: MetricsWindow = {
      start: w.start,
      end: now,
      arrivals: w.arrivals,
      completions: w.completions,
      deadlineMisses: w.misses,
      deadlineMissRate: w.deadlines > 0 ? w.misses / w.deadlines : 0,
      weightedAoI: weightedAgeNow(rt.twins, now),
      computeUtilization: windowShare(u.busyC, w.busyC, u.upC, w.upC),
      attentionUtilization: windowShare(u.busyA, w.busyA, u.upA, w.upA),
      jain: this.jainIndex(),
      queueLength: rt.queue.size,
    };
    this.#window = { start: now, arrivals: 0, completions: 0, misses: 0, deadlines: 0, ...u };
    const fb = rt.profile.feedback;
    if (!fb) return;
    fb.observe(window, rt);
    rt.recordFeedback({
      time: now,
      kind: 'feedback',
      subject: fb.name,
      chosen: null,
      candidates: [],
      window,
      parameters: fb.parameters(),
    });
  }

  summary(): LiveSummary {
    const rt = this.#rt;
    const now = rt.now;
    for (const t of rt.twins) this.accountAge(t);
    const duration = Math.max(0, now - rt.warmup);
    let crit = 0;
    let maxAoI = 0;
    for (const t of rt.twins) {
      crit += t.criticality;
      maxAoI = Math.max(maxAoI, now - t.lastSample);
    }
    const n = rt.twins.length;
    let completed = 0;
    let failed = 0;
    let arrived = 0;
    let withDeadline = 0;
    let missed = 0;
    for (const t of this.#tenants) {
      completed += t.completed;
      failed += t.failed;
      arrived += t.arrived;
      withDeadline += t.withDeadline;
      missed += t.missed;
    }
    const q = this.latency;
    const has = q.count > 0;
    return {
      time: now,
      warmup: rt.warmup,
      policy: rt.policy.name,
      requests: {
        arrived,
        completed,
        failed,
        latency: {
          mean: has ? q.mean : null,
          p50: has ? q.quantile(0.5) : null,
          p95: has ? q.quantile(0.95) : null,
          p99: has ? q.quantile(0.99) : null,
        },
        deadlineMissRate: withDeadline > 0 ? missed / withDeadline : null,
      },
      twins: {
        count: n,
        meanAoI: n > 0 && duration > 0 ? this.aoiIntegral / (n * duration) : null,
        weightedAoI: n > 0 && duration > 0 && crit > 0 ? this.weightedAoiIntegral / (crit * duration) : null,
        maxAoI: n > 0 ? maxAoI : null,
        refreshes: { proactive: this.refreshesProactive, onDemand: this.refreshesOnDemand },
        samples: this.samples,
      },
      nodes: rt.nodes.map((node) => {
        node.account(now, rt.warmup);
        return {
          id: node.id,
          tier: node.tier,
          up: node.up,
          computeUtilization: node.upCompute > 0 ? node.busyCompute / node.upCompute : null,
          attentionUtilization: node.upAttention > 0 ? node.busyAttention / node.upAttention : null,
          running: node.running,
        };
      }),
      queueLength: rt.queue.size,
      decisions: rt.decisions,
      decisionLatencyMs: {
        count: this.decisionLatencyMs.count,
        p50: this.decisionLatencyMs.count > 0 ? this.decisionLatencyMs.quantile(0.5) : null,
        p99: this.decisionLatencyMs.count > 0 ? this.decisionLatencyMs.quantile(0.99) : null,
        max: this.decisionLatencyMs.count > 0 ? this.decisionLatencyMs.max : null,
      },
      jain: this.jainIndex(),
    };
  }
}
