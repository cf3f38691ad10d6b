/**
 * Offline tuning of the ARS weights: the cross-entropy method over the tunable parameters, and the objective
 * it minimises. Pure library code: the caller evaluates candidates (by simulation, on training seeds) and
 * this module proposes them; nothing here runs a simulation.
 *
 * Cross-entropy method (Rubinstein; de Boer et al. 2005): keep a Gaussian per parameter; each iteration draw
 * a population, evaluate it, and move the means and standard deviations towards those of the best quarter
 * (smoothed, so one lucky draw does not collapse the search). The current mean is always evaluated too, so
 * the result is never worse on the training seeds than where the search started.
 */
import { RandomStreams } from '../../engine/random.js';
import { type ArsParams, PARAMS, type ParamDef, type ParamName } from './params.js';

/** One metric of the objective: where it sits in a result document and which way is better. */
export interface ObjectiveMetric {
  readonly key: string;
  readonly path: string;
  readonly lower: boolean;
  /** weight of its ratio to the reference in the objective (0: only the 5 % guard counts) */
  readonly weight: number;
  /** the goal is to lead on it: the guard starts at the reference itself, not 5 % past it */
  readonly lead?: boolean;
  /** an absolute goal besides the relative one (Jain's index ≥ 0.9): the guard also counts the shortfall */
  readonly atLeast?: number;
}

/** The outcomes the evaluation reports, with the weights `ars tune` gives them. */
export const OBJECTIVE_METRICS: readonly ObjectiveMetric[] = [
  { key: 'weightedAoI', path: 'twins.weightedAoI', lower: true, weight: 1, lead: true },
  { key: 'deadlineMissRate', path: 'requests.deadlineMissRate', lower: true, weight: 1, lead: true },
  { key: 'anomalyDelayP95', path: 'twins.anomalyDetectionDelay.p95', lower: true, weight: 0.5 },
  { key: 'latencyP95', path: 'requests.latency.p95', lower: true, weight: 0.25 },
  { key: 'latencyP99', path: 'requests.latency.p99', lower: true, weight: 0.25 },
  { key: 'jain', path: 'fairness.jain', lower: false, weight: 0.25, atLeast: 0.9 },
  { key: 'utilization', path: 'resources.compute.utilization', lower: false, weight: 0 },
  { key: 'energyJ', path: 'resources.energyJ', lower: true, weight: 0.1 },
  { key: 'cost', path: 'resources.cost', lower: true, weight: 0.1 },
];

/** Misses are often 0: ratios of rates get this floor so 0 against 0 is 1 and 0.001 against 0 is finite. */
const MISS_FLOOR = 0.002;
/**
 * Where the guard term starts, as a ratio to the reference: the evaluation allows 5 % worse than the best
 * baseline, and asks ARS to lead on the metrics marked `lead`; tuning aims 2 % inside both (1.03 and 0.98),
 * so what it finds on the training seeds still holds on held-out seeds that differ a little.
 */
const TOLERANCE = 0.03;
const LEAD = -0.02;
const GUARD = 4;
/**
 * A metric earns nothing for being better than half its reference: the goal is to beat the best baseline,
 * and without a floor a miss rate 20 times lower would buy the tuner any loss elsewhere.
 */
const SATURATE = 0.5;

export type MetricValues = Partial<Record<string, number>>;

function at(doc: unknown, path: string): number | undefined {
  let cur: unknown = doc;
  for (const k of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return typeof cur === 'number' && Number.isFinite(cur) ? cur : undefined;
}

/** The mean of each objective metric over runs (result documents); metrics no run defines are left out. */
export function meanMetrics(runs: readonly unknown[]): MetricValues {
  const out: MetricValues = {};
  for (const m of OBJECTIVE_METRICS) {
    const xs = runs.map((r) => at(r, m.path)).filter((x): x is number => x !== undefined);
    if (xs.length > 0) out[m.key] = xs.reduce((a, b) => a + b, 0) / xs.length;
  }
  return out;
}

/** For each metric, the best value among the reference policies (lowest or highest as the metric says). */
export function bestOf(refs: readonly MetricValues[]): MetricValues {
  const out: MetricValues = {};
  for (const m of OBJECTIVE_METRICS) {
    const xs = refs.map((r) => r[m.key]).filter((x): x is number => x !== undefined);
    if (xs.length > 0) out[m.key] = m.lower ? Math.min(...xs) : Math.max(...xs);
  }
  return out;
}

/** How many times worse than the reference: > 1 is worse, whichever way the metric points. */
export function ratio(m: ObjectiveMetric, value: number, ref: number): number {
  const floor = m.key === 'deadlineMissRate' ? MISS_FLOOR : 1e-12;
  return m.lower ? (value + floor) / (ref + floor) : (ref + floor) / (value + floor);
}

/**
 * The tuning objective, lower is better: Σ weight · max(value / best reference, 0.5) over the metrics (no
 * credit for more than halving a reference), plus a guard
 * of 4 × how far a metric is past where the evaluation's goal allows it, with a 2 % margin: past 98 % of the
 * best reference for the metrics ARS must lead on (weighted AoI, misses), 3 % past it for the others, and
 * below an absolute floor where the goal sets one (Jain's index 0.9, as a relative shortfall). With the AoI and the miss rate
 * weighted 1 and the others less, it asks for the evaluation's goal: lowest AoI and misses, nothing much
 * worse than the best baseline.
 */
export function objective(values: MetricValues, reference: MetricValues): number {
  return sumOverMetrics(values, reference, (m, q) => {
    return m.weight * Math.max(q, SATURATE) + GUARD * Math.max(0, q - 1 - (m.lead ? LEAD : TOLERANCE));
  });
}

/** The goal objective's saturation, lead and tolerance ratios and guard weight (see `goalObjective`). */
const GOAL_SATURATE = 0.9;
const GOAL_LEAD = 0.98;
const GOAL_TOLERANCE = 1.03;
const GOAL_GUARD = 4;

/**
 * The evaluation's goal itself (`learn-defaults.js --objective goal`): lead on the metrics marked `lead`
 * (weighted AoI, misses) with no credit past 10 % better than the reference (leading is the goal, not the
 * margin); every other weighted metric only guarded (3 % past the reference), and the absolute floors (Jain's
 * index ≥ 0.9) as in `objective`. Unlike `objective` it rewards no gain on the other metrics.
 */
export function goalObjective(values: MetricValues, reference: MetricValues): number {
  return sumOverMetrics(values, reference, (m, q) => {
    if (m.lead) return Math.max(q, GOAL_SATURATE) + GOAL_GUARD * Math.max(0, q - GOAL_LEAD);
    return m.weight > 0 ? GOAL_GUARD * Math.max(0, q - GOAL_TOLERANCE) : 0;
  });
}

/** How far past the best baseline the evaluation lets a guarded metric be (5 % worse). */
const GOALS_TOLERANCE = 1.05;

/**
 * The evaluation's goals that `values` meets against `reference` (the best value of every baseline, metric by
 * metric), counted as `npm run evaluate` counts them: the lowest weighted AoI and miss rate (a tie counts),
 * every other weighted metric no more than 5 % worse than the best baseline, and Jain's index at least 0.9
 * where a baseline reaches it (not counted where none does). A metric either side lacks (no anomaly, say) is
 * no goal. Not an objective to search with (it is a step function), but what a search's candidates are
 * judged by (`learn-defaults.js --line`).
 */
export function goalsMet(values: MetricValues, reference: MetricValues): { met: number; goals: number } {
  let met = 0;
  let goals = 0;
  for (const m of OBJECTIVE_METRICS) {
    const v = values[m.key];
    const r = reference[m.key];
    if (v === undefined || r === undefined || !Number.isFinite(v) || !Number.isFinite(r)) continue;
    if (m.atLeast !== undefined && r >= m.atLeast) {
      goals++;
      if (v >= m.atLeast) met++;
    }
    if (m.weight === 0) continue;
    goals++;
    // a lead may tie the best baseline; a guarded metric may trail it by the tolerance
    const slack = m.lead ? 1 : GOALS_TOLERANCE;
    if (m.lower ? v <= slack * r : v * slack >= r) met++;
  }
  return { met, goals };
}

/**
 * Σ over the metrics both sides define of `term` (given the metric and its ratio to the reference), plus the
 * guard on absolute floors (`atLeast`: the relative shortfall × GUARD).
 */
function sumOverMetrics(
  values: MetricValues,
  reference: MetricValues,
  term: (m: ObjectiveMetric, q: number) => number,
): number {
  let j = 0;
  for (const m of OBJECTIVE_METRICS) {
    const v = values[m.key];
    const r = reference[m.key];
    if (v === undefined || r === undefined) continue;
    j += term(m, ratio(m, v, r));
    if (m.atLeast !== undefined) j += GUARD * Math.max(0, (m.atLeast - v) / m.atLeast);
  }
  return j;
}

export interface CrossEntropyOptions {
  readonly parameters: readonly ParamName[];
  /** where the search starts (the means) */
  readonly start: Readonly<ArsParams>;
  readonly iterations: number;
  readonly population: number;
  readonly seed: number;
  /** told after each iteration */
  readonly onIteration?: (i: number, best: number, mean: Readonly<Partial<ArsParams>>) => void;
}

export interface CrossEntropyResult {
  readonly best: Partial<ArsParams>;
  readonly bestScore: number;
  readonly startScore: number;
  readonly evaluations: number;
  readonly history: readonly { iteration: number; best: number; eliteMean: number }[];
}

const SMOOTHING = 0.7;

/**
 * Minimises `evaluate` (a batch of candidates → their scores, in order) by the cross-entropy method.
 * Deterministic for a seed: draws come from the engine's seeded streams.
 */
export async function crossEntropySearch(
  evaluate: (candidates: readonly Partial<ArsParams>[]) => Promise<readonly number[]>,
  o: CrossEntropyOptions,
): Promise<CrossEntropyResult> {
  const rng = new RandomStreams(o.seed).stream('tune');
  const defs = o.parameters.map((k) => PARAMS[k] as ParamDef);
  const mean = o.parameters.map((k) => o.start[k]);
  const sd = defs.map((d) => (d.max - d.min) / 10);
  const floorSd = defs.map((d) => (d.max - d.min) / 100);
  const toParams = (x: readonly number[]) =>
    Object.fromEntries(o.parameters.map((k, i) => [k, round(x[i]!)])) as Partial<ArsParams>;
  let best = toParams(mean);
  let bestScore = Number.POSITIVE_INFINITY;
  let startScore = Number.NaN;
  let evaluations = 0;
  const history: { iteration: number; best: number; eliteMean: number }[] = [];
  for (let it = 0; it < o.iterations; it++) {
    const xs: number[][] = [mean.slice()];
    while (xs.length < o.population) {
      xs.push(defs.map((d, i) => Math.max(d.min, Math.min(d.max, rng.normal(mean[i]!, sd[i]!)))));
    }
    const candidates = xs.map(toParams);
    const scores = await evaluate(candidates);
    evaluations += candidates.length;
    if (it === 0) startScore = scores[0]!;
    const order = scores.map((s, i) => [s, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    if (order[0]![0] < bestScore) {
      bestScore = order[0]![0];
      best = candidates[order[0]![1]]!;
    }
    const elites = order.slice(0, Math.max(2, Math.ceil(o.population / 4))).map(([, i]) => xs[i]!);
    for (let j = 0; j < mean.length; j++) {
      const m = elites.reduce((a, x) => a + x[j]!, 0) / elites.length;
      const v = elites.reduce((a, x) => a + (x[j]! - m) ** 2, 0) / elites.length;
      mean[j] = SMOOTHING * m + (1 - SMOOTHING) * mean[j]!;
      sd[j] = Math.max(floorSd[j]!, SMOOTHING * Math.sqrt(v) + (1 - SMOOTHING) * sd[j]!);
    }
    const eliteMean = order.slice(0, elites.length).reduce((a, [s]) => a + s, 0) / elites.length;
    history.push({ iteration: it + 1, best: bestScore, eliteMean });
    o.onIteration?.(it + 1, bestScore, toParams(mean));
  }
  return { best, bestScore, startScore, evaluations, history };
}

/** Four significant digits: profiles stay readable and diff well. */
function round(x: number): number {
  return Number(x.toPrecision(4));
}
