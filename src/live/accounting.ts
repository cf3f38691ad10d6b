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
import { kAnonymize, type WithheldGroup } from '../security/k-anonymity.js';
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
    readonly refreshes: { proactive: number; onDemand: number; preempted: number };
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

/** Whose aggregates `/live/summary` answers, and the k-anonymity threshold it applies. */
export interface SummaryScope {
  /** the one tenant whose requests and twins are counted; undefined: every tenant (platform administrators) */
  readonly tenant?: string | undefined;
  /** groups of fewer than k twins are withheld (1: nothing is) */
  readonly k?: number;
}

/** One released group of twins: a tenant's twins of one criticality. */
export interface TwinGroupSummary {
  readonly group: string;
  readonly tenant: string;
  readonly criticality: number;
  readonly twins: number;
  /** time-averaged age of information since the warm-up, seconds */
  readonly meanAoI: number | null;
  /** age of information now, seconds */
  readonly ageNow: { readonly mean: number; readonly max: number };
}

/**
 * `GET /live/summary` as one principal may see it: requests of its tenant (all for an administrator), twin
 * aggregates over groups of at least k twins only, and the groups withheld (names and the reason, never
 * their size or value). Totals cover released groups only, so a withheld group cannot be recovered by
 * subtracting. Figures that span every tenant (Jain's index, the queue, the decision count) are null for a
 * tenant's principal.
 */
export interface ScopedSummary {
  readonly time: number;
  readonly warmup: number;
  readonly policy: string;
  /** the tenant summed, null for every tenant */
  readonly tenant: string | null;
  readonly k: number;
  readonly withheld: readonly WithheldGroup[];
  readonly requests: LiveSummary['requests'];
  readonly twins: {
    readonly count: number;
    readonly meanAoI: number | null;
    readonly weightedAoI: number | null;
    readonly maxAoI: number | null;
    readonly refreshes: number;
    readonly samples: number;
  };
  readonly groups: readonly TwinGroupSummary[];
  readonly nodes: LiveSummary['nodes'];
  readonly queueLength: number | null;
  readonly decisions: number | null;
  readonly decisionLatencyMs: LiveSummary['decisionLatencyMs'];
  readonly jain: number | null;
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
  /** proactive refreshes stopped to make room for one a request waits for */
  refreshesPreempted = 0;
  aoiIntegral = 0;
  weightedAoiIntegral = 0;
  /** per twin (by index): its own age-of-information integral, for the scoped summary's groups */
  readonly #twinAoi = new Map<number, number>();
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
      this.#twinAoi.set(t.index, (this.#twinAoi.get(t.index) ?? 0) + area);
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
        refreshes: {
          proactive: this.refreshesProactive,
          onDemand: this.refreshesOnDemand,
          preempted: this.refreshesPreempted,
        },
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

  /** The summary as one principal may see it (see {@link ScopedSummary}). */
  scoped(scope: SummaryScope = {}): ScopedSummary {
    const rt = this.#rt;
    const all = this.summary();
    const now = all.time;
    const duration = Math.max(0, now - rt.warmup);
    const own = scope.tenant;
    const k = scope.k ?? 1;
    // twins of the scope, grouped by tenant and criticality (a group's key names both)
    const byGroup = new Map<string, LiveState['twins'][number][]>();
    for (const t of rt.twins) {
      if (own !== undefined && t.tenantId !== own) continue;
      const key = `${t.tenantId}/criticality ${t.criticality}`;
      const list = byGroup.get(key);
      if (list) list.push(t);
      else byGroup.set(key, [t]);
    }
    const keys = [...byGroup.keys()].sort();
    const { released, withheld } = kAnonymize(
      keys.map((key) => ({ key, members: byGroup.get(key)!.length, value: byGroup.get(key)! })),
      k,
    );
    let count = 0;
    let area = 0;
    let weightedArea = 0;
    let crit = 0;
    let maxAoI = 0;
    let refreshes = 0;
    let samples = 0;
    const groups: TwinGroupSummary[] = released.map(({ key, value: twins }) => {
      let groupArea = 0;
      let ageSum = 0;
      let ageMax = 0;
      for (const t of twins) {
        const a = this.#twinAoi.get(t.index) ?? 0;
        const age = now - t.lastSample;
        groupArea += a;
        weightedArea += t.criticality * a;
        crit += t.criticality;
        ageSum += age;
        ageMax = Math.max(ageMax, age);
        refreshes += t.refreshes;
        samples += t.samplesReceived;
      }
      count += twins.length;
      area += groupArea;
      maxAoI = Math.max(maxAoI, ageMax);
      return {
        group: key,
        tenant: twins[0]!.tenantId,
        criticality: twins[0]!.criticality,
        twins: twins.length,
        meanAoI: duration > 0 ? groupArea / (twins.length * duration) : null,
        ageNow: { mean: ageSum / twins.length, max: ageMax },
      };
    });
    let requests = all.requests;
    if (own !== undefined) {
      const i = rt.tenants.findIndex((t) => t.id === own);
      const c = i >= 0 ? this.#tenants[i] : undefined;
      const q = c?.latency;
      const has = q !== undefined && q.count > 0;
      requests = {
        arrived: c?.arrived ?? 0,
        completed: c?.completed ?? 0,
        failed: c?.failed ?? 0,
        latency: {
          mean: has ? q.mean : null,
          p50: has ? q.quantile(0.5) : null,
          p95: has ? q.quantile(0.95) : null,
          p99: has ? q.quantile(0.99) : null,
        },
        deadlineMissRate: c && c.withDeadline > 0 ? c.missed / c.withDeadline : null,
      };
    }
    const running = new Map<string, number>();
    if (own !== undefined)
      for (const n of rt.nodes) running.set(n.id, [...n.items].filter((it) => it.tenantId === own).length);
    return {
      time: now,
      warmup: all.warmup,
      policy: all.policy,
      tenant: own ?? null,
      k,
      withheld,
      requests,
      twins: {
        count,
        meanAoI: count > 0 && duration > 0 ? area / (count * duration) : null,
        weightedAoI: count > 0 && duration > 0 && crit > 0 ? weightedArea / (crit * duration) : null,
        maxAoI: count > 0 ? maxAoI : null,
        refreshes,
        samples,
      },
      groups,
      // what runs where is tenant data: a tenant counts only its own work on shared nodes
      nodes:
        own === undefined ? all.nodes : all.nodes.map((n) => ({ ...n, running: running.get(n.id) ?? 0 })),
      queueLength: own === undefined ? all.queueLength : null,
      decisions: own === undefined ? all.decisions : null,
      decisionLatencyMs: all.decisionLatencyMs,
      jain: own === undefined ? all.jain : null,
    };
  }
}
