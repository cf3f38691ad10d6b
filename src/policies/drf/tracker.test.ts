import { describe, expect, it } from 'vitest';
import { seededUniform } from '../../metrics/test-helpers/random.js';
import { ShareHeap } from './share-heap.js';
import { DominantShareTracker, lowestDominantShareTenant } from './tracker.js';

describe('DominantShareTracker', () => {
  const totals = { compute: 100, attention: 100 };

  it('reproduces the Mesos weighted order as tasks start: b, then d among a, b, c, d', () => {
    const t = new DominantShareTracker(totals, [
      { id: 'a' },
      { id: 'b', weight: 2 },
      { id: 'c' },
      { id: 'd', weight: 10 },
    ]);
    expect(t.lowest()).toBe(0); // all at 0: lowest index
    t.start(t.indexOf('a'), t.vector({ compute: 5, attention: 5 }));
    t.start(t.indexOf('b'), t.vector({ compute: 6, attention: 6 }));
    t.start(t.indexOf('c'), t.vector({ compute: 4, attention: 4 }));
    expect(t.id(t.lowest())).toBe('d');
    t.start(t.indexOf('d'), t.vector({ compute: 10, attention: 20 }));
    expect(t.id(t.lowest())).toBe('d');
    expect(t.share(3)).toBeCloseTo(0.02, 15);
    t.setWaiting(3, false);
    expect(t.id(t.lowest())).toBe('b');
    expect(t.pick([0, 2])).toBe(2);
    expect(t.pick([])).toBe(-1);
  });

  it('follows DRF on the NSDI example when used as a queue order', () => {
    const t = new DominantShareTracker({ cpu: 9, mem: 18 }, [{ id: 'A' }, { id: 'B' }]);
    const demand = [t.vector({ cpu: 1, mem: 4 }), t.vector({ cpu: 3, mem: 1 })];
    const served: string[] = [];
    for (let k = 0; k < 5; k++) {
      const who = t.lowest();
      served.push(t.id(who));
      t.start(who, demand[who]!);
    }
    expect(served).toEqual(['A', 'B', 'A', 'B', 'A']);
    expect(Array.from(t.holdings(0))).toEqual([3, 12]);
    expect(t.runningTasks(1)).toBe(2);
  });

  it('returns to exactly zero after many fractional add/remove pairs', () => {
    const t = new DominantShareTracker([1, 1], [{ id: 'x' }, { id: 'y' }]);
    const d = [0.1, 0.3];
    for (let k = 0; k < 1000; k++) t.start(0, d);
    for (let k = 0; k < 1000; k++) t.finish(0, d);
    expect(Array.from(t.holdings(0))).toEqual([0, 0]);
    expect(t.share(0)).toBe(0);
    expect(() => t.finish(0, d)).toThrowError(expect.objectContaining({ code: 'ARS_E_INPUT_ARGUMENT' }));
  });

  it('re-keys on capacity and weight changes', () => {
    const t = new DominantShareTracker([10, 10], [{ id: 'x' }, { id: 'y' }]);
    t.start(0, [2, 0]); // x: 0.2 of compute
    t.start(1, [0, 3]); // y: 0.3 of attention
    expect(t.lowest()).toBe(0);
    t.setTotals([5, 30]); // x: 0.4, y: 0.1
    expect(t.lowest()).toBe(1);
    t.setWeight(0, 8); // x: 0.05
    expect(t.lowest()).toBe(0);
    expect(() => t.setTotals({ compute: 1, attention: 1 })).toThrowError(
      expect.objectContaining({ code: 'ARS_E_INPUT_ARGUMENT' }),
    );
  });

  it('keeps lowest() equal to a linear scan under random starts, finishes and waiting changes', () => {
    const rand = seededUniform(8);
    const n = 40;
    const t = new DominantShareTracker(
      { compute: 500, attention: 200 },
      Array.from({ length: n }, (_, i) => ({ id: `t${i}`, weight: 1 + (i % 3) })),
    );
    const running: Array<Array<Float64Array>> = Array.from({ length: n }, () => []);
    for (let step = 0; step < 5000; step++) {
      const who = Math.floor(rand() * n);
      const op = rand();
      if (op < 0.5) {
        const d = Float64Array.of(Math.floor(rand() * 5), Math.floor(rand() * 3));
        running[who]!.push(d);
        t.start(who, d);
      } else if (op < 0.85 && running[who]!.length > 0) {
        t.finish(who, running[who]!.pop()!);
      } else {
        t.setWaiting(who, rand() < 0.6);
      }
      let best = -1;
      for (let i = 0; i < n; i++) {
        if (t.isWaiting(i) && (best < 0 || t.share(i) < t.share(best))) best = i;
      }
      expect(t.lowest()).toBe(best);
    }
  });

  it('rejects duplicate ids, bad weights, unknown tenants and resources', () => {
    const bad = expect.objectContaining({ code: 'ARS_E_INPUT_ARGUMENT' });
    expect(() => new DominantShareTracker([1], [{ id: 'a' }, { id: 'a' }])).toThrowError(bad);
    expect(() => new DominantShareTracker([1], [{ id: 'a', weight: -1 }])).toThrowError(bad);
    expect(() => new DominantShareTracker([-1], [{ id: 'a' }])).toThrowError(bad);
    const t = new DominantShareTracker(totals, [{ id: 'a' }]);
    expect(() => t.start(3, [1, 1])).toThrowError(bad);
    expect(() => t.vector({ gpu: 1 })).toThrowError(bad);
    expect(t.indexOf('zz')).toBe(-1);
  });
});

describe('lowestDominantShareTenant (stateless, for a scheduler nextTenant hook)', () => {
  it('picks the lowest weighted dominant share among the candidates, lowest index on ties', () => {
    const tenants = [
      { weight: 1, heldCompute: 5, heldAttention: 5 },
      { weight: 2, heldCompute: 6, heldAttention: 6 },
      { weight: 1, heldCompute: 4, heldAttention: 4 },
      { weight: 10, heldCompute: 10, heldAttention: 20 },
      { weight: 1, heldCompute: 2, heldAttention: 4 },
    ];
    expect(lowestDominantShareTenant([0, 1, 2, 3], tenants, 100, 100)).toBe(3);
    expect(lowestDominantShareTenant([0, 1, 2], tenants, 100, 100)).toBe(1);
    expect(lowestDominantShareTenant([0, 2], tenants, 100, 100)).toBe(2);
    expect(lowestDominantShareTenant([4, 2], tenants, 100, 100)).toBe(2); // both 0.04: index 2 < 4
    expect(lowestDominantShareTenant([], tenants, 100, 100)).toBe(-1);
  });
});

describe('ShareHeap', () => {
  it('pops in (key, index) order and supports removal from the middle', () => {
    const h = new ShareHeap(6);
    [0.5, 0.1, 0.5, 0.3, 0.1, 0.9].forEach((k, i) => {
      h.set(i, k);
    });
    h.delete(3);
    const order: number[] = [];
    while (h.size > 0) {
      const i = h.peek();
      order.push(i);
      h.delete(i);
    }
    expect(order).toEqual([1, 4, 0, 2, 5]);
    expect(h.peek()).toBe(-1);
  });
});
