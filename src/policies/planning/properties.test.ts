import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cpop } from './cpop.js';
import { ga } from './ga.js';
import { heft } from './heft.js';
import { maxmin } from './maxmin.js';
import { mct } from './mct.js';
import { met } from './met.js';
import { minmin } from './minmin.js';
import { olb } from './olb.js';
import { peft } from './peft.js';
import { buildDagProblem, type DagProblem, parseEtc } from './problem.js';
import { pso } from './pso.js';
import { sufferage } from './sufferage.js';
import { validateSchedule } from './validate.js';

/** A random DAG: edges only from lower to higher task index, so it is acyclic by construction. */
const dagArb = fc
  .record({ tasks: fc.integer({ min: 1, max: 12 }), processors: fc.integer({ min: 1, max: 4 }) })
  .chain(({ tasks, processors }) =>
    fc.record({
      cost: fc.array(
        fc.array(fc.integer({ min: 0, max: 20 }), { minLength: processors, maxLength: processors }),
        {
          minLength: tasks,
          maxLength: tasks,
        },
      ),
      edges: fc.array(
        fc.tuple(
          fc.integer({ min: 0, max: tasks - 1 }),
          fc.integer({ min: 0, max: tasks - 1 }),
          fc.integer({ min: 0, max: 20 }),
        ),
        { maxLength: 20 },
      ),
      processors: fc.constant(processors),
    }),
  )
  .map(
    ({ cost, edges, processors }): DagProblem =>
      buildDagProblem({
        processors: Array.from({ length: processors }, (_, p) => `p${p}`),
        cost: Object.fromEntries(cost.map((row, t) => [`t${t}`, row])),
        // Orient every pair from the lower to the higher index (acyclic) and keep one edge per pair.
        edges: [
          ...new Map(
            edges
              .filter(([a, b]) => a !== b)
              .map(([a, b, c]) => [
                `${Math.min(a, b)}-${Math.max(a, b)}`,
                [`t${Math.min(a, b)}`, `t${Math.max(a, b)}`, c] as const,
              ]),
          ).values(),
        ],
      }),
  );

/** Longest path where each task costs its cheapest processor and transfers are free. */
function criticalPathLowerBound(problem: DagProblem): number {
  const longest = new Float64Array(problem.tasks);
  let best = 0;
  for (const t of problem.topoOrder) {
    let minCost = Number.POSITIVE_INFINITY;
    for (let p = 0; p < problem.processors; p++)
      minCost = Math.min(minCost, problem.cost[t * problem.processors + p] as number);
    let before = 0;
    for (const u of problem.pred[t] as number[]) before = Math.max(before, longest[u] as number);
    longest[t] = before + minCost;
    best = Math.max(best, longest[t] as number);
  }
  return best;
}

describe('list schedulers on random DAGs', () => {
  it('HEFT is never below the critical-path lower bound, and every planner is feasible', () => {
    fc.assert(
      fc.property(dagArb, (problem) => {
        const h = heft(problem);
        expect(h.makespan).toBeGreaterThanOrEqual(criticalPathLowerBound(problem) - 1e-9);
        for (const s of [h, cpop(problem), peft(problem)]) expect(validateSchedule(problem, s)).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });
  it('GA and PSO are feasible and never worse than HEFT', () => {
    fc.assert(
      fc.property(dagArb, fc.integer({ min: 1, max: 1000 }), (problem, seed) => {
        const h = heft(problem).makespan;
        for (const search of [ga, pso]) {
          const s = search(problem, { seed, iterations: 20, population: 4 });
          expect(validateSchedule(problem, s)).toEqual([]);
          expect(s.makespan).toBeLessThanOrEqual(h);
        }
      }),
      { numRuns: 40 },
    );
  });
  it('planning against random busy intervals stays feasible', () => {
    const busyArb = fc.array(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 10 })), { maxLength: 4 }),
      {
        minLength: 4,
        maxLength: 4,
      },
    );
    fc.assert(
      fc.property(dagArb, busyArb, fc.integer({ min: 0, max: 10 }), (problem, raw, now) => {
        // Make each processor's intervals disjoint by laying them end to end from their offsets.
        const busy = raw.slice(0, problem.processors).map((list) => {
          let at = 0;
          return list.map(([gap, len]): [number, number] => {
            const s = at + gap;
            at = s + len;
            return [s, at];
          });
        });
        const state = { busy, now };
        for (const plan of [heft, cpop, peft])
          expect(validateSchedule(problem, plan(problem, state), state)).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });
});

describe('independent-task heuristics on random ETC matrices', () => {
  const etcArb = fc
    .record({ tasks: fc.integer({ min: 1, max: 20 }), machines: fc.integer({ min: 1, max: 5 }) })
    .chain(({ tasks, machines }) =>
      fc
        .array(fc.integer({ min: 1, max: 1000 }), {
          minLength: tasks * machines,
          maxLength: tasks * machines,
        })
        .map((values) => parseEtc(`${tasks} ${machines} 0\n${values.join('\n')}\n`)),
    );
  it('are feasible, and GA/PSO never end worse than Min-Min', () => {
    fc.assert(
      fc.property(etcArb, fc.integer({ min: 1, max: 1000 }), (problem, seed) => {
        for (const f of [minmin, maxmin, mct, met, olb, sufferage])
          expect(validateSchedule(problem, f(problem))).toEqual([]);
        const start = minmin(problem).makespan;
        for (const search of [ga, pso]) {
          const s = search(problem, { seed, iterations: 10, population: 4 });
          expect(validateSchedule(problem, s)).toEqual([]);
          expect(s.makespan).toBeLessThanOrEqual(start);
        }
      }),
      { numRuns: 60 },
    );
  });
});
