import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../../engine/random.js';
import { runScenario } from '../../experiment/run.js';
import { parseScenario } from '../../model/load.js';
import type { AttentionAllocator } from '../../scheduler/plugins.js';
import type { Snapshot, TwinView } from '../../scheduler/types.js';
import { aoiIndexAllocator, aoiRandomizedAllocator } from './attention.js';

/** A snapshot with only what attention allocators read: time, twins and the policy's stream. */
function snapshotOf(twins: { criticality: number; lastSample: number; refreshing?: boolean }[], seed = 1) {
  const stream = new RandomStreams(seed).stream('policy');
  const views: TwinView[] = twins.map((t, index) => ({
    index,
    id: `t${index}`,
    group: 'g',
    tenant: 0,
    zone: undefined,
    criticality: t.criticality,
    lastSample: t.lastSample,
    lastValue: 0,
    refreshing: t.refreshing ?? false,
    waiting: 0,
    suspicion: 0,
    anomalyRate: 0,
    refreshCompute: 1,
    refreshAttention: 1,
    refreshWork: 1,
    refreshBytes: 0,
  }));
  const s = { now: 10, twins: views, random: () => stream.next() };
  return s as unknown as Snapshot & { now: number };
}

function started(
  a: AttentionAllocator,
  s: Snapshot & { now: number },
  twin: number,
  from: number,
  to: number,
  ok: boolean,
) {
  s.now = from;
  a.refreshStarted?.(twin, s);
  s.now = to;
  a.refreshed?.(twin, ok, s);
}

describe('Max-Weight and Whittle allocators', () => {
  for (const rule of ['max-weight', 'whittle'] as const) {
    it(`${rule}: oldest first among equals, criticality breaks equal ages, refreshing twins skipped, at most slots`, () => {
      const s = snapshotOf([
        { criticality: 1, lastSample: 5 },
        { criticality: 1, lastSample: 2 },
        { criticality: 3, lastSample: 5 },
        { criticality: 9, lastSample: 0, refreshing: true },
      ]);
      const a = aoiIndexAllocator(rule);
      a.init?.(s);
      expect(a.select(s, 2).map((c) => c.twin)).toEqual([2, 1]);
      expect(a.select(s, 10).map((c) => c.twin)).toEqual([2, 1, 0]);
    });

    it(`${rule}: a twin whose refreshes get lost ranks below an equal twin whose refreshes arrive`, () => {
      const s = snapshotOf([
        { criticality: 1, lastSample: 4 },
        { criticality: 1, lastSample: 4 },
      ]);
      const a = aoiIndexAllocator(rule);
      a.init?.(s);
      for (let k = 0; k < 5; k++) {
        started(a, s, 0, k, k + 0.5, false);
        started(a, s, 1, k, k + 0.5, true);
      }
      s.now = 10;
      const [first, second] = a.select(s, 2);
      expect(first!.twin).toBe(1);
      expect(second!.parts!.reliability).toBeCloseTo(2 / 7, 12);
      expect(first!.parts!.reliability).toBe(1);
      expect(first!.parts!.refreshSeconds).toBeCloseTo(0.5, 12);
    });

    it(`${rule}: a selection that fitted nowhere (handed back at once) is not a lost refresh`, () => {
      const s = snapshotOf([{ criticality: 1, lastSample: 4 }]);
      const a = aoiIndexAllocator(rule);
      a.init?.(s);
      started(a, s, 0, 3, 3, false);
      s.now = 10;
      expect(a.select(s, 1)[0]!.parts!.reliability).toBe(1);
    });
  }

  it('Whittle prefers, at equal weighted age, the twin that is cheaper to refresh', () => {
    const s = snapshotOf([
      { criticality: 1, lastSample: 2 },
      { criticality: 1, lastSample: 2 },
    ]);
    const a = aoiIndexAllocator('whittle');
    a.init?.(s);
    started(a, s, 0, 0, 2, true); // twin 0 takes 2 s per refresh
    started(a, s, 1, 0, 0.1, true); // twin 1 takes 0.1 s
    s.now = 10;
    expect(a.select(s, 1)[0]!.twin).toBe(1);
  });
});

describe('randomized allocator', () => {
  it('draws twins with frequencies ∝ √(criticality / (reliability · refresh seconds))', () => {
    const crit = [1, 4, 9];
    const s = snapshotOf(crit.map((criticality) => ({ criticality, lastSample: 0 })));
    const a = aoiRandomizedAllocator();
    a.init?.(s);
    const counts = [0, 0, 0];
    const draws = 60_000;
    for (let k = 0; k < draws; k++) counts[a.select(s, 1)[0]!.twin]! += 1;
    const expected = [1, 2, 3].map((w) => (draws * w) / 6);
    // binomial standard deviations are below 120 here; 5 of them
    for (let i = 0; i < 3; i++) expect(Math.abs(counts[i]! - expected[i]!)).toBeLessThan(600);
  });

  it('never returns a refreshing twin nor the same twin twice in one call', () => {
    const s = snapshotOf([
      { criticality: 1, lastSample: 0 },
      { criticality: 100, lastSample: 0, refreshing: true },
      { criticality: 1, lastSample: 0 },
    ]);
    const a = aoiRandomizedAllocator();
    a.init?.(s);
    for (let k = 0; k < 50; k++) {
      const picks = a.select(s, 3).map((c) => c.twin);
      expect(picks).not.toContain(1);
      expect(new Set(picks).size).toBe(picks.length);
    }
  });
});

describe('in the world', () => {
  // Twins of three criticalities whose refreshes differ in cost; attention is scarce (one refresh at a time).
  const scenario = parseScenario(
    JSON.stringify({
      name: 'aoi-world',
      horizon: 600,
      warmup: 50,
      seed: 5,
      tenants: [{ id: 'ops' }],
      nodes: [{ id: 'n', tier: 'edge', compute: 4, attention: 1 }],
      network: { default: { latency: 0.01, bandwidth: 1e7 } },
      assets: [
        { id: 'critical', count: 4, tenant: 'ops', twin: { criticality: 9, refresh: { work: 0.2 } } },
        { id: 'normal', count: 8, tenant: 'ops', twin: { criticality: 3, refresh: { work: 0.1 } } },
        { id: 'minor', count: 16, tenant: 'ops', twin: { criticality: 1, refresh: { work: 0.4 } } },
      ],
      workloads: [],
    }),
  );
  const aoi = (policy: string) => runScenario(scenario, { policy }).twins.weightedAoI!;

  it('Whittle and Max-Weight give a lower weighted AoI than round-robin refresh, max-age-first and the randomized policy', () => {
    const whittle = aoi('whittle');
    const mw = aoi('max-weight');
    for (const other of ['uniform-refresh', 'max-age-first', 'aoi-randomized']) {
      const o = aoi(other);
      expect(whittle).toBeLessThan(o);
      expect(mw).toBeLessThan(o);
    }
  });
});
