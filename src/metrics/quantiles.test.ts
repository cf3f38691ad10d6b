import { describe, expect, it } from 'vitest';
import { ArsError } from '../errors.js';
import { QuantileSketch } from './quantiles.js';
import { exactQuantile, seededUniform } from './test-helpers/random.js';

// The bound is exact in real arithmetic; logarithms and powers add a few ulps at bucket edges.
const FLOAT_SLACK = 1e-12;
const QS = [0, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1];

function expectWithinBound(sketch: QuantileSketch, sorted: number[]): void {
  const alpha = sketch.relativeAccuracy;
  for (const q of QS) {
    const exact = exactQuantile(sorted, q);
    const estimate = sketch.quantile(q);
    const error = Math.abs(estimate - exact);
    if (exact < sketch.minTrackable) expect(error).toBeLessThan(sketch.minTrackable);
    else
      expect(error / exact, `q=${q} exact=${exact} estimate=${estimate}`).toBeLessThanOrEqual(
        alpha + FLOAT_SLACK,
      );
  }
}

describe('QuantileSketch', () => {
  it('reports NaN for every statistic when empty, and count 0', () => {
    const s = new QuantileSketch();
    expect(s.count).toBe(0);
    expect(s.min).toBeNaN();
    expect(s.max).toBeNaN();
    expect(s.mean).toBeNaN();
    expect(s.quantile(0.5)).toBeNaN();
    expect(s.summary().p99).toBeNaN();
  });

  it('returns the single value for every quantile when it holds one value', () => {
    const s = new QuantileSketch();
    s.add(3.7);
    for (const q of QS) expect(s.quantile(q)).toBe(3.7);
    expect(s.summary()).toEqual({ count: 1, min: 3.7, max: 3.7, mean: 3.7, p50: 3.7, p95: 3.7, p99: 3.7 });
  });

  it('returns the common value exactly when all values are equal (clamped to min and max)', () => {
    const s = new QuantileSketch();
    for (let i = 0; i < 1000; i++) s.add(0.125);
    for (const q of QS) expect(s.quantile(q)).toBe(0.125);
    expect(s.mean).toBe(0.125);
  });

  it('counts zeros and values below minTrackable as 0', () => {
    const s = new QuantileSketch({ minTrackable: 1e-6 });
    for (let i = 0; i < 60; i++) s.add(0);
    for (let i = 0; i < 10; i++) s.add(5e-7);
    for (let i = 0; i < 30; i++) s.add(2);
    expect(s.count).toBe(100);
    expect(s.quantile(0.5)).toBe(0);
    expect(s.quantile(0.65)).toBe(0);
    expect(s.quantile(0.75)).toBeCloseTo(2, 1);
    expect(s.min).toBe(0);
    expect(s.max).toBe(2);
  });

  it('all zeros give zero everywhere', () => {
    const s = new QuantileSketch();
    for (let i = 0; i < 10; i++) s.add(0);
    expect(s.quantile(0.99)).toBe(0);
    expect(s.mean).toBe(0);
  });

  it('stays within 0.5 % of exact sorted-array quantiles on log-normal latencies', () => {
    const rand = seededUniform(42);
    const s = new QuantileSketch();
    const values: number[] = [];
    for (let i = 0; i < 50_000; i++) {
      // Box–Muller normal, exponentiated: latencies spanning several decades.
      const z = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
      const v = Math.exp(1.5 * z - 2);
      values.push(v);
      s.add(v);
    }
    values.sort((a, b) => a - b);
    expectWithinBound(s, values);
    expect(s.count).toBe(values.length);
    expect(s.min).toBe(values[0]);
    expect(s.max).toBe(values[values.length - 1]);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    expect(Math.abs(s.mean - mean) / mean).toBeLessThan(1e-12);
  });

  it('honours a coarser accuracy on uniform data with many ties', () => {
    const rand = seededUniform(7);
    const s = new QuantileSketch({ relativeAccuracy: 0.02 });
    const values: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      const v = Math.floor(rand() * 1000) / 10;
      values.push(v);
      s.add(v);
    }
    values.sort((a, b) => a - b);
    expectWithinBound(s, values);
  });

  it('merges into exactly the sketch of the union', () => {
    const rand = seededUniform(3);
    const a = new QuantileSketch();
    const b = new QuantileSketch();
    const all = new QuantileSketch();
    const values: number[] = [];
    for (let i = 0; i < 10_000; i++) {
      // b sees a disjoint, much larger range, so the merge must grow the store on both sides.
      const v = i % 2 === 0 ? rand() * 0.01 : 1000 + rand() * 1e6;
      (i % 2 === 0 ? a : b).add(v);
      all.add(v);
      values.push(v);
    }
    const merged = b.clone();
    merged.merge(a);
    for (const q of QS) expect(merged.quantile(q)).toBe(all.quantile(q));
    expect(merged.count).toBe(all.count);
    expect(merged.min).toBe(all.min);
    expect(merged.max).toBe(all.max);
    values.sort((x, y) => x - y);
    expectWithinBound(merged, values);
  });

  it('keeps high quantiles within the bound after collapsing low buckets', () => {
    const s = new QuantileSketch({ maxBuckets: 100 });
    const values: number[] = [];
    for (let i = 1; i <= 2000; i++) {
      const v = 1.01 ** i; // spans ~ 1,000 buckets at α = 0.005
      values.push(v);
      s.add(v);
    }
    expect(s.collapsed).toBe(true);
    const exact = exactQuantile(values, 0.99);
    expect(Math.abs(s.quantile(0.99) - exact) / exact).toBeLessThanOrEqual(0.005 + FLOAT_SLACK);
    expect(s.quantile(0)).toBe(values[0]);
  });

  it('supports weighted adds and clear', () => {
    const s = new QuantileSketch();
    s.add(1, 99);
    s.add(100, 1);
    expect(s.count).toBe(100);
    expect(s.quantile(0.98)).toBeCloseTo(1, 1);
    expect(s.quantile(1)).toBe(100);
    s.clear();
    expect(s.count).toBe(0);
    s.add(5);
    expect(s.quantile(0.5)).toBe(5);
  });

  it('rejects negative, NaN and infinite values, bad q and bad options with ARS_E_INPUT_ARGUMENT', () => {
    const s = new QuantileSketch();
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => s.add(bad)).toThrowError(expect.objectContaining({ code: 'ARS_E_INPUT_ARGUMENT' }));
    }
    expect(() => s.add(1, 0.5)).toThrow(ArsError);
    expect(() => s.quantile(1.5)).toThrow(ArsError);
    expect(() => new QuantileSketch({ relativeAccuracy: 0 })).toThrow(ArsError);
    expect(() => s.merge(new QuantileSketch({ relativeAccuracy: 0.01 }))).toThrow(ArsError);
  });
});
