// ARS's placement index must choose exactly what the full scan chooses. Property test on random worlds:
// node groups of random tiers, zones, capacities (fractional too), speeds per kind, costs, failures, explicit
// links to single members (which break a class's uniformity), elastic pools, tenants with quotas, twins and
// DAG workloads with input transfers, tiers and attention demands. Each world runs under `ars` with the index
// and with `index=false` (the scan); the results must be identical, byte for byte, and so must the number
// of decisions.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../src/experiment/run.js';
import { parseScenario } from '../src/model/load.js';
import type { ScenarioInput } from '../src/model/schema.js';
import { registry } from '../src/policies/index.js';
import type { Profile } from '../src/scheduler/profile.js';
import { chooseNode } from '../src/scheduler/scheduler.js';
import { World } from '../src/world/world.js';

const TIERS = ['edge', 'fog', 'cloud'] as const;

const groupArb = fc.record({
  count: fc.integer({ min: 1, max: 5 }),
  tier: fc.constantFrom(...TIERS),
  zone: fc.constantFrom('a', 'b', undefined),
  compute: fc.constantFrom(1, 2, 3, 4, 1.5, 8),
  attention: fc.constantFrom(0, 1, 2, 3),
  speed: fc.constantFrom(0.5, 1, 2, 3),
  slowKind: fc.constantFrom(0.25, 1, 4),
  cost: fc.constantFrom(0, 0.0001, 0.001),
  failure: fc.boolean(),
  elastic: fc.boolean(),
});

const taskArb = fc.record({
  work: fc.constantFrom(0.05, 0.2, 1, 3),
  compute: fc.constantFrom(1, 1, 2, 0.5),
  attention: fc.constantFrom(0, 0, 1),
  kind: fc.constantFrom('plain', 'slow'),
  tier: fc.constantFrom(undefined, undefined, ...TIERS),
  bytes: fc.constantFrom(0, 1000, 5_000_000),
  twin: fc.boolean(),
});

const worldArb = fc.record({
  seed: fc.integer({ min: 1, max: 1000 }),
  groups: fc.array(groupArb, { minLength: 1, maxLength: 4 }),
  links: fc.array(
    fc.record({
      a: fc.nat(),
      b: fc.nat(),
      member: fc.constantFrom(true, true, false),
      latency: fc.constantFrom(0, 0.5, 3),
    }),
    { maxLength: 4 },
  ),
  quota: fc.constantFrom(undefined, 0.3, 0.7),
  twins: fc.integer({ min: 0, max: 30 }),
  workloads: fc.array(
    fc.record({
      rate: fc.constantFrom(0.5, 2, 6),
      deadline: fc.constantFrom(undefined, 1, 5),
      tenant: fc.constantFrom('t', 'u'),
      tasks: fc.array(taskArb, { minLength: 1, maxLength: 4 }),
    }),
    { minLength: 1, maxLength: 3 },
  ),
});

type WorldSpec = typeof worldArb extends fc.Arbitrary<infer T> ? T : never;

function scenarioOf(w: WorldSpec) {
  const groups = w.groups.map((g, i) => ({ ...g, id: `g${i}` }));
  // every task must find some node with its tier and enough capacity: keep one big node of each tier
  const nodes: Record<string, unknown>[] = TIERS.map((tier, i) => ({
    id: `big-${tier}`,
    tier,
    zone: i === 0 ? 'b' : 'a',
    compute: 8,
    attention: 3,
    costPerSecond: 0.0005,
  }));
  for (const g of groups) {
    nodes.push({
      id: g.id,
      count: g.count,
      tier: g.tier,
      ...(g.zone ? { zone: g.zone } : {}),
      compute: g.compute,
      attention: g.attention,
      speed: { default: g.speed, kinds: { slow: g.speed * g.slowKind } },
      costPerSecond: g.cost,
      ...(g.failure ? { failure: { mtbf: 40, mttr: 10 } } : {}),
      ...(g.elastic
        ? {
            elastic: {
              min: 1,
              max: g.count + 2,
              rule: { kind: 'queue-length', perNode: 2 },
              interval: 5,
              provisioningDelay: 3,
            },
          }
        : {}),
    });
  }
  const member = (gi: number, k: number) => {
    const g = groups[gi % groups.length]!;
    const members = g.elastic ? g.count + 2 : g.count;
    return members === 1 ? g.id : `${g.id}-${k % members}`;
  };
  const links = w.links.map((l) => ({
    between: [l.member ? member(l.a, l.b) : groups[l.a % groups.length]!.id, member(l.b, l.a + 1)],
    latency: l.latency,
    bandwidth: 1e6,
  }));
  const spec = {
    name: 'index-property',
    seed: w.seed,
    horizon: 40,
    tenants: [
      { id: 't', weight: 2 },
      { id: 'u', ...(w.quota ? { quota: { compute: w.quota } } : {}) },
    ],
    nodes,
    network: {
      default: { latency: 0.01, bandwidth: 1e7 },
      zones: [{ between: ['a', 'b'], latency: 0.05, bandwidth: 1e6 }],
      links: links.filter((l) => l.between[0] !== l.between[1]),
    },
    assets:
      w.twins > 0
        ? [
            {
              id: 'm',
              count: w.twins,
              tenant: 't',
              zone: 'a',
              twin: { criticality: 2, sampleBytes: 10000, refresh: { work: 0.2, compute: 1, attention: 1 } },
            },
          ]
        : [],
    workloads: w.workloads.map((wl, i) => ({
      id: `w${i}`,
      tenant: wl.tenant,
      ...(wl.deadline ? { deadline: wl.deadline } : {}),
      arrival: { kind: 'poisson', rate: wl.rate },
      tasks: wl.tasks.map((t, k) => ({
        id: `k${k}`,
        kind: t.kind,
        work: t.work,
        compute: t.compute,
        attention: t.attention,
        ...(t.tier ? { tier: t.tier } : {}),
        ...(t.twin && w.twins > 0 ? { twin: { group: 'm', maxAge: 5 } } : {}),
      })),
      edges: wl.tasks.slice(1).map((t, k) => ({ from: `k${k}`, to: `k${k + 1}`, bytes: t.bytes })),
    })),
  } as unknown as ScenarioInput;
  return parseScenario(JSON.stringify(spec), { format: 'json', file: 'index-property.json' });
}

/** The result JSON without the echo of the `index` parameter itself. */
function resultOf(w: WorldSpec, index: boolean): string {
  const r = runScenario(scenarioOf(w), { policy: { name: 'ars', params: { index } } });
  return JSON.stringify(r).replace(/,?"index":(true|false)/g, '');
}

/**
 * Runs the world under the indexed profile and, at every decision, asks the full scan too (on the same
 * plugins, after the index): returns the decisions where they differ, and how many were compared.
 */
function divergences(w: WorldSpec): { compared: number; differ: string[] } {
  const profile = registry.create('ars', {});
  const placer = profile.placer!;
  const scan: Profile = { ...profile, placer: undefined };
  const differ: string[] = [];
  let compared = 0;
  const checked: Profile = {
    ...profile,
    placer: {
      name: 'checked',
      nodeChanged: (i) => placer.nodeChanged(i),
      choose(item, s, judge) {
        const fast = placer.choose(item, s, judge);
        const slow = chooseNode(item, s, scan);
        compared++;
        if (fast !== slow && differ.length < 5)
          differ.push(`${item.id} at ${s.now}: index ${fast}, scan ${slow}`);
        // go on with the scan's choice, so one difference does not hide the next
        return slow;
      },
    },
  };
  new World(scenarioOf(w), checked).run();
  return { compared, differ };
}

describe('the ARS placement index', () => {
  it('chooses the node the scan chooses at every decision of random worlds', () => {
    let compared = 0;
    fc.assert(
      fc.property(worldArb, (w) => {
        const d = divergences(w);
        compared += d.compared;
        expect(d.differ).toEqual([]);
      }),
      { numRuns: 60, seed: 15 },
    );
    expect(compared).toBeGreaterThan(10_000);
  });

  it('gives the same results as the full scan on random worlds', () => {
    fc.assert(
      fc.property(worldArb, (w) => {
        expect(resultOf(w, true)).toBe(resultOf(w, false));
      }),
      { numRuns: 25, seed: 16 },
    );
  });

  it('is used (the decisions go through it) and judges few candidates at 2,000 nodes', () => {
    const s = parseScenario(
      JSON.stringify({
        name: 'many-nodes',
        horizon: 3,
        tenants: [{ id: 't' }],
        nodes: [
          { id: 's', count: 1000, tier: 'edge', compute: 4, attention: 1 },
          { id: 'l', count: 1000, tier: 'edge', compute: 8, attention: 1, speed: 2 },
        ],
        workloads: [
          {
            id: 'w',
            tenant: 't',
            arrival: { kind: 'poisson', rate: 300 },
            tasks: [
              { id: 'a', work: 1 },
              { id: 'b', work: 2, after: ['a'] },
            ],
          },
        ],
      }),
      { format: 'json', file: 'many.json' },
    );
    const profile = registry.create('ars', {});
    const placer = profile.placer as unknown as { decisions: number; judged: number };
    const r = new World(s, profile).run();
    expect(r.requests.completed).toBeGreaterThan(100);
    expect(placer.decisions).toBeGreaterThan(200);
    // a scan judges 2,000 nodes per decision; the index a handful (one per class and bucket in reach)
    expect(placer.judged / placer.decisions).toBeLessThan(10);
  });

  it('asks the filters once per decision when the best class by total takes the item (three tiers)', () => {
    const s = parseScenario(
      JSON.stringify({
        name: 'three-tiers',
        seed: 3,
        horizon: 60,
        tenants: [{ id: 't' }],
        nodes: [
          { id: 'e', count: 20, tier: 'edge', compute: 8, attention: 2, costPerSecond: 0.00001 },
          { id: 'f', count: 3, tier: 'fog', compute: 32, attention: 4, speed: 2, costPerSecond: 0.0001 },
          { id: 'c', tier: 'cloud', compute: 256, attention: 0, speed: 3, costPerSecond: 0.001 },
        ],
        assets: [
          {
            id: 'm',
            count: 200,
            tenant: 't',
            twin: { criticality: 1, sampleBytes: 1000, refresh: { work: 0.05, compute: 1, attention: 1 } },
          },
        ],
        workloads: [
          {
            id: 'w',
            tenant: 't',
            arrival: { kind: 'poisson', rate: 40 },
            tasks: [{ id: 'a', work: 0.2, twin: { group: 'm', maxAge: 5 } }],
          },
        ],
      }),
      { format: 'json', file: 'three-tiers.json' },
    );
    const profile = registry.create('ars', {});
    const placer = profile.placer as unknown as { decisions: number; judged: number };
    const indexed = new World(s, profile).run();
    expect(placer.decisions).toBeGreaterThan(1000);
    // no task reads another's output on a node (no sources) and every class is alike: a class is judged only
    // while its best total could still win, best first, so almost always one
    expect(placer.judged / placer.decisions).toBeLessThan(1.2);
    const scan = new World(s, registry.create('ars', { index: false })).run();
    expect(JSON.stringify(indexed).replace(/,?"index":(true|false)/g, '')).toBe(
      JSON.stringify(scan).replace(/,?"index":(true|false)/g, ''),
    );
  });
});
