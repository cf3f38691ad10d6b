/**
 * OLB, Opportunistic Load Balancing (Braun et al., JPDC 61(6), 2001): tasks in file order, each to
 * the machine that becomes ready first, whatever the task costs there. Ties: lowest machine.
 * O(T·M). Keeps machines busy, ignores execution times; shown as a baseline.
 */
import type { EtcProblem } from './problem.js';
import { etcScheduleFrom, type Schedule } from './schedule.js';

export function olb(problem: EtcProblem): Schedule {
  const { tasks: T, processors: M, etc } = problem;
  const ready = problem.ready ? Float64Array.from(problem.ready) : new Float64Array(M);
  const assign = new Int32Array(T);
  for (let t = 0; t < T; t++) {
    let bm = 0;
    for (let m = 1; m < M; m++) if ((ready[m] as number) < (ready[bm] as number)) bm = m;
    assign[t] = bm;
    ready[bm] = (ready[bm] as number) + (etc[t * M + bm] as number);
  }
  return etcScheduleFrom(problem, assign);
}
