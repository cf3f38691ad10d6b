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
/** The non-stationary examples (issue 15): demand or capacity changes in the middle of the run. */
const NONSTATIONARY = ['shift-change', 'storm', 'flash-crowd', 'cascade'] as const;
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

  it('includes the four domain examples and the four non-stationary ones', () => {
    for (const d of [...DOMAINS, ...NONSTATIONARY]) expect(files).toContain(`${d}.yaml`);
  });

  it.each(files)('%s validates', (file) => {
    const s = loadScenario(join(examples, file));
    expect(s.nodes.length).toBeGreaterThan(0);
    expect(s.horizon).toBeGreaterThan(0);
  });
});

describe.each([...DOMAINS, ...NONSTATIONARY])('%s', (name) => {
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

// ---------------------------------------------------------------- non-stationary examples

/** Deadline-miss rate summed over seeds 1..n. */
function misses(scenario: Scenario, policy: string, seeds = 2, params: Record<string, unknown> = {}): number {
  let sum = 0;
  for (let seed = 1; seed <= seeds; seed++)
    sum += runScenario(scenario, { policy: { name: policy, params }, seed }).requests.deadlineMissRate;
  return sum;
}

/** Arrival times of a trace file under examples/traces. */
function traceTimes(file: string): number[] {
  return readFileSync(join(examples, 'traces', file), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map(Number);
}

describe('shift-change', () => {
  const s = load('shift-change');

  it('requests double within a minute at t = 300 s and stay doubled', () => {
    const first = runScenario(s, { policy: 'least-loaded', horizon: 300 }).requests.arrived;
    const whole = runScenario(s, { policy: 'least-loaded' }).requests.arrived;
    // arrivals count after the warm-up; maintenance (0.5/s) is steady, the query streams go from 6/s to
    // 12/s between 300 and 360 s: 6.5/s before, 12.05/s on average after (the ramp costs 135 arrivals)
    const before = first / (300 - s.warmup);
    const after = (whole - first) / 300;
    expect(after / before).toBeGreaterThan(1.7);
    expect(after / before).toBeLessThan(2);
  });

  it('ARS misses fewer deadlines than least-loaded, and still far fewer where demanded refreshes wait for a slot', () => {
    expect(misses(s, 'ars')).toBeLessThan(0.6 * misses(s, 'least-loaded'));
    // with preemption ARS misses nothing here (docs/ars-policy.md, section 2); without it a few stale reads
    // wait for a slot (2 and 7 on seeds 1–2, least-loaded 75 and 69)
    expect(misses(s, 'ars', 2, { preempt: 0 })).toBeLessThan(0.2 * misses(s, 'least-loaded'));
  });
});

describe('storm', () => {
  const s = load('storm');

  it('fault-location requests surge on the north feeders from 240 s to 420 s', () => {
    const t = traceTimes('storm-faults.csv');
    const inside = t.filter((x) => x >= 240 && x < 420).length / 180;
    const outside = t.filter((x) => x < 240 || x >= 420).length / 420;
    expect(inside / outside).toBeGreaterThan(15);
    const north = s.twins.filter((x) => x.group === 'north');
    expect(north.length).toBe(120);
  });

  it('ARS misses fewer fault-location deadlines than least-loaded', () => {
    expect(misses(s, 'ars')).toBeLessThan(0.6 * misses(s, 'least-loaded'));
  });
});

describe('flash-crowd', () => {
  const s = load('flash-crowd');

  it('one tenant jumps thirty-fold at 240 s and is back by 330 s', () => {
    const t = traceTimes('flash-crowd.csv');
    const rate = (a: number, b: number) => t.filter((x) => x >= a && x < b).length / (b - a);
    expect(rate(240, 300) / rate(0, 240)).toBeGreaterThan(20);
    expect(rate(330, 600) / rate(0, 240)).toBeLessThan(1.5);
  });

  it("ARS keeps the other tenants served: fewer misses than least-loaded, Jain ≥ 0.9 (the issue's goal)", () => {
    expect(misses(s, 'ars')).toBeLessThan(0.5 * misses(s, 'least-loaded'));
    // the freshness floors once held the crowd tenant's twins fresh and Jain at 0.99; with preemption a stale
    // venue read makes its deadline, the floors stay off here (docs/ars-policy.md, section 2, item 2) and Jain is
    // Whittle's, about 0.94
    const r = runScenario(s, { policy: 'ars' });
    expect(r.fairness.jain).toBeGreaterThan(0.9);
  });
});

describe('cascade', () => {
  const s = load('cascade');

  it('gateways fail faster than they are repaired: about half are down at the end', () => {
    let up = 0;
    for (const seed of [1, 2, 3]) {
      const world = new World(s, registry.create('least-loaded', {}), { seed });
      world.run();
      up += world.nodes.filter((n) => n.group === 'gateway' && n.state === 'up').length;
    }
    // expected up fraction at 600 s: 480/1380 + 900/1380 · e^(−600 · (1/480 + 1/900)) ≈ 0.42
    expect(up / (3 * 16)).toBeLessThan(0.7);
    expect(up / (3 * 16)).toBeGreaterThan(0.15);
  });

  it('ARS misses no more deadlines than least-loaded as capacity drains', () => {
    expect(misses(s, 'ars', 3)).toBeLessThanOrEqual(misses(s, 'least-loaded', 3));
  });
});
