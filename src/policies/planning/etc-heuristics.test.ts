import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { maxmin } from './maxmin.js';
import { mct } from './mct.js';
import { met } from './met.js';
import { minmin } from './minmin.js';
import { olb } from './olb.js';
import { type EtcProblem, parseEtc } from './problem.js';
import type { Schedule } from './schedule.js';
import { sufferage } from './sufferage.js';
import { validateSchedule } from './validate.js';

// REFERENCE-CASES.md section 4 (Braun et al. 2001 heuristics on the chgogos/hcsp instances).
const TABLE: [string, number, number, number, number, number][] = [
  ['u_c_hihi.0', 8460675.0, 12385671.83, 11422624.49, 47472299.43, 14376662.18],
  ['u_c_hilo.0', 161805.43, 204054.59, 185887.4, 1185092.97, 221051.82],
  ['u_c_lohi.0', 275837.36, 392566.69, 378303.62, 1453098.0, 477357.02],
  ['u_c_lolo.0', 5441.43, 6945.36, 6360.05, 39582.3, 7306.6],
  ['u_i_hihi.0', 3513919.28, 8018378.07, 4413582.98, 4508506.79, 26102017.62],
  ['u_i_hilo.0', 80755.68, 151923.83, 94855.91, 96610.48, 272785.2],
  ['u_i_lohi.0', 120517.71, 251528.85, 143816.09, 185694.59, 833605.65],
  ['u_i_lolo.0', 2785.65, 5177.71, 3137.35, 3399.28, 8938.03],
  ['u_s_hihi.0', 5160342.82, 9208811.5, 6693923.9, 25162058.14, 19464875.91],
  ['u_s_hilo.0', 104375.16, 172822.7, 126587.59, 605363.77, 250362.11],
  ['u_s_lohi.0', 140284.49, 282085.73, 186151.29, 674689.54, 603231.47],
  ['u_s_lolo.0', 3806.83, 6232.24, 4436.12, 21042.41, 8938.39],
];

const load = (name: string): EtcProblem =>
  parseEtc(readFileSync(new URL(`../../../data/braun-512x16/${name}`, import.meta.url), 'utf8'), name);

function expectValid(problem: EtcProblem, s: Schedule) {
  expect(validateSchedule(problem, s)).toEqual([]);
}

describe('Braun et al. heuristics reproduce the published makespans to 0.01', () => {
  it.each(TABLE)('%s', (name, minMin, maxMin, mctMs, metMs, olbMs) => {
    const problem = load(name);
    expect(problem.tasks).toBe(512);
    expect(problem.processors).toBe(16);
    const cases: [Schedule, number][] = [
      [minmin(problem), minMin],
      [maxmin(problem), maxMin],
      [mct(problem), mctMs],
      [met(problem), metMs],
      [olb(problem), olbMs],
    ];
    for (const [s, expected] of cases) {
      expectValid(problem, s);
      expect(Math.abs(s.makespan - expected)).toBeLessThanOrEqual(0.01);
    }
    const suff = sufferage(problem);
    expectValid(problem, suff);
  });
});

describe('independent-task heuristics on small matrices', () => {
  const tiny = parseEtc('3 2 0\n4 1\n1 4\n2 2\n');
  it('Min-Min assigns the cheapest completion first and breaks ties to the lower task', () => {
    // Round 1: t0→m1 (1) and t1→m0 (1) tie at 1; t0 goes first. Round 2: t1→m0 (1). Round 3: t2 at 3 on either; m0 wins.
    const s = minmin(tiny);
    expect(s.entries.map((e) => e.processor)).toEqual(['m1', 'm0', 'm0']);
    expect(s.makespan).toBe(3);
    expectValid(tiny, s);
  });
  it('Max-Min takes the task with the largest best completion first', () => {
    const s = maxmin(tiny);
    // t2 first (best 2), on m0; then t0 (m1, 1) and t1 (m0 would be 3, m1 would be 5 → m0).
    expect(s.entries.map((e) => e.processor)).toEqual(['m1', 'm0', 'm0']);
    expect(s.makespan).toBe(3);
  });
  it('MET ignores load; OLB ignores cost', () => {
    expect(met(tiny).entries.map((e) => e.processor)).toEqual(['m1', 'm0', 'm0']);
    expect(olb(tiny).entries.map((e) => e.processor)).toEqual(['m0', 'm1', 'm0']);
    expect(olb(tiny).makespan).toBe(6);
  });
  it('Sufferage serves the task that loses most without its best machine', () => {
    const s = sufferage(tiny);
    expectValid(tiny, s);
    expect(s.makespan).toBe(3);
  });
  it('start each machine at its ready time when the problem gives one', () => {
    const busy = { ...tiny, ready: Float64Array.from([10, 0]) };
    // m0 is busy until 10, so everything fits sooner on m1: 1 + 4 + 2.
    const s = minmin(busy);
    expect(s.entries.map((e) => e.processor)).toEqual(['m1', 'm1', 'm1']);
    expect(s.makespan).toBe(7);
    for (const f of [minmin, maxmin, mct, met, olb, sufferage]) expectValid(busy, f(busy));
    expect(olb(busy).entries[0]).toMatchObject({ processor: 'm1', start: 0 });
    expect(met(busy).entries[1]).toMatchObject({ processor: 'm0', start: 10, finish: 11 });
    // The validator catches a schedule that ignores the ready time.
    expect(validateSchedule(busy, minmin(tiny)).map((v) => v.kind)).toContain('busy-conflict');
  });
  it('a single machine runs everything back to back', () => {
    const one = parseEtc('3 1 0\n1\n2\n3\n');
    for (const f of [minmin, maxmin, mct, met, olb, sufferage]) {
      const s = f(one);
      expect(s.makespan).toBe(6);
      expectValid(one, s);
    }
  });
});
