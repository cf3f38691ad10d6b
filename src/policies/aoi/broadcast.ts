/**
 * The discrete-time broadcast network of Kadota, Sinha, Uysal-Biyikoglu, Singh and Modiano, "Scheduling Policies
 * for Minimizing Age of Information in Broadcast Wireless Networks", IEEE/ACM Transactions on Networking 26(6),
 * 2018, with its scheduling policies, its lower bound and the randomized policy's closed form.
 *
 * Model. N clients; in every slot k the base station transmits one fresh packet to one client i, delivered with
 * probability p_i (the link's reliability). The age of client i grows by one per slot and falls to 1 after a
 * delivery: h_i(k+1) = 1 if i was served and the packet arrived in slot k, h_i(k) + 1 otherwise; h_i(1) = 1. The
 * objective is the expected weighted sum AoI, (1 / (K·N)) · E[Σ_k Σ_i α_i h_i(k)], as K grows.
 *
 * Closed forms (each re-derived here, see the doc comments):
 * - lower bound over all policies, L_B = [(Σ √(α_i/p_i))² + Σ α_i] / (2N);
 * - a stationary randomized policy that serves i with probability μ_i has E[J] = (1/N) Σ α_i / (p_i μ_i),
 *   minimised by μ_i ∝ √(α_i/p_i), where E[J] = (Σ √(α_i/p_i))² / N < 2 · L_B;
 * - Max-Weight serves the client with the largest α_i p_i h_i (h_i + 2): the one-slot drift of the Lyapunov
 *   function Σ α_i h_i², which serving i lowers by α_i p_i [(h_i + 1)² − 1];
 * - Whittle's index W_i(h) = α_i h [p_i (h − 1) / 2 + 1] = α_i p_i h (h − 1 + 2/p_i) / 2, the service charge
 *   at which the single-client problem "age cost α h per slot plus a charge per transmission" is indifferent
 *   between serving and idling at age h. Derived for exactly this slot convention and checked by value
 *   iteration in the tests.
 */

import { RandomStreams } from '../../engine/random.js';
import { ArsError } from '../../errors.js';

export interface BroadcastNetwork {
  /** link reliabilities p_i in (0, 1] */
  readonly p: readonly number[];
  /** weights α_i > 0 */
  readonly alpha: readonly number[];
}

export const BROADCAST_POLICIES = ['greedy', 'randomized', 'max-weight', 'whittle'] as const;
export type BroadcastPolicy = (typeof BROADCAST_POLICIES)[number];

/** Checks a network; throws `ARS_E_INPUT_ARGUMENT` naming the first bad entry. */
export function checkNetwork(net: BroadcastNetwork): void {
  const n = net.p.length;
  if (n === 0) throw new ArsError('ARS_E_INPUT_ARGUMENT', 'broadcast network: at least one client is needed');
  if (net.alpha.length !== n) {
    throw new ArsError(
      'ARS_E_INPUT_ARGUMENT',
      `broadcast network: ${n} reliabilities but ${net.alpha.length} weights`,
    );
  }
  for (let i = 0; i < n; i++) {
    const p = net.p[i]!;
    const a = net.alpha[i]!;
    if (!(p > 0 && p <= 1)) {
      throw new ArsError('ARS_E_INPUT_ARGUMENT', `broadcast network: p[${i}] must be in (0, 1], got ${p}`);
    }
    if (!(a > 0 && Number.isFinite(a))) {
      throw new ArsError('ARS_E_INPUT_ARGUMENT', `broadcast network: alpha[${i}] must be positive, got ${a}`);
    }
  }
}

function sumSqrtAlphaOverP(net: BroadcastNetwork): number {
  let s = 0;
  for (let i = 0; i < net.p.length; i++) s += Math.sqrt(net.alpha[i]! / net.p[i]!);
  return s;
}

/**
 * L_B = [(Σ √(α_i/p_i))² + Σ α_i] / (2N): no policy has a lower expected weighted sum AoI. Why: over a long run
 * client i sees deliveries at rate q_i with gaps I; its time-average age is E[I²]/(2E[I]) + 1/2 ≥ 1/(2q_i) + 1/2,
 * and serving it at rate q_i / p_i uses that share of the slots, Σ q_i/p_i ≤ 1; minimising Σ α_i/(2q_i) under that
 * budget gives q_i ∝ √(α_i p_i). Runs in O(N).
 */
export function lowerBound(net: BroadcastNetwork): number {
  checkNetwork(net);
  const s = sumSqrtAlphaOverP(net);
  let a = 0;
  for (const x of net.alpha) a += x;
  return (s * s + a) / (2 * net.p.length);
}

/**
 * Expected weighted sum AoI of the stationary randomized policy with probabilities μ: client i is delivered to
 * with probability p_i μ_i per slot, independently, so its age is geometric with mean 1/(p_i μ_i).
 */
export function randomizedExpectedAoI(net: BroadcastNetwork, mu: readonly number[]): number {
  checkNetwork(net);
  let j = 0;
  for (let i = 0; i < net.p.length; i++) j += net.alpha[i]! / (net.p[i]! * mu[i]!);
  return j / net.p.length;
}

/** The optimal randomized policy: μ_i = √(α_i/p_i) / Σ_j √(α_j/p_j), and its expected AoI (Σ √(α_i/p_i))² / N. */
export function optimalRandomized(net: BroadcastNetwork): { mu: number[]; expectedAoI: number } {
  checkNetwork(net);
  const s = sumSqrtAlphaOverP(net);
  const mu = net.p.map((p, i) => Math.sqrt(net.alpha[i]! / p) / s);
  return { mu, expectedAoI: (s * s) / net.p.length };
}

/** Max-Weight's weight of a client at age h: the drop in α h² it buys in expectation. */
export function maxWeightIndex(alpha: number, p: number, h: number): number {
  return alpha * p * h * (h + 2);
}

/** Whittle's index of a client at age h (see the file comment). */
export function whittleIndex(alpha: number, p: number, h: number): number {
  return alpha * h * ((p * (h - 1)) / 2 + 1);
}

export interface BroadcastRunOptions {
  /** slots measured after the warm-up; default 200,000 */
  readonly slots?: number;
  /** slots run first and not measured; default 1,000 */
  readonly warmup?: number;
  readonly seed?: number;
  /** batches for the batch-means confidence interval; default 20 */
  readonly batches?: number;
}

export interface BroadcastRun {
  readonly policy: BroadcastPolicy;
  /** time-average of (1/N) Σ α_i h_i(k) over the measured slots */
  readonly weightedAoI: number;
  /** half-width of the 95 % batch-means confidence interval of `weightedAoI` */
  readonly ci95: number;
  /** per client, the fraction of measured slots that delivered to it */
  readonly throughput: number[];
}

/** Student t quantiles (0.975) by degrees of freedom, for the batch-means interval. */
function t975(df: number): number {
  const table: Record<number, number> = { 4: 2.776, 9: 2.262, 19: 2.093, 29: 2.045, 49: 2.01 };
  return table[df] ?? 1.96;
}

/**
 * Simulates the network under one policy. Channel outcomes come from the stream `aoi.channel`, the randomized
 * policy's draws from `aoi.policy`, so two policies run on one seed see the same coin for the same slot and
 * client order (common random numbers). Ties go to the lowest client index. Runs in O((warmup + slots) · N).
 */
export function simulateBroadcast(
  net: BroadcastNetwork,
  policy: BroadcastPolicy,
  options: BroadcastRunOptions = {},
): BroadcastRun {
  checkNetwork(net);
  const { slots = 200_000, warmup = 1_000, seed = 1, batches = 20 } = options;
  if (!(Number.isInteger(slots) && slots >= batches && Number.isInteger(warmup) && warmup >= 0)) {
    throw new ArsError(
      'ARS_E_INPUT_ARGUMENT',
      `broadcast run: slots must be an integer ≥ batches (${batches}) and warmup a non-negative integer`,
    );
  }
  const n = net.p.length;
  const streams = new RandomStreams(seed);
  const channel = streams.stream('aoi.channel');
  const draw = streams.stream('aoi.policy');
  const h = new Float64Array(n).fill(1);
  const cumulative = new Float64Array(n);
  if (policy === 'randomized') {
    const { mu } = optimalRandomized(net);
    let c = 0;
    for (let i = 0; i < n; i++) cumulative[i] = c += mu[i]!;
  }
  const delivered = new Float64Array(n);
  const perBatch = Math.floor(slots / batches);
  const batchSums = new Float64Array(batches);
  let total = 0;
  for (let k = 0; k < warmup + slots; k++) {
    let cost = 0;
    for (let i = 0; i < n; i++) cost += net.alpha[i]! * h[i]!;
    cost /= n;
    const measured = k - warmup;
    if (measured >= 0) {
      total += cost;
      const b = Math.min(Math.floor(measured / perBatch), batches - 1);
      batchSums[b]! += cost;
    }
    let pick = 0;
    if (policy === 'randomized') {
      const u = draw.next() * cumulative[n - 1]!;
      while (pick < n - 1 && cumulative[pick]! <= u) pick++;
    } else {
      let best = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < n; i++) {
        const a = net.alpha[i]!;
        const p = net.p[i]!;
        const hi = h[i]!;
        const w =
          policy === 'greedy'
            ? hi
            : policy === 'max-weight'
              ? maxWeightIndex(a, p, hi)
              : whittleIndex(a, p, hi);
        if (w > best) {
          best = w;
          pick = i;
        }
      }
    }
    const success = channel.next() < net.p[pick]!;
    for (let i = 0; i < n; i++) h[i]! += 1;
    if (success) {
      h[pick] = 1;
      if (measured >= 0) delivered[pick]! += 1;
    }
  }
  const lastBatch = slots - perBatch * (batches - 1);
  const means = Array.from(batchSums, (s, b) => s / (b === batches - 1 ? lastBatch : perBatch));
  const mean = total / slots;
  let ss = 0;
  for (const m of means) ss += (m - mean) ** 2;
  const sd = Math.sqrt(ss / (batches - 1));
  return {
    policy,
    weightedAoI: mean,
    ci95: (t975(batches - 1) * sd) / Math.sqrt(batches),
    throughput: Array.from(delivered, (d) => d / slots),
  };
}
