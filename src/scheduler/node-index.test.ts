import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Tier } from '../model/schema.js';
import { uniformRefresh } from '../policies/baseline/attention.js';
import { fifoOrder } from '../policies/baseline/queue-sorts.js';
import { leastLoaded } from '../policies/baseline/scores.js';
import { FreeComputeIndex, indexable } from './node-index.js';
import { buildProfile } from './profile.js';
import { chooseNode, fits, infeasible } from './scheduler.js';
import type { NodeView, Snapshot, TenantView, WorkItem } from './types.js';

class FakeNode implements NodeView {
  readonly id: string;
  readonly group = 'g';
  readonly zone = undefined;
  readonly costPerSecond = 0;
  readonly powerIdle = 0;
  readonly powerBusy = 0;
  readonly running = 0;
  readonly backlog = 0;
  up = true;
  usedCompute = 0;
  usedAttention = 0;
  constructor(
    readonly index: number,
    readonly tier: Tier,
    readonly computeCapacity: number,
    readonly attentionCapacity: number,
  ) {
    this.id = `n${index}`;
  }
  get freeCompute(): number {
    return this.up ? this.computeCapacity - this.usedCompute : 0;
  }
  get freeAttention(): number {
    return this.up ? this.attentionCapacity - this.usedAttention : 0;
  }
  speed(): number {
    return 1;
  }
}

function snapshot(nodes: FakeNode[], tenants: TenantView[]): Snapshot {
  return {
    now: 0,
    nodes,
    twins: [],
    tenants,
    totalCompute: nodes.reduce((a, n) => a + n.computeCapacity, 0),
    totalAttention: nodes.reduce((a, n) => a + n.attentionCapacity, 0),
    transferTime: () => 0,
    inputsReadyAt: () => 0,
    random: () => 0.5,
  };
}

let uid = 0;
function item(compute: number, attention: number, tier: Tier | undefined): WorkItem {
  return {
    uid: uid++,
    id: `i${uid}`,
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
    attention,
    tier,
    inputs: [],
    twin: -1,
    plannedNode: -1,
    request: 0,
  };
}

const profile = buildProfile({
  name: 'least-loaded',
  description: '',
  queueSort: fifoOrder,
  scores: [{ plugin: leastLoaded(), weight: 1 }],
  attention: uniformRefresh(),
});
const plain = buildProfile({
  name: 'least-loaded-scan',
  description: '',
  queueSort: fifoOrder,
  scores: [{ plugin: { name: 'least-loaded', score: leastLoaded().score }, weight: 1 }],
  attention: uniformRefresh(),
});

const tiers: Tier[] = ['edge', 'fog', 'cloud'];
const op = fc.oneof(
  fc.record({
    kind: fc.constant('place' as const),
    compute: fc.constantFrom(0.1, 0.3, 1, 2, 2.5, 7),
    attention: fc.constantFrom(0, 1, 1, 0.5, 2),
    tier: fc.constantFrom<Tier | undefined>(undefined, undefined, 'edge', 'fog'),
  }),
  fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('toggle' as const), pick: fc.nat() }),
);
const nodeSpec = fc.record({
  tier: fc.constantFrom(...tiers),
  compute: fc.constantFrom(0.3, 3, 8, 8, 8, 10.1),
  attention: fc.constantFrom(0, 1, 2, 2, 3.5),
});

describe('FreeComputeIndex', () => {
  it('serves only profiles whose every score is monotone in free compute', () => {
    expect(indexable(profile)).toBe(true);
    expect(indexable(plain)).toBe(false);
  });

  it('chooses the same node as the full scan through binds, releases, failures and quota limits', () => {
    fc.assert(
      fc.property(
        fc.array(nodeSpec, { minLength: 1, maxLength: 40 }),
        fc.array(op, { maxLength: 300 }),
        fc.option(fc.constantFrom(0.2, 0.5), { nil: undefined }),
        (specs, ops, quota) => {
          const nodes = specs.map((sp, i) => new FakeNode(i, sp.tier, sp.compute, sp.attention));
          const tenant = {
            index: 0,
            id: 't',
            weight: 1,
            heldCompute: 0,
            heldAttention: 0,
            quotaCompute: quota,
            quotaAttention: undefined,
          };
          const s = snapshot(nodes, [tenant]);
          const index = new FreeComputeIndex(nodes, [0, 1, 2]);
          const running: { node: FakeNode; it: WorkItem }[] = [];
          const change = (n: FakeNode) => index.dirty(n.index);
          for (const o of ops) {
            if (o.kind === 'place') {
              const it = item(o.compute, o.attention, o.tier);
              const scan = chooseNode(it, s, plain);
              expect(chooseNode(it, s, profile, index)).toBe(scan);
              for (const n of nodes) expect(fits(it, n, s, plain)).toBe(infeasible(it, n, s, plain) === null);
              if (scan >= 0) {
                const n = nodes[scan]!;
                change(n);
                n.usedCompute += it.compute;
                n.usedAttention += it.attention;
                tenant.heldCompute += it.compute;
                running.push({ node: n, it });
              }
            } else if (o.kind === 'release' && running.length > 0) {
              const [r] = running.splice(o.pick % running.length, 1);
              change(r!.node);
              r!.node.usedCompute -= r!.it.compute;
              r!.node.usedAttention -= r!.it.attention;
              tenant.heldCompute -= r!.it.compute;
            } else if (o.kind === 'toggle') {
              const n = nodes[o.pick % nodes.length]!;
              change(n);
              n.up = !n.up;
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps the order when a node drops out of an attention level from the middle of a heap', () => {
    // inserted in this order, the level-1 heap is laid out as the keys are listed: node 6 sits under node 2
    const keys = [10, 2, 9, 1, 1.5, 8, 7];
    const nodes = keys.map((k, i) => {
      const n = new FakeNode(i, 'edge', 10, 1);
      n.usedCompute = 10 - k;
      return n;
    });
    const s = snapshot(nodes, []);
    const index = new FreeComputeIndex(nodes, [1]);
    const set = (i: number, used: number, attention: number) => {
      index.dirty(i);
      nodes[i]!.usedCompute = used;
      nodes[i]!.usedAttention = attention;
    };
    expect(chooseNode(item(1, 1, undefined), s, profile, index)).toBe(0);
    set(3, 9, 1); // node 3 leaves level 1; the last member (node 6) takes its place under node 1
    for (const i of [0, 2, 5]) set(i, 9.5, 0);
    expect(chooseNode(item(5, 1, undefined), s, profile, index)).toBe(6);
    expect(chooseNode(item(5, 1, undefined), s, plain)).toBe(6);
  });

  it('finds a lower-index node whose smaller free compute rounds to the same score', () => {
    // free compute 1.8181818181818181 and the next double below it: (free - 0.1) / 3 rounds to one value
    const nodes = [new FakeNode(0, 'edge', 3, 0), new FakeNode(1, 'edge', 3, 0)];
    nodes[0]!.usedCompute = 1.181818181818182;
    nodes[1]!.usedCompute = 1.1818181818181819;
    expect(nodes[1]!.freeCompute).toBeGreaterThan(nodes[0]!.freeCompute);
    const s = snapshot(nodes, []);
    const index = new FreeComputeIndex(nodes);
    expect(chooseNode(item(0.1, 0, undefined), s, plain)).toBe(0);
    expect(chooseNode(item(0.1, 0, undefined), s, profile, index)).toBe(0);
  });

  it('breaks exact score ties between nodes of one class on the lower index', () => {
    const nodes = [0, 1, 2, 3].map((i) => new FakeNode(i, 'edge', 8, 1));
    const s = snapshot(nodes, []);
    const index = new FreeComputeIndex(nodes);
    index.dirty(0);
    nodes[0]!.usedCompute = 1;
    expect(chooseNode(item(1, 0, undefined), s, profile, index)).toBe(1);
    index.dirty(1);
    nodes[1]!.usedCompute = 1;
    index.dirty(2);
    nodes[2]!.usedCompute = 1;
    expect(chooseNode(item(1, 0, undefined), s, profile, index)).toBe(3);
  });
});
