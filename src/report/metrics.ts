/**
 * Which metrics a person reads first, how to get them out of a result document, and flat views
 * of documents for tables and CSV.
 */

export interface MetricDef {
  readonly path: string;
  readonly label: string;
  /**
   * which way is better: smaller, larger, or neither. Counts (completed requests follow the arrivals)
   * and utilisation (busy is not better or worse by itself) have no direction and get no best marker.
   */
  readonly better: 'lower' | 'higher' | null;
  /** read from a quantile sketch: its relative accuracy bounds the digits worth printing */
  readonly sketched?: boolean;
}

export const KEY_METRICS: readonly MetricDef[] = [
  { path: 'requests.completed', label: 'requests completed', better: null },
  { path: 'requests.latency.mean', label: 'latency mean (s)', better: 'lower' },
  { path: 'requests.latency.p95', label: 'latency p95 (s)', better: 'lower', sketched: true },
  { path: 'requests.latency.p99', label: 'latency p99 (s)', better: 'lower', sketched: true },
  { path: 'requests.deadlineMissRate', label: 'deadline miss rate', better: 'lower' },
  { path: 'twins.weightedAoI', label: 'weighted AoI (s)', better: 'lower' },
  { path: 'twins.meanAoI', label: 'mean AoI (s)', better: 'lower' },
  { path: 'twins.trackingRmse', label: 'tracking RMSE', better: 'lower' },
  {
    path: 'twins.anomalyDetectionDelay.p95',
    label: 'anomaly delay p95 (s)',
    better: 'lower',
    sketched: true,
  },
  { path: 'twins.missedAnomalies', label: 'missed anomalies', better: 'lower' },
  { path: 'resources.compute.utilization', label: 'compute utilisation', better: null },
  { path: 'resources.attention.utilization', label: 'attention utilisation', better: null },
  { path: 'resources.energyJ', label: 'energy (J)', better: 'lower' },
  { path: 'resources.cost', label: 'cost', better: 'lower' },
  { path: 'fairness.jain', label: "Jain's index", better: 'higher' },
];

/**
 * Indexes of the best values of a metric across columns, or none when the metric has no direction
 * or every column is equal (a marker on every cell says nothing).
 */
export function bestIndexes(metric: MetricDef, means: readonly (number | null | undefined)[]): Set<number> {
  const finite = means.filter((m): m is number => typeof m === 'number' && Number.isFinite(m));
  if (metric.better === null || finite.length < 2) return new Set();
  const best = metric.better === 'lower' ? Math.min(...finite) : Math.max(...finite);
  if (finite.every((m) => m === best)) return new Set();
  const out = new Set<number>();
  means.forEach((m, i) => {
    if (m === best) out.add(i);
  });
  return out;
}

export function getPath(doc: unknown, path: string): unknown {
  let cur: unknown = doc;
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** Flattens a document into `a.b.c` → value pairs, leaving out per-node detail unless asked. */
export function flatten(
  doc: unknown,
  options: { skip?: readonly string[] } = {},
  prefix = '',
): [string, unknown][] {
  const skip = options.skip ?? ['resources.byNode'];
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return [[prefix, doc]];
  const out: [string, unknown][] = [];
  for (const [k, v] of Object.entries(doc as Record<string, unknown>)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (skip.includes(key)) continue;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) out.push(...flatten(v, options, key));
    else out.push([key, v]);
  }
  return out;
}

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return `${[header, ...rows].map((r) => r.map(csvCell).join(',')).join('\n')}\n`;
}
