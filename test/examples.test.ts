// The domain examples: each file validates, runs under every baseline with contention, is deterministic,
// and shows the behaviour its comments and docs/examples.md promise.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../src/experiment/run.js';
import { loadScenario } from '../src/model/index.js';
import type { Scenario } from '../src/model/scenario.js';
import { registry } from '../src/policies/index.js';
import type { RunResult } from '../src/world/results.js';
import { World } from '../src/world/world.js';

const examples = join(import.meta.dirname, '..', 'examples');
const load = (name: string): Scenario => loadScenario(join(examples, `${name}.yaml`));

const DOMAINS = ['smart-traffic', 'smart-hospital', 'smart-home', 'smart-grid'] as const;
const POLICIES = [
  'fifo',
  'random',
  'round-robin',
  'least-loaded',
  'earliest-deadline-first',
  'max-age-first',
] as const;
/** Long enough past the 60 s warm-up for queues and ages to settle, short enough to keep the file fast. */
const SHORT = 200;

/** Per asset group: mean refreshes per twin over the run, and mean age at the end. */
function byGroup(scenario: Scenario, policy: string, horizon: number) {
  const world = new World(scenario, registry.create(policy, {}), { horizon });
  const result = world.run();
  const groups = new Map<string, { twins: number; refreshes: number; age: number }>();
  for (const t of world.twins) {
    const g = groups.get(t.group) ?? { twins: 0, refreshes: 0, age: 0 };
    g.twins++;
    g.refreshes += t.refreshes;
    g.age += world.now - t.lastSample;
    groups.set(t.group, g);
  }
  const stats = (group: string) => {
    const g = groups.get(group);
    if (!g) throw new Error(`no asset group ${group}`);
    return { refreshesPerTwin: g.refreshes / g.twins, meanAge: g.age / g.twins };
  };
  return { result, stats };
}

describe('every example file', () => {
  const files = readdirSync(examples).filter((f) => f.endsWith('.yaml'));

  it('includes the four domain examples', () => {
    for (const d of DOMAINS) expect(files).toContain(`${d}.yaml`);
  });

  it.each(files)('%s validates', (file) => {
    const s = loadScenario(join(examples, file));
    expect(s.nodes.length).toBeGreaterThan(0);
    expect(s.horizon).toBeGreaterThan(0);
  });
});

describe.each(DOMAINS)('%s', (name) => {
  const scenario = load(name);
  const results = new Map<string, RunResult>();
  const run = (policy: string) => {
    let r = results.get(policy);
    if (!r) {
      r = runScenario(scenario, { policy, horizon: SHORT });
      results.set(policy, r);
    }
    return r;
  };

  it.each(POLICIES)('runs under %s with contention', (policy) => {
    const r = run(policy);
    expect(r.requests.arrived).toBeGreaterThan(0);
    expect(r.requests.completed).toBeGreaterThan(0.8 * r.requests.arrived);
    // attention is the scarce resource: every policy keeps it mostly busy
    expect(r.resources.attention.utilization).toBeGreaterThan(0.5);
    expect(r.resources.compute.utilization).toBeGreaterThan(0);
    expect(r.twins.refreshes.proactive).toBeGreaterThan(0);
  });

  it('policies differ in what users see', () => {
    const seen = new Set(
      POLICIES.map((p) => {
        const r = run(p);
        return JSON.stringify([r.requests.latency.p95, r.requests.deadlineMissRate, r.twins.weightedAoI]);
      }),
    );
    expect(seen.size).toBeGreaterThanOrEqual(3);
  });

  it('is deterministic for a seed and varies across seeds', () => {
    const a = runScenario(scenario, { policy: 'least-loaded', seed: 7, horizon: 120 });
    const b = runScenario(scenario, { policy: 'least-loaded', seed: 7, horizon: 120 });
    const c = runScenario(scenario, { policy: 'least-loaded', seed: 8, horizon: 120 });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify(c)).not.toBe(JSON.stringify(a));
    expect(c.twins.weightedAoI).not.toBe(a.twins.weightedAoI);
  });
});

describe('smart-traffic', () => {
  const s = load('smart-traffic');

  it('signal timing misses deadlines when placement sends it to the cloud, not under EDF', () => {
    const edf = runScenario(s, { policy: 'earliest-deadline-first', horizon: SHORT });
    const ll = runScenario(s, { policy: 'least-loaded', horizon: SHORT });
    const missEdf = edf.fairness.tenants['signal-control']!.deadlineMissRate!;
    const missLl = ll.fairness.tenants['signal-control']!.deadlineMissRate!;
    expect(missLl).toBeGreaterThan(missEdf);
    // route what-ifs are pinned to the cloud, which holds no attention
    expect(edf.resources.byTier.cloud!.compute.utilization).toBeGreaterThan(0.1);
    expect(edf.resources.byTier.cloud!.attention.utilization).toBe(0);
  });

  it('rush hour: the diurnal signal-timing rate peaks inside the horizon', () => {
    const w = s.workloads.find((x) => x.id === 'signal-timing')!;
    expect(w.arrival.kind).toBe('diurnal');
    if (w.arrival.kind !== 'diurnal') return;
    expect(w.arrival.period).toBeLessThanOrEqual(s.horizon / 2);
    expect(w.arrival.peak).toBeLessThan(s.horizon);
  });
});

describe('smart-hospital', () => {
  const s = load('smart-hospital');

  it('under max-age-first, patient twins are fresher than equipment twins', () => {
    const { stats } = byGroup(s, 'max-age-first', SHORT);
    for (const patient of ['icu-monitor', 'cardio-monitor']) {
      for (const equipment of ['infusion-pump', 'fridge']) {
        expect(stats(patient).refreshesPerTwin).toBeGreaterThan(2 * stats(equipment).refreshesPerTwin);
        expect(stats(patient).meanAge).toBeLessThan(stats(equipment).meanAge);
      }
    }
  });

  it('criticality-aware attention cuts ICU alert misses', () => {
    const maf = runScenario(s, { policy: 'max-age-first', horizon: SHORT });
    const ll = runScenario(s, { policy: 'least-loaded', horizon: SHORT });
    expect(maf.fairness.tenants.icu!.deadlineMissRate!).toBeLessThan(
      ll.fairness.tenants.icu!.deadlineMissRate!,
    );
  });

  it('has sensitive patient fields, tenant quotas and failing ward gateways', () => {
    const icu = s.twins.find((t) => t.group === 'icu-monitor')!;
    expect(icu.sensitive).toContain('patientId');
    expect(s.twins.find((t) => t.group === 'fridge')!.sensitive).toEqual([]);
    expect(s.tenants.filter((t) => Object.keys(t.quota).length > 0).length).toBeGreaterThanOrEqual(2);
    const r = runScenario(s, { policy: 'fifo' });
    const failures = Object.entries(r.resources.byNode)
      .filter(([id]) => id.startsWith('ward-gw'))
      .reduce((a, [, n]) => a + n.failures, 0);
    expect(failures).toBeGreaterThan(0);
  });
});

describe('smart-home', () => {
  const s = load('smart-home');

  it('has thousands of twins on hubs with one slot each', () => {
    expect(s.twins.length).toBeGreaterThanOrEqual(2000);
    const hubs = s.nodes.filter((n) => n.tier === 'edge');
    expect(hubs.length).toBeGreaterThanOrEqual(20);
    for (const h of hubs) expect(h.attention).toBeLessThanOrEqual(1);
    // hubs are the cheapest nodes
    const cheapest = Math.min(...s.nodes.map((n) => n.costPerSecond));
    expect(hubs[0]!.costPerSecond).toBe(cheapest);
  });

  it('hubs spend their slot on refreshes; max-age-first favours doors over plugs', () => {
    const { result, stats } = byGroup(s, 'max-age-first', SHORT);
    expect(result.resources.byTier.edge!.attention.utilization).toBeGreaterThan(0.9);
    expect(stats('door').refreshesPerTwin).toBeGreaterThan(stats('plug').refreshesPerTwin);
    const uniform = byGroup(s, 'least-loaded', SHORT).stats;
    // a uniform allocator refreshes every group about equally often
    const ratio = uniform('door').refreshesPerTwin / uniform('plug').refreshesPerTwin;
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  });
});

describe('smart-grid', () => {
  const s = load('smart-grid');

  it('replays every trace arrival between warm-up and horizon', () => {
    const csv = readFileSync(join(examples, 'traces', 'grid-dispatch.csv'), 'utf8')
      .trim()
      .split('\n');
    const col = csv[0]!.split(',').indexOf('time');
    const times = csv.slice(1).map((l) => Number(l.split(',')[col]));
    const expected = times.filter((t) => t >= s.warmup && t < SHORT).length;
    const r = runScenario(s, { policy: 'earliest-deadline-first', horizon: SHORT });
    expect(expected).toBeGreaterThan(10);
    expect(r.fairness.tenants.aggregator!.arrived).toBe(expected);
    // the trace is the same whatever the seed
    const other = runScenario(s, { policy: 'earliest-deadline-first', horizon: SHORT, seed: 5 });
    expect(other.fairness.tenants.aggregator!.arrived).toBe(expected);
  });

  it('load and arrivals share one period that fits the horizon twice', () => {
    for (const t of s.twins) {
      expect(t.dynamics.kind).toBe('periodic');
      if (t.dynamics.kind === 'periodic') expect(t.dynamics.period * 2).toBeLessThanOrEqual(s.horizon);
    }
    const diurnal = s.workloads.filter((w) => w.arrival.kind === 'diurnal');
    expect(diurnal.length).toBeGreaterThanOrEqual(2);
    for (const w of diurnal) if (w.arrival.kind === 'diurnal') expect(w.arrival.period).toBe(300);
  });

  it('what-ifs run in the cloud pool and stale feeders cost state estimation its deadline', () => {
    expect(s.nodeGroups.find((g) => g.id === 'sim-pool')!.elastic).toBeDefined();
    const fifo = runScenario(s, { policy: 'fifo', horizon: SHORT });
    const edf = runScenario(s, { policy: 'earliest-deadline-first', horizon: SHORT });
    expect(edf.resources.byTier.cloud!.compute.utilization).toBeGreaterThan(0.3);
    expect(fifo.twins.refreshes.onDemand).toBeGreaterThan(0);
    const ops = (r: RunResult) => r.fairness.tenants.operations!.deadlineMissRate!;
    expect(ops(fifo)).toBeGreaterThan(ops(edf));
  });
});
