import { describe, expect, it } from 'vitest';
import { dominantResourceOf, dominantShare, jainIndex, normalizedJainIndex } from './fairness.js';

describe('jainIndex (reference values, Jain, Chiu & Hawe 1984)', () => {
  it.each([
    [[1, 1, 1, 1], 1],
    [[1, 0, 0, 0], 0.25],
    [[1, 2, 3, 4], 0.8333333],
    [[10, 20], 0.9],
  ])('J(%j) = %d', (values, expected) => {
    expect(jainIndex(values)).toBeCloseTo(expected, 7);
  });

  it('is k/n when k of n parties share equally and the rest get 0', () => {
    for (const n of [1, 3, 8, 17]) {
      for (let k = 1; k <= n; k++) {
        const x = Array.from({ length: n }, (_, i) => (i < k ? 2.5 : 0));
        expect(jainIndex(x)).toBeCloseTo(k / n, 12);
      }
    }
  });

  it('is scale-invariant, also for values whose squares would overflow or underflow', () => {
    expect(jainIndex([1e200, 2e200])).toBeCloseTo(0.9, 12);
    expect(jainIndex([1e-200, 2e-200])).toBeCloseTo(0.9, 12);
    expect(jainIndex(new Float64Array([3, 6]))).toBeCloseTo(0.9, 12);
  });

  it('defines the all-zero case as 1 and the empty case as NaN', () => {
    expect(jainIndex([0, 0, 0])).toBe(1);
    expect(jainIndex([])).toBeNaN();
  });

  it('rejects negative and non-finite values', () => {
    expect(() => jainIndex([1, -1])).toThrowError(expect.objectContaining({ code: 'ARS_E_INPUT_ARGUMENT' }));
    expect(() => jainIndex([1, Number.NaN])).toThrowError(
      expect.objectContaining({ code: 'ARS_E_INPUT_ARGUMENT' }),
    );
  });

  it('normalises by fair shares: getting exactly what one is entitled to is perfectly fair', () => {
    expect(normalizedJainIndex([10, 20, 30], [1, 2, 3])).toBeCloseTo(1, 12);
    expect(normalizedJainIndex([10, 10], [1, 2])).toBeCloseTo(0.9, 12); // x = [10, 5]
    expect(normalizedJainIndex([5, 7], [1, 0])).toBe(1); // zero entitlement left out
    expect(() => normalizedJainIndex([1], [1, 2])).toThrowError(
      expect.objectContaining({ code: 'ARS_E_INPUT_ARGUMENT' }),
    );
  });
});

describe('dominantShare', () => {
  it('is the largest share of any resource: DRF paper, A with 3 tasks of ⟨1 CPU, 4 GB⟩ of ⟨9, 18⟩ → 2/3', () => {
    expect(dominantShare([3, 12], [9, 18])).toBe(2 / 3);
    expect(dominantShare({ cpu: 6, mem: 2 }, { cpu: 9, mem: 18 })).toBe(2 / 3);
    expect(dominantResourceOf([3, 12], [9, 18])).toBe(1);
    expect(dominantResourceOf([0, 0], [9, 18])).toBe(-1);
  });

  it('divides by the weight (Mesos weighted sorter)', () => {
    expect(dominantShare([6, 6], [100, 100], 2)).toBeCloseTo(0.03, 15);
    expect(dominantShare([10, 20], [100, 100], 10)).toBeCloseTo(0.02, 15);
  });

  it('treats missing named resources as 0, zero totals as ignorable or infinite', () => {
    expect(dominantShare({ mem: 9 }, { cpu: 10, mem: 18 })).toBe(0.5);
    expect(dominantShare([0, 1], [0, 4])).toBe(0.25);
    expect(dominantShare([1, 1], [0, 4])).toBe(Number.POSITIVE_INFINITY);
    expect(dominantShare([0, 0], [9, 18])).toBe(0);
  });

  it('rejects mismatched vectors and bad weights', () => {
    const bad = expect.objectContaining({ code: 'ARS_E_INPUT_ARGUMENT' });
    expect(() => dominantShare([1], [1, 2])).toThrowError(bad);
    expect(() => dominantShare({ gpu: 1 }, { cpu: 1 })).toThrowError(bad);
    expect(() => dominantShare([1, 2], { cpu: 1 })).toThrowError(bad);
    expect(() => dominantShare([1], [2], 0)).toThrowError(bad);
  });
});
