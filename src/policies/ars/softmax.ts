/**
 * Attention weights and shares: a temperature-controlled softmax of scores, then water-filling of the
 * capacity by those weights with a floor per group (tenant) and a cap per item (twin). Pure functions on
 * typed arrays, O(n) per call apart from a few passes of the level search (`WaterFiller` keeps its buffers
 * between calls, for the allocator's per-window recomputation).
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
  softmaxNorm(z, temperature, out);
  return out;
}

/** The normalisers of a softmax: the largest score and Σ_j exp((z_j − max) / τ). */
export interface SoftmaxNorm {
  readonly max: number;
  readonly sum: number;
}

/**
 * `softmax` into `out`, returning its normalisers, so that the weight of one score can later be computed
 * alone as exp((z − max) / τ) / sum with the same arithmetic (no second pass of exponentials).
 * For no scores: max −∞, sum 0.
 * @throws ARS_E_INPUT_ARGUMENT when τ is not a positive finite number
 */
export function softmaxNorm(z: ArrayLike<number>, temperature: number, out: Float64Array): SoftmaxNorm {
  if (!(temperature > 0 && Number.isFinite(temperature))) {
    throw new ArsError('ARS_E_INPUT_ARGUMENT', `softmax temperature must be > 0, got ${temperature}`);
  }
  const n = z.length;
  let max = Number.NEGATIVE_INFINITY;
  if (n === 0) return { max, sum: 0 };
  for (let i = 0; i < n; i++) if (z[i]! > max) max = z[i]!;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const e = Math.exp((z[i]! - max) / temperature);
    out[i] = e;
    sum += e;
  }
  for (let i = 0; i < n; i++) out[i] = out[i]! / sum;
  return { max, sum };
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
  return new WaterFiller().fill(weights, o);
}

/** relative width of the bracket around the level at which the search hands over to the replay */
const BRACKET = 2 ** -44;
/** how far past its estimate of the level a search step aims, so that the next pass lands on the other side */
const OVERSHOOT = 2 ** -46;
/** passes the bracket search may take before the replay goes on alone */
const SEARCH_PASSES = 24;

/**
 * `waterFill` with buffers kept between calls (the shares it returns are valid until its next call) and a
 * faster search for the level with the same result, bit for bit.
 *
 * The level was defined by doubling, then 60 halvings of [low, high]: a step keeps the lower half when
 * total(mid) < 1, total being the sum of the clamped shares in item order. Each term
 * min(cap, max(floor, λ·v)) and each rounded addition is non-decreasing in λ (v ≥ 0), so "total(λ) < 1"
 * holds below some λ* and fails from it on. The filler first brackets λ* by a few Newton steps on the
 * piecewise linear total (slope Σ v over the items between their floor and cap), aiming a hair past the
 * root each time, until the bracket is about 2⁻⁴⁴ of λ wide; then it replays the doubling and the 60 halvings,
 * answering every mid outside the bracket from it and computing the sum only inside it (a handful of passes
 * instead of 60). Any input that breaks the monotony (a negative or non-finite weight or floor) skips the
 * bracket, so every step computes the sum as before.
 */
export class WaterFiller {
  #v = new Float64Array(0);
  #lo = new Float64Array(0);
  #shares = new Float64Array(0);
  /** the last level found, where the next search starts */
  #hint = Number.NaN;
  /** a level known to give total < 1, and one known to give total ≥ 1 (NaN: none yet) */
  #below = Number.NaN;
  #atLeast = Number.NaN;
  #slope = 0;
  /** passes over the items the last call's level search made */
  passes = 0;

  fill(weights: ArrayLike<number>, o: WaterFillOptions): WaterFillResult {
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
    // 2. levelling: share_i = clamp(λ · v_i, floor_i, cap) with λ chosen so that the shares sum to 1 (the
    // level the doubling and 60 halvings of the sum give; see the class comment)
    if (this.#v.length !== n) {
      this.#v = new Float64Array(n);
      this.#lo = new Float64Array(n);
      this.#shares = new Float64Array(n);
    }
    const v = this.#v;
    const lo = this.#lo;
    const cap = o.cap;
    let floorTotal = 0;
    let monotone = true;
    for (let i = 0; i < n; i++) {
      const vi = weights[i]! * scale[o.group[i]!]!;
      v[i] = vi;
      const l = Math.min(o.itemFloors?.[i] ?? 0, cap);
      lo[i] = l;
      floorTotal += l;
      if (!(vi >= 0 && vi < Number.POSITIVE_INFINITY && Number.isFinite(l))) monotone = false;
    }
    // floors asking for more than everything are scaled down to fit
    if (floorTotal > 1) for (let i = 0; i < n; i++) lo[i] = lo[i]! / floorTotal;
    let level = 0;
    this.passes = 0;
    if (floorTotal < 1 && n * cap > 1) {
      this.#below = Number.NaN;
      this.#atLeast = Number.NaN;
      if (monotone) this.#bracket(n, cap, monotone);
      let low = 0;
      let high = 1;
      for (let k = 0; k < 1100 && this.#less(high, n, cap, monotone); k++) high *= 2;
      for (let k = 0; k < 60; k++) {
        const mid = (low + high) / 2;
        if (this.#less(mid, n, cap, monotone)) low = mid;
        else high = mid;
      }
      level = high;
      this.#hint = level;
    } else if (n * cap <= 1) {
      level = Number.POSITIVE_INFINITY;
    }
    const shares = this.#shares;
    for (let i = 0; i < n; i++) {
      const x = level === Number.POSITIVE_INFINITY ? cap : Math.min(cap, Math.max(lo[i]!, level * v[i]!));
      shares[i] = x < o.negligible && lo[i]! < o.negligible ? 0 : x;
    }
    return { shares, groupScale: scale, level };
  }

  /** total(λ) < 1, from the bracket when λ is outside it, else by summing (and narrowing the bracket) */
  #less(level: number, n: number, cap: number, monotone: boolean): boolean {
    if (level <= this.#below) return true;
    if (level >= this.#atLeast) return false;
    // the replay needs the sum alone: no slope (its branch mispredicts where items sit at their floor or cap)
    const t = this.#sum(level, n, cap, monotone);
    return t < 1;
  }

  /** Counts a pass and narrows the bracket by what the sum at `level` showed; returns the sum. */
  #counted(level: number, sum: number, monotone: boolean): number {
    this.passes++;
    if (monotone) {
      if (sum < 1) {
        if (!(level <= this.#below)) this.#below = level;
      } else if (!(level >= this.#atLeast)) this.#atLeast = level;
    }
    return sum;
  }

  /** `#total` without the slope: the same sum, the same bracket updates. */
  #sum(level: number, n: number, cap: number, monotone: boolean): number {
    const v = this.#v;
    const lo = this.#lo;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += Math.min(cap, Math.max(lo[i]!, level * v[i]!));
    return this.#counted(level, sum, monotone);
  }

  /** Σ min(cap, max(floor_i, λ·v_i)) in item order (the one definition of the sum), and its slope at λ. */
  #total(level: number, n: number, cap: number, monotone: boolean): number {
    const v = this.#v;
    const lo = this.#lo;
    let sum = 0;
    let slope = 0;
    for (let i = 0; i < n; i++) {
      const vi = v[i]!;
      const y = level * vi;
      const l = lo[i]!;
      sum += Math.min(cap, Math.max(l, y));
      // (no element access inside the branch: a path first taken after optimisation would deoptimise)
      if (y > l && y < cap) slope += vi;
    }
    this.#slope = slope;
    return this.#counted(level, sum, monotone);
  }

  /** Newton steps on the sum, from the last level, until the bracket around the level is narrow. */
  #bracket(n: number, cap: number, monotone: boolean): void {
    let x = this.#hint > 0 && Number.isFinite(this.#hint) ? this.#hint : 1;
    for (let pass = 0; pass < SEARCH_PASSES; pass++) {
      const t = this.#total(x, n, cap, monotone);
      const a = this.#below;
      const b = this.#atLeast;
      const haveA = !Number.isNaN(a);
      const haveB = !Number.isNaN(b);
      if (haveA && haveB && b - a <= b * BRACKET) return;
      let next = this.#slope > 0 ? x + (1 - t) / this.#slope : Number.NaN;
      next = t < 1 ? next * (1 + OVERSHOOT) : next * (1 - OVERSHOOT);
      if (!(next > (haveA ? a : 0) && (!haveB || next < b))) {
        if (haveA && haveB) next = a + (b - a) / 2;
        else if (haveA) next = a * 2;
        else next = b / 2;
      }
      if (!(next > 0 && next < Number.POSITIVE_INFINITY) || next === x) return;
      x = next;
    }
  }
}
