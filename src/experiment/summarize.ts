import { meanCi95 } from '../metrics/confidence.js';

export interface Estimate {
  mean: number;
  /** half-width of the 95 % t interval; null with one replication, where it is undefined */
  ci95: number | null;
}

/**
 * Top-level fields of a run document that describe the run instead of measuring it. They are never
 * averaged: a summary keeps the value when every run has the same one, else the list of values.
 */
const METADATA = new Set(['seed', 'horizon', 'warmup']);

/** Replaces every number of a set of same-shaped documents by its mean and 95% CI half-width over the documents. */
export function summarizeDocuments(docs: readonly unknown[]): unknown {
  const first = docs[0];
  if (first !== null && typeof first === 'object' && !Array.isArray(first)) {
    const out: Record<string, unknown> = {};
    for (const k of keysOf(docs)) {
      const values = docs.map((d) => (d as Record<string, unknown> | null)?.[k] ?? null);
      out[k] = METADATA.has(k) ? metadata(values) : summarize(values);
    }
    return out;
  }
  return summarize(docs);
}

function metadata(values: readonly unknown[]): unknown {
  return values.every((v) => v === values[0]) ? values[0] : values;
}

function keysOf(docs: readonly unknown[]): Set<string> {
  const keys = new Set<string>();
  for (const d of docs) if (d && typeof d === 'object') for (const k of Object.keys(d)) keys.add(k);
  return keys;
}

function summarize(docs: readonly unknown[]): unknown {
  const first = docs[0];
  if (typeof first === 'number' || (first === null && docs.some((d) => typeof d === 'number'))) {
    const values = docs.filter((d): d is number => typeof d === 'number' && Number.isFinite(d));
    if (values.length === 0) return null;
    const { mean, ci95 } = meanCi95(values);
    return { mean, ci95: Number.isFinite(ci95) ? ci95 : null } satisfies Estimate;
  }
  if (Array.isArray(first)) {
    return first.map((_, i) => summarize(docs.map((d) => (d as unknown[])[i])));
  }
  if (first !== null && typeof first === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of keysOf(docs))
      out[k] = summarize(docs.map((d) => (d as Record<string, unknown> | null)?.[k] ?? null));
    return out;
  }
  return first;
}
