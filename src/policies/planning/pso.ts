/**
 * Particle swarm optimisation (Kennedy & Eberhart 1995), one particle move per iteration.
 *
 * Independent tasks (ETC): a discrete PSO. A particle's position is a machine per task; a move
 * keeps each task's machine, or takes it from the particle's personal best or the swarm's best
 * (the "velocity" pulls towards them), or with a small probability a random machine, then runs the
 * critical-machine local search. The swarm starts from Min-Min, MCT and perturbed Min-Min.
 *
 * DAGs: the classic continuous PSO over random keys (a priority per task), decoded by HEFT's ready
 * list and insertion-based EFT; particle 0 starts at HEFT's upward ranks, so the result is never
 * worse than HEFT.
 */
import { RandomStreams } from '../../engine/random.js';
import { heft, heftWithPriority } from './heft.js';
import { mctAssignment } from './mct.js';
import { batchAssignment } from './minmin.js';
import type { DagProblem, EtcProblem, Problem } from './problem.js';
import { upwardRanks } from './ranks.js';
import { etcScheduleFrom, type Schedule } from './schedule.js';
import { EtcSolution, type SearchOptions, StopRule, searchReport } from './search.js';

export function pso(problem: Problem, options: SearchOptions = {}): Schedule {
  return problem.kind === 'etc' ? psoEtc(problem, options) : psoDag(problem, options);
}

/** Probabilities of one task's move: from the swarm best, from the personal best, random. */
const PULL_GLOBAL = 0.25;
const PULL_PERSONAL = 0.25;

function psoEtc(problem: EtcProblem, options: SearchOptions): Schedule {
  const { tasks: T, processors: M } = problem;
  const rng = new RandomStreams(options.seed ?? 1).stream('planning.pso');
  const stop = new StopRule(options);
  const size = Math.max(2, options.population ?? 12);
  const work = new EtcSolution(problem);
  const start = batchAssignment(problem, 'min');
  const startMakespan = work.set(start).makespan();
  let evaluations = 1;
  const improve = (assign: ArrayLike<number>): [Int32Array, number] => {
    work.set(assign);
    const ms = work.localSearch();
    evaluations++;
    return [Int32Array.from(work.assign), ms];
  };

  const position: Int32Array[] = [];
  const personal: Int32Array[] = [];
  const personalMs: number[] = [];
  let global = start;
  let globalMs = startMakespan;
  const seeds = [start, mctAssignment(problem)];
  for (let i = 0; i < size; i++) {
    const g = Int32Array.from(seeds[i] ?? start);
    if (i >= seeds.length)
      for (let k = 1 + rng.int(Math.max(1, T >> 3)); k > 0; k--) g[rng.int(T)] = rng.int(M);
    const [x, ms] = improve(g);
    position.push(x);
    personal.push(Int32Array.from(x));
    personalMs.push(ms);
    if (ms < globalMs) {
      global = Int32Array.from(x);
      globalMs = ms;
    }
  }

  const mutate = 2 / T;
  let i = 0;
  while (stop.another()) {
    const x = position[i] as Int32Array;
    const p = personal[i] as Int32Array;
    for (let t = 0; t < T; t++) {
      const r = rng.next();
      if (r < mutate) x[t] = rng.int(M);
      else if (r < mutate + PULL_GLOBAL) x[t] = global[t] as number;
      else if (r < mutate + PULL_GLOBAL + PULL_PERSONAL) x[t] = p[t] as number;
    }
    const [nx, ms] = improve(x);
    position[i] = nx;
    if (ms < (personalMs[i] as number)) {
      personal[i] = Int32Array.from(nx);
      personalMs[i] = ms;
    }
    if (ms < globalMs) {
      global = Int32Array.from(nx);
      globalMs = ms;
    }
    i = (i + 1) % size;
  }
  return etcScheduleFrom(
    problem,
    global,
    searchReport(startMakespan, globalMs, stop, evaluations, options.bestKnown),
  );
}

/** Inertia and acceleration constants of the constricted PSO (Clerc & Kennedy 2002). */
const INERTIA = 0.7298;
const ACCEL = 1.49618;

function psoDag(problem: DagProblem, options: SearchOptions): Schedule {
  const T = problem.tasks;
  const rng = new RandomStreams(options.seed ?? 1).stream('planning.pso');
  const stop = new StopRule(options);
  const size = Math.max(2, options.population ?? 12);
  const ranks = upwardRanks(problem);
  let scale = 0;
  for (const r of ranks) scale = Math.max(scale, r);
  scale = scale > 0 ? scale : 1;
  let evaluations = 0;
  const evaluate = (keys: Float64Array) => {
    evaluations++;
    return heftWithPriority(problem, keys, options).makespan;
  };
  const startMakespan = heft(problem, options).makespan;
  const x: Float64Array[] = [];
  const v: Float64Array[] = [];
  const personal: Float64Array[] = [];
  const personalMs: number[] = [];
  for (let i = 0; i < size; i++) {
    const keys =
      i === 0 ? Float64Array.from(ranks) : Float64Array.from(ranks, (r) => r * (0.8 + 0.4 * rng.next()));
    x.push(keys);
    v.push(Float64Array.from(ranks, () => (rng.next() - 0.5) * 0.1 * scale));
    personal.push(Float64Array.from(keys));
    personalMs.push(i === 0 ? startMakespan : evaluate(keys));
  }
  let g = 0;
  for (let i = 1; i < size; i++) if ((personalMs[i] as number) < (personalMs[g] as number)) g = i;
  let global = Float64Array.from(personal[g] as Float64Array);
  let globalMs = personalMs[g] as number;
  let i = 0;
  while (stop.another()) {
    const xi = x[i] as Float64Array;
    const vi = v[i] as Float64Array;
    const pi = personal[i] as Float64Array;
    for (let t = 0; t < T; t++) {
      const vt =
        INERTIA * (vi[t] as number) +
        ACCEL * rng.next() * ((pi[t] as number) - (xi[t] as number)) +
        ACCEL * rng.next() * ((global[t] as number) - (xi[t] as number));
      vi[t] = vt;
      xi[t] = (xi[t] as number) + vt;
    }
    const ms = evaluate(xi);
    if (ms < (personalMs[i] as number)) {
      personal[i] = Float64Array.from(xi);
      personalMs[i] = ms;
    }
    if (ms < globalMs) {
      global = Float64Array.from(xi);
      globalMs = ms;
    }
    i = (i + 1) % size;
  }
  const schedule = heftWithPriority(problem, global, options);
  return {
    ...schedule,
    search: searchReport(startMakespan, schedule.makespan, stop, evaluations, options.bestKnown),
  };
}
