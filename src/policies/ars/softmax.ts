/**
 * Attention weights and shares: a temperature-controlled softmax of scores, then water-filling of the
 * capacity by those weights with a floor per group (tenant) and a cap per item (twin). Pure functions on
 * typed arrays, O(n) per call apart from a few passes of the cap loop.
 */
import { ArsError } from '../../errors.js';

/**
 * Softmax with temperature: w_i = exp(z_i / τ) / Σ_j exp(z_j / τ), computed after subtracting the largest
 * score so that no exponential overflows. τ → ∞ gives equal weights; τ → 0 puts all weight on the maximum.
 * Writes into `out` (same length as `z`) and returns it; an empty input gives an empty output.
 * @throws ARS_E_INPUT_ARGUMENT when τ is not a positive finite number
 * @example softmax([0, Math.log(3)], 1) → [0.25, 0.75]
 */
export function softmax(
  z: ArrayLike<number>,
  temperature: number,
  out: Float64Array = new Float64Array(z.length),
): Float64Array {
  if (!(temperature > 0 && Number.isFinite(temperature))) {
    throw new ArsError('ARS_E_INPUT_ARGUMENT', `softmax temperature must be > 0, got ${temperature}`);
  }
  const n = z.length;
  if (n === 0) return out;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) if (z[i]! > max) max = z[i]!;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const e = Math.exp((z[i]! - max) / temperature);
    out[i] = e;
    sum += e;
  }
  for (let i = 0; i < n; i++) out[i] = out[i]! / sum;
  return out;
}

export interface WaterFillOptions {
  /** group (tenant) of every item */
  readonly group: ArrayLike<number>;
  /** the least total share of each group that has items; Σ floors must be ≤ 1 */
  readonly floors: ArrayLike<number>;
  /** the largest share of one item (∞ for no cap) */
  readonly cap: number;
  /** shares below this are set to 0 (the item is left out: its capacity idles rather than being handed on) */
  readonly negligible: number;
  /** the least share of each item (e.g. what keeps a twin as fresh as its requests need); scaled down if they sum above 1 */
  readonly itemFloors?: ArrayLike<number>;
}

export interface WaterFillResult {
  readonly shares: Float64Array<ArrayBuffer>;
  /** the multiplier applied to each group's weights before the cap (1 when the floor did not bind) */
  readonly groupScale: Float64Array<ArrayBuffer>;
  /** the common level λ of the levelling stage: share = clamp(λ · scaled weight, item floor, cap) */
  readonly level: number;
}

/**
 * Splits a capacity of 1 over items in proportion to `weights` (which sum to 1), subject to:
 * 1. every group g gets at least `floors[g]`: groups below their floor are scaled up to it and the others
 *    scaled down in proportion (repeated until no group falls below, at most once per group);
 * 2. water-filling: share_i = clamp(λ · w_i, itemFloor_i, cap), with the level λ such that the shares sum
 *    to 1 (or every item at its cap when n · cap ≤ 1): capped items give their excess to the rest, floored
 *    items take theirs from it;
 * 3. shares below `negligible` (and not held up by a floor) become 0 and are not redistributed.
 * The cap may push a group a little below its floor when its own items are capped; the group floor is a
 * target for the softmax mass, the cap a hard limit.
 */
export function waterFill(weights: ArrayLike<number>, o: WaterFillOptions): WaterFillResult {
  const n = weights.length;
  const groups = o.floors.length;
  const mass = new Float64Array(groups);
  const count = new Int32Array(groups);
  for (let i = 0; i < n; i++) {
    const g = o.group[i]!;
    mass[g] = mass[g]! + weights[i]!;
    count[g] = count[g]! + 1;
  }
  let floorSum = 0;
  for (let g = 0; g < groups; g++) if (count[g]! > 0) floorSum += o.floors[g]!;
  if (floorSum > 1 + 1e-9) {
    throw new ArsError(
      'ARS_E_INPUT_ARGUMENT',
      `tenant floors sum to ${floorSum}, more than the whole capacity`,
    );
  }
  // 1. floors: pinned groups get exactly their floor; the free ones share what is left in proportion
  const scale = new Float64Array(groups).fill(1);
  const pinned = new Uint8Array(groups);
  for (let round = 0; round <= groups; round++) {
    let pinnedShare = 0;
    let freeMass = 0;
    for (let g = 0; g < groups; g++) {
      if (count[g] === 0) continue;
      if (pinned[g]) pinnedShare += o.floors[g]!;
      else freeMass += mass[g]!;
    }
    const freeScale = freeMass > 0 ? (1 - pinnedShare) / freeMass : 0;
    let changed = false;
    for (let g = 0; g < groups; g++) {
      if (count[g] === 0) continue;
      if (pinned[g]) {
        scale[g] = mass[g]! > 0 ? o.floors[g]! / mass[g]! : 0;
      } else {
        scale[g] = freeScale;
        if (mass[g]! * freeScale < o.floors[g]! - 1e-15) {
          pinned[g] = 1;
          changed = true;
        }
      }
    }
    if (!changed) break;
  }
  // 2. levelling: share_i = clamp(λ · v_i, floor_i, cap) with λ chosen so that the shares sum to 1. The sum is
  // non-decreasing in λ, so λ is found by doubling then bisection (60 halvings: far below float noise).
  const v = new Float64Array(n);
  const lo = new Float64Array(n);
  let floorTotal = 0;
  for (let i = 0; i < n; i++) {
    v[i] = weights[i]! * scale[o.group[i]!]!;
    lo[i] = Math.min(o.itemFloors?.[i] ?? 0, o.cap);
    floorTotal += lo[i]!;
  }
  // floors asking for more than everything are scaled down to fit
  if (floorTotal > 1) for (let i = 0; i < n; i++) lo[i] = lo[i]! / floorTotal;
  const total = (level: number) => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += Math.min(o.cap, Math.max(lo[i]!, level * v[i]!));
    return sum;
  };
  let level = 0;
  if (floorTotal < 1 && n * o.cap > 1) {
    let low = 0;
    let high = 1;
    for (let k = 0; k < 1100 && total(high) < 1; k++) high *= 2;
    for (let k = 0; k < 60; k++) {
      const mid = (low + high) / 2;
      if (total(mid) < 1) low = mid;
      else high = mid;
    }
    level = high;
  } else if (n * o.cap <= 1) {
    level = Number.POSITIVE_INFINITY;
  }
  const shares = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = level === Number.POSITIVE_INFINITY ? o.cap : Math.min(o.cap, Math.max(lo[i]!, level * v[i]!));
    shares[i] = x < o.negligible && lo[i]! < o.negligible ? 0 : x;
  }
  return { shares, groupScale: scale, level };
}
