/**
 * Fairness measures: Jain's index over what each party received, and the (weighted) dominant
 * share of a multi-resource allocation, the quantity DRF equalises.
 */
import { ArsError } from '../errors.js';

/**
 * Jain's fairness index (Jain, Chiu & Hawe, DEC TR-301, 1984):
 * J(x) = (Σ xᵢ)² / (n · Σ xᵢ²), in [1/n, 1]; 1 when all xᵢ are equal, k/n when k parties
 * share equally and the rest get nothing.
 *
 * Conventions: an empty list gives NaN (no parties, no fairness); an all-zero list gives 1
 * (everyone received the same, nothing; this is also the limit of J along equal allocations).
 * Values must be finite and ≥ 0. Runs in O(n).
 * @example jainIndex([1, 2, 3, 4]) // 0.8333…
 * @throws ArsError ARS_E_INPUT_ARGUMENT for a negative or non-finite value.
 */
export function jainIndex(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) return Number.NaN;
  // Scale by the largest value so that squares of very large or tiny values neither overflow nor underflow.
  let largest = 0;
  for (let i = 0; i < n; i++) {
    const x = values[i]!;
    if (!(x >= 0 && x < Number.POSITIVE_INFINITY)) {
      throw new ArsError('ARS_E_INPUT_ARGUMENT', `Jain's index needs finite values ≥ 0, got ${x} at ${i}`);
    }
    if (x > largest) largest = x;
  }
  if (largest === 0) return 1;
  let sum = 0;
  let sumSquares = 0;
  for (let i = 0; i < n; i++) {
    const x = values[i]! / largest;
    sum += x;
    sumSquares += x * x;
  }
  return Math.min(1, jainFromSums(sum, sumSquares, n));
}

/**
 * Jain's index from running sums: (Σ xᵢ)² / (n · Σ xᵢ²), for callers that accumulate the values themselves
 * (the world's per-tenant service, without an array per call). No scaling and no clamping: with n = 0 or
 * Σ xᵢ² = 0 it is NaN, and callers choose their own convention for those.
 */
export function jainFromSums(sum: number, sumSquares: number, n: number): number {
  return (sum * sum) / (n * sumSquares);
}

/**
 * The dominant share of two resources, compute and attention: max(c / C, a / A), a resource with no total
 * counting 0. The world's results (shares of held resource-seconds) and the ARS policy's fairness deficit
 * (shares held now) both use it; `dominantShareOf` is the general form.
 */
export function dominantShareOfTwo(
  compute: number,
  totalCompute: number,
  attention: number,
  totalAttention: number,
): number {
  return Math.max(
    totalCompute > 0 ? compute / totalCompute : 0,
    totalAttention > 0 ? attention / totalAttention : 0,
  );
}

/**
 * Jain's index of normalised throughputs xᵢ = receivedᵢ / fairShareᵢ, Jain's own way of
 * comparing parties that are entitled to different amounts (weights, demands).
 * A party with fair share 0 is left out. Same conventions as `jainIndex`.
 * @throws ArsError ARS_E_INPUT_ARGUMENT when the lengths differ or a fair share is negative.
 */
export function normalizedJainIndex(received: ArrayLike<number>, fairShare: ArrayLike<number>): number {
  if (received.length !== fairShare.length) {
    throw new ArsError(
      'ARS_E_INPUT_ARGUMENT',
      `received has ${received.length} entries but fairShare has ${fairShare.length}`,
    );
  }
  const x: number[] = [];
  for (let i = 0; i < received.length; i++) {
    const share = fairShare[i]!;
    if (!(share >= 0)) throw new ArsError('ARS_E_INPUT_ARGUMENT', `fair share must be ≥ 0, got ${share}`);
    if (share > 0) x.push(received[i]! / share);
  }
  return jainIndex(x);
}

/** A resource vector: positional (`[cpu, mem]`) or named (`{ compute: 4, attention: 2 }`). */
export type ResourceVector = readonly number[] | Readonly<Record<string, number>>;

/**
 * Weighted dominant share: max over resources r of (allocation[r] / totals[r]) / weight.
 * Named vectors use the names of `totals`; a name missing from `allocation` counts as 0 and a
 * name in `allocation` but not in `totals` is an error. A resource with total 0 is ignored when
 * nothing of it is allocated and makes the share +Infinity otherwise.
 * Runs in O(resources).
 * @example dominantShare({ cpu: 3, mem: 12 }, { cpu: 9, mem: 18 }) // 2/3 (memory)
 * @throws ArsError ARS_E_INPUT_ARGUMENT for a non-positive weight or mismatched vectors.
 */
export function dominantShare(allocation: ResourceVector, totals: ResourceVector, weight = 1): number {
  const [a, t] = alignVectors(allocation, totals, 'allocation');
  return dominantShareOf(a, t, weight);
}

/** `dominantShare` on already aligned numeric vectors (no allocation, no name lookups): the hot-path form. */
export function dominantShareOf(
  allocation: ArrayLike<number>,
  totals: ArrayLike<number>,
  weight = 1,
): number {
  if (!(weight > 0 && weight < Number.POSITIVE_INFINITY)) {
    throw new ArsError('ARS_E_INPUT_ARGUMENT', `weight must be a positive finite number, got ${weight}`);
  }
  let share = 0;
  for (let r = 0; r < totals.length; r++) {
    const used = allocation[r] ?? 0;
    if (used === 0) continue;
    const total = totals[r]!;
    const s = total > 0 ? used / total : Number.POSITIVE_INFINITY;
    if (s > share) share = s;
  }
  return share / weight;
}

/**
 * Index of the dominant resource of `allocation` (the one with the largest share of its total),
 * lowest index on ties; -1 when nothing is allocated.
 */
export function dominantResourceOf(allocation: ArrayLike<number>, totals: ArrayLike<number>): number {
  let best = -1;
  let share = 0;
  for (let r = 0; r < totals.length; r++) {
    const used = allocation[r] ?? 0;
    if (used === 0) continue;
    const total = totals[r]!;
    const s = total > 0 ? used / total : Number.POSITIVE_INFINITY;
    if (s > share) {
      share = s;
      best = r;
    }
  }
  return best;
}

/**
 * Turns two resource vectors of the same kind into aligned numeric arrays, in the order of
 * `totals` (positional, or the key order of a named `totals`).
 * @throws ArsError ARS_E_INPUT_ARGUMENT when one is positional and the other named, lengths
 * differ, or `vector` names a resource `totals` lacks.
 */
export function alignVectors(
  vector: ResourceVector,
  totals: ResourceVector,
  what = 'vector',
): [number[], number[], string[]] {
  if (Array.isArray(totals)) {
    if (!Array.isArray(vector)) {
      throw new ArsError('ARS_E_INPUT_ARGUMENT', `${what} is named but the totals are positional`);
    }
    const t = totals as readonly number[];
    const v = vector as readonly number[];
    if (v.length !== t.length) {
      throw new ArsError(
        'ARS_E_INPUT_ARGUMENT',
        `${what} has ${v.length} resources, totals have ${t.length}`,
      );
    }
    return [[...v], [...t], t.map((_, i) => String(i))];
  }
  if (Array.isArray(vector)) {
    throw new ArsError('ARS_E_INPUT_ARGUMENT', `${what} is positional but the totals are named`);
  }
  const named = totals as Readonly<Record<string, number>>;
  const v = vector as Readonly<Record<string, number>>;
  const names = Object.keys(named);
  for (const key of Object.keys(v)) {
    if (!(key in named))
      throw new ArsError('ARS_E_INPUT_ARGUMENT', `${what} names unknown resource "${key}"`);
  }
  return [names.map((k) => v[k] ?? 0), names.map((k) => named[k]!), names];
}
