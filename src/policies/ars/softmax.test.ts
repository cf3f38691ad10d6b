import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { softmax, WaterFiller, waterFill } from './softmax.js';

/** Sums of a few hundred shares: float error stays far below this. */
const EPS = 1e-9;

const sum = (xs: ArrayLike<number>) => Array.from(xs).reduce((a, b) => a + b, 0);

describe('softmax', () => {
  it('turns ln-odds into probabilities: [0, ln 3] → [1/4, 3/4]', () => {
    const w = softmax([0, Math.log(3)], 1);
    expect(w[0]).toBeCloseTo(0.25, 12);
    expect(w[1]).toBeCloseTo(0.75, 12);
  });

  it('is a power law of exp(score): temperature 2 takes the square root of the odds', () => {
    const w = softmax([0, Math.log(9)], 2);
    expect(w[1]! / w[0]!).toBeCloseTo(3, 12);
  });

  it('flattens as the temperature rises and sharpens as it falls', () => {
    const z = [0, 1, 2];
    const hot = softmax(z, 100);
    const cold = softmax(z, 0.01);
    expect(Math.max(...hot) - Math.min(...hot)).toBeLessThan(0.01);
    expect(cold[2]).toBeGreaterThan(0.999);
  });

  it('does not overflow on huge scores and ignores a common shift', () => {
    const a = softmax([1000, 1001], 1);
    const b = softmax([0, 1], 1);
    expect(a[0]).toBeCloseTo(b[0]!, 12);
  });

  it('gives an empty result for no scores and refuses a temperature of 0', () => {
    expect(softmax([], 1).length).toBe(0);
    expect(() => softmax([1], 0)).toThrow(expect.objectContaining({ code: 'ARS_E_INPUT_ARGUMENT' }));
  });
});

describe('waterFill', () => {
  const one = (n: number) => new Int32Array(n);

  it('without limits the shares are the weights', () => {
    const r = waterFill([0.1, 0.3, 0.6], { group: one(3), floors: [0], cap: 1, negligible: 0 });
    expect(Array.from(r.shares)).toEqual([0.1, 0.3, 0.6].map((x) => expect.closeTo(x, 9)));
  });

  it('caps an item and hands its excess to the others in proportion', () => {
    const r = waterFill([0.1, 0.3, 0.6], { group: one(3), floors: [0], cap: 0.5, negligible: 0 });
    expect(r.shares[2]).toBeCloseTo(0.5, 9);
    // 0.5 left for weights 0.1 : 0.3
    expect(r.shares[0]).toBeCloseTo(0.125, 9);
    expect(r.shares[1]).toBeCloseTo(0.375, 9);
    // and when that pushes another item over the cap, it is capped too: 0.1 alone takes what is left
    const r2 = waterFill([0.1, 0.3, 0.6], { group: one(3), floors: [0], cap: 0.4, negligible: 0 });
    expect(Array.from(r2.shares)).toEqual([0.2, 0.4, 0.4].map((x) => expect.closeTo(x, 9)));
  });

  it('gives everyone the cap when the caps cannot use the whole capacity (the rest idles)', () => {
    const r = waterFill([0.5, 0.5], { group: one(2), floors: [0], cap: 0.3, negligible: 0 });
    expect(Array.from(r.shares)).toEqual([0.3, 0.3]);
  });

  it('raises a tenant below its floor and takes the difference from the others', () => {
    // tenant 1 has 5 % of the weight but a floor of 20 %
    const r = waterFill([0.5, 0.45, 0.05], {
      group: [0, 0, 1],
      floors: [0, 0.2],
      cap: 1,
      negligible: 0,
    });
    expect(r.shares[2]).toBeCloseTo(0.2, 9);
    expect(r.shares[0]! / r.shares[1]!).toBeCloseTo(0.5 / 0.45, 9);
    expect(sum(r.shares)).toBeCloseTo(1, 9);
  });

  it('keeps an item at its floor and levels the rest', () => {
    const r = waterFill([0.98, 0.01, 0.01], {
      group: one(3),
      floors: [0],
      cap: 1,
      negligible: 0,
      itemFloors: [0, 0.3, 0],
    });
    expect(r.shares[1]).toBeCloseTo(0.3, 9);
    expect(r.shares[0]! / r.shares[2]!).toBeCloseTo(98, 6);
    expect(sum(r.shares)).toBeCloseTo(1, 9);
  });

  it('scales floors that ask for more than everything down together', () => {
    const r = waterFill([0.5, 0.5, 0], {
      group: one(3),
      floors: [0],
      cap: 1,
      negligible: 0,
      itemFloors: [0.4, 0.4, 0.8],
    });
    expect(Array.from(r.shares)).toEqual([0.25, 0.25, 0.5]);
  });

  it('leaves negligible items out without handing their share on', () => {
    const r = waterFill([0.995, 0.005], { group: one(2), floors: [0], cap: 1, negligible: 0.01 });
    expect(r.shares[1]).toBe(0);
    expect(r.shares[0]).toBeCloseTo(0.995, 9);
  });

  it('refuses tenant floors that add up to more than the capacity', () => {
    expect(() => waterFill([0.5, 0.5], { group: [0, 1], floors: [0.6, 0.6], cap: 1, negligible: 0 })).toThrow(
      expect.objectContaining({ code: 'ARS_E_INPUT_ARGUMENT' }),
    );
  });

  it('respects caps and floors and never hands out more than the capacity (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.001, max: 10, noNaN: true }), { minLength: 1, maxLength: 40 }),
        fc.double({ min: 0.01, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 0.9, noNaN: true }),
        (raw, cap, floor) => {
          const n = raw.length;
          const total = sum(raw);
          const w = raw.map((x) => x / total);
          const group = raw.map((_, i) => i % 2);
          const r = waterFill(w, { group, floors: [floor / 2, floor / 2], cap, negligible: 0 });
          expect(sum(r.shares)).toBeLessThanOrEqual(1 + EPS);
          for (const s of r.shares) expect(s).toBeLessThanOrEqual(cap + EPS);
          // with room under the caps, all the capacity is used
          if (n * cap >= 1 + EPS) expect(sum(r.shares)).toBeCloseTo(1, 6);
        },
      ),
      { seed: 7, numRuns: 200 },
    );
  });
});

/** The levelling stage as it was defined: doubling, then 60 halvings of the sum (the reference). */
function bisectedLevel(v: ArrayLike<number>, lo: ArrayLike<number>, cap: number): number {
  const n = v.length;
  const total = (level: number) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += Math.min(cap, Math.max(lo[i]!, level * v[i]!));
    return s;
  };
  let low = 0;
  let high = 1;
  for (let k = 0; k < 1100 && total(high) < 1; k++) high *= 2;
  for (let k = 0; k < 60; k++) {
    const mid = (low + high) / 2;
    if (total(mid) < 1) low = mid;
    else high = mid;
  }
  return high;
}

describe('WaterFiller', () => {
  it('finds the level of 60 halvings bit for bit, in far fewer passes, call after call (property)', () => {
    const filler = new WaterFiller();
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 1e-6, max: 10, noNaN: true }), { minLength: 2, maxLength: 300 }),
        fc.double({ min: 0.001, max: 1, noNaN: true }),
        fc.array(fc.double({ min: 0, max: 0.01, noNaN: true }), { minLength: 300, maxLength: 300 }),
        fc.boolean(),
        (raw, cap, rawFloors, withFloors) => {
          const n = raw.length;
          const total = sum(raw);
          const w = raw.map((x) => x / total);
          const floors = withFloors ? rawFloors.slice(0, n) : undefined;
          const o = {
            group: new Int32Array(n),
            floors: [0],
            cap,
            negligible: 0,
            ...(floors ? { itemFloors: floors } : {}),
          };
          const r = filler.fill(w, o);
          // one tenant with no floor: its weights scaled by 1 / their sum (stage 1), in item order
          let mass = 0;
          for (const x of w) mass += x;
          const v = w.map((x) => x * ((1 - 0) / mass));
          const lo = w.map((_, i) => Math.min(floors?.[i] ?? 0, cap));
          const floorTotal = lo.reduce((a, b) => a + b, 0);
          if (floorTotal < 1 && n * cap > 1) {
            expect(r.level).toBe(bisectedLevel(v, lo, cap));
            expect(filler.passes).toBeLessThan(62);
          }
          // the same shares as a fresh filler's (the pure function)
          expect(Array.from(r.shares)).toEqual(Array.from(waterFill(w, o).shares));
        },
      ),
      { seed: 11, numRuns: 300 },
    );
  });

  it('falls back to summing at every step when a weight breaks the monotony', () => {
    const w = [0.5, 0.6, -0.1];
    const r = new WaterFiller().fill(w, { group: [0, 0, 0], floors: [0], cap: 1, negligible: 0 });
    expect(r.level).toBe(bisectedLevel(w, [0, 0, 0], 1));
  });
});
