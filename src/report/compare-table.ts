/**
 * The rows of `ars compare`'s table and CSV: each key metric per policy as mean ± 95 % CI, the best
 * marked only where a metric has a direction and the policies differ.
 */
import { type EstimateLike, formatEstimate } from './estimate.js';
import { bestIndexes, getPath, KEY_METRICS, type MetricDef } from './metrics.js';

export interface SummarizedColumn {
  /** column heading: a policy name */
  name: string;
  /** the summarised run document: every number replaced by { mean, ci95 } */
  metrics: unknown;
}

export function estimateAt(metrics: unknown, path: string): EstimateLike | undefined {
  const e = getPath(metrics, path);
  if (e === null || typeof e !== 'object' || typeof (e as EstimateLike).mean !== 'number') return undefined;
  return e as EstimateLike;
}

/** One row per key metric: label, then one cell per column (`–` where the metric has no value). */
export function estimateRows(
  columns: readonly SummarizedColumn[],
  metrics: readonly MetricDef[] = KEY_METRICS,
): string[][] {
  return metrics.map((m) => {
    const ests = columns.map((c) => estimateAt(c.metrics, m.path));
    const best = bestIndexes(
      m,
      ests.map((e) => e?.mean),
    );
    return [
      m.label,
      ...ests.map((e, i) =>
        e ? `${formatEstimate(e, { sketched: m.sketched ?? false })}${best.has(i) ? ' *' : ''}` : '–',
      ),
    ];
  });
}

/** The line above the table: what the cells mean, including when an interval cannot be given. */
export function estimateCaption(replications: number): string {
  return replications === 1
    ? 'mean of one replication: no confidence interval (n=1); run --replications 2 or more for one'
    : 'mean ± 95% CI (a value alone: every replication gave it) · best marked * where lower or higher is better';
}

/** `a.b` → estimate pairs of a summarised document, skipping per-node detail and run metadata. */
export function flattenEstimates(doc: unknown, prefix = ''): [string, EstimateLike][] {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return [];
  const o = doc as Record<string, unknown>;
  if (typeof o.mean === 'number' && 'ci95' in o) return [[prefix, o as unknown as EstimateLike]];
  const out: [string, EstimateLike][] = [];
  for (const [k, v] of Object.entries(o)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (key === 'resources.byNode') continue;
    out.push(...flattenEstimates(v, key));
  }
  return out;
}
