import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cpop, criticalPath } from './cpop.js';
import { heft } from './heft.js';
import { octRanks, optimisticCostTable, peft } from './peft.js';
import { type DagProblem, parseDagJson } from './problem.js';
import { upwardRanks } from './ranks.js';
import type { Schedule } from './schedule.js';
import { validateSchedule } from './validate.js';

const fixture = (name: string): DagProblem => {
  const file = new URL(`../../../test/fixtures/plan/${name}`, import.meta.url);
  return parseDagJson(readFileSync(file, 'utf8'), name);
};
const peftGraph = fixture('peft-paper.json');
const heftGraph = fixture('heft-paper.json');

const rows = (s: Schedule) => s.entries.map((e) => `${e.task} ${e.processor} ${e.start}-${e.finish}`);
/** Equality to the last bits: these values are exact fractions computed from integer costs. */
const EXACT = 1e-9;

describe('PEFT on the PEFT paper graph (Arabnejad & Barbosa 2014)', () => {
  it('builds the published optimistic cost table', () => {
    const oct = Array.from(optimisticCostTable(peftGraph));
    expect(oct).toEqual([
      64, 68, 86, 42, 39, 42, 27, 41, 43, 42, 39, 50, 28, 37, 28, 42, 39, 44, 13, 16, 22, 13, 16, 33, 13, 16,
      20, 0, 0, 0,
    ]);
  });
  it('orders the tasks T1, T4, T6, T2, T3, T5, T8, T7, T9, T10 by rank_oct', () => {
    const rank = octRanks(peftGraph);
    const order = peftGraph.taskNames
      .map((n, i) => [n, rank[i] as number] as const)
      .sort((a, b) => b[1] - a[1])
      .map(([n]) => n);
    // T8 (20.67) outranks T7 (17) and T9 (16.33); the ready list gives the same order here.
    expect(order).toEqual(['T1', 'T4', 'T6', 'T2', 'T3', 'T5', 'T8', 'T7', 'T9', 'T10']);
  });
  it('reproduces the published schedule and makespan 122', () => {
    const s = peft(peftGraph);
    expect(s.makespan).toBe(122);
    expect(rows(s)).toEqual([
      'T1 P1 0-22',
      'T2 P1 29-51',
      'T3 P1 51-83',
      'T4 P1 22-29',
      'T5 P3 35-70',
      'T6 P2 29-46',
      'T7 P1 83-97',
      'T8 P2 54-77',
      'T9 P3 81-89',
      'T10 P2 106-122',
    ]);
    expect(validateSchedule(peftGraph, s)).toEqual([]);
  });
});

describe('HEFT (Topcuoglu et al. 2002)', () => {
  it('gives the published upward ranks on the PEFT graph', () => {
    const expected = [169, 343 / 3, 308 / 3, 110, 389 / 3, 358 / 3, 158 / 3, 92, 127 / 3, 62 / 3];
    const rank = Array.from(upwardRanks(peftGraph));
    for (const [i, r] of rank.entries()) expect(Math.abs(r - (expected[i] as number))).toBeLessThan(EXACT);
  });
  it('makes 133 on the PEFT graph', () => {
    const s = heft(peftGraph);
    expect(s.makespan).toBe(133);
    expect(validateSchedule(peftGraph, s)).toEqual([]);
  });
  it('makes 80 on the HEFT paper graph, CPOP 86, with the paper upward ranks', () => {
    const expected = [108, 77, 80, 80, 69, 190 / 3, 128 / 3, 107 / 3, 133 / 3, 44 / 3];
    for (const [i, r] of Array.from(upwardRanks(heftGraph)).entries()) {
      expect(Math.abs(r - (expected[i] as number))).toBeLessThan(EXACT);
    }
    const h = heft(heftGraph);
    const c = cpop(heftGraph);
    expect(h.makespan).toBe(80);
    expect(c.makespan).toBe(86);
    expect(validateSchedule(heftGraph, h)).toEqual([]);
    expect(validateSchedule(heftGraph, c)).toEqual([]);
  });
  it('CPOP puts the critical path n1 n2 n9 n10 on one processor', () => {
    const { path } = criticalPath(heftGraph);
    expect(path.map((t) => heftGraph.taskNames[t])).toEqual(['n1', 'n2', 'n9', 'n10']);
    const s = cpop(heftGraph);
    const procs = new Set(path.map((t) => s.entries[t]?.processor));
    expect(procs.size).toBe(1);
  });
});

describe('planning against processors that are already busy', () => {
  const chain = parseDagJson(
    JSON.stringify({ processors: ['A', 'B'], cost: { x: [2, 10], y: [3, 10] }, edges: [['x', 'y', 1]] }),
  );
  it('inserts into a gap of a busy timeline and skips gaps that are too short', () => {
    const busy = [
      [
        [0, 1],
        [3, 4],
        [6, 20],
      ] as [number, number][],
      [],
    ];
    for (const plan of [heft, cpop, peft]) {
      const s = plan(chain, { busy });
      // x needs 2 on A: [1,3) fits; y needs 3 on A: [4,6) is too short, so it waits until 20 or goes to B.
      expect(s.entries[0]).toMatchObject({ processor: 'A', start: 1, finish: 3 });
      expect(validateSchedule(chain, s, { busy })).toEqual([]);
    }
    expect(heft(chain, { busy }).entries[1]).toMatchObject({ processor: 'B', start: 4, finish: 14 });
  });
  it('respects now and per-processor ready times', () => {
    const state = { now: 5, ready: [12, 0] };
    const s = heft(chain, state);
    expect(s.entries[0]).toMatchObject({ processor: 'A', start: 12, finish: 14 });
    expect(validateSchedule(chain, s, state)).toEqual([]);
  });
  it('keeps fixed tasks where they are and schedules their successors after them', () => {
    const state = { fixed: [{ task: 'x', processor: 'B', start: 0 }] };
    for (const plan of [heft, cpop, peft]) {
      const s = plan(chain, state);
      expect(s.entries[0]).toMatchObject({ processor: 'B', start: 0, finish: 10 });
      // y on A: input arrives at 10 + 1; on B: 10 + 10 = 20.
      expect(s.entries[1]).toMatchObject({ processor: 'A', start: 11, finish: 14 });
      expect(validateSchedule(chain, s, state)).toEqual([]);
    }
  });
  it('uses latency and bandwidth for transfers between processors', () => {
    const net = parseDagJson(
      JSON.stringify({
        processors: ['A', 'B'],
        cost: { x: [1, 100], y: [100, 1] },
        edges: [['x', 'y', 8]],
        bandwidth: [
          [1, 4],
          [4, 1],
        ],
        latency: [
          [0, 3],
          [3, 0],
        ],
      }),
    );
    const s = heft(net);
    // x on A finishes at 1; y on B starts at 1 + 3 + 8 / 4 = 6.
    expect(s.entries[1]).toMatchObject({ processor: 'B', start: 6, finish: 7 });
    expect(validateSchedule(net, s)).toEqual([]);
  });
});
