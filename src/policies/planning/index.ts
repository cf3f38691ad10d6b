/**
 * The static planners by name. Each is a pure function `(problem, options) => Schedule`; DAG
 * planners accept the processor state (`busy`, `ready`, `now`, `fixed`), the searches also
 * `seed`, `iterations`, `budgetMs`, `population` and `bestKnown`.
 */
import { ArsError } from '../../errors.js';
import { cpop } from './cpop.js';
import { ga } from './ga.js';
import { heft } from './heft.js';
import { maxmin } from './maxmin.js';
import { mct } from './mct.js';
import { met } from './met.js';
import { minmin } from './minmin.js';
import { olb } from './olb.js';
import { peft } from './peft.js';
import type { DagProblem, EtcProblem, Problem } from './problem.js';
import { pso } from './pso.js';
import type { Schedule } from './schedule.js';
import type { SearchOptions } from './search.js';
import { sufferage } from './sufferage.js';

export { BRAUN_BEST_KNOWN, bestKnownFor } from './best-known.js';
export { cpop, criticalPath } from './cpop.js';
export { ga } from './ga.js';
export { heft, heftWithPriority, type ListOptions } from './heft.js';
export { maxmin } from './maxmin.js';
export { mct } from './mct.js';
export { met } from './met.js';
export { minmin } from './minmin.js';
export { olb } from './olb.js';
export { octRanks, optimisticCostTable, peft } from './peft.js';
export * from './problem.js';
export { pso } from './pso.js';
export { downwardRanks, upwardRanks } from './ranks.js';
export * from './schedule.js';
export type { SearchOptions } from './search.js';
export { sufferage } from './sufferage.js';
export * from './validate.js';

export interface PlannerInfo {
  readonly name: string;
  /** which problems it takes */
  readonly kinds: readonly Problem['kind'][];
  readonly summary: string;
  readonly plan: (problem: Problem, options: SearchOptions) => Schedule;
}

const dagOnly = (f: (p: DagProblem, o: SearchOptions) => Schedule) => (p: Problem, o: SearchOptions) =>
  f(p as DagProblem, o);
const etcOnly = (f: (p: EtcProblem) => Schedule) => (p: Problem) => f(p as EtcProblem);

export const PLANNERS: readonly PlannerInfo[] = [
  {
    name: 'heft',
    kinds: ['dag'],
    summary: 'upward rank, insertion-based earliest finish time',
    plan: dagOnly(heft),
  },
  { name: 'cpop', kinds: ['dag'], summary: 'critical path on its fastest processor', plan: dagOnly(cpop) },
  { name: 'peft', kinds: ['dag'], summary: 'optimistic cost table, EFT + OCT', plan: dagOnly(peft) },
  {
    name: 'minmin',
    kinds: ['etc'],
    summary: 'smallest minimum completion time first',
    plan: etcOnly(minmin),
  },
  { name: 'maxmin', kinds: ['etc'], summary: 'largest minimum completion time first', plan: etcOnly(maxmin) },
  { name: 'mct', kinds: ['etc'], summary: 'file order, minimum completion time', plan: etcOnly(mct) },
  { name: 'met', kinds: ['etc'], summary: 'file order, minimum execution time', plan: etcOnly(met) },
  { name: 'olb', kinds: ['etc'], summary: 'file order, first machine to become ready', plan: etcOnly(olb) },
  { name: 'sufferage', kinds: ['etc'], summary: 'largest sufferage first', plan: etcOnly(sufferage) },
  { name: 'ga', kinds: ['dag', 'etc'], summary: 'memetic genetic algorithm, seeded', plan: ga },
  { name: 'pso', kinds: ['dag', 'etc'], summary: 'particle swarm with local search, seeded', plan: pso },
];

export function plannerNames(): string[] {
  return PLANNERS.map((p) => p.name);
}

/**
 * Plans `problem` with the named planner.
 * @throws ArsError ARS_E_POLICY for an unknown name or a planner that does not take this kind of problem
 */
export function plan(name: string, problem: Problem, options: SearchOptions = {}): Schedule {
  const info = PLANNERS.find((p) => p.name === name);
  if (!info)
    throw new ArsError(
      'ARS_E_POLICY',
      `unknown planning policy "${name}"; known: ${plannerNames().join(', ')}`,
    );
  if (!info.kinds.includes(problem.kind)) {
    const fits = PLANNERS.filter((p) => p.kinds.includes(problem.kind)).map((p) => p.name);
    const what = problem.kind === 'dag' ? 'a task DAG' : 'independent tasks (ETC matrix)';
    throw new ArsError(
      'ARS_E_POLICY',
      `policy "${name}" does not plan ${what}; use one of: ${fits.join(', ')}`,
    );
  }
  return info.plan(problem, options);
}
