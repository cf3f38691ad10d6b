import { describe, expect, it } from 'vitest';
import { freshnessBound } from '../../experiment/bound.js';
import { runScenario } from '../../experiment/run.js';
import { parseScenario } from '../../model/load.js';
import { maxConcurrentFlowPrices } from './slot-prices.js';

/**
 * Two kinds of twin on two kinds of node. `light` refreshes are short and their samples slow to send far:
 * 0.06 s on a near node, 0.2125 s on the far one. `heavy` refreshes are long and the far node is fast:
 * 1.01 s near, 0.45 s far. Each kind is best on a different node, so which twins the slots serve matters.
 */
function comparativeAdvantage(nearNodes = 2) {
  return parseScenario(
    JSON.stringify({
      name: 'comparative-advantage',
      horizon: 400,
      warmup: 50,
      seed: 5,
      tenants: [{ id: 't' }],
      nodes: [
        { id: 'near', count: nearNodes, tier: 'edge', compute: 4, attention: 2, speed: 1 },
        { id: 'far', count: 1, tier: 'fog', compute: 8, attention: 2, speed: 4 },
      ],
      network: {
        default: { latency: 0.2, bandwidth: 1e9 },
        tiers: [{ between: ['device', 'edge'], latency: 0.01, bandwidth: 1e9 }],
      },
      assets: [
        { id: 'light', count: 30, tenant: 't', twin: { criticality: 1, refresh: { work: 0.05 } } },
        { id: 'heavy', count: 30, tenant: 't', twin: { criticality: 1, refresh: { work: 1 } } },
      ],
      workloads: [],
    }),
  );
}

describe('slot prices (maximum concurrent flow)', () => {
  const light = Float64Array.from([0.06, 0.2125]);
  const heavy = Float64Array.from([1.01, 0.45]);

  it('prices a class where the groups that use it are indifferent between it and their next best', () => {
    // light 10/s, heavy 2/s on 4 near slots and 2 far ones: heavy overflows the far node, so at the optimum
    // (λ = 3.24) both classes are full and heavy is split: 1.01 · ℓ_near = 0.45 · ℓ_far
    const ell = maxConcurrentFlowPrices([light, heavy], [0, 1], [4, 2], Float64Array.from([10, 2]));
    const ratio = ell[1]! / ell[0]!;
    expect(ratio).toBeGreaterThan((1.01 / 0.45) * 0.85);
    expect(ratio).toBeLessThan((1.01 / 0.45) * 1.15);
    // light is cheapest near, heavy (just) far or alike
    expect(0.06 * ell[0]!).toBeLessThan(0.2125 * ell[1]!);
  });

  it('gives the same prices on a fleet a thousand times larger, in bounded work', () => {
    const ell = maxConcurrentFlowPrices([light, heavy], [0, 1], [4000, 2000], Float64Array.from([10, 2]));
    const ratio = ell[1]! / ell[0]!;
    expect(ratio).toBeGreaterThan((1.01 / 0.45) * 0.85);
    expect(ratio).toBeLessThan((1.01 / 0.45) * 1.15);
  });

  it('makes a lone group indifferent between the classes it fills', () => {
    // heavy alone: every slot adds refreshes, so it fills both and pays the same per refresh on each
    const ell = maxConcurrentFlowPrices([light, heavy], [0, 1], [4, 2], Float64Array.from([0, 1]));
    expect((1.01 * ell[0]!) / (0.45 * ell[1]!)).toBeCloseTo(1, 1);
  });

  it('counts every group alike without demand, and gives no price to a class without capacity', () => {
    const ell = maxConcurrentFlowPrices([light, heavy], [0, 1], [4, 0], Float64Array.from([0, 0]));
    expect(ell[1]).toBe(0);
    expect(ell[0]).toBeGreaterThan(0);
  });
});

describe('ARS serves each slot the twins it refreshes best', () => {
  it('comes within 5 % of the freshness bound where the earliest-finish dispatch is 30 % above it', () => {
    const scenario = comparativeAdvantage();
    const bound = freshnessBound(scenario).weightedAoI;
    const ars = runScenario(scenario, { policy: 'ars' }).twins.weightedAoI!;
    const plain = runScenario(scenario, { policy: { name: 'ars', params: { wSlot: 0 } } }).twins.weightedAoI!;
    const whittle = runScenario(scenario, { policy: 'whittle' }).twins.weightedAoI!;
    expect(ars / bound).toBeLessThan(1.05);
    expect(plain / bound).toBeGreaterThan(1.3);
    expect(whittle / bound).toBeGreaterThan(1.3);
  });

  it('keeps the far node for heavy twins and gives it light ones almost never', () => {
    const counts = new Map<string, number>();
    const factors: number[] = [];
    runScenario(comparativeAdvantage(), {
      policy: 'ars',
      trace: {
        record: (d) => {
          if (d.kind !== 'attention' || d.chosen === null) return;
          // each choice says which slot it was made for and how well its group fits there
          const slot = (d.detail as { slot?: { node: string; factor: number } } | undefined)?.slot;
          if (slot) factors.push(slot.factor);
          const key = `${d.subject.split('-')[0]}@${d.chosen.split('-')[0]}`;
          counts.set(key, (counts.get(key) ?? 0) + 1);
        },
      },
    });
    const lightFar = counts.get('light@far') ?? 0;
    const heavyFar = counts.get('heavy@far') ?? 0;
    expect(heavyFar).toBeGreaterThan(1000);
    expect(lightFar).toBeLessThan(0.02 * heavyFar);
    expect(factors.length).toBeGreaterThan(1000);
    expect(Math.max(...factors)).toBe(1);
    expect(Math.min(...factors)).toBeGreaterThan(0);
  });

  it('changes nothing where every node refreshes every twin alike', () => {
    // one node kind: the prices are all 1 and the dispatch is the plain one, bit for bit
    const same = parseScenario(
      JSON.stringify({
        name: 'alike',
        horizon: 200,
        warmup: 20,
        seed: 3,
        tenants: [{ id: 't' }],
        nodes: [{ id: 'n', count: 3, tier: 'edge', compute: 4, attention: 2, speed: 1 }],
        assets: [
          { id: 'light', count: 20, tenant: 't', twin: { criticality: 1, refresh: { work: 0.05 } } },
          { id: 'heavy', count: 20, tenant: 't', twin: { criticality: 3, refresh: { work: 1 } } },
        ],
        workloads: [],
      }),
    );
    const a = runScenario(same, { policy: 'ars' });
    const b = runScenario(same, { policy: { name: 'ars', params: { wSlot: 0 } } });
    expect(JSON.stringify([a.twins, a.requests])).toBe(JSON.stringify([b.twins, b.requests]));
  });
});
