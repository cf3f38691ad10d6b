/**
 * MET, Minimum Execution Time ("user-directed assignment" in Braun et al., JPDC 61(6), 2001):
 * tasks in file order, each to the machine that runs it fastest, ignoring how loaded the machine
 * is. Ties: lowest machine. O(T·M). Balances badly on consistent matrices; shown for comparison.
 */
import type { EtcProblem } from './problem.js';
import { etcScheduleFrom, type Schedule } from './schedule.js';

export function met(problem: EtcProblem): Schedule {
  const { tasks: T, processors: M, etc } = problem;
  const assign = new Int32Array(T);
  for (let t = 0; t < T; t++) {
    let bm = 0;
    for (let m = 1; m < M; m++) if ((etc[t * M + m] as number) < (etc[t * M + bm] as number)) bm = m;
    assign[t] = bm;
  }
  return etcScheduleFrom(problem, assign);
}
