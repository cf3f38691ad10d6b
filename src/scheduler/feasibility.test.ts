import { describe, expect, it } from 'vitest';
import { fitsEver, fitsNow, nodeRefusal, quotaRefusal, withinQuota } from './feasibility.js';
import type { NodeView, Snapshot, TenantView } from './types.js';

const node = (over: Partial<NodeView> = {}): NodeView =>
  ({
    index: 0,
    id: 'n0',
    tier: 'edge',
    up: true,
    computeCapacity: 4,
    attentionCapacity: 2,
    freeCompute: 4,
    freeAttention: 2,
    ...over,
  }) as NodeView;

describe('the one feasibility rule', () => {
  it('fitsNow agrees with nodeRefusal on every case, and names the first reason', () => {
    const cases: [
      Partial<NodeView>,
      { compute: number; attention: number; tier?: 'edge' | 'fog' },
      string | null,
    ][] = [
      [{}, { compute: 4, attention: 2 }, null],
      [{ up: false }, { compute: 1, attention: 0 }, 'node down'],
      [{}, { compute: 1, attention: 0, tier: 'fog' }, 'needs tier fog'],
      [{ freeCompute: 1 }, { compute: 2, attention: 0 }, 'not enough free compute'],
      [{ freeCompute: 1 - 1e-12 }, { compute: 1, attention: 0 }, null],
      [{ freeAttention: 0 }, { compute: 1, attention: 1 }, 'not enough free attention'],
    ];
    for (const [over, d, why] of cases) {
      expect(nodeRefusal(d, node(over))).toBe(why);
      expect(fitsNow(d, node(over))).toBe(why === null);
    }
  });

  it('fitsEver reads capacity and tier, not what is free or whether the node is up', () => {
    expect(fitsEver({ compute: 4, attention: 2 }, node({ freeCompute: 0, up: false }))).toBe(true);
    expect(fitsEver({ compute: 5, attention: 0 }, node())).toBe(false);
    expect(fitsEver({ compute: 1, attention: 3 }, node())).toBe(false);
    expect(fitsEver({ compute: 1, attention: 0, tier: 'fog' }, node())).toBe(false);
  });

  it('quotas: a share of the total, attention quota only for work that holds attention', () => {
    const s = { totalCompute: 10, totalAttention: 10 } as Snapshot;
    const t = { quotaCompute: 0.5, quotaAttention: 0.2, heldCompute: 4, heldAttention: 2 } as TenantView;
    expect(quotaRefusal({ compute: 1, attention: 0 }, t, s)).toBeNull();
    expect(quotaRefusal({ compute: 2, attention: 0 }, t, s)).toBe('compute');
    expect(quotaRefusal({ compute: 1, attention: 1 }, t, s)).toBe('attention');
    for (const d of [
      { compute: 1, attention: 0 },
      { compute: 2, attention: 0 },
      { compute: 1, attention: 1 },
    ])
      expect(withinQuota(d, t, s)).toBe(quotaRefusal(d, t, s) === null);
  });
});
