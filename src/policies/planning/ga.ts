/**
 * A memetic genetic algorithm (steady state: one offspring per iteration).
 *
 * Independent tasks (ETC): a genome is a machine per task. The population starts from Min-Min and
 * MCT and perturbed copies of Min-Min; each offspring comes from uniform crossover of two
 * tournament winners plus a few random moves, then the critical-machine local search (moves and
 * swaps). It replaces the worst member when better and not a makespan duplicate. The memetic step
 * follows the cellular/memetic GAs for the Braun instances (e.g. Xhafa et al.); the GA of Braun et
 * al. 2001 is the same idea without local search.
 *
 * DAGs: a genome is a priority per task plus an optional forced processor per task; it is decoded
 * by HEFT's ready list and insertion-based EFT (processor state respected). The population starts
 * from HEFT's upward ranks, so the result is never worse than HEFT.
 *
 * Both keep the starting solution, so the result is never worse than where they started.
 */
import { type RandomStream, RandomStreams } from '../../engine/random.js';
import { heft, heftWithPriority } from './heft.js';
import { mctAssignment } from './mct.js';
import { batchAssignment } from './minmin.js';
import type { DagProblem, EtcProblem, Problem } from './problem.js';
import { upwardRanks } from './ranks.js';
import { etcScheduleFrom, type Schedule } from './schedule.js';
import { EtcSolution, type SearchOptions, StopRule, searchReport } from './search.js';

export function ga(problem: Problem, options: SearchOptions = {}): Schedule {
  return problem.kind === 'etc' ? gaEtc(problem, options) : gaDag(problem, options);
}

interface Member<G> {
  genome: G;
  makespan: number;
}

function tournament<G>(pop: Member<G>[], rng: RandomStream): Member<G> {
  let best = pop[rng.int(pop.length)] as Member<G>;
  for (let k = 1; k < 3; k++) {
    const c = pop[rng.int(pop.length)] as Member<G>;
    if (c.makespan < best.makespan) best = c;
  }
  return best;
}

/** Puts `child` in place of the worst member if it is better and its makespan is new. */
function replaceWorst<G>(pop: Member<G>[], child: Member<G>): void {
  let worst = 0;
  for (let i = 1; i < pop.length; i++)
    if ((pop[i] as Member<G>).makespan > (pop[worst] as Member<G>).makespan) worst = i;
  if (child.makespan >= (pop[worst] as Member<G>).makespan) return;
  for (const m of pop) if (m.makespan === child.makespan) return;
  pop[worst] = child;
}

function bestOf<G>(pop: Member<G>[]): Member<G> {
  let best = pop[0] as Member<G>;
  for (const m of pop) if (m.makespan < best.makespan) best = m;
  return best;
}

function gaEtc(problem: EtcProblem, options: SearchOptions): Schedule {
  const { tasks: T, processors: M } = problem;
  const rng = new RandomStreams(options.seed ?? 1).stream('planning.ga');
  const stop = new StopRule(options);
  const size = Math.max(2, options.population ?? 20);
  const work = new EtcSolution(problem);
  const start = batchAssignment(problem, 'min');
  const startMakespan = work.set(start).makespan();
  let evaluations = 1;

  const improve = (assign: Int32Array): Member<Int32Array> => {
    work.set(assign);
    const makespan = work.localSearch();
    evaluations++;
    return { genome: Int32Array.from(work.assign), makespan };
  };
  const pop: Member<Int32Array>[] = [{ genome: start, makespan: startMakespan }];
  pop.push(improve(start));
  pop.push(improve(mctAssignment(problem)));
  while (pop.length < size) {
    const g = Int32Array.from(start);
    const moves = 1 + rng.int(Math.max(1, T >> 3));
    for (let k = 0; k < moves; k++) g[rng.int(T)] = rng.int(M);
    pop.push(improve(g));
  }

  while (stop.another()) {
    const a = tournament(pop, rng).genome;
    const b = tournament(pop, rng).genome;
    const child = new Int32Array(T);
    for (let t = 0; t < T; t++) child[t] = rng.next() < 0.5 ? (a[t] as number) : (b[t] as number);
    const moves = 1 + rng.int(4);
    for (let k = 0; k < moves; k++) child[rng.int(T)] = rng.int(M);
    replaceWorst(pop, improve(child));
  }
  const best = bestOf(pop);
  return etcScheduleFrom(
    problem,
    best.genome,
    searchReport(startMakespan, best.makespan, stop, evaluations, options.bestKnown),
  );
}

interface DagGenome {
  keys: Float64Array;
  /** forced processor per task, −1 to let EFT choose */
  procs: Int32Array;
}

function gaDag(problem: DagProblem, options: SearchOptions): Schedule {
  const { tasks: T, processors: P } = problem;
  const rng = new RandomStreams(options.seed ?? 1).stream('planning.ga');
  const stop = new StopRule(options);
  const size = Math.max(2, options.population ?? 20);
  const ranks = upwardRanks(problem);
  let evaluations = 0;
  const evaluate = (genome: DagGenome): Member<DagGenome> => {
    evaluations++;
    return { genome, makespan: heftWithPriority(problem, genome.keys, options, genome.procs).makespan };
  };
  const startMakespan = heft(problem, options).makespan;
  const pop: Member<DagGenome>[] = [
    evaluate({ keys: Float64Array.from(ranks), procs: new Int32Array(T).fill(-1) }),
  ];
  while (pop.length < size) {
    const keys = Float64Array.from(ranks, (r) => r * (0.8 + 0.4 * rng.next()));
    const procs = new Int32Array(T).fill(-1);
    for (let k = rng.int(3); k > 0; k--) procs[rng.int(T)] = rng.int(P);
    pop.push(evaluate({ keys, procs }));
  }
  while (stop.another()) {
    const a = tournament(pop, rng).genome;
    const b = tournament(pop, rng).genome;
    const keys = new Float64Array(T);
    const procs = new Int32Array(T);
    for (let t = 0; t < T; t++) {
      const fromA = rng.next() < 0.5;
      keys[t] = (fromA ? a.keys[t] : b.keys[t]) as number;
      procs[t] = (fromA ? a.procs[t] : b.procs[t]) as number;
    }
    const rate = 2 / T;
    for (let t = 0; t < T; t++) {
      if (rng.next() < rate) keys[t] = (keys[t] as number) * (0.8 + 0.4 * rng.next());
      if (rng.next() < rate) procs[t] = rng.next() < 0.5 ? -1 : rng.int(P);
    }
    replaceWorst(pop, evaluate({ keys, procs }));
  }
  const best = bestOf(pop);
  const schedule = heftWithPriority(problem, best.genome.keys, options, best.genome.procs);
  return {
    ...schedule,
    search: searchReport(startMakespan, schedule.makespan, stop, evaluations, options.bestKnown),
  };
}
