/**
 * Which metrics a person reads first, how to get them out of a result document, and flat views
 * of documents for tables and CSV.
 */

export interface MetricDef {
  readonly path: string;
  readonly label: string;
  /** true when smaller is better */
  readonly lower: boolean;
}

export const KEY_METRICS: readonly MetricDef[] = [
  { path: 'requests.completed', label: 'requests completed', lower: false },
  { path: 'requests.latency.mean', label: 'latency mean (s)', lower: true },
  { path: 'requests.latency.p95', label: 'latency p95 (s)', lower: true },
  { path: 'requests.latency.p99', label: 'latency p99 (s)', lower: true },
  { path: 'requests.deadlineMissRate', label: 'deadline miss rate', lower: true },
  { path: 'twins.weightedAoI', label: 'weighted AoI (s)', lower: true },
  { path: 'twins.meanAoI', label: 'mean AoI (s)', lower: true },
  { path: 'twins.trackingRmse', label: 'tracking RMSE', lower: true },
  { path: 'twins.anomalyDetectionDelay.p95', label: 'anomaly delay p95 (s)', lower: true },
  { path: 'twins.missedAnomalies', label: 'missed anomalies', lower: true },
  { path: 'resources.compute.utilization', label: 'compute utilisation', lower: false },
  { path: 'resources.attention.utilization', label: 'attention utilisation', lower: false },
  { path: 'resources.energyJ', label: 'energy (J)', lower: true },
  { path: 'resources.cost', label: 'cost', lower: true },
  { path: 'fairness.jain', label: "Jain's index", lower: false },
];

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
