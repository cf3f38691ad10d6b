import { describe, expect, it } from 'vitest';
import type { Decision, DecisionSink, PlaceDecision } from '../decision.js';
import type { AttentionAllocator, Filter, QueueSort, Score } from '../plugins.js';
import { buildProfile, type Profile } from '../profile.js';
import type { NodeView, Snapshot, TenantView, TwinView, WorkItem } from '../types.js';
import type { Binder, Clock } from './ports.js';
import { MAX_ASIDE_PER_TENANT, MAX_SKIPS_PER_CYCLE, SchedulingRuntime } from './runtime.js';

// A minimal system implementing the ports the way a live service would: books of reservations per node,
// a manual clock, and a log of what was bound. No simulator involved.

class Machine implements NodeView {
  readonly group = 'g';
  readonly tier = 'edge' as const;
  readonly zone = undefined;
  readonly up = true;
  readonly costPerSecond = 0;
  readonly powerIdle = 0;
  readonly powerBusy = 0;
  readonly backlog = 0;
  used = 0;
  usedAttention = 0;
  held = 0;
  running = 0;
  constructor(
    readonly index: number,
    readonly id: string,
    readonly computeCapacity: number,
    readonly attentionCapacity: number,
  ) {}
  get freeCompute() {
    return this.computeCapacity - this.used - this.held;
  }
  get freeAttention() {
    return this.attentionCapacity - this.usedAttention;
  }
  speed() {
    return 1;
  }
}

let uid = 0;
function work(id: string, compute: number, extra: Partial<WorkItem> = {}): WorkItem {
  return {
    uid: uid++,
    id,
    type: 'task',
    tenant: 0,
    tenantId: 't',
    priority: 0,
    deadline: Number.POSITIVE_INFINITY,
    arrival: 0,
    readyTime: 0,
    kind: 'k',
    work: 1,
    compute,
    attention: 0,
    tier: undefined,
    inputs: [],
    twin: -1,
    plannedNode: -1,
    request: 0,
    ...extra,
  };
}

class LiveLike implements Snapshot {
  now = 0;
  readonly nodes: Machine[];
  readonly twins: (TwinView & { refreshing: boolean })[];
  readonly tenants: TenantView[] = [
    {
      index: 0,
      id: 't',
      weight: 1,
      heldCompute: 0,
      heldAttention: 0,
      quotaCompute: undefined,
      quotaAttention: undefined,
    },
  ];
  readonly bound: [string, string][] = [];
  readonly holds: [number, number][] = [];
  readonly due: (() => void)[] = [];
  runtime!: SchedulingRuntime;
  constructor(capacities: [number, number][], twins = 0) {
    this.nodes = capacities.map(([c, a], i) => new Machine(i, `n${i}`, c, a));
    this.twins = Array.from({ length: twins }, (_, i) => ({
      index: i,
      id: `twin-${i}`,
      group: 'g',
      tenant: 0,
      zone: undefined,
      criticality: 1,
      lastSample: 0,
      lastValue: 0,
      refreshing: false,
      waiting: 0,
      suspicion: 0,
      anomalyRate: 0,
      refreshCompute: 0,
      refreshAttention: 1,
      refreshWork: 1,
      refreshBytes: 0,
    }));
  }
  get totalCompute() {
    return this.nodes.reduce((a, n) => a + n.computeCapacity, 0);
  }
  get totalAttention() {
    return this.nodes.reduce((a, n) => a + n.attentionCapacity, 0);
  }
  transferTime() {
    return 0;
  }
  inputsReadyAt() {
    return this.now;
  }
  random() {
    return 0.5;
  }
  readonly clock: Clock = {
    now: 0,
    soon: (fn) => {
      this.due.push(fn);
    },
  };
  readonly binder: Binder = {
    bind: (item, node) => {
      const n = this.nodes[node]!;
      this.runtime.nodeChanged(node);
      n.used += item.compute;
      n.usedAttention += item.attention;
      n.running++;
      this.bound.push([item.id, n.id]);
    },
    newRefresh: (twin) => {
      this.twins[twin]!.refreshing = true;
      return work(`refresh:${twin}`, 0, { type: 'refresh', twin, attention: 1 });
    },
    dropRefresh: (item) => {
      this.twins[item.twin]!.refreshing = false;
    },
    hold: (node, compute) => {
      this.runtime.nodeChanged(node);
      this.nodes[node]!.held = compute;
      this.holds.push([node, compute]);
    },
  };
  finish(id: string) {
    const [, nodeId] = this.bound.find(([i]) => i === id)!;
    const n = this.nodes.find((m) => m.id === nodeId)!;
    this.runtime.nodeChanged(n.index);
    n.used -= 1;
    n.running--;
  }
  drain() {
    while (this.due.length > 0) this.due.shift()!();
  }
}

const fifo: QueueSort = { name: 'fifo', compare: (a, b) => a.uid - b.uid };
const mostFree: Score = { name: 'most-free', score: (_i, n) => n.freeCompute / n.computeCapacity };
const idle: AttentionAllocator = { name: 'idle', select: () => [] };

function runtimeOver(
  sys: LiveLike,
  profile: Profile,
  minRefreshAttention = 1,
  trace?: DecisionSink,
  minDemand?: { compute: number; attention: number },
): SchedulingRuntime {
  sys.runtime = new SchedulingRuntime({
    profile,
    snapshot: sys,
    binder: sys.binder,
    clock: sys.clock,
    attentionDemands: [0, 1],
    minRefreshAttention,
    ...(trace ? { trace } : {}),
    ...(minDemand ? { minDemand } : {}),
  });
  return sys.runtime;
}

const placing = (attention: AttentionAllocator = idle) =>
  buildProfile({
    name: 'test',
    description: 'fifo, most free compute',
    queueSort: fifo,
    scores: [{ plugin: mostFree, weight: 1 }],
    attention,
  });

describe('the scheduling runtime over a minimal live-like system', () => {
  it('binds ready work in queue order to the best node and defers what fits nowhere until a release', () => {
    const sys = new LiveLike([
      [2, 0],
      [1, 0],
    ]);
    const rt = runtimeOver(sys, placing());
    for (const id of ['a', 'b', 'c', 'd']) rt.enqueue(work(id, 1));
    rt.requestCycle();
    rt.requestCycle();
    expect(sys.due).toHaveLength(1); // asks coalesce into one cycle
    sys.drain();
    // a: both nodes equally free, the lower index wins; then the freer node by share of its capacity
    expect(sys.bound).toEqual([
      ['a', 'n0'],
      ['b', 'n1'],
      ['c', 'n0'],
    ]);
    expect(rt.queue.size).toBe(1);
    expect(rt.decisions).toBe(4);
    sys.finish('b');
    rt.requestCycle();
    sys.drain();
    expect(sys.bound.at(-1)).toEqual(['d', 'n1']);
    expect(rt.queue.size).toBe(0);
  });

  it('holds compute for planned work waiting for its node, so later small work cannot take it', () => {
    const sys = new LiveLike([
      [2, 0],
      [2, 0],
    ]);
    const rt = runtimeOver(sys, placing());
    rt.enqueue(work('running', 1, { plannedNode: 0 }));
    rt.cycle();
    rt.enqueue(work('planned', 2, { plannedNode: 0 }));
    rt.cycle();
    // the planned item's whole demand is held (capped at the capacity), so nothing else fits on n0
    expect(sys.holds).toEqual([[0, 2]]);
    expect(sys.nodes[0]!.freeCompute).toBeLessThan(1);
    rt.enqueue(work('small', 1));
    rt.cycle(); // the hold is released, re-made, and the small item goes to the other node
    expect(sys.bound.at(-1)).toEqual(['small', 'n1']);
    sys.finish('running');
    rt.cycle();
    expect(sys.bound.at(-1)).toEqual(['planned', 'n0']);
    expect(sys.nodes[0]!.held).toBe(0);
  });

  it(`stops a cycle after ${MAX_SKIPS_PER_CYCLE} items in a row that fit nowhere (bounded backfill)`, () => {
    // refused by a filter on every node though there is room: each is a skip
    const picky: Filter = {
      name: 'picky',
      filter: (item) => (item.id.startsWith('big') ? { ok: false, reason: 'picky' } : { ok: true }),
    };
    const sys = new LiveLike([[4, 0]]);
    const rt = runtimeOver(sys, { ...placing(), filters: [picky] });
    for (let k = 0; k < MAX_SKIPS_PER_CYCLE; k++) rt.enqueue(work(`big-${k}`, 1));
    rt.enqueue(work('fits', 1));
    rt.cycle();
    expect(sys.bound).toEqual([]);
    expect(rt.decisions).toBe(MAX_SKIPS_PER_CYCLE);
  });

  it('sets aside, after a first failure, the tasks no up node has the room for, and tries the work behind them', () => {
    const sys = new LiveLike([
      [2, 0],
      [2, 0],
    ]);
    const rt = runtimeOver(sys, placing());
    rt.enqueue(work('a', 2));
    rt.enqueue(work('b', 2));
    for (let k = 0; k < 2 * MAX_SKIPS_PER_CYCLE; k++) rt.enqueue(work(`big-${k}`, 2));
    rt.enqueue(work('small', 1));
    rt.cycle();
    expect(sys.bound).toEqual([
      ['a', 'n0'],
      ['b', 'n1'],
    ]);
    // a unit frees on n0: big-0 still fits nowhere (a skip), the other big ones are set aside uncounted (no up
    // node has 2 free), and the small task behind all of them is placed
    sys.finish('a');
    rt.cycle();
    expect(sys.bound.at(-1)).toEqual(['small', 'n0']);
    expect(rt.queue.size).toBe(2 * MAX_SKIPS_PER_CYCLE);
    expect(rt.decisions).toBe(2 + 2 * MAX_SKIPS_PER_CYCLE + 1 + 2 * MAX_SKIPS_PER_CYCLE + 1);
  });

  describe('a full system (minDemand: the least compute and attention any work asks for)', () => {
    const full = (profile: Profile, minDemand?: { compute: number; attention: number }) => {
      const sys = new LiveLike([[1, 0]]);
      const rt = runtimeOver(sys, profile, 1, undefined, minDemand);
      rt.enqueue(work('first', 1));
      for (let k = 0; k < 100; k++) rt.enqueue(work(`wait-${k}`, 1));
      rt.cycle();
      return { sys, rt };
    };

    it('ends the cycle once no up node has room for the least any work asks for', () => {
      const { sys, rt } = full(placing(), { compute: 1, attention: 0 });
      // wait-0 fits nowhere, and no node has a unit free: the other 99 are not visited
      expect(sys.bound).toEqual([['first', 'n0']]);
      expect(rt.decisions).toBe(2);
      expect(rt.queue.size).toBe(100);
      // they wait in their order, and go as room frees
      sys.finish('first');
      rt.cycle();
      expect(sys.bound.at(-1)).toEqual(['wait-0', 'n0']);
      expect(rt.decisions).toBe(4);
    });

    it('visits the rest as before without minDemand, and with a planner (whose deferred work holds compute)', () => {
      const without = full(placing());
      expect(without.sys.bound).toEqual([['first', 'n0']]);
      expect(without.rt.decisions).toBe(101);
      const planned = full({ ...placing(), planner: { name: 'none' } }, { compute: 1, attention: 0 });
      expect(planned.rt.decisions).toBe(101);
    });

    it('still tries the refreshes, not the tasks, under a profile whose refreshes may stop proactive ones', () => {
      const sys = new LiveLike([[1, 0]]);
      const asked: string[] = [];
      sys.binder.preempt = () => undefined;
      const preempting: AttentionAllocator = {
        ...idle,
        preempts: (item) => {
          asked.push(item.id);
          return true;
        },
      };
      const rt = runtimeOver(sys, placing(preempting), 1, undefined, { compute: 1, attention: 0 });
      rt.enqueue(work('first', 1));
      rt.enqueue(work('wait', 1));
      rt.enqueue(work('on-demand', 1, { type: 'refresh' }));
      rt.enqueue(work('later', 1));
      rt.cycle();
      // the refresh behind the task that fits nowhere is tried (stopping a proactive one might make room);
      // the task behind it is not
      expect(asked).toEqual(['on-demand']);
      expect(rt.decisions).toBe(3);
      expect(rt.queue.size).toBe(3);
      expect([...rt.queue.items()].filter((i) => i.type === 'refresh').length).toBe(1);
    });
  });

  describe('a tenant at its limit', () => {
    // two tenants on one node of 8 compute; tenant 0 may hold at most a quarter of it (2 units)
    const twoTenants = (sys: LiveLike) => {
      sys.tenants[0] = { ...sys.tenants[0]!, quotaCompute: 0.25 };
      sys.tenants.push({
        index: 1,
        id: 'u',
        weight: 1,
        heldCompute: 0,
        heldAttention: 0,
        quotaCompute: undefined,
        quotaAttention: undefined,
      });
      const bind = sys.binder.bind;
      sys.binder.bind = (item, node) => {
        bind(item, node);
        const t = sys.tenants[item.tenant]!;
        sys.tenants[item.tenant] = { ...t, heldCompute: t.heldCompute + item.compute };
      };
    };
    const backlog = (rt: SchedulingRuntime, tenant0: number) => {
      rt.enqueue(work('first', 2)); // fills tenant 0's quota
      for (let k = 0; k < tenant0; k++) rt.enqueue(work(`over-${k}`, 2));
      rt.enqueue(work('other', 1, { tenant: 1, tenantId: 'u' }));
    };

    it(`does not hold up another tenant's work, however many of its tasks wait (${MAX_SKIPS_PER_CYCLE} and more)`, () => {
      const sys = new LiveLike([[8, 0]]);
      twoTenants(sys);
      const rt = runtimeOver(sys, placing());
      backlog(rt, 3 * MAX_SKIPS_PER_CYCLE);
      rt.cycle();
      // the tenant's quota refuses its tasks on every node: they wait without ending the cycle
      expect(sys.bound).toEqual([
        ['first', 'n0'],
        ['other', 'n0'],
      ]);
      // after MAX_ASIDE_PER_TENANT of them, the rest of the tenant's work is passed over until the next cycle
      expect(rt.decisions).toBe(2 + MAX_ASIDE_PER_TENANT);
      expect(rt.queue.size).toBe(3 * MAX_SKIPS_PER_CYCLE);
      // each is still a decision: traced, with the quota as the reason on every node
      const decisions: Decision[] = [];
      const traced = new LiveLike([[8, 0]]);
      twoTenants(traced);
      traced.runtime = new SchedulingRuntime({
        profile: placing(),
        snapshot: traced,
        binder: traced.binder,
        clock: traced.clock,
        attentionDemands: [0, 1],
        minRefreshAttention: 1,
        trace: { record: (d) => decisions.push(d) },
      });
      backlog(traced.runtime, 3 * MAX_SKIPS_PER_CYCLE);
      traced.runtime.cycle();
      expect(traced.bound).toEqual(sys.bound);
      expect(traced.runtime.decisions).toBe(rt.decisions);
      const refused = decisions.find((d) => d.subject === 'over-0') as PlaceDecision;
      expect(refused.chosen).toBeNull();
      expect(refused.unschedulable).toEqual({ 'tenant compute quota': 1 });
    });

    it("still tries the tenant's refreshes behind its passed-over tasks", () => {
      // a refresh a task waits for, of a twin the tenant at its limit owns, queued behind its tasks: passing over
      // the tenant's tasks must not pass over it (it holds no compute, so the quota does not stop it)
      const sys = new LiveLike([[8, 1]]);
      twoTenants(sys);
      const rt = runtimeOver(sys, placing());
      backlog(rt, 3 * MAX_SKIPS_PER_CYCLE);
      rt.enqueue(work('refresh:0', 0, { type: 'refresh', twin: 0, attention: 1, deadline: 5 }));
      rt.cycle();
      expect(sys.bound).toEqual([
        ['first', 'n0'],
        ['other', 'n0'],
        ['refresh:0', 'n0'],
      ]);
      expect(rt.decisions).toBe(3 + MAX_ASIDE_PER_TENANT);
      expect(rt.queue.size).toBe(3 * MAX_SKIPS_PER_CYCLE);
    });

    it('sets aside what a tenant-level filter refuses, and only that', () => {
      const sys = new LiveLike([[8, 0]]);
      twoTenants(sys);
      sys.tenants[0] = { ...sys.tenants[0]!, quotaCompute: undefined };
      // refuses tenant 0's tasks once it holds 2 units, whichever the node
      const cap: Filter = {
        name: 'cap',
        tenantRule: true,
        filter: (item, _n, s) =>
          item.tenant === 0 && s.tenants[0]!.heldCompute >= 2 ? { ok: false, reason: 'cap' } : { ok: true },
      };
      const profile = buildProfile({
        name: 'capped',
        description: 'fifo, most free compute, a tenant cap',
        queueSort: fifo,
        filters: [cap],
        scores: [{ plugin: mostFree, weight: 1 }],
        attention: idle,
      });
      const rt = runtimeOver(sys, profile);
      backlog(rt, 2 * MAX_SKIPS_PER_CYCLE);
      rt.cycle();
      expect(sys.bound).toEqual([
        ['first', 'n0'],
        ['other', 'n0'],
      ]);
      // without the promise, the same filter is an ordinary one: its refusals count as skips and end the cycle
      const plain = new LiveLike([[8, 0]]);
      twoTenants(plain);
      plain.tenants[0] = { ...plain.tenants[0]!, quotaCompute: undefined };
      const rt2 = runtimeOver(plain, { ...profile, filters: [{ name: 'cap', filter: cap.filter }] });
      backlog(rt2, 2 * MAX_SKIPS_PER_CYCLE);
      rt2.cycle();
      expect(plain.bound).toEqual([['first', 'n0']]);
    });
  });

  it('hands free attention to the allocator and gives back a choice that fits nowhere', () => {
    const sys = new LiveLike(
      [
        [4, 1],
        [4, 0],
      ],
      3,
    );
    const told: [string, number, boolean?][] = [];
    const allocator: AttentionAllocator = {
      name: 'first-twins',
      select: (_s, slots) => {
        told.push(['select', slots]);
        return [{ twin: 0 }, { twin: 1 }];
      },
      refreshStarted: (t) => told.push(['started', t]),
      refreshed: (t, ok) => told.push(['refreshed', t, ok]),
    };
    const rt = runtimeOver(sys, placing(allocator));
    rt.cycle();
    // one unit of attention free: one slot; the first choice is bound, the second is never tried
    expect(told).toEqual([
      ['select', 1],
      ['started', 0],
      ['refreshed', 1, false],
    ]);
    expect(sys.bound).toEqual([['refresh:0', 'n0']]);
    expect(sys.twins[0]!.refreshing).toBe(true);
    expect(sys.twins[1]!.refreshing).toBe(false);
  });

  describe("a choice made for a node's free slot", () => {
    // three nodes with one attention slot each; the placement alone (most free compute) takes n0 first
    const slotted = (
      choices: { twin: number; node?: number }[],
      profile?: (a: AttentionAllocator) => Profile,
    ) => {
      const threeSlots = () =>
        new LiveLike(
          [
            [4, 1],
            [4, 1],
            [4, 1],
          ],
          3,
        );
      const allocator: AttentionAllocator = { name: 'slots', select: () => choices };
      const make = profile ?? placing;
      const sys = threeSlots();
      runtimeOver(sys, make(allocator)).cycle();
      const decisions: Decision[] = [];
      const traced = threeSlots();
      runtimeOver(traced, make(allocator), 1, { record: (d) => decisions.push(d) }).cycle();
      // traced or not, the same bindings
      expect(traced.bound).toEqual(sys.bound);
      return { bound: sys.bound, chosen: decisions.map((d) => d.chosen) };
    };

    it('is bound to that node when the node takes it, without asking the placement', () => {
      const { bound, chosen } = slotted([
        { twin: 0, node: 2 },
        { twin: 1, node: 1 },
        { twin: 2, node: 0 },
      ]);
      expect(bound).toEqual([
        ['refresh:0', 'n2'],
        ['refresh:1', 'n1'],
        ['refresh:2', 'n0'],
      ]);
      // the trace names the slot's node, though the placement's candidates would have put twin 0 on n0
      expect(chosen).toEqual(['n2', 'n1', 'n0']);
    });

    it('is placed like any item when the node does not take it, or names no node', () => {
      // n1's slot is taken by twin 0 first; twin 1 asks for it too, then a node that does not exist, then none
      const { bound } = slotted([
        { twin: 0, node: 1 },
        { twin: 1, node: 1 },
        { twin: 2, node: 7 },
      ]);
      expect(bound).toEqual([
        ['refresh:0', 'n1'],
        ['refresh:1', 'n0'],
        ['refresh:2', 'n2'],
      ]);
      expect(slotted([{ twin: 0 }, { twin: 1, node: -1 }]).bound).toEqual([
        ['refresh:0', 'n0'],
        ['refresh:1', 'n1'],
      ]);
    });

    it("is placed like any item when one of the profile's filters refuses the node", () => {
      const notN2: Filter = {
        name: 'not-n2',
        filter: (_i, n) => (n.id === 'n2' ? { ok: false, reason: 'no' } : { ok: true }),
      };
      const filtered = (attention: AttentionAllocator) =>
        buildProfile({
          name: 'filtered',
          description: 'fifo, most free compute, never n2',
          queueSort: fifo,
          filters: [notN2],
          scores: [{ plugin: mostFree, weight: 1 }],
          attention,
        });
      expect(slotted([{ twin: 0, node: 2 }], filtered).bound).toEqual([['refresh:0', 'n0']]);
    });
  });

  describe('a refresh a task waits for, finding no room', () => {
    // one attention slot, taken by a proactive refresh of twin 0; then a task asks for twin 2
    const setup = (preempts: boolean | undefined) => {
      const sys = new LiveLike(
        [
          [4, 1],
          [4, 0],
        ],
        3,
      );
      const running: { item: WorkItem; node: number }[] = [];
      const asked: [string, number][] = [];
      // the `waiting` of each question the allocator was asked
      const waits: number[] = [];
      sys.binder.preempt = (room) => {
        for (let k = running.length - 1; k >= 0; k--) {
          const r = running[k]!;
          asked.push([r.item.id, r.node]);
          if (!room(r.node, r.item)) continue;
          running.splice(k, 1);
          sys.runtime.nodeChanged(r.node);
          sys.nodes[r.node]!.usedAttention -= r.item.attention;
          sys.twins[r.item.twin]!.refreshing = false;
          return r;
        }
        return undefined;
      };
      const bind = sys.binder.bind;
      sys.binder.bind = (item, node) => {
        bind(item, node);
        if (item.type === 'refresh' && item.twin === 0) running.push({ item, node });
      };
      let first = true;
      const allocator: AttentionAllocator = {
        name: 'twin-0-once',
        select: () => {
          if (!first) return [];
          first = false;
          return [{ twin: 0 }];
        },
        ...(preempts === undefined
          ? {}
          : {
              preempts: (_item: WorkItem, _s: unknown, waiting: number) => {
                waits.push(waiting);
                return preempts;
              },
            }),
      };
      const rt = runtimeOver(sys, placing(allocator));
      rt.cycle();
      expect(sys.bound).toEqual([['refresh:0', 'n0']]);
      return { sys, rt, asked, waits };
    };
    const demanded = (extra: Partial<WorkItem> = {}) =>
      work('refresh:2', 0, { type: 'refresh', twin: 2, attention: 1, ...extra });

    it('stops the proactive refresh bound last and takes its slot when the allocator allows it', () => {
      const { sys, rt, asked } = setup(true);
      rt.enqueue(demanded());
      rt.cycle();
      expect(asked).toEqual([['refresh:0', 0]]);
      expect(sys.bound).toEqual([
        ['refresh:0', 'n0'],
        ['refresh:2', 'n0'],
      ]);
      expect(sys.twins[0]!.refreshing).toBe(false);
      expect(rt.preemptions).toBe(1);
      expect(rt.queue.size).toBe(0);
    });

    it('waits for a slot when the allocator does not preempt', () => {
      for (const preempts of [false, undefined]) {
        const { sys, rt, asked } = setup(preempts);
        rt.enqueue(demanded());
        rt.cycle();
        expect(asked).toEqual([]);
        expect(sys.bound).toEqual([['refresh:0', 'n0']]);
        expect(rt.preemptions).toBe(0);
        expect(rt.queue.size).toBe(1);
      }
    });

    it('stops nothing where the freed room would not take it (another tier)', () => {
      const { sys, rt, asked } = setup(true);
      rt.enqueue(demanded({ tier: 'cloud' }));
      rt.cycle();
      expect(asked).toEqual([['refresh:0', 0]]);
      expect(sys.twins[0]!.refreshing).toBe(true);
      expect(rt.preemptions).toBe(0);
      expect(rt.queue.size).toBe(1);
    });

    it('tells the allocator how many refreshes of the cycle wait ahead for a slot', () => {
      const { rt, waits } = setup(false);
      rt.enqueue(demanded());
      rt.enqueue(work('refresh:1', 0, { type: 'refresh', twin: 1, attention: 1 }));
      rt.cycle();
      // neither found a slot: the first had no refresh waiting ahead of it, the second had the first
      expect(waits).toEqual([0, 1]);
      expect(rt.queue.size).toBe(2);
    });

    it('never preempts for a task, only for a refresh', () => {
      const { sys, rt, asked } = setup(true);
      sys.nodes[0]!.used = 4;
      sys.nodes[1]!.used = 4;
      rt.enqueue(work('task', 1));
      rt.cycle();
      expect(asked).toEqual([]);
      expect(rt.preemptions).toBe(0);
    });
  });
});
