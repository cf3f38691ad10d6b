/**
 * MCT, Minimum Completion Time ("fast greedy" in Braun et al., JPDC 61(6), 2001): tasks in file
 * order, each to the machine where it would finish first. Ties: lowest machine. O(T·M).
 */
import type { EtcProblem } from './problem.js';
import { etcScheduleFrom, type Schedule } from './schedule.js';

export function mctAssignment(problem: EtcProblem): Int32Array {
  const { tasks: T, processors: M, etc } = problem;
  const ready = problem.ready ? Float64Array.from(problem.ready) : new Float64Array(M);
  const assign = new Int32Array(T);
  for (let t = 0; t < T; t++) {
    let bm = 0;
    let bt = Number.POSITIVE_INFINITY;
    for (let m = 0; m < M; m++) {
      const ct = (ready[m] as number) + (etc[t * M + m] as number);
      if (ct < bt) {
        bt = ct;
        bm = m;
      }
    }
    assign[t] = bm;
    ready[bm] = bt;
  }
  return assign;
}

export function mct(problem: EtcProblem): Schedule {
  return etcScheduleFrom(problem, mctAssignment(problem));
}
