import { meanCi95 } from '../metrics/confidence.js';

export interface Estimate {
  mean: number;
  ci95: number;
}

/** Replaces every number of a set of same-shaped documents by its mean and 95% CI half-width over the documents. */
export function summarizeDocuments(docs: readonly unknown[]): unknown {
  const first = docs[0];
  if (typeof first === 'number' || (first === null && docs.some((d) => typeof d === 'number'))) {
    const values = docs.filter((d): d is number => typeof d === 'number' && Number.isFinite(d));
    if (values.length === 0) return null;
    const { mean, ci95 } = meanCi95(values);
    return { mean, ci95: Number.isFinite(ci95) ? ci95 : 0 } satisfies Estimate;
  }
  if (Array.isArray(first)) {
    return first.map((_, i) => summarizeDocuments(docs.map((d) => (d as unknown[])[i])));
  }
  if (first !== null && typeof first === 'object') {
    const keys = new Set<string>();
    for (const d of docs) if (d && typeof d === 'object') for (const k of Object.keys(d)) keys.add(k);
    const out: Record<string, unknown> = {};
    for (const k of keys)
      out[k] = summarizeDocuments(docs.map((d) => (d as Record<string, unknown> | null)?.[k] ?? null));
    return out;
  }
  return first;
}
