import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addFreedSlots } from './attention.js';

/** The truncated count distribution after adding `count` slots one at a time (the definition). */
function oneByOne(start: readonly number[], p: number, count: number): number[] {
  const d = [...start];
  const top = d.length - 1;
  for (let u = 0; u < count; u++) {
    for (let k = top; k > 0; k--) d[k] = d[k]! * (1 - p) + d[k - 1]! * p;
    d[0] = d[0]! * (1 - p);
  }
  return d;
}

describe('the count of freed slots behind a waiting refresh (addFreedSlots)', () => {
  it('adds many slots at once as the same distribution as one at a time (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 16 }),
        fc.integer({ min: 0, max: 400 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 17, maxLength: 17 }),
        (top, count, p, weights) => {
          const start = weights.slice(0, top + 1);
          // at an offset, to check the slice it writes: the values around it stay
          const dist = new Float64Array(top + 3).fill(7);
          dist.set(start, 1);
          addFreedSlots(dist, 1, top, p, count);
          const want = oneByOne(start, p, count);
          expect(dist[0]).toBe(7);
          expect(dist[top + 2]).toBe(7);
          for (let k = 0; k <= top; k++) expect(Math.abs(dist[1 + k]! - want[k]!)).toBeLessThan(1e-12);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('keeps every count at or below top when all slots have freed and there are more of them', () => {
    const dist = Float64Array.of(0.5, 0.3, 0.2);
    addFreedSlots(dist, 0, 2, 1, 5);
    expect([...dist]).toEqual([0, 0, 0]);
    const some = Float64Array.of(1, 0, 0);
    addFreedSlots(some, 0, 2, 0, 5000);
    expect([...some]).toEqual([1, 0, 0]);
  });
});
