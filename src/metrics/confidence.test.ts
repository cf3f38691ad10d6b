import { describe, expect, it } from 'vitest';
import {
  batchMeans,
  incompleteBeta,
  logGamma,
  meanCi95,
  meanInterval,
  meanIntervalOf,
  normalCdf,
  normalQuantile,
  studentTCdf,
  studentTQuantile,
} from './confidence.js';
import { seededUniform } from './test-helpers/random.js';
import { RunningStats } from './welford.js';

describe('studentTQuantile against printed t tables (3 decimals)', () => {
  it.each([
    [0.975, 1, 12.706],
    [0.975, 2, 4.303],
    [0.975, 5, 2.571],
    [0.975, 9, 2.262],
    [0.975, 29, 2.045],
    [0.975, 120, 1.98],
    [0.95, 10, 1.812],
    [0.995, 5, 4.032],
    [0.9995, 3, 12.924],
    [0.9, 1, 3.078],
    [0.975, 1e9, 1.96],
    [0.975, Number.POSITIVE_INFINITY, 1.96],
  ])('t(%d, %d) = %d', (p, df, expected) => {
    expect(studentTQuantile(p, df)).toBeCloseTo(expected, 3);
  });

  it('matches more digits where they are known: t(0.975, 9) = 2.2621571628, z(0.975) = 1.9599639845', () => {
    expect(studentTQuantile(0.975, 9)).toBeCloseTo(2.2621571628, 9);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 12);
    expect(normalQuantile(0.5)).toBe(0);
  });

  it('is antisymmetric and inverts the CDF for integer and fractional df', () => {
    for (const df of [0.7, 1, 2, 3, 4.5, 10, 57, 1000, 50_000]) {
      for (const p of [1e-6, 0.01, 0.2, 0.6, 0.9, 0.975, 0.999]) {
        const t = studentTQuantile(p, df);
        expect(studentTQuantile(1 - p, df)).toBeCloseTo(-t, 8);
        expect(studentTCdf(t, df), `df=${df} p=${p}`).toBeCloseTo(p, 10);
      }
    }
  });

  it('joins the Cornish–Fisher branch smoothly above 1e5 degrees of freedom', () => {
    const below = studentTQuantile(0.995, 1e5);
    const above = studentTQuantile(0.995, 1e5 + 1);
    expect(Math.abs(below - above)).toBeLessThan(1e-9);
  });

  it('rejects p outside (0, 1) and df ≤ 0', () => {
    const bad = expect.objectContaining({ code: 'ARS_E_INPUT_ARGUMENT' });
    expect(() => studentTQuantile(1, 5)).toThrowError(bad);
    expect(() => studentTQuantile(0.5, 0)).toThrowError(bad);
    expect(() => normalQuantile(0)).toThrowError(bad);
  });
});

describe('special functions', () => {
  it('logGamma matches factorials and Γ(1/2) = √π', () => {
    expect(logGamma(1)).toBeCloseTo(0, 14);
    expect(logGamma(6)).toBeCloseTo(Math.log(120), 13);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 13);
    expect(logGamma(101)).toBeCloseTo(363.73937555556347, 9);
  });

  it('incompleteBeta matches closed forms: I_x(1, 1) = x, I_x(2, 1) = x², I_x(a, b) = 1 − I_(1−x)(b, a)', () => {
    expect(incompleteBeta(0.3, 1, 1)).toBeCloseTo(0.3, 14);
    expect(incompleteBeta(0.3, 2, 1)).toBeCloseTo(0.09, 14);
    expect(incompleteBeta(0.4, 3.5, 2.2) + incompleteBeta(0.6, 2.2, 3.5)).toBeCloseTo(1, 13);
  });

  it('normalCdf gives Φ(0) = 0.5, Φ(1.96) ≈ 0.9750021, and the far tail Φ(−10) ≈ 7.62e-24', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 15);
    expect(normalCdf(1.96)).toBeCloseTo(0.9750021048517795, 12);
    expect(normalCdf(-10) / 7.619853024160527e-24).toBeCloseTo(1, 9);
  });
});

describe('meanCi95', () => {
  it('computes the t interval by hand: [1, 2, 3, 4, 5] → mean 3, ci95 = 2.776 · √2.5 / √5', () => {
    const r = meanCi95([1, 2, 3, 4, 5]);
    expect(r.mean).toBe(3);
    expect(r.ci95).toBeCloseTo(studentTQuantile(0.975, 4) * Math.sqrt(2.5 / 5), 12);
    expect(r.ci95).toBeCloseTo(1.963, 3);
    expect(r.n).toBe(5);
  });

  it('gives NaN half-width for one value and NaN everything for none', () => {
    expect(meanCi95([7])).toEqual({ mean: 7, ci95: Number.NaN, n: 1 });
    expect(meanCi95([])).toEqual({ mean: Number.NaN, ci95: Number.NaN, n: 0 });
  });

  it('agrees with the RunningStats form and widens with the level', () => {
    const values = [3.1, 2.7, 3.8, 4.4, 2.9, 3.3];
    const fromStats = meanIntervalOf(RunningStats.of(values));
    const direct = meanInterval(values);
    expect(fromStats.mean).toBeCloseTo(direct.mean, 14);
    expect(fromStats.halfWidth).toBeCloseTo(direct.halfWidth, 12);
    expect(meanInterval(values, 0.99).halfWidth).toBeGreaterThan(direct.halfWidth);
  });

  it('covers the true mean about 95 % of the time (2,000 samples of 10 uniforms, seeded)', () => {
    const rand = seededUniform(2024);
    let covered = 0;
    for (let rep = 0; rep < 2000; rep++) {
      const xs = Array.from({ length: 10 }, () => rand());
      const { mean, ci95 } = meanCi95(xs);
      if (Math.abs(mean - 0.5) <= ci95) covered++;
    }
    // Binomial(2000, 0.95) has sd ≈ 9.7; ± 4 sd.
    expect(covered).toBeGreaterThan(1900 - 39);
    expect(covered).toBeLessThan(1900 + 39);
  });
});

describe('batchMeans', () => {
  it('cuts the series after the warm-up into equal batches and drops the remainder at the front', () => {
    // 3 warm-up values, then 23 values in 5 batches of 4: the first 3 after warm-up are dropped.
    const values = [100, 100, 100, 9, 9, 9, ...Array.from({ length: 20 }, (_, i) => Math.floor(i / 4))];
    const r = batchMeans(values, { batches: 5, warmup: 3 });
    expect(r.batchSize).toBe(4);
    expect(r.discarded).toBe(6);
    expect(r.n).toBe(5);
    expect(r.mean).toBe(2); // batch means 0, 1, 2, 3, 4
    expect(r.halfWidth).toBeCloseTo(studentTQuantile(0.975, 4) * Math.sqrt(2.5 / 5), 12);
    expect(r.lag1).toBeCloseTo(0.4, 12); // deviations −2..2: (2 + 0 + 0 + 2) / 10
  });

  it('brackets the mean of an autocorrelated AR(1) series with a 95 % interval', () => {
    const rand = seededUniform(99);
    const xs: number[] = [];
    let x = 0;
    for (let i = 0; i < 200_000; i++) {
      x = 0.9 * x + (rand() - 0.5);
      xs.push(10 + x);
    }
    const r = batchMeans(xs, { batches: 20, warmup: 1000 });
    expect(Math.abs(r.mean - 10)).toBeLessThan(r.halfWidth * 1.5);
    expect(Math.abs(r.lag1)).toBeLessThan(0.5);
  });

  it('rejects too few values or batches', () => {
    const bad = expect.objectContaining({ code: 'ARS_E_INPUT_ARGUMENT' });
    expect(() => batchMeans([1, 2, 3], { batches: 5 })).toThrowError(bad);
    expect(() => batchMeans([1, 2, 3], { batches: 1 })).toThrowError(bad);
    expect(() => batchMeans([1, 2, 3, 4, 5, 6], { batches: 2, warmup: 5 })).toThrowError(bad);
  });
});
