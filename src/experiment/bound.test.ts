import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../engine/random.js';
import { InputError } from '../errors.js';
import { loadScenario } from '../model/load.js';
import type { WorkloadDef } from '../model/scenario.js';
import { literalScenario } from '../model/test-helpers/literal.js';
import { arrivalProcess } from '../world/arrivals.js';
import type { RunResult } from '../world/results.js';
import { availability, freshnessBound, meanArrivalRate, simplexMax } from './bound.js';
import { runScenario } from './run.js';
import { THREE_GROUPS, threeGroups as threeGroupsFleet } from './test-helpers/fleets.js';

/** A scenario from an object literal, through the real loader. */
const scenario = (s: Parameters<typeof literalScenario>[0]) =>
  literalScenario(s, { name: 'bound', horizon: 10, file: 'bound.json' });

const FREE_NETWORK = { default: { latency: 0, bandwidth: 1e15 } };

/** the nodes' up-seconds of a run, as the bound reads them */
const upSecondsOf = (r: RunResult) =>
  Object.fromEntries(Object.entries(r.resources.byNode).map(([id, n]) => [id, n.upSeconds]));

describe('the freshness bound', () => {
  // one twin, one slot: 0.25 s of transfer and 0.25 s of work per refresh, back to back (world.test.ts)
  const backToBack = scenario({
    horizon: 5,
    warmup: 1,
    nodes: [
      { id: 'n', tier: 'edge', compute: 1, attention: 1, speed: { default: 1, kinds: { refresh: 4 } } },
    ],
    network: {
      default: { latency: 9, bandwidth: 1 },
      tiers: [{ between: ['device', 'edge'], latency: 0.125, bandwidth: 8000 }],
    },
    assets: [
      { id: 'a', tenant: 't', twin: { sampleBytes: 1000, refresh: { work: 1, compute: 1, attention: 1 } } },
    ],
  });

  it('is the age of a twin refreshed back to back: d + d/2', () => {
    const b = freshnessBound(backToBack);
    expect(b.weightedAoI).toBeCloseTo(0.75, 6);
    expect(b.feasible).toBeCloseTo(0.75, 6);
    expect(b.groups).toEqual([
      expect.objectContaining({ group: 'a', twins: 1, refreshTime: 0.5, period: expect.closeTo(0.5, 6) }),
    ]);
    const r = runScenario(backToBack, { policy: 'uniform-refresh' });
    expect(r.twins.weightedAoI).toBeCloseTo(0.75, 9);
    // the window's bound allows for the run's edges, so it lies below
    const w = freshnessBound(backToBack, { steady: false, upSeconds: upSecondsOf(r) });
    expect(w.steady).toBe(false);
    expect(w.weightedAoI).toBeLessThan(0.75);
    expect(w.weightedAoI).toBeGreaterThan(0.6);
  });

  it('counts what a slower node costs in delivery age: one twin, nodes of 1 s and 2 s refreshes, d + d/2 on the faster', () => {
    // with the refresh times alone the bound would take both nodes' capacity at the faster one's delivery age:
    // 1/(2 · 1.5) + 1 = 1.33 s; a refresh's sample is as old as its refresh on delivery, and refreshing on the slow
    // node as well buys nothing: (1 + D)²/(2F) − Q/2 = 1.5 s for every rate there
    const twoSpeeds = scenario({
      horizon: 200,
      warmup: 10,
      nodes: [
        { id: 'fast', tier: 'edge', compute: 1, attention: 1, speed: 1 },
        { id: 'slow', tier: 'edge', compute: 1, attention: 1, speed: 0.5 },
      ],
      network: FREE_NETWORK,
      assets: [
        { id: 'a', tenant: 't', twin: { sampleBytes: 0, refresh: { work: 1, compute: 1, attention: 1 } } },
      ],
    });
    const b = freshnessBound(twoSpeeds);
    // the relaxation's optimum, 1.5 s, is reached by the allocation and nearly by the dual (its prices approach
    // the optimum at the edge where the slow node's price falls to 0, so the search stops within 1 %)
    expect(b.feasible).toBeCloseTo(1.5, 6);
    expect(b.weightedAoI).toBeGreaterThan(1.485);
    expect(b.weightedAoI).toBeLessThanOrEqual(1.5);
    // the window bound keeps the plain form
    expect(freshnessBound(twoSpeeds, { steady: false }).weightedAoI).toBeLessThan(1.34);
    for (const policy of ['uniform-refresh', 'whittle', 'ars']) {
      const r = runScenario(twoSpeeds, { policy, seed: 1 });
      expect(r.twins.weightedAoI!, policy).toBeGreaterThanOrEqual(b.weightedAoI - 1e-6);
    }
  });

  // three groups on one node of 4 slots: the square-root law in closed form
  const groups = THREE_GROUPS;
  const threeGroups = threeGroupsFleet();

  it('follows the square-root law on one pool: (Σ √(c r))² / (2 A Σ c) + Σ c r / Σ c', () => {
    let root = 0;
    let crit = 0;
    let cr = 0;
    for (const g of groups) {
      root += g.count * Math.sqrt(g.criticality * g.work);
      crit += g.count * g.criticality;
      cr += g.count * g.criticality * g.work;
    }
    const expected = root ** 2 / (2 * 4 * crit) + cr / crit;
    const b = freshnessBound(threeGroups);
    expect(b.weightedAoI / expected).toBeCloseTo(1, 5);
    expect(b.feasible! / expected).toBeCloseTo(1, 5);
    // the periods: T_i ∝ √(r_i / c_i)
    const period = Object.fromEntries(b.groups.map((g) => [g.group, g.period]));
    expect(period.hot! / period.warm!).toBeCloseTo(Math.sqrt(0.2 / 4 / (0.5 / 1)), 5);
    expect(period.cold! / period.warm!).toBeCloseTo(Math.sqrt(2 / 0.25 / (0.5 / 1)), 5);
  });

  it('is nearly reached by the policies that refresh by age, and never beaten over the window', () => {
    const b = freshnessBound(threeGroups).weightedAoI;
    for (const policy of ['whittle', 'max-weight', 'max-age-first']) {
      const r = runScenario(threeGroups, { policy, seed: 1 });
      const w = freshnessBound(threeGroups, { steady: false, upSeconds: upSecondsOf(r) }).weightedAoI;
      expect(r.twins.weightedAoI!).toBeGreaterThanOrEqual(w);
      // within 3 % of the long-run bound: the bound is not loose where only refreshes compete
      expect(r.twins.weightedAoI! / b).toBeLessThan(1.03);
    }
  });

  it('is never beaten by a run, failures, requests and all (each run against its own window)', () => {
    for (const file of ['examples/cascade.yaml', 'examples/smart-home.yaml']) {
      const s = loadScenario(file);
      for (const policy of ['fifo', 'max-age-first', 'whittle', 'ars']) {
        const r = runScenario(s, { policy, seed: 2, horizon: 240 });
        const w = freshnessBound(s, { steady: false, horizon: 240, upSeconds: upSecondsOf(r) });
        expect(r.twins.weightedAoI!, `${file} ${policy}`).toBeGreaterThanOrEqual(w.weightedAoI);
      }
    }
  });

  it('counts a node by its expected time up: down from the start at the repair rate', () => {
    expect(availability(undefined, 0, 100)).toBe(1);
    // long-run share up: mttr / (mtbf + mttr) down
    expect(availability({ mtbf: 90, mttr: 10 }, 1e6, 2e6)).toBeCloseTo(0.9, 9);
    // starts up, so over a short first window it is up nearly all the time
    expect(availability({ mtbf: 90, mttr: 10 }, 0, 0.01)).toBeCloseTo(1, 3);
    const cascade = loadScenario('examples/cascade.yaml');
    const full = freshnessBound(cascade, {
      upSeconds: Object.fromEntries(cascade.nodes.map((n) => [n.id, 540])),
    });
    expect(freshnessBound(cascade).weightedAoI).toBeGreaterThan(full.weightedAoI * 1.1);
  });

  describe('with an anomaly-delay target', () => {
    // doors strike anomalies, lamps do not; two slots, 0.5 s a refresh
    const home = scenario({
      horizon: 600,
      warmup: 60,
      nodes: [{ id: 'hub', tier: 'edge', compute: 2, attention: 2 }],
      network: FREE_NETWORK,
      assets: [
        {
          id: 'lamp',
          count: 60,
          tenant: 't',
          twin: { criticality: 1, sampleBytes: 0, refresh: { work: 0.5, compute: 1, attention: 1 } },
        },
        {
          id: 'door',
          count: 20,
          tenant: 't',
          anomaly: { rate: 0.001 },
          twin: { criticality: 1, sampleBytes: 0, refresh: { work: 0.5, compute: 1, attention: 1 } },
        },
      ],
    });

    it('costs nothing while the square-root law meets it, then rises as it tightens', () => {
      const free = freshnessBound(home);
      const door = free.groups.find((g) => g.group === 'door')!;
      // the unconstrained doors are refreshed every T: a target past 0.95 T + d does not bind
      expect(freshnessBound(home, { anomalyDelay: 0.95 * door.period + 0.5 + 1 }).weightedAoI).toBeCloseTo(
        free.weightedAoI,
        4,
      );
      let last = free.weightedAoI;
      for (const D of [15, 10, 8, 6]) {
        const b = freshnessBound(home, { anomalyDelay: D });
        expect(b.reachable).toBe(true);
        expect(b.weightedAoI).toBeGreaterThan(last);
        last = b.weightedAoI;
        // the doors are then refreshed just often enough: 95 % of their anomalies wait at most D
        const T = b.groups.find((g) => g.group === 'door')!.period;
        expect(Math.max(0, 1 - (D - 0.5) / T)).toBeLessThanOrEqual(0.05 + 1e-3);
      }
    });

    it('finds the edge of reach exactly: 95 % of the doors within D needs 20 × 0.5 s / ((D − 0.5) / 0.95) slots of 2', () => {
      // two slots hold the doors alone at a period of 5 s, so D = 0.95 × 5 + 0.5 = 5.25 s
      expect(freshnessBound(home, { anomalyDelay: 5.26 }).reachable).toBe(true);
      expect(freshnessBound(home, { anomalyDelay: 5.24 }).reachable).toBe(false);
    });

    it('says when no allocation can meet it', () => {
      // within a refresh time nothing is caught
      expect(freshnessBound(home, { anomalyDelay: 0.4 })).toMatchObject({
        reachable: false,
        weightedAoI: Infinity,
      });
      // the doors alone at 0.05 s a period would need 200 slots
      expect(freshnessBound(home, { anomalyDelay: 0.55 }).reachable).toBe(false);
    });
  });

  it("solves a linear program by the simplex method (Hillier and Lieberman's Wyndor Glass: 36 at (2, 6))", () => {
    const x = [0, 0];
    const A = [
      [1, 0],
      [0, 2],
      [3, 2],
    ];
    expect(simplexMax([3, 5], A, [4, 12, 18], x)).toBeCloseTo(36, 12);
    expect(x[0]).toBeCloseTo(2, 12);
    expect(x[1]).toBeCloseTo(6, 12);
    // unbounded
    expect(simplexMax([1, 1], [[1, -1]], [1])).toBe(Number.POSITIVE_INFINITY);
  });

  describe('with the requests taking their share', () => {
    // ten twins and a request stream on one node of 2 slots; each refresh and each task holds a slot and a core 1 s
    const shared = (rate: number, anomaly?: { rate: number }) =>
      scenario({
        horizon: 400,
        warmup: 20,
        nodes: [{ id: 'n', tier: 'edge', compute: 2, attention: 2 }],
        network: FREE_NETWORK,
        assets: [
          {
            id: 'a',
            tenant: 't',
            count: 10,
            ...(anomaly ? { anomaly } : {}),
            twin: { sampleBytes: 0, refresh: { work: 1, compute: 1, attention: 1 } },
          },
        ],
        workloads: [
          {
            id: 'q',
            tenant: 't',
            arrival: { kind: 'poisson', rate },
            tasks: [{ id: 'x', work: 1, compute: 1, attention: 1 }],
          },
        ],
      });

    it('leaves the refreshes what the requests do not hold: 10 twins at 1.5 slots, 1/(2 · 0.15) + 1', () => {
      const b = freshnessBound(shared(0.5));
      expect(b.requests).toBe('counted');
      expect(b.weightedAoI).toBeCloseTo(1 / 0.3 + 1, 3);
      expect(b.feasible! / b.weightedAoI).toBeGreaterThanOrEqual(1);
      expect(b.feasible! / b.weightedAoI).toBeLessThan(1.002);
      expect(b.groups[0]!.period).toBeCloseTo(10 / 1.5, 2);
      // without them, and over a window (a run may end with requests unserved), all 2 slots: 1/(2 · 0.2) + 1
      expect(freshnessBound(shared(0.5), { requests: false })).toMatchObject({ requests: 'left out' });
      expect(freshnessBound(shared(0.5), { requests: false }).weightedAoI).toBeCloseTo(3.5, 3);
      expect(freshnessBound(shared(0.5), { steady: false }).requests).toBe('left out');
      // a policy that serves the requests stays above it
      for (const policy of ['whittle', 'max-age-first']) {
        const r = runScenario(shared(0.5), { policy, seed: 1 });
        expect(r.requests.completed / r.requests.arrived).toBeGreaterThan(0.95);
        expect(r.twins.weightedAoI!).toBeGreaterThan(b.weightedAoI);
      }
    });

    it('finds the edge of reach with the requests placed: 95 % within D needs f ≥ 0.95 / (D − 1) of 0.15 a twin', () => {
      const s = shared(0.5, { rate: 0.01 });
      // 1 + 0.95 / 0.15 = 7.33 s with the requests, 1 + 0.95 / 0.2 = 5.75 s without
      expect(freshnessBound(s, { anomalyDelay: 7.3 }).reachable).toBe(false);
      expect(freshnessBound(s, { anomalyDelay: 7.37 }).reachable).toBe(true);
      expect(freshnessBound(s, { anomalyDelay: 6.5, requests: false }).reachable).toBe(true);
      expect(freshnessBound(s, { anomalyDelay: 5.7, requests: false }).reachable).toBe(false);
    });

    it('says when the requests alone need more than the nodes hold, and leaves them out', () => {
      // 3 tasks a second of 1 slot-second each against 2 slots
      const b = freshnessBound(shared(3));
      expect(b.requests).toBe('overload');
      expect(b.weightedAoI).toBeCloseTo(3.5, 3);
    });

    it('counts each arrival process at its mean over the window, as the world generates it', () => {
      const w = (arrival: unknown) => ({ arrival }) as unknown as WorkloadDef;
      // bases 5 + 2k in [10, 29.5]: 11, 13, …, 29
      expect(meanArrivalRate(w({ kind: 'periodic', period: 2, offset: 5, jitter: 0.5 }), 10, 30)).toBe(0.5);
      expect(meanArrivalRate(w({ kind: 'poisson', rate: 2 }), 10, 30)).toBe(2);
      // over whole days a diurnal stream averages its mean rate
      const day = { kind: 'diurnal', meanRate: 3, amplitude: 0.6, period: 300, peak: 200 };
      expect(meanArrivalRate(w(day), 0, 600)).toBeCloseTo(3, 12);
      const trace = { ...w({ kind: 'trace' }), traceTimes: [1, 2, 15, 16, 40] } as WorkloadDef;
      expect(meanArrivalRate(trace, 10, 20)).toBe(0.2);
      // the world's own streams, counted over 400 seeds
      for (const arrival of [
        { kind: 'bursty', onRate: 4, offRate: 0.5, onMean: 5, offMean: 15 },
        { ...day, peak: 100 },
      ]) {
        let count = 0;
        for (let seed = 1; seed <= 400; seed++) {
          const p = arrivalProcess(w(arrival), new RandomStreams(seed).stream('arrivals'));
          for (let t = p.next(); t < 60; t = p.next()) if (t >= 10) count++;
        }
        expect(count / 400 / 50 / meanArrivalRate(w(arrival), 10, 60)).toBeCloseTo(1, 1);
      }
    });
  });

  it('refuses options that mean nothing', () => {
    expect(() => freshnessBound(backToBack, { anomalyDelay: -1 })).toThrow(InputError);
    expect(() => freshnessBound(backToBack, { anomalyQuantile: 1 })).toThrow(/quantile/);
    expect(() => freshnessBound(backToBack, { horizon: 1 })).toThrow(/horizon past the warm-up/);
  });
});
