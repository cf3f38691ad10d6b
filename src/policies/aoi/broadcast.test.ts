/**
 * Reproduces Kadota et al., IEEE/ACM ToN 26(6), 2018 in its own model (one transmission per slot, reliabilities
 * p_i, weights α_i). What each test reproduces is named in its title. The numerical settings follow the paper's
 * simulation section as we reconstruct it: a symmetric network (all p_i and α_i equal) and general networks with
 * p_i = i/N and α_i = (N + 1 − i)/N (the most reliable link carries the least weight), N from 5 to 20.
 */
import { describe, expect, it } from 'vitest';
import {
  type BroadcastNetwork,
  lowerBound,
  maxWeightIndex,
  optimalRandomized,
  randomizedExpectedAoI,
  simulateBroadcast,
  whittleIndex,
} from './broadcast.js';

const general = (n: number): BroadcastNetwork => ({
  p: Array.from({ length: n }, (_, i) => (i + 1) / n),
  alpha: Array.from({ length: n }, (_, i) => (n - i) / n),
});
const symmetric = (n: number, p: number): BroadcastNetwork => ({
  p: Array.from({ length: n }, () => p),
  alpha: Array.from({ length: n }, () => 1),
});

/** Slots per simulated run: long enough that the 95 % batch-means half-width is below 1 % of the mean here. */
const SLOTS = 100_000;

describe('closed forms', () => {
  it('lower bound of a two-client network by hand: α = (1, 4), p = (1, 1/4) → [(1 + 4)² + 5] / 4 = 7.5', () => {
    expect(lowerBound({ p: [1, 0.25], alpha: [1, 4] })).toBeCloseTo(7.5, 12);
  });

  it('optimal randomized policy: μ ∝ √(α/p) and E[J] = (Σ √(α/p))² / N', () => {
    const net = { p: [1, 0.25], alpha: [1, 4] };
    const { mu, expectedAoI } = optimalRandomized(net);
    expect(mu[0]).toBeCloseTo(1 / 5, 12);
    expect(mu[1]).toBeCloseTo(4 / 5, 12);
    expect(expectedAoI).toBeCloseTo(25 / 2, 12);
    expect(randomizedExpectedAoI(net, mu)).toBeCloseTo(expectedAoI, 12);
    // any other split is worse
    expect(randomizedExpectedAoI(net, [0.3, 0.7])).toBeGreaterThan(expectedAoI);
    expect(randomizedExpectedAoI(net, [0.1, 0.9])).toBeGreaterThan(expectedAoI);
  });

  it('the randomized policy is within a factor 2 of the bound on every network (the paper’s guarantee)', () => {
    for (const net of [general(5), general(20), symmetric(10, 0.3), { p: [0.05, 1], alpha: [9, 0.1] }]) {
      const ratio = optimalRandomized(net).expectedAoI / lowerBound(net);
      expect(ratio).toBeGreaterThanOrEqual(1);
      expect(ratio).toBeLessThan(2);
    }
  });

  it('rejects a bad network with a stable code', () => {
    expect(() => lowerBound({ p: [0], alpha: [1] })).toThrow(
      expect.objectContaining({ code: 'ARS_E_INPUT_ARGUMENT' }),
    );
    expect(() => lowerBound({ p: [0.5], alpha: [1, 2] })).toThrow(
      expect.objectContaining({ code: 'ARS_E_INPUT_ARGUMENT' }),
    );
    expect(() => lowerBound({ p: [], alpha: [] })).toThrow(
      expect.objectContaining({ code: 'ARS_E_INPUT_ARGUMENT' }),
    );
  });
});

describe("Whittle's index is the indifference charge of the single-client problem (checked by value iteration)", () => {
  /**
   * Relative value iteration on one client: age h in 1..M (M absorbing when idle), cost α h + C per transmission.
   * Returns Q(h, serve) − Q(h, idle) under charge C, after an aperiodicity transform (stay put with prob. 1/2).
   */
  function serveAdvantage(alpha: number, p: number, charge: number, h: number): number {
    const M = 400;
    let v = new Float64Array(M + 2);
    const q = (state: number, serve: boolean, values: Float64Array) => {
      const up = Math.min(state + 1, M);
      const next = serve ? p * values[1]! + (1 - p) * values[up]! : values[up]!;
      return alpha * state + (serve ? charge : 0) + 0.5 * next + 0.5 * values[state]!;
    };
    for (let it = 0; it < 6_000; it++) {
      const nv = new Float64Array(M + 2);
      for (let s = 1; s <= M; s++) nv[s] = Math.min(q(s, false, v), q(s, true, v));
      const ref = nv[1]!;
      for (let s = 1; s <= M; s++) nv[s]! -= ref;
      v = nv;
    }
    return q(h, false, v) - q(h, true, v);
  }

  for (const [alpha, p, h] of [
    [1, 1, 3],
    [1, 0.5, 4],
    [2, 0.3, 6],
    [0.7, 0.8, 2],
  ] as const) {
    it(`α = ${alpha}, p = ${p}, h = ${h}`, () => {
      const w = whittleIndex(alpha, p, h);
      // a little cheaper: serving at h is strictly better; a little dearer: idling is
      expect(serveAdvantage(alpha, p, w * 0.98, h)).toBeGreaterThan(0);
      expect(serveAdvantage(alpha, p, w * 1.02, h)).toBeLessThan(0);
    });
  }

  it('Max-Weight’s weight is the expected drop of α h² from serving: α p [(h + 1)² − 1]', () => {
    expect(maxWeightIndex(2, 0.5, 3)).toBe(2 * 0.5 * (16 - 1));
  });
});

describe('simulation against closed forms (95 % batch-means intervals)', () => {
  it('the optimal randomized policy’s simulated AoI matches (Σ √(α/p))² / N on the general network, N = 10', () => {
    const net = general(10);
    const run = simulateBroadcast(net, 'randomized', { slots: 400_000, seed: 11 });
    const expected = optimalRandomized(net).expectedAoI;
    // 2 half-widths: the interval is an estimate too; the closed form is exact
    expect(Math.abs(run.weightedAoI - expected)).toBeLessThan(2 * run.ci95);
    expect(run.ci95 / run.weightedAoI).toBeLessThan(0.02);
  });

  it('is deterministic under a seed and differs across seeds', () => {
    const a = simulateBroadcast(general(5), 'whittle', { slots: 5_000, seed: 3 });
    const b = simulateBroadcast(general(5), 'whittle', { slots: 5_000, seed: 3 });
    const c = simulateBroadcast(general(5), 'whittle', { slots: 5_000, seed: 4 });
    expect(a).toEqual(b);
    expect(a.weightedAoI).not.toBe(c.weightedAoI);
  });
});

describe('the paper’s numerical comparison', () => {
  const cases: [string, BroadcastNetwork][] = [
    ['p_i = i/N, α_i = (N+1−i)/N, N = 10', general(10)],
    ['p_i = i/N, α_i = (N+1−i)/N, N = 20', general(20)],
    ['p_i = i/N, α_i = 1, N = 10', { p: general(10).p, alpha: Array(10).fill(1) }],
  ];
  for (const [name, net] of cases) {
    it(`general network ${name}: L_B below every policy; Max-Weight and Whittle beat greedy and randomized and stay near L_B`, () => {
      const lb = lowerBound(net);
      const run = (policy: 'greedy' | 'randomized' | 'max-weight' | 'whittle') =>
        simulateBroadcast(net, policy, { slots: SLOTS, seed: 7 });
      const greedy = run('greedy');
      const randomized = run('randomized');
      const mw = run('max-weight');
      const whittle = run('whittle');
      for (const r of [greedy, randomized, mw, whittle]) expect(r.weightedAoI).toBeGreaterThan(lb);
      for (const r of [mw, whittle]) {
        expect(r.weightedAoI + r.ci95).toBeLessThan(greedy.weightedAoI - greedy.ci95);
        expect(r.weightedAoI + r.ci95).toBeLessThan(randomized.weightedAoI - randomized.ci95);
        // the paper proves ratio ≤ 2 for Max-Weight and finds both near the bound in simulation (1.05–1.13 here)
        expect(r.weightedAoI / lb).toBeLessThan(1.2);
      }
    });
  }

  it('general network with few clients (N = 5): Max-Weight and Whittle are no worse than greedy (within noise) and far better than randomized', () => {
    const net = general(5);
    const run = (policy: 'greedy' | 'randomized' | 'max-weight' | 'whittle') =>
      simulateBroadcast(net, policy, { slots: SLOTS, seed: 7 });
    const greedy = run('greedy');
    const randomized = run('randomized');
    for (const r of [run('max-weight'), run('whittle')]) {
      expect(r.weightedAoI - r.ci95).toBeLessThan(greedy.weightedAoI + greedy.ci95);
      expect(r.weightedAoI + r.ci95).toBeLessThan(randomized.weightedAoI - randomized.ci95);
    }
  });

  it('symmetric network (p_i = 0.4, α_i = 1, N = 10): greedy is optimal, and Max-Weight and Whittle reduce to it', () => {
    const net = symmetric(10, 0.4);
    const greedy = simulateBroadcast(net, 'greedy', { slots: SLOTS, seed: 5 });
    // with equal α and p both indexes rise with h alone, so they pick the same client every slot
    expect(simulateBroadcast(net, 'max-weight', { slots: SLOTS, seed: 5 }).weightedAoI).toBe(
      greedy.weightedAoI,
    );
    expect(simulateBroadcast(net, 'whittle', { slots: SLOTS, seed: 5 }).weightedAoI).toBe(greedy.weightedAoI);
    const randomized = simulateBroadcast(net, 'randomized', { slots: SLOTS, seed: 5 });
    expect(greedy.weightedAoI + greedy.ci95).toBeLessThan(randomized.weightedAoI - randomized.ci95);
    expect(greedy.weightedAoI).toBeGreaterThan(lowerBound(net));
  });
});
