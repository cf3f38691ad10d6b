import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BRAUN_BEST_KNOWN, bestKnownFor } from './best-known.js';
import { ga } from './ga.js';
import { heft } from './heft.js';
import { minmin } from './minmin.js';
import { parseDagJson, parseEtc } from './problem.js';
import { pso } from './pso.js';
import { validateSchedule } from './validate.js';

const braun = (name: string) =>
  parseEtc(readFileSync(new URL(`../../../data/braun-512x16/${name}`, import.meta.url), 'utf8'), name);
const peftGraph = parseDagJson(
  readFileSync(new URL('../../../test/fixtures/plan/peft-paper.json', import.meta.url), 'utf8'),
);

describe('GA and PSO on the Braun instances', () => {
  it.each(Object.keys(BRAUN_BEST_KNOWN))('%s: both beat Min-Min within a few iterations', (name) => {
    const problem = braun(name);
    const start = minmin(problem).makespan;
    const bestKnown = bestKnownFor(name);
    for (const search of [ga, pso]) {
      const s = search(problem, { seed: 7, iterations: 10, population: 6, bestKnown });
      expect(validateSchedule(problem, s)).toEqual([]);
      expect(s.makespan).toBeLessThan(start);
      expect(s.search?.startMakespan).toBe(start);
      expect(s.search?.iterations).toBe(10);
      expect(s.search?.stoppedByBudget).toBe(false);
      // Nothing beats the solver's optimum-quality value by more than rounding.
      expect(s.makespan).toBeGreaterThan((bestKnown as number) * 0.999);
      expect(s.search?.gapToBestKnown).toBeCloseTo(
        (s.makespan - (bestKnown as number)) / (bestKnown as number),
        12,
      );
    }
  });
});

describe('search determinism and stopping', () => {
  const problem = braun('u_i_lolo.0');
  it('gives identical results for the same seed and iteration count', () => {
    for (const search of [ga, pso]) {
      const a = search(problem, { seed: 3, iterations: 15, population: 5 });
      const b = search(problem, { seed: 3, iterations: 15, population: 5 });
      expect(a.entries).toEqual(b.entries);
      expect(a.makespan).toBe(b.makespan);
    }
  });
  it('stops on the time budget, read from the injected clock', () => {
    let now = 0;
    const clockMs = () => {
      now += 1;
      return now;
    };
    const s = ga(problem, { seed: 1, budgetMs: 5, population: 3, clockMs });
    expect(s.search?.stoppedByBudget).toBe(true);
    expect(s.search?.iterations).toBeLessThan(6);
  });
});

describe('GA and PSO on a batch for machines that are still busy', () => {
  it('plan from the machines ready times and stay feasible', () => {
    const base = braun('u_s_lolo.0');
    const problem = { ...base, ready: Float64Array.from({ length: 16 }, (_, m) => m * 100) };
    const start = minmin(problem).makespan;
    for (const search of [ga, pso]) {
      const s = search(problem, { seed: 4, iterations: 5, population: 4 });
      expect(validateSchedule(problem, s)).toEqual([]);
      expect(s.makespan).toBeLessThanOrEqual(start);
      expect(s.search?.startMakespan).toBe(start);
    }
  });
});

describe('GA and PSO on DAGs start from HEFT', () => {
  it('never return worse than HEFT on the PEFT graph and stay feasible', () => {
    const h = heft(peftGraph).makespan;
    for (const search of [ga, pso]) {
      const s = search(peftGraph, { seed: 11, iterations: 300 });
      expect(s.search?.startMakespan).toBe(h);
      expect(s.makespan).toBeLessThanOrEqual(h);
      expect(validateSchedule(peftGraph, s)).toEqual([]);
    }
  });
  it('respect processors that are already busy', () => {
    const state = { busy: [[[0, 50]], [], []] as [number, number][][], now: 3 };
    for (const search of [ga, pso]) {
      const s = search(peftGraph, { ...state, seed: 2, iterations: 50 });
      expect(s.makespan).toBeLessThanOrEqual(heft(peftGraph, state).makespan);
      expect(validateSchedule(peftGraph, s, state)).toEqual([]);
    }
  });
});
