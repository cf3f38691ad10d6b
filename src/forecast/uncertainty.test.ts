import { describe, expect, it } from 'vitest';
import { DriftEstimator } from './uncertainty.js';

const input = expect.objectContaining({ code: 'ARS_E_INPUT_ARGUMENT' });

/** Seeded uniform [0, 1): Marsaglia's xorshift32, local to this test. */
function uniform(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

/** Standard normal by Box-Muller. */
function normal(random: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** Samples of a random walk with drift at irregular gaps, uniform in [0.2, 1.8] s. */
function* randomWalk(seed: number, sigma: number, drift: number, count: number) {
  const random = uniform(seed);
  const gauss = normal(random);
  let time = 0;
  let value = 0;
  for (let i = 0; i < count; i++) {
    yield [time, value] as const;
    const dt = 0.2 + 1.6 * random();
    time += dt;
    value += drift * dt + sigma * Math.sqrt(dt) * gauss();
  }
}

// 20 000 increments: the relative standard error of the variance is about sqrt(2 / 20000) = 1 %,
// that of the drift sigma / sqrt(total time) = 2 / sqrt(20000) = 0.014. Tolerances are ~4 standard errors.
const VARIANCE_REL_TOLERANCE = 0.05;
const DRIFT_ABS_TOLERANCE = 0.06;

describe('DriftEstimator', () => {
  it('matches hand-computed values', () => {
    const d = new DriftEstimator();
    for (const [t, v] of [
      [0, 0],
      [1, 1],
      [3, 3],
    ] as const) {
      d.observe(t, v);
    }
    // Increments (dx, dt) = (1, 1) and (2, 2): drift 3/3 = 1, residual 1 + 2 - 9/3 = 0.
    expect(d.driftPerSecond).toBe(1);
    expect(d.variancePerSecond).toBe(0);
    expect(d.expectedError(2)).toBe(2);
    const noDrift = new DriftEstimator({ estimateDrift: false });
    noDrift.observe(0, 0);
    noDrift.observe(1, 1);
    noDrift.observe(3, 3);
    // (1 + 4/2) / 2 increments.
    expect(noDrift.variancePerSecond).toBe(1.5);
    expect(noDrift.expectedError(4)).toBe(Math.sqrt(6));
  });

  it.each([1, 2, 3])('converges on a simulated random walk with known sigma and drift (seed %i)', (seed) => {
    const sigma = 2;
    const drift = 0.5;
    const d = new DriftEstimator();
    for (const [t, v] of randomWalk(seed, sigma, drift, 20_001)) d.observe(t, v);
    expect(d.incrementCount).toBe(20_000);
    expect(Math.abs(d.variancePerSecond / sigma ** 2 - 1)).toBeLessThan(VARIANCE_REL_TOLERANCE);
    expect(Math.abs(d.driftPerSecond - drift)).toBeLessThan(DRIFT_ABS_TOLERANCE);
    const age = 30;
    const truth = Math.sqrt(sigma ** 2 * age + (drift * age) ** 2);
    expect(Math.abs(d.expectedError(age) / truth - 1)).toBeLessThan(VARIANCE_REL_TOLERANCE);
  });

  it('follows a change of volatility when forgetting', () => {
    const forgetful = new DriftEstimator({ forgetting: 0.99 });
    const steady = new DriftEstimator();
    let offset = 0;
    let lastTime = 0;
    for (const [t, v] of randomWalk(7, 1, 0, 5000)) {
      forgetful.observe(t, v);
      steady.observe(t, v);
      offset = v;
      lastTime = t;
    }
    for (const [t, v] of randomWalk(8, 3, 0, 2000)) {
      forgetful.observe(lastTime + 1 + t, offset + v);
      steady.observe(lastTime + 1 + t, offset + v);
    }
    // Forgetting 0.99 keeps about 100 effective increments: expect within 30 % of 9.
    expect(Math.abs(forgetful.variancePerSecond / 9 - 1)).toBeLessThan(0.3);
    expect(steady.variancePerSecond).toBeLessThan(6);
  });

  it('is NaN until it has enough increments, and a repeated time replaces the sample', () => {
    const d = new DriftEstimator();
    expect(d.expectedError(1)).toBeNaN();
    d.observe(0, 0);
    d.observe(1, 2);
    expect(d.driftPerSecond).toBe(2);
    expect(d.variancePerSecond).toBeNaN();
    d.observe(1, 5);
    expect(d.incrementCount).toBe(1);
    d.observe(2, 5);
    // Increments (2, 1) from (0,0) to (1,2), then (0, 1) from the replacing sample (1,5).
    expect(d.driftPerSecond).toBe(1);
    expect(d.n).toBe(4);
  });

  it('forgets everything on reset', () => {
    const d = new DriftEstimator();
    d.observe(0, 1);
    d.observe(1, 3);
    d.reset();
    d.observe(10, 0);
    expect([d.n, d.incrementCount]).toEqual([1, 0]);
    expect(d.driftPerSecond).toBeNaN();
  });

  it('refuses bad input', () => {
    expect(() => new DriftEstimator({ forgetting: 0 })).toThrow(input);
    expect(() => new DriftEstimator({ forgetting: 1.2 })).toThrow(input);
    const d = new DriftEstimator();
    expect(() => d.observe(Number.NaN, 1)).toThrow(input);
    d.observe(5, 1);
    expect(() => d.observe(4, 1)).toThrow(input);
    expect(() => d.expectedError(-1)).toThrow(input);
  });
});
