import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../../scheduler/types.js';
import { uniformRefresh } from './attention.js';

// uniform-refresh reads only the twins' indices and whether each is refreshing
const system = (n: number) =>
  ({ twins: Array.from({ length: n }, (_, index) => ({ index, refreshing: false })) }) as unknown as Snapshot;

describe('uniform-refresh', () => {
  it('goes round the twins, a slot each', () => {
    const a = uniformRefresh();
    const s = system(5);
    expect(a.select(s, 2).map((c) => c.twin)).toEqual([0, 1]);
    expect(a.select(s, 4).map((c) => c.twin)).toEqual([2, 3, 4, 0]);
  });

  it('offers a twin handed back first next time, and once however often it was handed back', () => {
    const a = uniformRefresh();
    const s = system(4);
    expect(a.select(s, 2).map((c) => c.twin)).toEqual([0, 1]);
    a.refreshed!(0, false, s);
    a.refreshed!(0, false, s);
    a.refreshed!(1, false, s);
    expect(a.select(s, 4).map((c) => c.twin)).toEqual([0, 1, 2, 3]);
  });
});
