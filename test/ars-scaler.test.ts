// The cost-aware scaler (src/policies/scaling/cost-aware.ts): its rules on hand-made pool views, then on
// the examples with elastic pools, where ARS with it must cost less than ARS with the scenario's rule.
import { describe, expect, it } from 'vitest';
import { runScenario } from '../src/experiment/run.js';
import { loadScenario } from '../src/model/index.js';
import { costAwareScaler } from '../src/policies/scaling/cost-aware.js';
import type { PoolView } from '../src/scheduler/plugins.js';
import type { NodeView, Snapshot } from '../src/scheduler/types.js';

function node(index: number, group: string, tier: NodeView['tier'], up: boolean, free: number): NodeView {
  return {
    index,
    id: `${group}-${index}`,
    group,
    tier,
    zone: undefined,
    up,
    computeCapacity: 32,
    attentionCapacity: 0,
    freeCompute: free,
    freeAttention: 0,
    running: 0,
    backlog: 0,
    costPerSecond: 0.001,
    powerIdle: 0,
    powerBusy: 0,
    speed: () => 1,
  };
}

function world(nodes: NodeView[]): Snapshot {
  return {
    now: 0,
    nodes,
    twins: [],
    tenants: [],
    totalCompute: 0,
    totalAttention: 0,
    transferTime: () => 0,
    inputsReadyAt: () => 0,
    random: () => 0,
  };
}

const pool = (over: Partial<PoolView>): PoolView => ({
  group: 'pool',
  tier: 'cloud',
  min: 1,
  max: 6,
  active: 1,
  up: 1,
  idle: 0,
  perNodeCompute: 32,
  usedCompute: 32,
  waiting: 0,
  waitingCompute: 0,
  interval: 10,
  provisioningDelay: 30,
  ...over,
});

describe('the cost-aware scaler', () => {
  const s = world([node(0, 'pool', 'cloud', true, 0), node(1, 'other', 'cloud', true, 8)]);

  it('rides out a one-interval burst, grows under a lasting shortfall by what the excess keeps busy', () => {
    const scaler = costAwareScaler({ target: 0.5 });
    // 48 waiting, 8 free on the other cloud node: excess 40 = 2.5 nodes at 50 %
    const view = pool({ waiting: 12, waitingCompute: 48 });
    expect(scaler.desired(view, s)).toBe(1);
    expect(scaler.desired(view, s)).toBe(1 + 2);
  });

  it('does not grow for work the rest of the tier has room for, nor for less than a node’s target', () => {
    const scaler = costAwareScaler({ target: 0.5 });
    for (let k = 0; k < 5; k++) expect(scaler.desired(pool({ waitingCompute: 8 }), s)).toBe(1);
    for (let k = 0; k < 5; k++) expect(scaler.desired(pool({ waitingCompute: 8 + 15 }), s)).toBe(1);
  });

  it('asks a dear provisioning fee for a longer shortfall', () => {
    // running cost over delay + hold: 0.001 × (30 + 60) = 0.09; a fee of 0.2 is two such periods
    const scaler = costAwareScaler({ target: 0.5 });
    const view = pool({ waitingCompute: 48, provisioningCost: 0.2 });
    const asked = [1, 2, 3, 4, 5].map(() => scaler.desired(view, s));
    expect(asked).toEqual([1, 1, 1, 3, 3]);
  });

  it('grows at once when the forecast load exceeds what the tier carries at the target', () => {
    const scaler = costAwareScaler({ target: 0.5, load: () => 100 });
    expect(scaler.desired(pool({ waitingCompute: 48 }), s)).toBe(3);
  });

  it('switches off an idle node when nothing waits beyond the tier and the work fits in one node fewer', () => {
    const scaler = costAwareScaler({ target: 0.5 });
    expect(scaler.desired(pool({ active: 3, up: 3, idle: 1, usedCompute: 30 }), s)).toBe(2);
    expect(scaler.desired(pool({ active: 3, up: 3, idle: 1, usedCompute: 40, waitingCompute: 40 }), s)).toBe(
      3,
    );
    expect(scaler.desired(pool({ active: 2, up: 2, idle: 1, usedCompute: 20 }), s)).toBe(2);
    expect(scaler.desired(pool({ active: 1, up: 1, idle: 1, usedCompute: 0 }), s)).toBe(1);
  });
});

describe('ARS with the cost-aware scaler on the examples with elastic pools', () => {
  for (const example of ['smart-factory', 'smart-grid']) {
    it(`${example}: costs less than with the scenario's rule`, () => {
      const sc = loadScenario(`examples/${example}.yaml`);
      let aware = 0;
      let rule = 0;
      for (const seed of [1, 2]) {
        aware += runScenario(sc, { policy: { name: 'ars', params: {} }, seed }).resources.cost;
        rule += runScenario(sc, { policy: { name: 'ars', params: { scaler: 'rule' } }, seed }).resources.cost;
      }
      expect(aware).toBeLessThan(0.95 * rule);
    });
  }
});
