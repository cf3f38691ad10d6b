import { describe, expect, it } from 'vitest';
import type { NodeView, Snapshot, WorkItem } from '../../scheduler/types.js';
import { finishIn, patienceFilter } from './compute.js';

// just what finishIn and the patience filter read
const item = {
  kind: 'k',
  work: 10,
  compute: 1,
  attention: 0,
  inputs: [],
  outputBytes: 0,
} as unknown as WorkItem;
const node = (index: number, speed: number): NodeView =>
  ({
    index,
    up: true,
    tier: 'edge',
    computeCapacity: 4,
    attentionCapacity: 0,
    freeCompute: 4,
    freeAttention: 0,
    backlog: 0,
    speed: () => speed,
  }) as unknown as NodeView;
const fast = node(0, 10);
const slow = node(1, 1);
const s = {
  now: 5,
  nodes: [fast, slow],
  inputsReadyAt: () => 5,
  transferTime: () => 0,
} as unknown as Snapshot;

describe('patienceFilter', () => {
  it('takes a hinted finish once, for that node only, and forgets it at the next preset', () => {
    expect(finishIn(item, fast, s)).toBe(1);
    expect(finishIn(item, slow, s)).toBe(10);
    const p = patienceFilter();
    p.preset(item, s.now, 1);
    // by its own finish the fast node passes and the slow one (10 s against 1 s) does not
    expect(p.filter(item, fast, s).ok).toBe(true);
    expect(p.filter(item, slow, s).ok).toBe(false);
    // a hint of 10 s for the fast node: refused once, then its own finish again
    p.hint(0, 10);
    expect(p.filter(item, slow, s).ok).toBe(false); // another node: the hint stays
    expect(p.filter(item, fast, s).ok).toBe(false);
    expect(p.filter(item, fast, s).ok).toBe(true);
    // a hint of 1 s for the slow node, then a preset: the hint is gone
    p.hint(1, 1);
    p.preset(item, s.now, 1);
    expect(p.filter(item, slow, s).ok).toBe(false);
    // withdrawn by a hint for no node
    p.hint(1, 1);
    p.hint(-1, Number.NaN);
    expect(p.filter(item, slow, s).ok).toBe(false);
    p.hint(1, 1);
    expect(p.filter(item, slow, s).ok).toBe(true);
  });

  it('passes a node that finishes within a second without looking at any other node', () => {
    const quick = { ...item, work: 0.5 } as WorkItem;
    let looked = 0;
    const counting = {
      now: 5,
      get nodes() {
        looked++;
        return [fast, slow];
      },
      inputsReadyAt: () => 5,
      transferTime: () => 0,
    } as unknown as Snapshot;
    const p = patienceFilter();
    // 0.5 s on the slow node: no other node can be more than a second sooner
    expect(p.filter(quick, slow, counting).ok).toBe(true);
    expect(looked).toBe(0);
    // 10 s there against 1 s on the fast one: the others are read, and the slow node refused
    expect(p.filter(item, slow, counting).ok).toBe(false);
    expect(looked).toBe(1);
  });

  it('decides as its rule says, preset or not, whatever the speeds, loads and backlogs', () => {
    // the rule: refuse when here > 2 × bestLater and here − bestLater > 1, bestLater the least wait + finish
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let trial = 0; trial < 500; trial++) {
      const nodes = Array.from({ length: 1 + Math.floor(rand() * 4) }, (_, i) => ({
        ...node(i, 0.2 + rand() * 5),
        freeCompute: rand() < 0.5 ? 0 : 4,
        backlog: rand() * 3,
      })) as NodeView[];
      const snap = { ...s, nodes } as unknown as Snapshot;
      const it0 = { ...item, work: rand() * 4 } as WorkItem;
      let bestLater = Number.POSITIVE_INFINITY;
      for (const n of nodes) {
        const wait = n.freeCompute >= it0.compute ? 0 : n.backlog;
        bestLater = Math.min(bestLater, wait + finishIn(it0, n, snap));
      }
      for (const n of nodes) {
        const here = finishIn(it0, n, snap);
        const ok = !(here > 2 * bestLater && here - bestLater > 1);
        expect(patienceFilter().filter(it0, n, snap).ok).toBe(ok);
        const preset = patienceFilter();
        preset.preset(it0, snap.now, bestLater);
        expect(preset.filter(it0, n, snap).ok).toBe(ok);
      }
    }
  });
});
