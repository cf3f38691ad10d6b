/**
 * Sufferage (Maheswaran et al., JPDC 59(2), 1999; in the Braun et al. family of batch heuristics):
 * among the unassigned tasks, take the one that would suffer most if denied its best machine (second
 * best minus best completion time) and put it on its best machine. Ties: lowest task index, then
 * lowest machine. O(T²·M).
 */
import type { EtcProblem } from './problem.js';
import { etcScheduleFrom, type Schedule } from './schedule.js';

export function sufferage(problem: EtcProblem): Schedule {
  const { tasks: T, processors: M, etc } = problem;
  const ready = problem.ready ? Float64Array.from(problem.ready) : new Float64Array(M);
  const assign = new Int32Array(T).fill(-1);
  for (let n = 0; n < T; n++) {
    let chosen = -1;
    let chosenMachine = 0;
    let chosenTime = 0;
    let chosenSufferage = Number.NEGATIVE_INFINITY;
    for (let t = 0; t < T; t++) {
      if (assign[t] !== -1) continue;
      let b1 = Number.POSITIVE_INFINITY;
      let b2 = Number.POSITIVE_INFINITY;
      let bm = 0;
      for (let m = 0; m < M; m++) {
        const ct = (ready[m] as number) + (etc[t * M + m] as number);
        if (ct < b1) {
          b2 = b1;
          b1 = ct;
          bm = m;
        } else if (ct < b2) b2 = ct;
      }
      // One machine: nothing to suffer, every task scores 0 and file order decides.
      const s = M > 1 ? b2 - b1 : 0;
      if (s > chosenSufferage) {
        chosenSufferage = s;
        chosen = t;
        chosenMachine = bm;
        chosenTime = b1;
      }
    }
    assign[chosen] = chosenMachine;
    ready[chosenMachine] = chosenTime;
  }
  return etcScheduleFrom(problem, assign);
}
