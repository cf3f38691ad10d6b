import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freshnessBound } from '../../experiment/bound.js';
import { runScenario } from '../../experiment/run.js';
import { threeGroups } from '../../experiment/test-helpers/fleets.js';
import { parseScenario } from '../../model/load.js';
import type { Decision } from '../../scheduler/scheduler.js';
import type { WorkItem } from '../../scheduler/types.js';
import { registry } from '../index.js';
import { urgencyOrder } from './compute.js';
import { ArsContext } from './context.js';
import { ATTENTION_FEATURES, defaultParams } from './params.js';

/** Only the criticality and cost features: the square-root law in its pure form. */
// the square-root law alone (weights 0.5 on ln c and ln r, temperature 1), pinned so the learned defaults do not move it
const PURE = {
  wCriticality: 0.5,
  wCost: 0.5,
  temperature: 1,
  wUncertainty: 0,
  wSuspicion: 0,
  wHazard: 0,
  wDemand: 0,
  wFairness: 0,
  wFresh: 0,
  // the floors' tests below ask for the miss-chance ramp of a refresh that may wait for a slot (from 0.6 of the
  // deadline); with preemption it starts at 0.9 (see the test of that)
  preempt: 0,
};

function twinsScenario(low: number, high: number, extra: Record<string, unknown> = {}) {
  return parseScenario(
    JSON.stringify({
      name: 'two-classes',
      horizon: 400,
      warmup: 50,
      seed: 5,
      tenants: [{ id: 't' }],
      nodes: [{ id: 'n', count: 2, tier: 'edge', compute: 4, attention: 2 }],
      assets: [
        { id: 'low', count: 20, tenant: 't', twin: { criticality: low, refresh: { work: 0.5 } } },
        { id: 'high', count: 20, tenant: 't', twin: { criticality: high, refresh: { work: 0.5 } } },
      ],
      workloads: [],
      ...extra,
    }),
  );
}

function collect<K extends Decision['kind']>(kind: K) {
  const out: Extract<Decision, { kind: K }>[] = [];
  return {
    out,
    record: (d: Decision) => void (d.kind === kind && out.push(d as Extract<Decision, { kind: K }>)),
  };
}

/** One workload of requests that each read a twin of group `high` with an age bound, as scenario fields. */
function highReads(o: { rate: number; maxAge: number; deadline: number; work: number }) {
  return {
    workloads: [
      {
        id: 'read',
        tenant: 't',
        deadline: o.deadline,
        arrival: { kind: 'poisson', rate: o.rate },
        tasks: [{ id: 'get', work: o.work, twin: { group: 'high', maxAge: o.maxAge } }],
      },
    ],
  };
}

/**
 * The demand feature and the floors at the weights learned before preemption, where their effect shows (the
 * shipped defaults, learned with it, keep the demand weight small: docs/ars-policy.md, section 8), and the
 * miss-chance ramp without preemption: what these tests ask is where they apply, not how much.
 */
const DEMAND_ON = { wDemand: 0.3648, wFresh: 6.666, freshMargin: 0.9328, freshBudget: 0.5997, preempt: 0 };

/**
 * The attention choices of an `ars` run (feedback off, `DEMAND_ON`) from 150 s on, and the largest demand
 * feature per group.
 */
function lateChoices(scenario: ReturnType<typeof twinsScenario>, params: Record<string, number> = {}) {
  const sink = collect('attention');
  runScenario(scenario, {
    policy: { name: 'ars', params: { ...DEMAND_ON, feedback: false, ...params } },
    horizon: 300,
    trace: sink,
  });
  const late = sink.out.filter((d) => d.chosen !== null && d.time > 150);
  const demand = (group: string) =>
    Math.max(
      ...late
        .filter((d) => d.subject.startsWith(group))
        .map((d) => (d.features as Record<string, number>).demand ?? 0),
    );
  return { late, demand };
}

/** The mean target period of the `high` twins' attention decisions over that of the `low` twins'. */
function periodRatio(decisions: readonly Extract<Decision, { kind: 'attention' }>[]) {
  const period = (group: string) => {
    const ps = decisions
      .filter((d) => d.subject.startsWith(group))
      .map((d) => (d.detail as Record<string, number>).targetPeriod!);
    return ps.reduce((a, b) => a + b, 0) / ps.length;
  };
  return period('high') / period('low');
}

function refreshCounts(decisions: readonly Decision[]) {
  let low = 0;
  let high = 0;
  for (const d of decisions) {
    if (d.chosen === null) continue;
    if (d.subject.startsWith('low')) low++;
    else high++;
  }
  return { low, high };
}

describe('ars attention', () => {
  it('learns which group surprises (anomaly hazard, no prior) and refreshes it more often, only with wHazard > 0', () => {
    const scenario = () =>
      twinsScenario(1, 1, {
        name: 'hazard',
        seed: 3,
        assets: [
          { id: 'calm', count: 20, tenant: 't', twin: { refresh: { work: 0.5 } } },
          {
            id: 'jumpy',
            count: 20,
            tenant: 't',
            anomaly: { rate: 0.02, kind: 'jump', magnitude: 40 },
            twin: { refresh: { work: 0.5 } },
          },
        ],
      });
    const counts = (wHazard: number) => {
      const sink = collect('attention');
      // hazardPrior 0: the declared rate counts for nothing, the hazard comes from the surprises alone
      runScenario(scenario(), {
        policy: { name: 'ars', params: { ...PURE, wHazard, hazardPrior: 0 } },
        trace: sink,
      });
      let calm = 0;
      let jumpy = 0;
      for (const d of sink.out) {
        if (d.chosen === null) continue;
        if (d.subject.startsWith('jumpy')) jumpy++;
        else calm++;
      }
      return jumpy / calm;
    };
    const off = counts(0);
    const on = counts(1);
    expect(off).toBeGreaterThan(0.85);
    expect(off).toBeLessThan(1.15);
    expect(on).toBeGreaterThan(1.3);
  });

  it('gives no anomaly hazard where samples surprise only by chance: on refreshes alone it nears the bound', () => {
    // no asset declares anomalies; random walks make a few samples surprising anyway, most of them among a
    // twin's first (its typical change is not known yet). Counted as anomalies, they once flattened the
    // allocation: default ARS was 3.4 % above the freshness bound here, Whittle's index 0.5 %
    const scenario = threeGroups();
    const sink = collect('attention');
    const r = runScenario(scenario, { policy: 'ars', seed: 1, trace: sink });
    expect(r.twins.weightedAoI! / freshnessBound(scenario).weightedAoI).toBeLessThan(1.01);
    const hazards = sink.out.map((d) => (d.features as Record<string, number>).hazard ?? 0);
    expect(Math.max(...hazards)).toBe(0);
  });

  it('refreshes the twins of every tenant, past the eight whose buckets sit in a table (the rest in a map)', () => {
    // ten tenants of equal weight and floor, two twins each: each tenant's twins are chosen in turn
    const tenants = Array.from({ length: 10 }, (_, k) => ({ id: `t${k}` }));
    const scenario = twinsScenario(1, 1, {
      name: 'ten-tenants',
      horizon: 200,
      tenants,
      assets: tenants.map((t) => ({
        id: `a-${t.id}`,
        count: 2,
        tenant: t.id,
        twin: { refresh: { work: 0.5 } },
      })),
    });
    const sink = collect('attention');
    runScenario(scenario, { policy: { name: 'ars', params: PURE }, trace: sink });
    const perTenant = new Map<string, number>();
    for (const d of sink.out) {
      if (d.chosen === null) continue;
      const tenant = d.subject.replace(/^a-(t\d+)-.*$/, '$1');
      perTenant.set(tenant, (perTenant.get(tenant) ?? 0) + 1);
    }
    expect([...perTenant.keys()].sort()).toEqual(tenants.map((t) => t.id).sort());
    const counts = [...perTenant.values()];
    // the same features everywhere: every tenant about as often as the others
    expect(Math.min(...counts)).toBeGreaterThan(0.7 * Math.max(...counts));
  });

  it('adds the declared anomaly rate to the square-root law: rates ∝ √(c/c̄ + κ · a/ā)', () => {
    // equal criticality 1 and refresh cost; "prone" declares anomalies, "quiet" none, so a/ā is 2 for a
    // prone twin and its importance 1 + 2κ: at κ = 4 its rate is √9 = 3 times a quiet twin's
    const scenario = twinsScenario(1, 1, {
      assets: [
        { id: 'low', count: 20, tenant: 't', twin: { criticality: 1, refresh: { work: 0.5 } } },
        {
          id: 'high',
          count: 20,
          tenant: 't',
          anomaly: { rate: 0.001, kind: 'drift', magnitude: 0.01 },
          twin: { criticality: 1, refresh: { work: 0.5 } },
        },
      ],
    });
    const run = (anomalyWeight: number) => {
      const sink = collect('attention');
      runScenario(scenario, {
        policy: { name: 'ars', params: { ...PURE, wHazard: 0.5, anomalyWeight } },
        trace: sink,
      });
      const { low, high } = refreshCounts(sink.out);
      const period = (prefix: string) => {
        const ps = sink.out
          .filter((d) => d.chosen !== null && d.subject.startsWith(prefix))
          .map((d) => (d.detail as { targetPeriod: number }).targetPeriod);
        return ps.reduce((a, b) => a + b, 0) / ps.length;
      };
      return { counts: high / low, periods: period('low') / period('high') };
    };
    const off = run(0);
    expect(off.periods).toBeCloseTo(1, 1);
    expect(off.counts).toBeGreaterThan(0.9);
    expect(off.counts).toBeLessThan(1.1);
    // the target periods follow the law exactly; the refreshes done follow it less closely (2.5 here), as
    // the twins of a group fall due together and four slots serve them (see Limits in docs/ars-policy.md)
    const on = run(4);
    expect(on.periods).toBeGreaterThan(2.9);
    expect(on.periods).toBeLessThan(3.1);
    expect(on.counts).toBeGreaterThan(2.2);
  });

  it('refreshes twins at rates in proportion to the square root of their criticality (16 : 1 → 4 : 1)', () => {
    const sink = collect('attention');
    runScenario(twinsScenario(1, 16), { policy: { name: 'ars', params: PURE }, trace: sink });
    const { low, high } = refreshCounts(sink.out);
    expect(high / low).toBeGreaterThan(3.4);
    expect(high / low).toBeLessThan(4.6);
  });

  it('flattens with temperature: at τ = 2 the ratio is the fourth root (2 : 1)', () => {
    const sink = collect('attention');
    runScenario(twinsScenario(1, 16), {
      policy: { name: 'ars', params: { ...PURE, temperature: 2 } },
      trace: sink,
    });
    const { low, high } = refreshCounts(sink.out);
    expect(high / low).toBeGreaterThan(1.7);
    expect(high / low).toBeLessThan(2.3);
  });

  it('gives every twin the same rate in the uniform-attention ablation', () => {
    const sink = collect('attention');
    runScenario(twinsScenario(1, 16), { policy: { name: 'ars-uniform-attention', params: {} }, trace: sink });
    const { low, high } = refreshCounts(sink.out);
    expect(high / low).toBeGreaterThan(0.9);
    expect(high / low).toBeLessThan(1.1);
  });

  it('leaves twins with a negligible share unrefreshed, and their attention idle', () => {
    const sink = collect('attention');
    const r = runScenario(twinsScenario(0.001, 1000), {
      policy: {
        name: 'ars',
        params: { ...PURE, wCriticality: 1, negligible: 0.05, twinCap: 1, minOverdue: 1 },
      },
      trace: sink,
    });
    expect(refreshCounts(sink.out).low).toBe(0);
    expect(r.resources.attention.utilization).toBeLessThan(0.9);
  });

  it('keeps freshness floors within freshBudget: floors that cannot be kept do not starve the other twins', () => {
    // requests read the `high` group at 2/s with a 3 s age bound and a 0.55 s deadline: a stale read waits
    // 0.5 s for a refresh and mostly misses, so every extra refresh helps (partial floors), and keeping every
    // `high` twin within the bound would take more than the whole attention capacity
    const reads = highReads({ rate: 2, maxAge: 3, deadline: 0.55, work: 0.05 });
    const ratio = (freshBudget: number) => {
      const sink = collect('attention');
      runScenario(twinsScenario(1, 1, reads), {
        policy: { name: 'ars', params: { ...PURE, wFresh: 20, freshBudget, feedback: false } },
        horizon: 200,
        trace: sink,
      });
      const { low, high } = refreshCounts(sink.out);
      return low / high;
    };
    expect(ratio(0.3)).toBeGreaterThan(0.6);
    expect(ratio(1)).toBeLessThan(0.3);
  });

  it('gives the demand feature only to groups whose reads would find a stale twin and miss: not where a refresh in flight would make them miss, not where the twins are fresh anyway', () => {
    // `high` is read with an age bound tighter than a refresh (0.4 s against 0.5 s): an on-demand refresh fits
    // the deadline, but a read that finds a refresh in flight cannot use its sample, waits for it and for one
    // more, and misses. Keeping every `high` twin fresh would take more than the whole capacity, so refreshing
    // them more often only adds blind reads.
    const run = (maxAge: number, deadline: number) => {
      const { late, demand } = lateChoices(
        twinsScenario(1, 1, highReads({ rate: 4, maxAge, deadline, work: 0.02 })),
      );
      return { demand: demand('high'), periods: periodRatio(late) };
    };
    const blind = run(0.4, 0.9);
    expect(blind.demand).toBe(0);
    // equal criticality and cost, no demand feature, no floor: the same target period for both groups
    // (`high` gets fewer proactive refreshes all the same: its reads refresh it on demand)
    expect(blind.periods).toBeLessThan(1.2);
    expect(blind.periods).toBeGreaterThan(0.8);
    // a lax age bound and a tight deadline: a stale read misses for want of any sample, so demand counts
    // (four slots refresh the 40 twins every 5 s, a little longer than an age bound of 5 allows with its
    // margin), up to the share that keeps them fresh with those margins: a period of 0.933² × 5 s = 4.4 s at most
    // (a read that finds a refresh in flight goes on with it, so the bound is the period, not bound − refresh)
    const tight = run(5, 0.6);
    expect(tight.demand).toBeGreaterThan(0);
    expect(tight.periods).toBeLessThan(0.9);
    // the same with an age bound of 10: every twin's own share already refreshes it well within the bound, so
    // its reads find it fresh, and the demand term would only age the other group
    const fresh = run(10, 0.6);
    expect(fresh.demand).toBe(0);
    expect(fresh.periods).toBeGreaterThan(0.8);
    expect(fresh.periods).toBeLessThan(1.2);
  });

  it('gives no floor where an on-demand refresh fits the deadline and a refresh in flight sometimes does not', () => {
    // `high` is read with an age bound of 0.4 s, tighter than a refresh (0.5 s), and a 1.2 s deadline: an
    // on-demand refresh and the read take under half the deadline, so a read that finds its twin stale and idle
    // makes it; one that finds a refresh in flight waits for it and for one more, and sometimes misses.
    // Refreshing `high` more often than its own share, short of keeping it wholly fresh, would only make more
    // reads blind
    const { late } = lateChoices(
      twinsScenario(1, 1, highReads({ rate: 4, maxAge: 0.4, deadline: 1.2, work: 0.02 })),
    );
    // equal criticality and cost and no floor: the same target period for both groups
    expect(periodRatio(late)).toBeGreaterThan(0.9);
    expect(periodRatio(late)).toBeLessThan(1.1);
  });

  it('prices a read that finds a refresh in flight as the rest of it where that sample meets the bound: a partial floor, and the demand feature', () => {
    // `high` is read with a 1.2 s bound and a 0.7 s deadline, 0.5 s a refresh: a stale read that asks for a
    // refresh on demand misses about one time in three, one that finds a refresh in flight goes on with its
    // sample (0.5 s old on delivery) after a quarter of a second on average and makes it. Every extra refresh
    // of `high` turns idle stale reads into fresh or blind ones, so `high` gets a partial floor and the demand
    // feature (keeping it wholly fresh would take more than the capacity, so no whole floor)
    const { late, demand } = lateChoices(
      twinsScenario(1, 1, highReads({ rate: 4, maxAge: 1.2, deadline: 0.7, work: 0.02 })),
    );
    expect(demand('high')).toBeGreaterThan(0);
    expect(periodRatio(late)).toBeLessThan(0.9);
  });

  it('with preemption, keeps the floors and the demand feature for reads a stale twin makes late even with a slot at once', () => {
    // the reads above (1.2 s bound, 0.7 s deadline, 0.5 s a refresh) take about 0.73 of their deadline when
    // stale: late one time in three while the demanded refresh may wait for a slot, in time once it takes one
    // at once, so with preemption `high` gets neither
    const laxer = lateChoices(
      twinsScenario(1, 1, highReads({ rate: 4, maxAge: 1.2, deadline: 0.7, work: 0.02 })),
      { preempt: 1 },
    );
    expect(laxer.demand('high')).toBe(0);
    expect(periodRatio(laxer.late)).toBeGreaterThan(0.9);
    expect(periodRatio(laxer.late)).toBeLessThan(1.1);
    // a deadline shorter than a refresh (0.45 s): a stale read is late whatever the slot, so only a fresh twin
    // serves it, and `high` keeps both
    const tighter = lateChoices(
      twinsScenario(1, 1, highReads({ rate: 4, maxAge: 5, deadline: 0.45, work: 0.02 })),
      { preempt: 1 },
    );
    expect(tighter.demand('high')).toBeGreaterThan(0);
    expect(periodRatio(tighter.late)).toBeLessThan(0.9);
  });

  it('measures how much longer than planned the twins wait, and keeps the demand feature where that makes reads stale', () => {
    // the same reads as above with an age bound of 10, on nodes with one unit of compute each: a refresh holds
    // one, so each node runs one refresh at a time although it has two attention slots, and the twins wait
    // about twice their target periods
    const run = (compute: number) => {
      const { late, demand } = lateChoices(
        twinsScenario(1, 1, {
          nodes: [{ id: 'n', count: 2, tier: 'edge', compute, attention: 2 }],
          ...highReads({ rate: 4, maxAge: 10, deadline: 0.6, work: 0.02 }),
        }),
      );
      return { stretch: (late.at(-1)!.detail as Record<string, number>).stretch!, demand: demand('high') };
    };
    const ample = run(4);
    expect(ample.stretch).toBeGreaterThan(0.9);
    expect(ample.stretch).toBeLessThan(1.1);
    expect(ample.demand).toBe(0);
    const short = run(1);
    expect(short.stretch).toBeGreaterThan(1.6);
    expect(short.demand).toBeGreaterThan(0);
  });

  it('moves the freshness floors with the demand window still open: at a crowd’s onset and at its end', () => {
    // a trickle of reads of `high` all along, and a crowd of 20 reads a second from t = 101 to 140; the
    // forecasts see only closed 10-second windows, so they learn of the onset at 110 and of the end at 150
    const dir = mkdtempSync(join(tmpdir(), 'ars-crowd-'));
    const times = ['time'];
    for (let k = 0; k < 780; k++) times.push((101 + k * 0.05).toFixed(2));
    writeFileSync(join(dir, 'crowd.csv'), `${times.join('\n')}\n`);
    const read = { id: 'get', work: 0.05, twin: { group: 'high', maxAge: 3 } };
    const scenario = twinsScenario(1, 1, {
      workloads: [
        {
          id: 'trickle',
          tenant: 't',
          deadline: 0.58,
          arrival: { kind: 'poisson', rate: 0.5 },
          tasks: [read],
        },
        {
          id: 'crowd',
          tenant: 't',
          deadline: 0.58,
          arrival: { kind: 'trace', file: join(dir, 'crowd.csv') },
          tasks: [read],
        },
      ],
    });
    const sink = collect('attention');
    runScenario(scenario, {
      // the floors may take 3/4 of the capacity (keeping every `high` twin fresh would take more)
      policy: { name: 'ars', params: { ...PURE, wFresh: 1, freshBudget: 0.75, feedback: false } },
      horizon: 170,
      trace: sink,
    });
    // the mean target period of `high` twins over that of `low` twins among the decisions in [from, to)
    const ratio = (from: number, to: number) =>
      periodRatio(sink.out.filter((d) => d.chosen !== null && d.time >= from && d.time < to));
    // equal criticality and cost: without a floor both groups get the same period
    expect(ratio(90, 100)).toBeGreaterThan(0.8);
    // the crowd is seen within the window it starts in: `high` is kept fresh (about a third of the period)
    expect(ratio(103, 109.5)).toBeLessThan(0.6);
    expect(ratio(120, 140)).toBeLessThan(0.6);
    // and its end within the window after it: the floor is gone before the forecast would drop it
    expect(ratio(144, 149.5)).toBeGreaterThan(0.8);
  });

  it('explains each attention decision: features, contributions, weight, target period, runner-up', () => {
    const sink = collect('attention');
    runScenario(twinsScenario(1, 4), { policy: 'ars', horizon: 60, trace: sink });
    const d = sink.out.find((x) => x.chosen !== null)!;
    expect(Object.keys(d.features as object).sort()).toEqual([...ATTENTION_FEATURES].sort());
    expect(typeof d.weight).toBe('number');
    expect(typeof d.score).toBe('number');
    const detail = d.detail as Record<string, unknown>;
    expect(detail.targetPeriod).toBeGreaterThan(0);
    expect(detail).toHaveProperty('runnerUp');
    expect(d.candidates.length).toBeGreaterThan(0);
  });

  it('is deterministic: the same seed gives the same result document', () => {
    const a = runScenario(twinsScenario(1, 4), { policy: 'ars', horizon: 120 });
    const b = runScenario(twinsScenario(1, 4), { policy: 'ars', horizon: 120 });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });
});

describe('ars parameters and profiles', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ars-profile-'));

  it('loads a tuned profile file, and explicit parameters override it', () => {
    const file = join(dir, 'p.json');
    writeFileSync(file, JSON.stringify({ policy: 'ars', params: { temperature: 2.5, wCriticality: 0.8 } }));
    const p = registry.create('ars', { profile: file, wCriticality: 0.3 });
    expect(p.params.temperature).toBe(2.5);
    expect(p.params.wCriticality).toBe(0.3);
  });

  it.each([
    ['an unknown parameter in the file', { params: { wCriticaltiy: 1 } }],
    ['a value out of bounds', { params: { temperature: 0 } }],
    ['no params object', { weights: {} }],
  ])('refuses a profile with %s (ARS_E_POLICY)', (_what, doc) => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify(doc));
    expect(() => registry.create('ars', { profile: file })).toThrow(
      expect.objectContaining({ code: 'ARS_E_POLICY' }),
    );
  });

  it('refuses a missing profile file and a bad flag', () => {
    expect(() => registry.create('ars', { profile: join(dir, 'none.json') })).toThrow(
      expect.objectContaining({ code: 'ARS_E_POLICY' }),
    );
    expect(() => registry.create('ars', { feedback: 'yes' })).toThrow(
      expect.objectContaining({ code: 'ARS_E_POLICY' }),
    );
  });

  it('registers the three ablations, each switching one part off', () => {
    expect(registry.create('ars-no-forecast').params.forecast).toBe(false);
    expect(registry.create('ars-no-feedback').params.feedback).toBe(false);
    expect(registry.create('ars-uniform-attention').attention.name).toBe('ars-uniform-attention');
    expect(registry.create('ars').params).toMatchObject({ forecast: true, feedback: true });
  });
});

describe('ars queue order', () => {
  const item = (over: Partial<WorkItem>): WorkItem => ({
    uid: 0,
    id: 'x',
    type: 'task',
    tenant: 0,
    tenantId: 't',
    priority: 0,
    deadline: 10,
    arrival: 0,
    readyTime: 0,
    kind: 'default',
    work: 1,
    compute: 1,
    attention: 0,
    tier: undefined,
    inputs: [],
    twin: -1,
    plannedNode: -1,
    request: 0,
    ...over,
  });

  it('orders by latest start (deadline − work), with credit for priority', () => {
    const q = urgencyOrder(new ArsContext(defaultParams(), false));
    const early = item({ uid: 1, deadline: 5 });
    const late = item({ uid: 2, deadline: 6 });
    const long = item({ uid: 3, deadline: 6, work: 3 });
    const urgent = item({ uid: 4, deadline: 6, priority: 3 });
    expect(q.compare(early, late)).toBeLessThan(0);
    expect(q.compare(long, early)).toBeLessThan(0);
    expect(q.compare(urgent, early)).toBeLessThan(0);
  });

  it('starts a refresh a request waits on early enough for the work its readers still have', () => {
    const ctx = new ArsContext(defaultParams(), false);
    // twin 0's readers run 0.4 s of work (at speed 2) after the read, twin 1's 0.05 s
    ctx.readWork = (twin) => (twin === 0 ? 0.4 : 0.05);
    const q = urgencyOrder(ctx);
    const refresh = (uid: number, twin: number, deadline: number) =>
      item({ uid, type: 'refresh', twin, deadline, work: 0.5, request: -1 });
    const longReaders = refresh(1, 0, 6);
    const shortReaders = refresh(2, 1, 6);
    expect(q.compare(longReaders, shortReaders)).toBeLessThan(0);
    expect(q.key(shortReaders) - q.key(longReaders)).toBeCloseTo(0.35, 12);
    expect(q.parts(longReaders)?.readers).toBe(-0.4);
    // a refresh no request waits on (no deadline) gets neither credit
    const proactive = item({ uid: 3, type: 'refresh', twin: 0, deadline: Number.POSITIVE_INFINITY });
    q.key(proactive);
    expect(q.parts(proactive)?.readers).toBe(0);
    expect(q.parts(proactive)?.refresh).toBe(0);
  });

  it('fixes an item’s key the first time it is compared (the heap contract)', () => {
    const ctx = new ArsContext(defaultParams(), false);
    const q = urgencyOrder(ctx);
    const a = item({ uid: 1, deadline: 5 });
    const before = q.key(a);
    ctx.params.wPriority = 100;
    expect(q.key({ ...a, priority: 1 })).not.toBe(before);
    expect(q.key(a)).toBe(before);
  });
});

describe('ars quota reserve', () => {
  /**
   * One tenant with a compute quota of 4 of 8 units owns the twins and a stream of long jobs that alone
   * would fill the quota: the jobs must leave room for the twins' refreshes (2 attention slots, so about 2
   * refreshes at once), or the twins go unrefreshed while the jobs run.
   */
  const spec = {
    name: 'quota-reserve',
    horizon: 300,
    warmup: 30,
    seed: 4,
    tenants: [{ id: 'fac', quota: { compute: 0.5 } }],
    nodes: [{ id: 'n', count: 1, tier: 'edge', compute: 8, attention: 2 }],
    assets: [{ id: 'pump', count: 10, tenant: 'fac', twin: { refresh: { work: 0.5 } } }],
    workloads: [
      {
        id: 'batch',
        tenant: 'fac',
        deadline: 600,
        arrival: { kind: 'poisson', rate: 1 },
        tasks: [{ id: 'crunch', work: 10 }],
      },
    ],
  };
  const scenario = () => parseScenario(JSON.stringify(spec));

  it('keeps part of a tenant’s compute quota for its twins’ refreshes', () => {
    const run = (quotaReserve: number) =>
      runScenario(scenario(), { policy: { name: 'ars', params: { quotaReserve } } }).twins;
    const without = run(0);
    const kept = run(1);
    // without the reserve the jobs hold the whole quota and the twins wait for them to end
    expect(without.maxAoI!).toBeGreaterThan(20);
    expect(kept.maxAoI!).toBeLessThan(10);
    expect(kept.weightedAoI!).toBeLessThan(without.weightedAoI! / 2);
  });

  it('does not hold back a task no longer than a refresh: it gives the quota back as soon', () => {
    // the same tenant also answers short reads (0.05 s of work, 1 s deadline) while its long jobs run
    const withReads = parseScenario(
      JSON.stringify({
        ...spec,
        name: 'quota-reserve-reads',
        workloads: [
          ...spec.workloads,
          {
            id: 'read',
            tenant: 'fac',
            deadline: 1,
            arrival: { kind: 'poisson', rate: 2 },
            tasks: [{ id: 'answer', work: 0.05 }],
          },
        ],
      }),
    );
    const r = runScenario(withReads, { policy: 'ars' });
    // held back behind the reserve, a read would wait for a 10-s job to end and miss
    expect(r.requests.deadlineMissRate).toBeLessThan(0.01);
    expect(r.requests.withDeadline).toBeGreaterThan(500);
    // and the reserve still keeps the twins refreshed
    expect(r.twins.maxAoI!).toBeLessThan(10);
  });

  it('explains a refused task with the reserve it keeps', () => {
    const sink = collect('place');
    runScenario(scenario(), { policy: 'ars', horizon: 60, trace: sink });
    const waiting = sink.out.map((d) => JSON.stringify(d)).find((d) => d.includes('for its twins'));
    expect(waiting).toContain("tenant fac's quota");
  });
});
