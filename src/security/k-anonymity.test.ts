import { describe, expect, it } from 'vitest';
import { kAnonymize } from './k-anonymity.js';

describe('kAnonymize', () => {
  it('releases groups of at least k twins and names the others with the reason, not their size or value', () => {
    const r = kAnonymize(
      [
        { key: 'icu/criticality 3', members: 9, value: 41.5 },
        { key: 'rare/criticality 5', members: 2, value: 777.125 },
        { key: 'home/criticality 1', members: 5, value: 12 },
        { key: 'a-tiny/criticality 1', members: 1, value: 3 },
      ],
      5,
    );
    expect(r.k).toBe(5);
    expect(r.released.map((g) => g.key)).toEqual(['icu/criticality 3', 'home/criticality 1']);
    expect(r.withheld).toEqual([
      { group: 'a-tiny/criticality 1', reason: 'fewer than k=5 twins' },
      { group: 'rare/criticality 5', reason: 'fewer than k=5 twins' },
    ]);
    const text = JSON.stringify({ k: r.k, withheld: r.withheld });
    expect(text).not.toContain('777.125');
    expect(text).not.toMatch(/members|"2"|: ?2\b/);
  });

  it('k = 1 releases everything (local dev mode)', () => {
    const r = kAnonymize([{ key: 'one', members: 1, value: 1 }], 1);
    expect(r.released).toHaveLength(1);
    expect(r.withheld).toEqual([]);
  });

  it('an empty input releases and withholds nothing', () => {
    expect(kAnonymize([], 5)).toEqual({ k: 5, released: [], withheld: [] });
  });

  it('refuses a k that is not a positive integer', () => {
    expect(() => kAnonymize([], 0)).toThrow(RangeError);
    expect(() => kAnonymize([], 2.5)).toThrow(RangeError);
  });
});
