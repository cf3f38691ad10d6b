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
});
