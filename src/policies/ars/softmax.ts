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
}

export interface WaterFillResult {
  readonly shares: Float64Array<ArrayBuffer>;
  /** the multiplier applied to each group's weights before the cap (1 when the floor did not bind) */
  readonly groupScale: Float64Array<ArrayBuffer>;
  /** the common level λ of the cap stage: share = min(cap, λ · scaled weight) */
  readonly level: number;
}

/**
 * Splits a capacity of 1 over items in proportion to `weights` (which sum to 1), subject to:
 * 1. every group g gets at least `floors[g]`: groups below their floor are scaled up to it and the others
 *    scaled down in proportion (repeated until no group falls below, at most once per group);
 * 2. no item gets more than `cap`: capped items are fixed at the cap and the rest re-levelled, the classic
 *    water-filling (share_i = min(cap, λ·w_i) with λ such that the shares sum to 1, or all capped);
 * 3. shares below `negligible` become 0 and are not redistributed.
 * The cap may push a group a little below its floor when its own items are capped; the floor is a target
 * for the softmax mass, the cap a hard limit.
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
  // 2. cap by water-filling: fix items whose levelled share exceeds the cap, re-level the rest
  const shares = new Float64Array(n);
  const capped = new Uint8Array(n);
  let nCapped = 0;
  let level = 1;
  for (let round = 0; round <= n; round++) {
    let rest = 0;
    for (let i = 0; i < n; i++) if (!capped[i]) rest += weights[i]! * scale[o.group[i]!]!;
    const left = 1 - nCapped * o.cap;
    level = rest > 0 ? Math.max(0, left) / rest : 0;
    let changed = false;
    for (let i = 0; i < n; i++) {
      if (capped[i]) continue;
      if (weights[i]! * scale[o.group[i]!]! * level > o.cap) {
        capped[i] = 1;
        nCapped++;
        changed = true;
      }
    }
    if (!changed) break;
  }
  for (let i = 0; i < n; i++) {
    const s = capped[i] ? o.cap : weights[i]! * scale[o.group[i]!]! * level;
    shares[i] = s < o.negligible ? 0 : s;
  }
  return { shares, groupScale: scale, level };
}
