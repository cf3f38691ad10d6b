/**
 * Min-Min (Ibarra & Kim 1977; as evaluated by Braun et al., JPDC 61(6), 2001) on an ETC matrix:
 * among the unassigned tasks, take the one whose minimum completion time is smallest and put it on
 * the machine giving that time. Ties: lowest task index, then lowest machine index.
 *
 * Each task's best machine is cached: assigning a task only raises the ready time of one machine,
 * so only tasks whose best machine was that one need a rescan. O(T² + T·M·k) where k is the number
 * of rescans per task, O(T²·M) at worst.
 */
import type { EtcProblem } from './problem.js';
import { etcScheduleFrom, type Schedule } from './schedule.js';

export function minmin(problem: EtcProblem): Schedule {
  return etcScheduleFrom(problem, batchAssignment(problem, 'min'));
}

/** Machine of each task under Min-Min (`'min'`) or Max-Min (`'max'`). */
export function batchAssignment(problem: EtcProblem, pick: 'min' | 'max'): Int32Array {
  const { tasks: T, processors: M, etc } = problem;
  const ready = problem.ready ? Float64Array.from(problem.ready) : new Float64Array(M);
  const assign = new Int32Array(T).fill(-1);
  const bestMachine = new Int32Array(T);
  const bestTime = new Float64Array(T);
  const rescan = (t: number) => {
    let bm = 0;
    let bt = Number.POSITIVE_INFINITY;
    const row = t * M;
    for (let m = 0; m < M; m++) {
      const ct = (ready[m] as number) + (etc[row + m] as number);
      if (ct < bt) {
        bt = ct;
        bm = m;
      }
    }
    bestMachine[t] = bm;
    bestTime[t] = bt;
  };
  for (let t = 0; t < T; t++) rescan(t);
  const max = pick === 'max';
  for (let n = 0; n < T; n++) {
    let chosen = -1;
    let chosenTime = max ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
    for (let t = 0; t < T; t++) {
      if (assign[t] !== -1) continue;
      const bt = bestTime[t] as number;
      if (max ? bt > chosenTime : bt < chosenTime) {
        chosenTime = bt;
        chosen = t;
      }
    }
    const m = bestMachine[chosen] as number;
    assign[chosen] = m;
    ready[m] = chosenTime;
    // Only machine m got later: a task whose best machine was another keeps it (its time on m rose).
    for (let t = 0; t < T; t++) if (assign[t] === -1 && bestMachine[t] === m) rescan(t);
  }
  return assign;
}
