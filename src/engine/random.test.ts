import { describe, expect, it } from 'vitest';
import { ArsError } from '../errors.js';
import { RandomStream, RandomStreams } from './random.js';

const N = 200_000;
/**
 * Statistical tolerance: 5 standard errors. The seed is fixed, so each check either always passes or
 * always fails; 5 SE makes a correct generator fail a given check with probability below 1e-6, while a
 * wrong mean or variance of even 2% is caught at N = 200,000 for every distribution below.
 */
const Z = 5;

function moments(draw: () => number, n = N) {
  const xs = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    xs[i] = draw();
    sum += xs[i]!;
  }
  const mean = sum / n;
  let m2 = 0;
  let m4 = 0;
  for (const x of xs) {
    const d = (x - mean) ** 2;
    m2 += d;
    m4 += d * d;
  }
  return { mean, variance: m2 / (n - 1), m4: m4 / n };
}

function expectMoments(draw: () => number, mean: number, variance: number) {
  const m = moments(draw);
  // SE of the mean: sqrt(var/N). SE of the sample variance: sqrt((m4 - var^2)/N).
  expect(Math.abs(m.mean - mean)).toBeLessThan(Z * Math.sqrt(variance / N));
  expect(Math.abs(m.variance - variance)).toBeLessThan(Z * Math.sqrt((m.m4 - m.variance ** 2) / N));
}

/** Upper chi-square quantile at p = 0.001 (z = 3.09) by the Wilson-Hilferty approximation. */
function chiSquareCritical(df: number): number {
  const k = 2 / (9 * df);
  return df * (1 - k + 3.09 * Math.sqrt(k)) ** 3;
}

function expectArsError(fn: () => unknown, bad: string) {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ArsError);
    expect((err as ArsError).code).toBe('ARS_E_ENGINE');
    expect((err as ArsError).message).toContain(bad);
    return;
  }
  throw new Error('expected an ArsError');
}

describe('xoshiro128** core', () => {
  it('matches the outputs computed by hand from state (1, 2, 3, 4)', () => {
    const r = RandomStream.fromState([1, 2, 3, 4]);
    expect([r.nextUint32(), r.nextUint32(), r.nextUint32()]).toEqual([11520, 0, 5927040]);
  });

  it('next() gives doubles in [0, 1) carrying 53 random bits', () => {
    const r = new RandomStreams(7).stream('bits');
    let lowBitSet = 0;
    for (let i = 0; i < 10_000; i++) {
      const x = r.next();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      const scaled = x * 2 ** 53;
      expect(Number.isInteger(scaled)).toBe(true);
      if (scaled % 2 === 1) lowBitSet++;
    }
    // The 53rd bit is random: about half the draws have it set.
    expect(lowBitSet).toBeGreaterThan(4_500);
    expect(lowBitSet).toBeLessThan(5_500);
  });
});

describe('streams', () => {
  const take = (r: RandomStream, n = 5) => Array.from({ length: n }, () => r.next());

  it('same seed and name give the same sequence; the same name gives the same object', () => {
    const a = new RandomStreams(42);
    const b = new RandomStreams(42);
    expect(take(a.stream('arrivals'))).toEqual(take(b.stream('arrivals')));
    expect(a.stream('arrivals')).toBe(a.stream('arrivals'));
  });

  it('different names, seeds or split names give different sequences', () => {
    const s = new RandomStreams(42);
    const seqs = [
      take(s.stream('arrivals')),
      take(s.stream('arrivalt')),
      take(new RandomStreams(43).stream('arrivals')),
      take(new RandomStreams(42.5).stream('arrivals')),
      take(s.stream('policy').split('a')),
      take(s.stream('policy').split('b')),
    ];
    expect(new Set(seqs.map((q) => q.join())).size).toBe(seqs.length);
  });

  it('drawing from one stream does not change another', () => {
    const a = new RandomStreams(5);
    const b = new RandomStreams(5);
    take(a.stream('failures'), 1000);
    expect(take(a.stream('dynamics'))).toEqual(take(b.stream('dynamics')));
  });

  it('split depends on the parent key and the name, not on how far the parent has drawn', () => {
    const s = new RandomStreams(9).stream('policy');
    const before = take(s.split('worker-1'));
    take(s, 100);
    expect(take(s.split('worker-1'))).toEqual(before);
  });

  it('streams with similar names are uncorrelated', () => {
    const s = new RandomStreams(1);
    const x = take(s.stream('node-1'), N);
    const y = take(s.stream('node-2'), N);
    let sxy = 0;
    for (let i = 0; i < N; i++) sxy += (x[i]! - 0.5) * (y[i]! - 0.5);
    const correlation = sxy / N / (1 / 12);
    expect(Math.abs(correlation)).toBeLessThan(Z / Math.sqrt(N));
  });
});

describe('distributions: mean and variance within 5 standard errors', () => {
  const r = new RandomStreams(2024).stream('distributions');
  const gamma15 = Math.sqrt(Math.PI) / 2;
  const table: [string, () => number, number, number][] = [
    ['next()', () => r.next(), 0.5, 1 / 12],
    ['uniform(2, 5)', () => r.uniform(2, 5), 3.5, 0.75],
    ['int(10)', () => r.int(10), 4.5, 8.25],
    ['exponential(2)', () => r.exponential(2), 0.5, 0.25],
    ['normal(3, 2)', () => r.normal(3, 2), 3, 4],
    [
      'lognormal(0.5, 0.4)',
      () => r.lognormal(0.5, 0.4),
      Math.exp(0.58),
      (Math.exp(0.16) - 1) * Math.exp(1.16),
    ],
    // Weibull mean scale*Γ(1+1/k), variance scale²(Γ(1+2/k) - Γ(1+1/k)²).
    ['weibull(2, 3)', () => r.weibull(2, 3), 3 * gamma15, 9 * (1 - gamma15 ** 2)],
    ['weibull(0.5, 1)', () => r.weibull(0.5, 1), 2, 24 - 4],
    // Pareto mean αx/(α-1), variance x²α/((α-1)²(α-2)); α = 5 keeps the fourth moment finite.
    ['pareto(5, 2)', () => r.pareto(5, 2), 2.5, (4 * 5) / (16 * 3)],
    ['poisson(3) (product method)', () => r.poisson(3), 3, 3],
    ['poisson(9.9) (product method)', () => r.poisson(9.9), 9.9, 9.9],
    ['poisson(10) (PTRS)', () => r.poisson(10), 10, 10],
    ['poisson(100) (PTRS)', () => r.poisson(100), 100, 100],
    ['poisson(1e6) (PTRS)', () => r.poisson(1e6), 1e6, 1e6],
    ['bernoulli(0.3)', () => (r.bernoulli(0.3) ? 1 : 0), 0.3, 0.21],
    ['empirical([1,2,3], [1,2,7])', () => r.empirical([1, 2, 3], [1, 2, 7]), 2.6, 0.44],
    ['empirical([1,2,3])', () => r.empirical([1, 2, 3]), 2, 2 / 3],
    // Three points, not two: for a symmetric two-point law the variance's standard error vanishes.
    ['pick([0,10,20])', () => r.pick([0, 10, 20]), 10, 200 / 3],
  ];
  it.each(table)('%s', (_name, draw, mean, variance) => expectMoments(draw, mean, variance));
});

describe('distribution shapes', () => {
  const r = new RandomStreams(77).stream('shapes');

  /** Chi-square of Poisson counts against the pmf, cells with expectation < 5 lumped into the tails. */
  function poissonChiSquare(mean: number) {
    const n = 100_000;
    const counts = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const k = r.poisson(mean);
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    let logP = -mean; // log pmf(0)
    let lowP = 0;
    let lowCount = 0;
    let chi = 0;
    let cells = 0;
    let seenP = 0;
    let seenCount = 0;
    for (let k = 0; ; k++) {
      if (k > 0) logP += Math.log(mean / k);
      const p = Math.exp(logP);
      if (n * (lowP + p) < 5 && k < mean) {
        lowP += p;
        lowCount += counts.get(k) ?? 0;
        continue;
      }
      const e = n * (lowP + p);
      const o = lowCount + (counts.get(k) ?? 0);
      lowP = 0;
      lowCount = 0;
      seenP += e / n;
      seenCount += o;
      chi += (o - e) ** 2 / e;
      cells++;
      if (k > mean && n * (1 - seenP) < 5) break;
    }
    const tailE = n * (1 - seenP);
    const tailO = n - seenCount;
    if (tailE > 0) {
      chi += (tailO - tailE) ** 2 / tailE;
      cells++;
    }
    return { chi, df: cells - 1 };
  }

  it.each([2.5, 12, 30, 250])('poisson(%s) follows the Poisson pmf (chi-square, p = 0.001)', (mean) => {
    const { chi, df } = poissonChiSquare(mean);
    expect(df).toBeGreaterThan(5);
    expect(chi).toBeLessThan(chiSquareCritical(df));
  });

  it('shuffle makes all 6 orders of 3 items equally likely (chi-square, p = 0.001)', () => {
    const n = 60_000;
    const counts = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const key = r.shuffle(['a', 'b', 'c']).join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    const e = n / 6;
    const chi = [...counts.values()].reduce((s, o) => s + (o - e) ** 2 / e, 0);
    expect(chi).toBeLessThan(chiSquareCritical(5));
  });

  it('shuffle keeps the elements and works on empty and one-element arrays', () => {
    const xs = Array.from({ length: 50 }, (_, i) => i);
    const shuffled = r.shuffle([...xs]);
    expect(shuffled).not.toEqual(xs);
    expect([...shuffled].sort((a, b) => a - b)).toEqual(xs);
    expect(r.shuffle([])).toEqual([]);
    expect(r.shuffle([1])).toEqual([1]);
  });

  it('empirical never picks a zero-weight value', () => {
    for (let i = 0; i < 10_000; i++) expect(r.empirical(['x', 'y', 'z'], [0, 1, 0])).toBe('y');
  });

  it('degenerate parameters give the degenerate answer', () => {
    expect(r.poisson(0)).toBe(0);
    expect(r.normal(4, 0)).toBe(4);
    expect(r.uniform(3, 3)).toBe(3);
    expect(r.bernoulli(0)).toBe(false);
    expect(r.bernoulli(1)).toBe(true);
  });
});

describe('bad parameters throw ARS_E_ENGINE with the bad value', () => {
  const r = new RandomStreams(1).stream('errors');
  it.each([
    ['exponential(-1)', () => r.exponential(-1), '-1'],
    ['exponential(0)', () => r.exponential(0), '0'],
    ['bernoulli(1.5)', () => r.bernoulli(1.5), '1.5'],
    ['bernoulli(NaN)', () => r.bernoulli(Number.NaN), 'NaN'],
    ['normal(0, -2)', () => r.normal(0, -2), '-2'],
    ['lognormal(0, -3)', () => r.lognormal(0, -3), '-3'],
    ['weibull(0, 1)', () => r.weibull(0, 1), '0'],
    ['pareto(2, -1)', () => r.pareto(2, -1), '-1'],
    ['poisson(-4)', () => r.poisson(-4), '-4'],
    ['uniform(5, 2)', () => r.uniform(5, 2), '5, 2'],
    ['int(2.5)', () => r.int(2.5), '2.5'],
    ['empirical([])', () => r.empirical([]), '[]'],
    ['empirical weights mismatch', () => r.empirical([1, 2], [1]), '1 weights'],
    ['empirical negative weight', () => r.empirical([1, 2], [1, -7]), '-7'],
    ['empirical zero total', () => r.empirical([1, 2], [0, 0]), '0'],
    ['pick([])', () => r.pick([]), '[]'],
    ['RandomStreams(NaN)', () => new RandomStreams(Number.NaN), 'NaN'],
  ])('%s', (_name, fn, bad) => expectArsError(fn, bad));
});
