/**
 * The result document of one run: the same object in `ars run --json`, reports, the store and the server.
 * Times are simulated seconds, ratios are in 0..1; a statistic with no observations is null.
 */
import { dominantShareOfTwo } from '../metrics/fairness.js';
import type { QuantileSketch } from '../metrics/quantiles.js';
import type { SeriesDocument } from '../metrics/series.js';
import type { Tier } from '../model/schema.js';

export interface LatencySummary {
  mean: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

export interface ResourceBreakdown {
  compute: { utilization: number };
  attention: { utilization: number };
  energyJ: number;
  cost: number;
}

export interface RunResult {
  scenario: string;
  policy: string;
  seed: number;
  horizon: number;
  warmup: number;
  requests: {
    arrived: number;
    completed: number;
    lost: number;
    open: number;
    latency: LatencySummary;
    deadlineMissRate: number | null;
    withDeadline: number;
    missed: number;
  };
  resources: ResourceBreakdown & {
    byTier: Record<string, ResourceBreakdown & { nodes: number }>;
    byNode: Record<string, ResourceBreakdown & { completed: number; failures: number; upSeconds: number }>;
    provisioningCost: number;
    scaleUps: number;
    scaleDowns: number;
  };
  twins: {
    count: number;
    meanAoI: number | null;
    weightedAoI: number | null;
    maxAoI: number | null;
    /** share of twin-time spent older than the twin's promised `maxAge`, over the twins that have one */
    maxAgeViolation: number | null;
    trackingRmse: number | null;
    anomalyDetectionDelay: { mean: number | null; p95: number | null };
    anomalies: number;
    missedAnomalies: number;
    refreshes: { proactive: number; onDemand: number; failed: number; preempted: number };
  };
  fairness: {
    jain: number;
    dominantShares: Record<string, number>;
    tenants: Record<
      string,
      {
        arrived: number;
        completed: number;
        lost: number;
        latencyP95: number | null;
        deadlineMissRate: number | null;
        service: number | null;
      }
    >;
  };
  scheduler: {
    decisions: number;
    retries: number;
    events: number;
    feedback: Readonly<Record<string, number>> | null;
  };
  /** per-window series, only when asked for (`ars run --series`); see src/world/series.ts for the names */
  series?: SeriesDocument;
}

const orNull = (x: number) => (Number.isFinite(x) ? x : null);

function latency(q: QuantileSketch): LatencySummary {
  if (q.count === 0) return { mean: null, p50: null, p95: null, p99: null, max: null };
  return { mean: q.mean, p50: q.quantile(0.5), p95: q.quantile(0.95), p99: q.quantile(0.99), max: q.max };
}

/** What one node accounted over the measured interval (from the warm-up to the horizon). */
export interface NodeAccount {
  readonly id: string;
  readonly tier: Tier;
  readonly costPerSecond: number;
  /** compute- and attention-unit-seconds reserved, and capacity-seconds while up */
  readonly computeBusy: number;
  readonly computeUp: number;
  readonly attentionBusy: number;
  readonly attentionUp: number;
  readonly energyJ: number;
  readonly upSeconds: number;
  readonly completed: number;
  readonly failures: number;
}

/** What one tenant accounted: requests counted after the warm-up, and its held-resource integrals. */
export interface TenantAccount {
  readonly id: string;
  readonly arrived: number;
  readonly completed: number;
  readonly lost: number;
  readonly withDeadline: number;
  readonly missed: number;
  readonly stretchInverseSum: number;
  readonly stretchCount: number;
  readonly computeHeld: number;
  readonly attentionHeld: number;
  readonly latency: QuantileSketch;
}

/**
 * Everything a result is computed from, once the run has been accounted up to its horizon. The world
 * provides it; this module reads nothing else of the world (no import of it, so no circle).
 */
export interface RunAccounts {
  readonly scenarioName: string;
  readonly policyName: string;
  readonly seed: number;
  readonly horizon: number;
  readonly warmup: number;
  readonly totalCompute: number;
  readonly totalAttention: number;
  readonly nodes: readonly NodeAccount[];
  readonly tenants: readonly TenantAccount[];
  /** per twin: its criticality and whether it promises a `maxAge` */
  readonly twins: readonly { readonly criticality: number; readonly promisesMaxAge: boolean }[];
  readonly openRequests: number;
  readonly latency: QuantileSketch;
  readonly detectionDelay: QuantileSketch;
  readonly provisioningCost: number;
  readonly scaleUps: number;
  readonly scaleDowns: number;
  readonly aoiIntegral: number;
  readonly weightedAoiIntegral: number;
  readonly maxAoI: number;
  readonly overAgeSeconds: number;
  readonly trackingSquares: number;
  readonly trackingProbes: number;
  readonly anomalies: number;
  readonly missedAnomalies: number;
  readonly refreshesProactive: number;
  readonly refreshesOnDemand: number;
  readonly refreshesFailed: number;
  readonly refreshesPreempted: number;
  readonly jain: number;
  readonly decisions: number;
  readonly retries: number;
  readonly events: number;
  /** the feedback controller's parameters after its last window, null without feedback */
  readonly feedback: Readonly<Record<string, number>> | null;
}

export function buildResult(w: RunAccounts): RunResult {
  const duration = w.horizon - w.warmup;
  const ratio = (a: number, b: number) => (b > 0 ? a / b : 0);
  const breakdown = (nodes: readonly NodeAccount[]): ResourceBreakdown => {
    let cb = 0;
    let cu = 0;
    let ab = 0;
    let au = 0;
    let e = 0;
    let cost = 0;
    for (const n of nodes) {
      cb += n.computeBusy;
      cu += n.computeUp;
      ab += n.attentionBusy;
      au += n.attentionUp;
      e += n.energyJ;
      cost += n.upSeconds * n.costPerSecond;
    }
    return {
      compute: { utilization: ratio(cb, cu) },
      attention: { utilization: ratio(ab, au) },
      energyJ: e,
      cost,
    };
  };
  const total = breakdown(w.nodes);
  const byTier: RunResult['resources']['byTier'] = {};
  for (const tier of ['edge', 'fog', 'cloud'] as const) {
    const nodes = w.nodes.filter((n) => n.tier === tier);
    if (nodes.length > 0) byTier[tier] = { ...breakdown(nodes), nodes: nodes.length };
  }
  const byNode: RunResult['resources']['byNode'] = {};
  for (const n of w.nodes) {
    byNode[n.id] = {
      ...breakdown([n]),
      completed: n.completed,
      failures: n.failures,
      upSeconds: n.upSeconds,
    };
  }

  let arrived = 0;
  let completed = 0;
  let lost = 0;
  let withDeadline = 0;
  let missed = 0;
  const dominantShares: Record<string, number> = {};
  const tenants: RunResult['fairness']['tenants'] = {};
  for (const t of w.tenants) {
    arrived += t.arrived;
    completed += t.completed;
    lost += t.lost;
    withDeadline += t.withDeadline;
    missed += t.missed;
    // shares of the resource-seconds of the measured span
    dominantShares[t.id] = dominantShareOfTwo(
      t.computeHeld,
      duration * w.totalCompute,
      t.attentionHeld,
      duration * w.totalAttention,
    );
    tenants[t.id] = {
      arrived: t.arrived,
      completed: t.completed,
      lost: t.lost,
      latencyP95: t.latency.count > 0 ? t.latency.quantile(0.95) : null,
      deadlineMissRate: t.withDeadline > 0 ? t.missed / t.withDeadline : null,
      service: t.stretchCount > 0 ? t.stretchInverseSum / t.stretchCount : null,
    };
  }

  const n = w.twins.length;
  let critSum = 0;
  let promised = 0;
  for (const t of w.twins) {
    critSum += t.criticality;
    if (t.promisesMaxAge) promised++;
  }
  return {
    scenario: w.scenarioName,
    policy: w.policyName,
    seed: w.seed,
    horizon: w.horizon,
    warmup: w.warmup,
    requests: {
      arrived,
      completed,
      lost,
      open: w.openRequests,
      latency: latency(w.latency),
      deadlineMissRate: withDeadline > 0 ? missed / withDeadline : null,
      withDeadline,
      missed,
    },
    resources: {
      ...total,
      cost: total.cost + w.provisioningCost,
      byTier,
      byNode,
      provisioningCost: w.provisioningCost,
      scaleUps: w.scaleUps,
      scaleDowns: w.scaleDowns,
    },
    twins: {
      count: n,
      meanAoI: n > 0 && duration > 0 ? w.aoiIntegral / (n * duration) : null,
      weightedAoI: n > 0 && duration > 0 ? w.weightedAoiIntegral / (critSum * duration) : null,
      maxAoI: n > 0 ? w.maxAoI : null,
      maxAgeViolation: promised > 0 && duration > 0 ? w.overAgeSeconds / (promised * duration) : null,
      trackingRmse: w.trackingProbes > 0 ? orNull(Math.sqrt(w.trackingSquares / w.trackingProbes)) : null,
      anomalyDetectionDelay: {
        mean: w.detectionDelay.count > 0 ? w.detectionDelay.mean : null,
        p95: w.detectionDelay.count > 0 ? w.detectionDelay.quantile(0.95) : null,
      },
      anomalies: w.anomalies,
      missedAnomalies: w.missedAnomalies,
      refreshes: {
        proactive: w.refreshesProactive,
        onDemand: w.refreshesOnDemand,
        failed: w.refreshesFailed,
        preempted: w.refreshesPreempted,
      },
    },
    fairness: { jain: w.jain, dominantShares, tenants },
    scheduler: {
      decisions: w.decisions,
      retries: w.retries,
      events: w.events,
      feedback: w.feedback,
    },
  };
}
