import { describe, expect, it } from 'vitest';
import { seededUniform } from './test-helpers/random.js';
import { RunningStats } from './welford.js';

function twoPass(values: number[]) {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const ss = values.reduce((a, b) => a + (b - mean) ** 2, 0);
  return { mean, variance: ss / (values.length - 1) };
}

describe('RunningStats', () => {
  it('is NaN everywhere when empty', () => {
    const s = new RunningStats();
    expect(s.count).toBe(0);
    expect(s.mean).toBeNaN();
    expect(s.variance).toBeNaN();
    expect(s.populationVariance).toBeNaN();
    expect(s.min).toBeNaN();
    expect(s.max).toBeNaN();
  });

  it('has NaN sample variance and zero population variance for one value', () => {
    const s = RunningStats.of([4]);
    expect(s.mean).toBe(4);
    expect(s.variance).toBeNaN();
    expect(s.populationVariance).toBe(0);
    expect(s.min).toBe(4);
    expect(s.max).toBe(4);
  });

  it('matches a hand-computed example: 2, 4, 4, 4, 5, 5, 7, 9', () => {
    const s = RunningStats.of([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(s.mean).toBe(5);
    expect(s.populationVariance).toBe(4);
    expect(s.variance).toBeCloseTo(32 / 7, 14);
    expect(s.sum).toBe(40);
    expect([s.min, s.max]).toEqual([2, 9]);
  });

  it('stays accurate with a large offset where the naive sum-of-squares formula fails', () => {
    const values = [1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16];
    const s = RunningStats.of(values);
    expect(s.mean).toBe(1e9 + 10);
    expect(s.variance).toBeCloseTo(30, 9);
  });

  it('merges partial collectors into the statistics of the whole stream', () => {
    const rand = seededUniform(11);
    const values = Array.from({ length: 3001 }, () => rand() * 100 - 20);
    const parts = [new RunningStats(), new RunningStats(), new RunningStats(), new RunningStats()];
    values.forEach((v, i) => {
      parts[i % 3 === 0 ? 0 : i < 1000 ? 1 : 2]!.add(v);
    });
    const merged = new RunningStats();
    for (const p of parts) merged.merge(p); // parts[3] is empty on purpose
    const ref = twoPass(values);
    expect(merged.count).toBe(values.length);
    expect(merged.mean).toBeCloseTo(ref.mean, 10);
    expect(merged.variance).toBeCloseTo(ref.variance, 8);
    expect(merged.min).toBe(Math.min(...values));
    expect(merged.max).toBe(Math.max(...values));
  });

  it('rejects non-finite values', () => {
    expect(() => new RunningStats().add(Number.NaN)).toThrowError(
      expect.objectContaining({ code: 'ARS_E_INPUT_ARGUMENT' }),
    );
  });
});
