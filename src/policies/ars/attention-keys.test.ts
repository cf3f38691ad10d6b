import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyBounds } from './attention.js';

describe('attention bucket key bounds', () => {
  it('every rate × n strictly inside the bounds of key k rounds to k (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1100, max: 1100 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (k, u) => {
          const [lo, hi] = keyBounds(k);
          expect(lo).toBeLessThan(hi);
          const x = lo + (hi - lo) * u;
          // (=== rather than toBe: round gives −0 just below 0.5, the same key)
          if (x > lo && x < hi) expect(Math.round(8 * Math.log2(x)) === k).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('neighbouring keys do not overlap, and the values next to a bound round to its key', () => {
    for (let k = -1030; k <= 1030; k++) {
      const [lo, hi] = keyBounds(k);
      const [nextLo] = keyBounds(k + 1);
      expect(hi).toBeLessThan(nextLo);
      const inLo = lo * (1 + 2 ** -52);
      const inHi = hi * (1 - 2 ** -52);
      expect(Math.round(8 * Math.log2(inLo)) === k).toBe(true);
      expect(Math.round(8 * Math.log2(inHi)) === k).toBe(true);
    }
  });
});
