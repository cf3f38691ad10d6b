// The cost-aware scaler (src/policies/scaling/cost-aware.ts): its rules on hand-made pool views, then on
// the examples with elastic pools, where ARS with it must cost less than ARS with the scenario's rule.
import { describe, expect, it } from 'vitest';
import { runScenario } from '../src/experiment/run.js';
import { loadScenario } from '../src/model/index.js';
import { literalScenario } from '../src/model/test-helpers/literal.js';
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

  describe('ahead of the tier’s forecast demand', () => {
    // windows of 10 s; a node started now is up after 30 s, in the 4th window from now, and the next decision's
    // node in the 5th: those are the windows the pool is grown for. At ahead = 0.5 a 32-core node carries 16
    // compute-units of load, and the other cloud node 16 of it.
    const forecast = (rates: Record<number, number>) => {
      const watched: string[] = [];
      return {
        watched,
        tier: {
          watch: (tier: string) => watched.push(tier),
          load: (tier: string, k: number) => (tier === 'cloud' ? (rates[k] ?? 0) : 0),
          window: 10,
        },
      };
    };

    it('grows with nothing waiting when the forecast for once a new node is up needs it, and watches the tier once', () => {
      const f = forecast({ 4: 80, 5: 40 });
      const scaler = costAwareScaler({ target: 0.5, tier: f.tier, ahead: 0.5 });
      const idle = pool({ usedCompute: 10 });
      // (80 − 16) / 16 = 4 nodes
      expect(scaler.desired(idle, s)).toBe(4);
      expect(scaler.desired(idle, s)).toBe(4);
      expect(f.watched).toEqual(['cloud']);
    });

    it('does not grow for load that comes before a node would be up, nor past the next decision, but keeps the nodes for it', () => {
      const before = costAwareScaler({ target: 0.5, tier: forecast({ 3: 200, 6: 200 }).tier, ahead: 0.5 });
      expect(before.desired(pool({ usedCompute: 10 }), s)).toBe(1);
      // an idle node the forecast needs within the same windows stays on: (56 − 16) / 16 → 3 nodes
      const keep = costAwareScaler({ target: 0.5, tier: forecast({ 2: 56 }).tier, ahead: 0.5 });
      expect(keep.desired(pool({ active: 3, up: 3, idle: 1, usedCompute: 10 }), s)).toBe(3);
      const drop = costAwareScaler({ target: 0.5, tier: forecast({ 2: 30 }).tier, ahead: 0.5 });
      expect(drop.desired(pool({ active: 3, up: 3, idle: 1, usedCompute: 10 }), s)).toBe(2);
    });

    it('takes the larger of the forecast’s sizing and the shortfall’s, and nothing ahead at ahead = 0', () => {
      const both = costAwareScaler({ target: 0.5, tier: forecast({ 4: 48 }).tier, ahead: 0.5 });
      const view = pool({ waiting: 12, waitingCompute: 48 });
      // forecast: (48 − 16) / 16 = 2 nodes; the lasting shortfall (second interval): 1 + 2 = 3
      expect(both.desired(view, s)).toBe(2);
      expect(both.desired(view, s)).toBe(3);
      const off = costAwareScaler({ target: 0.5, tier: forecast({ 4: 800 }).tier, ahead: 0 });
      expect(off.desired(pool({ usedCompute: 10 }), s)).toBe(1);
    });
  });

  it('keeps a node it started ahead of the forecast for the delay and the hold its start was paid for, then lets it go', () => {
    // the forecast needs 3 nodes once a node would be up, at 10 s only: (80 − 16) / 16 = 4 → grown to 4 at 10
    let now = 0;
    const tier = {
      watch: () => {},
      load: (_tier: string, k: number) => (now === 10 && k === 4 ? 80 : 0),
      window: 10,
    };
    const scaler = costAwareScaler({ target: 0.5, minHold: 60, tier, ahead: 0.5 });
    const at = (t: number) => {
      now = t;
      return { ...s, now: t };
    };
    expect(scaler.desired(pool({ usedCompute: 10 }), at(0))).toBe(1);
    expect(scaler.desired(pool({ usedCompute: 10 }), at(10))).toBe(4);
    // up at 40 (delay 30), held to 100; the forecast needs none of it after 10
    const idle = pool({ active: 4, up: 4, idle: 1, usedCompute: 30 });
    expect(scaler.desired(idle, at(50))).toBe(4);
    expect(scaler.desired(idle, at(99))).toBe(4);
    expect(scaler.desired(idle, at(100))).toBe(3);
  });

  it('holds no node it started for a shortfall: it lets it go once the shortfall is over', () => {
    const scaler = costAwareScaler({ target: 0.5, minHold: 60 });
    const short = pool({ waiting: 12, waitingCompute: 48 });
    expect(scaler.desired(short, { ...s, now: 0 })).toBe(1);
    expect(scaler.desired(short, { ...s, now: 10 })).toBe(3);
    expect(scaler.desired(pool({ active: 3, up: 3, idle: 1, usedCompute: 30 }), { ...s, now: 50 })).toBe(2);
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

describe('ARS grows a pool ahead of the demand it forecasts for the pool’s tier', () => {
  // cloud-only work ramps up over the run (the rising half of a day); a pool node takes 60 s to come up. An
  // edge node takes the rest (the cloud work cannot run there), so the forecast must tell the tiers apart.
  const ramp = literalScenario(
    {
      network: { default: { latency: 0, bandwidth: 1e15 } },
      nodes: [
        { id: 'edge', tier: 'edge', compute: 64 },
        {
          id: 'pool',
          tier: 'cloud',
          compute: 4,
          elastic: {
            min: 1,
            max: 10,
            rule: { kind: 'target-utilization', target: 0.6 },
            interval: 20,
            provisioningDelay: 60,
          },
        },
      ],
      workloads: [
        {
          id: 'sim',
          tenant: 't',
          arrival: { kind: 'diurnal', meanRate: 0.2, amplitude: 1, period: 2000, peak: 1000 },
          tasks: [{ id: 'x', work: 20, tier: 'cloud' }],
        },
        {
          id: 'local',
          tenant: 't',
          arrival: { kind: 'poisson', rate: 2 },
          tasks: [{ id: 'y', work: 1, compute: 4 }],
        },
      ],
    },
    { name: 'ramp', horizon: 1000, file: 'ramp.json' },
  );
  const run = (params: Record<string, unknown>, name = 'ars') => {
    let firstUp = Number.POSITIVE_INFINITY;
    const r = runScenario(ramp, {
      policy: { name, params },
      seed: 1,
      trace: {
        record: (d) => {
          if (d.kind === 'scale' && d.action === 'up') firstUp = Math.min(firstUp, d.time);
        },
      },
    });
    return { firstUp, latency: r.requests.latency.mean!, cost: r.resources.cost };
  };

  it('starts pool nodes sooner and shortens the waits than after a shortfall only (scaleAhead = 0)', () => {
    const ahead = run({});
    const after = run({ scaleAhead: 0 });
    expect(ahead.firstUp).toBeLessThan(after.firstUp);
    expect(ahead.latency).toBeLessThan(after.latency);
  });

  it('without the forecast (ars-no-forecast) grows only after a shortfall', () => {
    const none = run({}, 'ars-no-forecast');
    const after = run({ scaleAhead: 0 }, 'ars-no-forecast');
    expect(none).toEqual(after);
    expect(none.firstUp).toBeGreaterThan(run({}).firstUp);
  });
});

describe('ARS with the cost-aware scaler on the examples with elastic pools', () => {
  const runs = (example: string, params: Record<string, unknown>, seeds: number[]) => {
    const sc = loadScenario(`examples/${example}.yaml`);
    let cost = 0;
    let p99 = 0;
    for (const seed of seeds) {
      const r = runScenario(sc, { policy: { name: 'ars', params }, seed });
      cost += r.resources.cost / seeds.length;
      p99 += r.requests.latency.p99! / seeds.length;
    }
    return { cost, p99 };
  };

  it("smart-factory: costs less than with the scenario's rule", () => {
    const aware = runs('smart-factory', {}, [1, 2]);
    const rule = runs('smart-factory', { scaler: 'rule' }, [1, 2]);
    expect(aware.cost).toBeLessThan(0.95 * rule.cost);
  });

  it("smart-grid: grows the pool ahead of the what-ifs' peaks, a shorter tail than the scenario's rule for about its cost", () => {
    const seeds = [1, 2, 3, 4];
    const aware = runs('smart-grid', {}, seeds);
    const rule = runs('smart-grid', { scaler: 'rule' }, seeds);
    const after = runs('smart-grid', { scaleAhead: 0 }, seeds);
    expect(aware.p99).toBeLessThan(0.9 * rule.p99);
    expect(aware.cost).toBeLessThan(1.05 * rule.cost);
    // only after a shortfall: the cheapest, and the longest tail
    expect(after.cost).toBeLessThan(aware.cost);
    expect(after.p99).toBeGreaterThan(rule.p99);
  });
});
