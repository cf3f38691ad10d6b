import { describe, expect, it } from 'vitest';
import { SeasonalNaive } from './seasonal-naive.js';

const input = expect.objectContaining({ code: 'ARS_E_INPUT_ARGUMENT' });

describe('SeasonalNaive', () => {
  it('repeats the latest full season at every horizon', () => {
    const f = new SeasonalNaive({ m: 3 });
    for (const y of [1, 2, 3, 4]) f.update(y);
    // Targets are steps 5, 6, 7, 8, 9 (1-based); one season back lies at 2, 3, 4, then 2, 3 again.
    expect([1, 2, 3, 4, 5].map((h) => f.forecast(h))).toEqual([2, 3, 4, 2, 3]);
  });

  it('falls back to the newest value when the step one season back is not observed yet', () => {
    const f = new SeasonalNaive({ m: 4 });
    f.update(7);
    f.update(9);
    // Steps 3 and 4 have nothing one season back; step 5 has step 1.
    expect([f.forecast(1), f.forecast(2), f.forecast(3)]).toEqual([9, 9, 7]);
    f.update(11);
    expect([f.forecast(1), f.forecast(2), f.forecast(3)]).toEqual([11, 7, 9]);
  });

  it('with m = 1 is the naive last-value forecaster', () => {
    const f = new SeasonalNaive();
    expect(f.name).toBe('naive');
    for (const y of [4, 8, 6]) f.update(y);
    expect([f.forecast(1), f.forecast(10)]).toEqual([6, 6]);
  });

  it.each([0, 2.5, -1, Number.NaN])('refuses season length %s', (m) => {
    expect(() => new SeasonalNaive({ m })).toThrow(input);
  });
});
