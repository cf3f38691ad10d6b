import { describe, expect, it } from 'vitest';
import { runScenario } from '../experiment/run.js';
import { literalScenario } from '../model/test-helpers/literal.js';
import type { ExecutionRecord } from './world.js';

/** A scenario from an object literal, through the real loader. */
const scenario = (s: Parameters<typeof literalScenario>[0]) =>
  literalScenario(s, { name: 'test', horizon: 10, file: 'test.json' });

const FREE_NETWORK = { default: { latency: 0, bandwidth: 1e15 } };

describe('one refresh', () => {
  // device→edge: 0.125 s latency + 1000 B / 8000 B/s = 0.25 s; work 1 at speed 4 = 0.25 s; 0.5 s per refresh.
  const s = scenario({
    horizon: 5,
    nodes: [
      {
        id: 'n',
        tier: 'edge',
        compute: 1,
        attention: 1,
        speed: { default: 1, kinds: { refresh: 4 } },
        power: { idle: 10, busy: 30 },
        costPerSecond: 0.5,
      },
    ],
    network: {
      default: { latency: 9, bandwidth: 1 },
      tiers: [{ between: ['device', 'edge'], latency: 0.125, bandwidth: 8000 }],
    },
    assets: [
      {
        id: 'a',
        tenant: 't',
        twin: { sampleBytes: 1000, maxAge: 0.75, refresh: { work: 1, compute: 1, attention: 1 } },
      },
    ],
  });

  it('takes latency + bytes / bandwidth + work / speed, back to back', () => {
    const records: ExecutionRecord[] = [];
    const r = runScenario(s, { policy: 'uniform-refresh', onExecute: (x) => records.push(x) });
    expect(records[0]).toMatchObject({ bound: 0, start: 0.25, end: 0.5, node: 'n' });
    expect(records[1]).toMatchObject({ bound: 0.5, start: 0.75, end: 1 });
    expect(r.twins.refreshes.proactive).toBe(10);
  });

  it('draws busy power the whole time the node is reserved, and costs per second up', () => {
    const r = runScenario(s, { policy: 'uniform-refresh' });
    expect(r.resources.energyJ).toBeCloseTo(30 * 5, 9);
    expect(r.resources.cost).toBeCloseTo(0.5 * 5, 9);
    expect(r.resources.compute.utilization).toBeCloseTo(1, 12);
    expect(r.resources.attention.utilization).toBeCloseTo(1, 12);
  });

  it('gives the sawtooth mean age: samples every 0.5 s delivered 0.5 s later', () => {
    // age runs 0→0.5 until the first delivery, then 0.5→1.0 in each of the 9 later intervals
    const r = runScenario(s, { policy: 'uniform-refresh' });
    expect(r.twins.meanAoI).toBeCloseTo((0.125 + 9 * 0.375) / 5, 12);
    expect(r.twins.maxAoI).toBeCloseTo(1, 12);
  });

  it('measures the share of time the twin breaks its promised maximum age', () => {
    // in each of the 9 intervals where the age climbs 0.5→1.0 it is above 0.75 for 0.25 s: 2.25 s of 5 s
    const r = runScenario(s, { policy: 'uniform-refresh' });
    expect(r.twins.maxAgeViolation).toBeCloseTo(2.25 / 5, 12);
  });
});

describe('age of information', () => {
  it('is T/2 + delivery delay for twins refreshed every T seconds', () => {
    // four twins share one attention slot; each refresh takes 0.25 s, so each twin is sampled every T = 1 s
    // and its sample arrives d = 0.25 s later: mean age T/2 + d once every twin has been refreshed once.
    const s = scenario({
      horizon: 10,
      warmup: 2,
      nodes: [{ id: 'n', tier: 'edge', compute: 1, attention: 1 }],
      network: FREE_NETWORK,
      assets: [{ id: 'a', count: 4, tenant: 't', twin: { sampleBytes: 0, refresh: { work: 0.25 } } }],
    });
    const r = runScenario(s, { policy: 'uniform-refresh' });
    expect(r.twins.meanAoI).toBeCloseTo(0.5 + 0.25, 9);
    expect(r.twins.weightedAoI).toBeCloseTo(0.75, 9);
  });

  it('weights twins by criticality', () => {
    // max-age-first serves the critical twin more often than the others, so its weighted age is below the plain mean
    const s = scenario({
      horizon: 50,
      warmup: 5,
      nodes: [{ id: 'n', tier: 'edge', compute: 1, attention: 1 }],
      network: FREE_NETWORK,
      assets: [
        { id: 'vip', tenant: 't', twin: { criticality: 10, sampleBytes: 0, refresh: { work: 0.25 } } },
        {
          id: 'plain',
          count: 4,
          tenant: 't',
          twin: { criticality: 1, sampleBytes: 0, refresh: { work: 0.25 } },
        },
      ],
    });
    const r = runScenario(s, { policy: 'max-age-first' });
    expect(r.twins.weightedAoI!).toBeLessThan(r.twins.meanAoI!);
    const u = runScenario(s, { policy: 'uniform-refresh' });
    expect(r.twins.weightedAoI!).toBeLessThan(u.twins.weightedAoI!);
  });
});

describe('requests', () => {
  const diamond = {
    id: 'w',
    tenant: 't',
    arrival: { kind: 'periodic' as const, period: 100 },
    tasks: [
      { id: 'a', work: 1 },
      { id: 'b', work: 2, after: ['a'] },
      { id: 'c', work: 3, after: ['a'] },
      { id: 'd', work: 1, after: ['b', 'c'] },
    ],
  };

  it('finish along the critical path on an idle cluster', () => {
    const s = scenario({
      horizon: 50,
      network: FREE_NETWORK,
      nodes: [{ id: 'n', count: 2, tier: 'edge', compute: 1 }],
      workloads: [diamond],
    });
    const r = runScenario(s, { policy: 'least-loaded' });
    expect(r.requests.completed).toBe(1);
    expect(r.requests.latency.max).toBeCloseTo(1 + 3 + 1, 2);
  });

  it('serialise on a single slot', () => {
    const s = scenario({
      horizon: 50,
      network: FREE_NETWORK,
      nodes: [{ id: 'n', tier: 'edge', compute: 1 }],
      workloads: [diamond],
    });
    const r = runScenario(s, { policy: 'fifo' });
    expect(r.requests.latency.max).toBeCloseTo(7, 2);
  });

  it('wait for data to cross the network between nodes', () => {
    const s = scenario({
      horizon: 50,
      network: { default: { latency: 0.5, bandwidth: 1000 } },
      nodes: [
        { id: 'x', tier: 'edge', compute: 1, speed: { default: 1, kinds: { late: 0.001 } } },
        { id: 'y', tier: 'edge', compute: 1, speed: { default: 0.001, kinds: { late: 1 } } },
      ],
      workloads: [
        {
          id: 'w',
          tenant: 't',
          arrival: { kind: 'periodic', period: 100 },
          tasks: [
            { id: 'first', work: 1 },
            { id: 'second', kind: 'late', work: 1 },
          ],
          edges: [{ from: 'first', to: 'second', bytes: 1000 }],
        },
      ],
    });
    const records: ExecutionRecord[] = [];
    runScenario(s, { policy: 'earliest-deadline-first', onExecute: (x) => records.push(x) });
    expect(records.map((x) => [x.node, x.start, x.end])).toEqual([
      ['x', 0, 1],
      ['y', 2.5, 3.5], // 1 s of compute, then 0.5 s latency + 1000 B at 1000 B/s
    ]);
  });

  it('retry on another node when theirs fails mid-task, or are lost when the scenario says so', () => {
    const base = {
      horizon: 400,
      network: FREE_NETWORK,
      nodes: [
        { id: 'flaky', tier: 'edge' as const, compute: 1, failure: { mtbf: 5, mttr: 10_000 } },
        { id: 'solid', tier: 'edge' as const, compute: 1 },
      ],
      workloads: [
        {
          id: 'w',
          tenant: 't',
          arrival: { kind: 'periodic' as const, period: 1000 },
          tasks: [{ id: 'long', work: 100 }],
        },
      ],
    };
    const records: ExecutionRecord[] = [];
    const retried = runScenario(scenario({ ...base, failures: { onFailure: 'retry' } }), {
      policy: 'fifo',
      onExecute: (x) => records.push(x),
    });
    expect(records.map((x) => x.node)).toEqual(['flaky', 'solid']);
    expect(retried.scheduler.retries).toBe(1);
    expect(retried.requests.completed).toBe(1);
    // it restarted from scratch when the node failed, at records[1].bound
    expect(retried.requests.latency.max).toBeCloseTo(records[1]!.bound + 100, 2);
    const lost = runScenario(scenario({ ...base, failures: { onFailure: 'lose' } }), { policy: 'fifo' });
    expect(lost.requests.completed).toBe(0);
    expect(lost.requests.lost).toBe(1);
  });

  /**
   * One twin refreshed back to back (0-2, 2-4, ...) by the single attention slot, and one request at
   * `arrival` whose task reads it with `maxAge`: when the task is bound, and how many refreshes were on demand.
   */
  const readOfRefreshedTwin = (arrival: number, maxAge: number) => {
    const s = scenario({
      horizon: 50,
      network: FREE_NETWORK,
      nodes: [{ id: 'n', tier: 'edge', compute: 2, attention: 1 }],
      assets: [{ id: 'a', tenant: 't', twin: { sampleBytes: 0, refresh: { work: 2 } } }],
      workloads: [
        {
          id: 'w',
          tenant: 't',
          arrival: { kind: 'periodic', period: 100, offset: arrival },
          tasks: [{ id: 'read', work: 1, twin: { group: 'a', maxAge } }],
        },
      ],
    });
    const records: ExecutionRecord[] = [];
    const r = runScenario(s, { policy: 'fifo', onExecute: (x) => records.push(x) });
    return { bound: records.find((x) => x.type === 'task')!.bound, onDemand: r.twins.refreshes.onDemand };
  };

  it('that need a stale twin trigger a refresh first and wait for it', () => {
    // at t=10 the twin's newest sample is from t=8, too old, so the task waits for the next refresh (10-12)
    // and reads at 12
    expect(readOfRefreshedTwin(10, 0.5).bound).toBeCloseTo(12, 9);
  });

  it('that find a refresh of their stale twin in flight go on with its sample if it meets their age bound', () => {
    // at t=11 the newest sample is from t=8, 3 s old; the refresh in flight took its sample at 10, 2 s old when
    // it completes at 12, which the bound accepts, so the task reads at 12 rather than waiting for a sample
    // taken after it arrived (12-14)
    const read = readOfRefreshedTwin(11, 2.5);
    expect(read.bound).toBeCloseTo(12, 9);
    expect(read.onDemand).toBe(0);
    // a bound the sample in flight does not meet: the task waits for a refresh that starts after it arrived
    expect(readOfRefreshedTwin(11, 1.5).bound).toBeCloseTo(14, 9);
  });
});

describe('a refresh a task waits for, with every attention slot taken', () => {
  // One slot. Twin p (criticality 10⁴) is refreshed back to back, 2 s each: 0-2, …, 10-12; twin q (10⁻⁴) gets
  // no proactive share (below ARS's `negligible`). At t = 11 a task reads q with a 0.5 s bound, deadline 3 s:
  // a wait for the slot (up to 2 s) and q's refresh (2 s) would pass it.
  // `slots` p twins on a node with as many attention slots (and twice the compute); q's read at t = 11
  const slotted = (slots: number, deadline: number, work: number) =>
    scenario(slottedInput(slots, deadline, work));
  const slottedInput = (slots: number, deadline: number, work: number) =>
    ({
      horizon: 20,
      network: FREE_NETWORK,
      nodes: [{ id: 'n', tier: 'edge', compute: 2 * slots, attention: slots }],
      assets: [
        {
          id: 'p',
          count: slots,
          tenant: 't',
          twin: { criticality: 1e4, sampleBytes: 0, refresh: { work: 2 } },
        },
        { id: 'q', tenant: 't', twin: { criticality: 1e-4, sampleBytes: 0, refresh: { work: 2 } } },
      ],
      workloads: [
        {
          id: 'w',
          tenant: 't',
          deadline,
          arrival: { kind: 'periodic', period: 100, offset: 11 },
          tasks: [{ id: 'read', work, twin: { group: 'q', maxAge: 0.5 } }],
        },
      ],
    }) satisfies Parameters<typeof scenario>[0];
  const s = slotted(1, 3, 1);
  const run = (policy: string | { name: string; params: Record<string, unknown> }) => {
    const records: ExecutionRecord[] = [];
    const r = runScenario(s, { policy, onExecute: (x) => records.push(x) });
    return { r, records, read: records.find((x) => x.type === 'task')! };
  };

  it("stops the proactive refresh bound last and takes its slot under ARS: q's refresh runs 11-13", () => {
    const { r, records, read } = run('ars');
    expect(records.filter((x) => x.type === 'refresh' && x.bound === 11)).toHaveLength(1);
    expect(read.bound).toBeCloseTo(13, 9);
    expect(r.twins.refreshes.preempted).toBe(1);
    expect(r.twins.refreshes.onDemand).toBe(1);
  });

  it('never stops a proactive refresh a task has come to wait for', () => {
    // at 10.5 a task reads p with a 2.2 s bound: p's sample of 8 is too old, the one in flight (taken at 10,
    // 2 s old at 12) will do, so the task waits for it and that refresh is demanded too
    const withP = {
      ...s,
      workloads: [
        ...s.workloads,
        {
          ...s.workloads[0]!,
          id: 'p-reader',
          arrival: { kind: 'periodic' as const, period: 100, offset: 10.5 },
          tasks: [{ ...s.workloads[0]!.tasks[0]!, twin: { group: 'p', maxAge: 2.2 } }],
        },
      ],
    };
    const records: ExecutionRecord[] = [];
    const r = runScenario(withP as typeof s, { policy: 'ars', onExecute: (x) => records.push(x) });
    expect(r.twins.refreshes.preempted).toBe(0);
    const tasks = records.filter((x) => x.type === 'task').map((x) => x.bound);
    expect(tasks[0]).toBeCloseTo(12, 9); // p's reader, on the refresh in flight
    expect(tasks[1]).toBeCloseTo(14, 9); // q's reader, after its refresh 12-14
  });

  it('does not stop one for a read its refresh cannot make on time even if started now', () => {
    // deadline 1.5 s: q's refresh alone (2 s) would end at 13, past 12.5, however soon it started, so the read
    // is late whatever is done and stopping p's refresh would only lose its work: q's refresh waits, 12-14
    const records: ExecutionRecord[] = [];
    const r = runScenario(slotted(1, 1.5, 1), { policy: 'ars', onExecute: (x) => records.push(x) });
    expect(r.twins.refreshes.preempted).toBe(0);
    expect(records.find((x) => x.type === 'task')!.bound).toBeCloseTo(14, 9);
  });

  it('waits for the slot with preempt = 0, and under policies that do not preempt: 12-14', () => {
    for (const policy of [{ name: 'ars', params: { preempt: 0 } }, 'whittle']) {
      const { r, read } = run(policy);
      expect(read.bound).toBeCloseTo(14, 9);
      expect(r.twins.refreshes.preempted).toBe(0);
    }
  });

  it('waits for the slot under ARS too when the deadline leaves room for it (5 s)', () => {
    const records: ExecutionRecord[] = [];
    const r = runScenario(
      { ...s, workloads: [{ ...s.workloads[0]!, deadline: 5 }] },
      {
        policy: 'ars',
        onExecute: (x) => records.push(x),
      },
    );
    expect(records.find((x) => x.type === 'task')!.bound).toBeCloseTo(14, 9);
    expect(r.twins.refreshes.preempted).toBe(0);
  });

  it("counts the request's own work in ars-no-forecast too: the work estimate is a measurement, not a forecast", () => {
    // a read of 20 units (10 s at speed 2): after this first request the group's mean work is 10 s, so a wait
    // for the slot (2 s), q's refresh (2 s) and the work pass a 4.25 s deadline; without the work the 4 s would not
    const heavy = {
      ...s,
      workloads: [
        { ...s.workloads[0]!, deadline: 4.25, tasks: [{ ...s.workloads[0]!.tasks[0]!, work: 20 }] },
      ],
    };
    for (const policy of ['ars', 'ars-no-forecast']) {
      const records: ExecutionRecord[] = [];
      const r = runScenario(heavy, { policy, onExecute: (x) => records.push(x) });
      expect(r.twins.refreshes.preempted, policy).toBe(1);
      expect(records.find((x) => x.type === 'task')!.bound, policy).toBeCloseTo(13, 9);
    }
  });

  it("takes the group's first read's work in full, not pulled toward 0 by the running mean", () => {
    // a read of 1.8 units (0.9 s at speed 2) with a 4.5 s deadline: waiting for the slot (free at 12) ends it at
    // 12 + 2 + 1.8 = 15.8, past 11 + 4.5; stopping the refresh bound last ends it at 14.8. The preemption rule
    // sees 2 + 2 + 0.9 > 4.5 only with the first read's whole work (a mean started at 0 gave 0.09 s)
    const tight = {
      ...s,
      workloads: [
        { ...s.workloads[0]!, deadline: 4.5, tasks: [{ ...s.workloads[0]!.tasks[0]!, work: 1.8 }] },
      ],
    };
    const records: ExecutionRecord[] = [];
    const r = runScenario(tight, { policy: 'ars', onExecute: (x) => records.push(x) });
    expect(r.twins.refreshes.preempted).toBe(1);
    expect(records.find((x) => x.type === 'task')!.bound).toBeCloseTo(13, 9);
    expect(r.requests.deadlineMissRate).toBe(0);
  });

  it('waits under ARS where a slot will very likely free in time, though the worst case would not: ten slots', () => {
    // ten p twins keep ten slots busy, 10-12 at t = 11; q's read (0.2 units) has a 3.9 s deadline. The worst
    // case, a whole refresh for a slot, q's and the mean work (2 + 2 + 0.1), passes it; but one of ten slots
    // freeing within 1.7 s is all but sure (only refreshes hold attention: each is taken to end within one, 2 s),
    // so the read waits: q's refresh 12-14, the read 14-14.2, on time. With one slot it stops p's refresh.
    const ten = slotted(10, 3.9, 0.2);
    const records: ExecutionRecord[] = [];
    const r = runScenario(ten, { policy: 'ars', onExecute: (x) => records.push(x) });
    expect(r.twins.refreshes.preempted).toBe(0);
    expect(records.find((x) => x.type === 'task')!.bound).toBeCloseTo(14, 9);
    expect(r.requests.deadlineMissRate).toBe(0);
    const one = runScenario(slotted(1, 3.9, 0.2), { policy: 'ars' });
    expect(one.twins.refreshes.preempted).toBe(1);
    expect(one.requests.deadlineMissRate).toBe(0);
  });

  it('waits under ARS where long tasks hold the compute but only refreshes hold the attention', () => {
    // ten slots as above, and a batch task holding 8 of the node's 20 compute units for 600 s from t = 1: the
    // node's backlog (the reserved compute's time left) is mostly that task's, which once made each slot look
    // as if it freed within minutes, and the read stop a refresh. The attention is what is short, and only
    // refreshes hold it, so a slot frees as one of them ends, within a refresh: the read waits, on time
    const ten = slottedInput(10, 3.9, 0.2);
    const batched = {
      ...ten,
      workloads: [
        ...ten.workloads,
        {
          ...ten.workloads[0]!,
          id: 'batch',
          deadline: undefined,
          arrival: { kind: 'periodic' as const, period: 1000, offset: 1 },
          tasks: [{ id: 'crunch', work: 600, compute: 8 }],
        },
      ],
    };
    const records: ExecutionRecord[] = [];
    const r = runScenario(scenario(batched), { policy: 'ars', onExecute: (x) => records.push(x) });
    expect(records.find((x) => x.id.startsWith('batch') && x.bound <= 1.5)).toBeDefined();
    expect(r.twins.refreshes.preempted).toBe(0);
    expect(records.find((x) => x.id.startsWith('w#'))!.bound).toBeCloseTo(14, 9);
    expect(r.requests.deadlineMissRate).toBe(0);
    // a task that holds attention itself makes the slots' times unknown again: the backlog decides, and the
    // read stops a refresh (its refresh 11-13, the read at 13)
    const holding = {
      ...batched,
      workloads: batched.workloads.map((w) =>
        w.id === 'batch' ? { ...w, tasks: [{ id: 'crunch', work: 600, compute: 8, attention: 0.001 }] } : w,
      ),
    };
    const records2: ExecutionRecord[] = [];
    const r2 = runScenario(scenario(holding), { policy: 'ars', onExecute: (x) => records2.push(x) });
    expect(r2.twins.refreshes.preempted).toBe(1);
    expect(records2.find((x) => x.id.startsWith('w#'))!.bound).toBeCloseTo(13, 9);
  });

  it('lets a demanded refresh behind another wait for the next slot but one where that will very likely free in time', () => {
    // two reads at t = 11 of two stale twins, deadline 3.9 s each; both refreshes find every slot taken, the
    // first waits as above, and the second has the first ahead of it: it needs the second slot to free by 12.7.
    // With three slots that is 94 % likely (each ends uniformly within a refresh, 2 s): it stops a refresh (its
    // refresh 11-13); with ten it is all but sure: it waits for 12 (it used to stop one whenever another waited)
    const two = (slots: number) => {
      const base = slottedInput(slots, 3.9, 0.2);
      const q = base.assets.find((a) => a.id === 'q')!;
      return {
        ...base,
        assets: [...base.assets, { ...q, id: 'q2' }],
        workloads: [
          ...base.workloads,
          {
            ...base.workloads[0]!,
            id: 'w2',
            tasks: [{ ...base.workloads[0]!.tasks[0]!, twin: { group: 'q2', maxAge: 0.5 } }],
          },
        ],
      };
    };
    for (const [slots, preempted, bounds] of [
      [3, 1, [13, 14]],
      [10, 0, [14, 14]],
    ] as const) {
      const records: ExecutionRecord[] = [];
      const r = runScenario(scenario(two(slots)), {
        policy: 'ars',
        onExecute: (x) => records.push(x),
      });
      expect(r.twins.refreshes.preempted, `${slots} slots`).toBe(preempted);
      const reads = records
        .filter((x) => x.type === 'task')
        .map((x) => x.bound)
        .sort((a, b) => a - b);
      expect(reads[0], `${slots} slots`).toBeCloseTo(bounds[0], 9);
      expect(reads[1], `${slots} slots`).toBeCloseTo(bounds[1], 9);
      expect(r.requests.deadlineMissRate).toBe(0);
    }
  });

  it('waits for the slot under ARS too when the request has no deadline', () => {
    const records: ExecutionRecord[] = [];
    const r = runScenario(
      { ...s, workloads: [{ ...s.workloads[0]!, deadline: undefined }] },
      {
        policy: 'ars',
        onExecute: (x) => records.push(x),
      },
    );
    expect(records.find((x) => x.type === 'task')!.bound).toBeCloseTo(14, 9);
    expect(r.twins.refreshes.preempted).toBe(0);
  });
});

describe('an on-demand refresh is as urgent as the most urgent task waiting for it', () => {
  // One attention slot, refreshes of 0.5 s. Twenty y twins are read every 0.05 s (deadline 30 s, always
  // stale), so the slot is overloaded and an on-demand refresh of each y twin is always queued. At t = 10 an
  // analytics job reads x first (deadline 1000 s), then, at the same instant, a request with a 2 s deadline
  // reads x too: the refresh of x must rank by the 2 s deadline, or it waits behind every y refresh (about
  // 10 s) and the request misses.
  const s = scenario({
    horizon: 30,
    warmup: 0,
    network: FREE_NETWORK,
    tenants: [{ id: 'bulk' }, { id: 'slow' }, { id: 'fast' }],
    nodes: [{ id: 'n', tier: 'edge', compute: 8, attention: 1 }],
    assets: [
      { id: 'x', tenant: 'fast', twin: { sampleBytes: 0, refresh: { work: 0.5 } } },
      { id: 'y', count: 20, tenant: 'bulk', twin: { sampleBytes: 0, refresh: { work: 0.5 } } },
    ],
    workloads: [
      {
        id: 'ys',
        tenant: 'bulk',
        deadline: 30,
        arrival: { kind: 'periodic', period: 0.05, offset: 0.01 },
        tasks: [{ id: 'read', work: 0.01, twin: { group: 'y', maxAge: 0.1 } }],
      },
      {
        id: 'analytics',
        tenant: 'slow',
        deadline: 1000,
        arrival: { kind: 'periodic', period: 100, offset: 10 },
        tasks: [{ id: 'load', work: 0.01, twin: { group: 'x', maxAge: 0.1 } }],
      },
      {
        id: 'query',
        tenant: 'fast',
        deadline: 2,
        arrival: { kind: 'periodic', period: 100, offset: 10 },
        tasks: [{ id: 'read', work: 0.01, twin: { group: 'x', maxAge: 0.1 } }],
      },
    ],
  });

  for (const policy of ['earliest-deadline-first', 'ars']) {
    it(`${policy}: the 2 s request is served in time`, () => {
      const records: ExecutionRecord[] = [];
      const r = runScenario(s, { policy, onExecute: (x) => records.push(x) });
      const refreshX = records.filter((x) => x.type === 'refresh' && x.id === 'refresh:x' && x.bound >= 10);
      expect(refreshX.length).toBeGreaterThan(0);
      // bound within a refresh or two of the request, not after the y backlog
      expect(refreshX[0]!.bound).toBeLessThan(11.5);
      expect(r.fairness.tenants.fast!.deadlineMissRate).toBe(0);
      expect(r.fairness.tenants.fast!.completed).toBe(1);
      // the overload is real: the bulk reads wait seconds for their refreshes
      expect(r.fairness.tenants.bulk!.latencyP95).toBeGreaterThan(5);
    });
  }
});

describe('elastic pools', () => {
  it('start the extra members when load rises, after the provisioning delay, and charge for them', () => {
    const s = scenario({
      horizon: 300,
      network: FREE_NETWORK,
      nodes: [
        {
          id: 'pool',
          tier: 'cloud',
          compute: 1,
          costPerSecond: 1,
          elastic: {
            min: 1,
            max: 3,
            rule: { kind: 'queue-length', perNode: 2 },
            interval: 10,
            provisioningDelay: 20,
            provisioningCost: 5,
          },
        },
      ],
      workloads: [
        { id: 'w', tenant: 't', arrival: { kind: 'periodic', period: 0.2 }, tasks: [{ id: 'x', work: 1 }] },
      ],
    });
    expect(s.nodes.map((n) => n.id)).toEqual(['pool-0', 'pool-1', 'pool-2']);
    const r = runScenario(s, { policy: 'fifo' });
    expect(r.resources.scaleUps).toBe(2);
    // five arrivals a second outrun three nodes: the pool grows at t=10 and t=20 and never shrinks;
    // provisioning time is paid for (up at 30 and 40, but charged from 10 and 20)
    expect(r.resources.byNode['pool-1']!.upSeconds).toBeCloseTo(300 - 10, 9);
    expect(r.resources.byNode['pool-2']!.upSeconds).toBeCloseTo(300 - 20, 9);
    expect(r.resources.byNode['pool-1']!.completed).toBeGreaterThan(0);
    expect(r.resources.cost).toBeCloseTo(300 + 290 + 280 + 2 * 5, 6);
  });
});

describe('autoscaling rules', () => {
  // demand ramps up over the run (the rising half of a day) with 20 s tasks; a node takes 60 s to come up
  const ramp = (kind: 'forecast' | 'target-utilization') =>
    scenario({
      horizon: 1000,
      network: FREE_NETWORK,
      nodes: [
        {
          id: 'pool',
          tier: 'cloud',
          compute: 4,
          elastic: { min: 1, max: 10, rule: { kind, target: 0.6 }, interval: 20, provisioningDelay: 60 },
        },
      ],
      workloads: [
        {
          id: 'w',
          tenant: 't',
          arrival: { kind: 'diurnal', meanRate: 0.2, amplitude: 1, period: 2000, peak: 1000 },
          tasks: [{ id: 'x', work: 20 }],
        },
      ],
    });
  const run = (kind: 'forecast' | 'target-utilization') => {
    let ups = 0;
    const r = runScenario(ramp(kind), {
      policy: 'fifo',
      trace: { record: (d) => (d.kind === 'scale' && d.action === 'up' ? ups++ : undefined) },
    });
    return { latency: r.requests.latency.mean!, ups };
  };

  it('grows ahead of a rising load with the forecast rule: shorter waits, less flapping than the utilisation target', () => {
    const forecast = run('forecast');
    const reactive = run('target-utilization');
    expect(forecast.ups).toBeGreaterThan(0);
    expect(forecast.latency).toBeLessThan(reactive.latency);
    expect(forecast.ups).toBeLessThan(reactive.ups);
  });
});

describe('fairness', () => {
  it("gives Jain's index over tenants' inverse stretch", () => {
    // both tenants ask for 1 s of work at the same instants on one slot; a goes first (FIFO), so b waits
    // and finishes in 2 s: service [1, 0.5] → J = 1.5² / (2 · 1.25) = 0.9
    const s = scenario({
      horizon: 100,
      network: FREE_NETWORK,
      tenants: [{ id: 'a' }, { id: 'b' }],
      nodes: [{ id: 'n', tier: 'edge', compute: 1 }],
      workloads: [
        { id: 'wa', tenant: 'a', arrival: { kind: 'periodic', period: 10 }, tasks: [{ id: 'x', work: 1 }] },
        { id: 'wb', tenant: 'b', arrival: { kind: 'periodic', period: 10 }, tasks: [{ id: 'x', work: 1 }] },
      ],
    });
    const r = runScenario(s, { policy: 'fifo' });
    expect(r.fairness.tenants.a!.service).toBeCloseTo(1, 12);
    expect(r.fairness.tenants.b!.service).toBeCloseTo(0.5, 12);
    expect(r.fairness.jain).toBeCloseTo(0.9, 12);
    expect(r.fairness.dominantShares.a).toBeCloseTo(0.1, 9);
  });
});

describe('determinism', () => {
  const s = scenario({
    horizon: 200,
    warmup: 20,
    nodes: [
      { id: 'e', count: 3, tier: 'edge', compute: 2, attention: 2, failure: { mtbf: 100, mttr: 10 } },
      { id: 'c', tier: 'cloud', compute: 8, speed: 3 },
    ],
    assets: [{ id: 'a', count: 30, tenant: 't', anomaly: { rate: 0.01 }, twin: { refresh: { work: 0.2 } } }],
    workloads: [
      {
        id: 'w',
        tenant: 't',
        deadline: 2,
        arrival: { kind: 'poisson', rate: 2 },
        tasks: [
          { id: 'x', work: 0.3, twin: { group: 'a', maxAge: 3 } },
          { id: 'y', work: 1, after: ['x'] },
        ],
      },
    ],
  });

  it('gives byte-identical results for the same seed and different ones for another', () => {
    for (const policy of ['fifo', 'random', 'least-loaded', 'max-age-first']) {
      const a = JSON.stringify(runScenario(s, { policy, seed: 7 }));
      const b = JSON.stringify(runScenario(s, { policy, seed: 7 }));
      const c = JSON.stringify(runScenario(s, { policy, seed: 8 }));
      expect(a).toBe(b);
      expect(a).not.toBe(c);
    }
  });
});
