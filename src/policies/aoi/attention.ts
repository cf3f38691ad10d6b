/**
 * Kadota et al.'s freshness policies (broadcast.ts) as attention allocators in the world.
 *
 * The paper's slot is one transmission of equal length; in the world a refresh of twin i holds attention for a
 * time d_i (transfer + processing on the node that runs it) and succeeds with probability p_i (it is lost when
 * its node fails under it). Both are what the platform can measure, so each allocator learns them from its own
 * refreshes: p̂_i = (successes + 2) / (attempts + 2) (a prior of two successes, so one loss does not condemn a
 * twin) and d̂_i an exponentially weighted mean of observed durations (before the first, the mean over all twins,
 * and 1 s before any). The weight α_i is the twin's criticality and the age is A_i = now − lastSample.
 *
 * Each paper quantity is taken per unit of attention-time, the resource the world shares out (the paper's one
 * slot per transmission); with d_i = 1 every rule reduces to the paper's:
 * - randomized: twin i is drawn with probability ∝ √(α_i / (p_i d_i)), which minimises Σ α_i / (p_i r_i) under
 *   the budget Σ r_i d_i for attempt rates r_i (the paper's μ_i ∝ √(α_i/p_i) with costs);
 * - Max-Weight: α_i p_i A_i (A_i + 2 d_i) / d_i, the expected drop of the Lyapunov function Σ α_i A_i² a
 *   refresh buys, per second of attention;
 * - Whittle: α_i d_i W(p_i, A_i / d_i) with W(p, h) = h [p (h − 1)/2 + 1] the paper's index in slots of the
 *   twin's own length, i.e. the charge per second of attention at which refreshing now and waiting break even.
 * Selections that do not fit on any node (no attempt was made) do not count against p̂.
 */
import type { AttentionAllocator, AttentionChoice } from '../../scheduler/plugins.js';
import type { Snapshot } from '../../scheduler/types.js';
import { whittleIndex } from './broadcast.js';

export const AOI_RULES = ['aoi-randomized', 'max-weight', 'whittle'] as const;
export type AoiRule = (typeof AOI_RULES)[number];

/** Weight of a new duration in d̂_i: recent enough to follow a node change, smooth over a few refreshes. */
const DURATION_SMOOTHING = 0.3;
/** Prior successes in p̂_i. */
const PRIOR_SUCCESSES = 2;
/** Above this many slots a full sort beats insertion into the top-k list. */
const SORT_ABOVE = 32;

/** What an allocator has learnt of each twin's refreshes. */
class RefreshStats {
  attempts = new Float64Array(0);
  successes = new Float64Array(0);
  duration = new Float64Array(0);
  startedAt = new Float64Array(0);
  durationSum = 0;
  durationCount = 0;

  init(n: number): void {
    this.attempts = new Float64Array(n);
    this.successes = new Float64Array(n);
    this.duration = new Float64Array(n).fill(Number.NaN);
    this.startedAt = new Float64Array(n).fill(Number.NaN);
  }

  started(twin: number, now: number): void {
    this.startedAt[twin] = now;
  }

  ended(twin: number, ok: boolean, now: number): void {
    const start = this.startedAt[twin]!;
    this.startedAt[twin] = Number.NaN;
    // not started, or handed back in the instant it was started: nothing fitted, no attempt was made
    if (Number.isNaN(start) || (!ok && now <= start)) return;
    this.attempts[twin]! += 1;
    if (ok) {
      this.successes[twin]! += 1;
      const d = now - start;
      const old = this.duration[twin]!;
      this.duration[twin] = Number.isNaN(old) ? d : old + DURATION_SMOOTHING * (d - old);
      this.durationSum += d;
      this.durationCount++;
    }
  }

  reliability(twin: number): number {
    return (this.successes[twin]! + PRIOR_SUCCESSES) / (this.attempts[twin]! + PRIOR_SUCCESSES);
  }

  /** d̂ of a twin; of twin -1, the prior every twin not yet observed gets */
  cost(twin: number): number {
    const d = twin >= 0 ? this.duration[twin]! : Number.NaN;
    if (!Number.isNaN(d) && d > 0) return d;
    return this.durationCount > 0 && this.durationSum > 0 ? this.durationSum / this.durationCount : 1;
  }
}

/**
 * Index of every twin under an index rule, per second of attention (see the file comment), into `out`; a twin
 * that is refreshing gets −1 (every index is ≥ 0). One tight pass: the estimates are read from the arrays, the
 * prior cost is found once.
 */
function scoreTwins(
  rule: 'max-weight' | 'whittle',
  s: Snapshot,
  stats: RefreshStats,
  out: Float64Array,
): void {
  const twins = s.twins;
  const now = s.now;
  const prior = stats.cost(-1);
  const { successes, attempts, duration } = stats;
  const maxWeight = rule === 'max-weight';
  for (let i = 0; i < twins.length; i++) {
    const t = twins[i]!;
    if (t.refreshing) {
      out[i] = -1;
      continue;
    }
    const alpha = t.criticality;
    const p = (successes[i]! + PRIOR_SUCCESSES) / (attempts[i]! + PRIOR_SUCCESSES);
    const observed = duration[i]!;
    const d = observed > 0 ? observed : prior; // NaN (not yet observed) fails the test too
    const a = Math.max(now - t.lastSample, 0);
    out[i] = maxWeight ? (alpha * p * a * (a + 2 * d)) / d : alpha * d * whittleIndex(1, p, a / d);
  }
}

/**
 * Max-Weight or Whittle: the `slots` non-refreshing twins with the largest index, best first (ties to the lower
 * twin index). One pass over the twins per call, then the top k: O(twins · min(slots, 32)), or a sort above that.
 */
export function aoiIndexAllocator(rule: 'max-weight' | 'whittle'): AttentionAllocator {
  const stats = new RefreshStats();
  let scores = new Float64Array(0);
  return {
    name: rule,
    init(s) {
      stats.init(s.twins.length);
      scores = new Float64Array(s.twins.length);
    },
    select(s, slots) {
      const n = s.twins.length;
      const k = Math.min(slots, n);
      if (k <= 0) return [];
      scoreTwins(rule, s, stats, scores);
      const bestTwin: number[] = [];
      const bestScore: number[] = [];
      if (k > SORT_ABOVE) {
        const order: number[] = [];
        for (let i = 0; i < n; i++) if (scores[i]! >= 0) order.push(i);
        order.sort((a, b) => scores[b]! - scores[a]! || a - b);
        for (let i = 0; i < Math.min(k, order.length); i++) {
          bestTwin.push(order[i]!);
          bestScore.push(scores[order[i]!]!);
        }
      } else {
        // top k by insertion into fixed arrays (splice on every improvement costs more than the scoring);
        // twins come in index order, so equal scores keep the lower index
        const topTwin = new Int32Array(k);
        const topScore = new Float64Array(k);
        let count = 0;
        for (let i = 0; i < n; i++) {
          const v = scores[i]!;
          if (v < 0 || (count === k && v <= topScore[k - 1]!)) continue;
          let at = count < k ? count++ : k - 1;
          while (at > 0 && topScore[at - 1]! < v) {
            topScore[at] = topScore[at - 1]!;
            topTwin[at] = topTwin[at - 1]!;
            at--;
          }
          topScore[at] = v;
          topTwin[at] = i;
        }
        for (let j = 0; j < count; j++) {
          bestTwin.push(topTwin[j]!);
          bestScore.push(topScore[j]!);
        }
      }
      return bestTwin.map((twin, i) => explainChoice(s, stats, twin, bestScore[i]!, rule));
    },
    refreshStarted(twin, s) {
      stats.started(twin, s.now);
    },
    refreshed(twin, ok, s) {
      stats.ended(twin, ok, s.now);
    },
  };
}

function explainChoice(
  s: Snapshot,
  stats: RefreshStats,
  twin: number,
  score: number,
  rule: string,
): AttentionChoice {
  const t = s.twins[twin]!;
  return {
    twin,
    score,
    parts: {
      criticality: t.criticality,
      age: s.now - t.lastSample,
      reliability: stats.reliability(twin),
      refreshSeconds: stats.cost(twin),
    },
    detail: { rule },
  };
}

/**
 * Weights of N items in a Fenwick tree: point update and "first item whose prefix sum exceeds u" in O(log N).
 */
class WeightTree {
  readonly #tree: Float64Array;
  readonly #weight: Float64Array;
  #top = 1;
  constructor(n: number) {
    this.#tree = new Float64Array(n + 1);
    this.#weight = new Float64Array(n);
    while (this.#top * 2 <= n) this.#top *= 2;
  }
  get total(): number {
    let s = 0;
    for (let i = this.#weight.length; i > 0; i -= i & -i) s += this.#tree[i]!;
    return s;
  }
  set(item: number, w: number): void {
    const delta = w - this.#weight[item]!;
    if (delta === 0) return;
    this.#weight[item] = w;
    for (let i = item + 1; i < this.#tree.length; i += i & -i) this.#tree[i]! += delta;
  }
  /** the item whose cumulative range holds u, for 0 ≤ u < total */
  find(u: number): number {
    let pos = 0;
    let rest = u;
    for (let step = this.#top; step > 0; step >>= 1) {
      const next = pos + step;
      if (next < this.#tree.length && this.#tree[next]! <= rest) {
        pos = next;
        rest -= this.#tree[next]!;
      }
    }
    return Math.min(pos, this.#weight.length - 1);
  }
  weight(item: number): number {
    return this.#weight[item]!;
  }
}

/** Relative drift of the mean refresh time after which twins not yet observed are re-weighted. */
const PRIOR_DRIFT = 0.1;

/**
 * The optimal stationary randomized policy: each slot goes to twin i with probability ∝ √(α_i / (p_i d_i)),
 * drawn from the policy's seeded stream; a twin already refreshing (or already drawn in this call) is drawn again,
 * at most 4 · slots + 16 draws per call. Weights sit in a Fenwick tree: a refresh that ends updates its twin's
 * weight in O(log twins), a draw costs O(log twins); twins not yet observed (weighted by the mean refresh time)
 * are re-weighted together, O(twins), only when that mean has moved by more than 10 %.
 */
export function aoiRandomizedAllocator(): AttentionAllocator {
  const stats = new RefreshStats();
  let tree = new WeightTree(0);
  let priorCost = Number.NaN;
  const weightOf = (s: Snapshot, i: number) =>
    Math.sqrt(s.twins[i]!.criticality / (stats.reliability(i) * stats.cost(i)));
  const reweightAll = (s: Snapshot) => {
    for (let i = 0; i < s.twins.length; i++) tree.set(i, weightOf(s, i));
    priorCost = stats.cost(-1);
  };
  return {
    name: 'aoi-randomized',
    init(s) {
      stats.init(s.twins.length);
      tree = new WeightTree(s.twins.length);
      reweightAll(s);
    },
    select(s, slots) {
      const n = s.twins.length;
      if (n === 0 || slots <= 0) return [];
      if (Math.abs(stats.cost(-1) - priorCost) > PRIOR_DRIFT * priorCost) reweightAll(s);
      const total = tree.total;
      const out: AttentionChoice[] = [];
      const taken = new Set<number>();
      for (let draws = 0; out.length < slots && draws < 4 * slots + 16; draws++) {
        const i = tree.find(s.random() * total);
        if (s.twins[i]!.refreshing || taken.has(i)) continue;
        taken.add(i);
        out.push(explainChoice(s, stats, i, tree.weight(i) / total, 'aoi-randomized'));
      }
      return out;
    },
    refreshStarted(twin, s) {
      stats.started(twin, s.now);
    },
    refreshed(twin, ok, s) {
      stats.ended(twin, ok, s.now);
      tree.set(twin, weightOf(s, twin));
    },
  };
}
