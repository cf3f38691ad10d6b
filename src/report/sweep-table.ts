/**
 * Tables of a sweep: for each chosen metric, one row per grid point (its parameter values) and one
 * column per policy, each cell mean ± 95 % CI.
 */
import { estimateAt, flattenEstimates } from './compare-table.js';
import { formatEstimate } from './estimate.js';
import { bestIndexes, KEY_METRICS, type MetricDef } from './metrics.js';

export interface SweepDocument {
  scenario: string;
  parameters: { path: string; values: string[] }[];
  policies: string[];
  replications: number;
  points: { parameters: Record<string, string>; results: { policy: string; metrics: unknown }[] }[];
}

/** The metrics a sweep table shows when none are asked for. */
export const DEFAULT_SWEEP_METRICS = [
  'twins.weightedAoI',
  'requests.latency.p95',
  'requests.deadlineMissRate',
];

/** A metric by path: one of the key metrics, or any numeric path of the result document. */
export function metricByPath(path: string): MetricDef {
  return KEY_METRICS.find((m) => m.path === path) ?? { path, label: path, better: null };
}

export function sweepTable(doc: SweepDocument, metric: MetricDef): { header: string[]; rows: string[][] } {
  const header = [...doc.parameters.map((p) => p.path), ...doc.policies];
  const rows = doc.points.map((pt) => {
    const ests = pt.results.map((r) => estimateAt(r.metrics, metric.path));
    const best = bestIndexes(
      metric,
      ests.map((e) => e?.mean),
    );
    return [
      ...doc.parameters.map((p) => pt.parameters[p.path] ?? ''),
      ...ests.map((e, i) =>
        e ? `${formatEstimate(e, { sketched: metric.sketched ?? false })}${best.has(i) ? ' *' : ''}` : '–',
      ),
    ];
  });
  return { header, rows };
}

/** CSV rows: the parameter values, policy, metric, mean, ci95 (empty when undefined). */
export function sweepCsvRows(doc: SweepDocument): { header: string[]; rows: unknown[][] } {
  const header = [...doc.parameters.map((p) => p.path), 'policy', 'metric', 'mean', 'ci95'];
  const rows: unknown[][] = [];
  for (const pt of doc.points) {
    const params = doc.parameters.map((p) => pt.parameters[p.path] ?? '');
    for (const r of pt.results)
      for (const [k, e] of flattenEstimates(r.metrics)) rows.push([...params, r.policy, k, e.mean, e.ci95]);
  }
  return { header, rows };
}
