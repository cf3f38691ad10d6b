/**
 * CPOP, Critical Path On a Processor (Topcuoglu, Hariri & Wu, IEEE TPDS 13(3), 2002).
 * Priority = upward + downward rank. The tasks whose priority equals the entry task's lie on the
 * critical path; they all go to the one processor that runs the whole path fastest, every other
 * task to its insertion-based earliest-finish processor. O(e·p + v·p·g), as HEFT.
 */
import type { ListOptions } from './heft.js';
import type { DagProblem } from './problem.js';
import { downwardRanks, forEachReady, upwardRanks } from './ranks.js';
import { DagPlacement, type Schedule } from './schedule.js';

/** Relative tolerance when comparing priorities with |CP|: they are sums of mean costs. */
const PRIORITY_TOLERANCE = 1e-9;

/** Task indices of the critical path, entry to exit, and the priorities used to find it. */
export function criticalPath(problem: DagProblem): { path: number[]; priority: Float64Array } {
  const up = upwardRanks(problem);
  const down = downwardRanks(problem);
  const priority = new Float64Array(problem.tasks);
  for (let t = 0; t < problem.tasks; t++) priority[t] = (up[t] as number) + (down[t] as number);
  let entry = -1;
  for (let t = 0; t < problem.tasks; t++) {
    if ((problem.pred[t] as readonly number[]).length > 0) continue;
    if (entry < 0 || (priority[t] as number) > (priority[entry] as number)) entry = t;
  }
  const cp = priority[entry] as number;
  const onPath = (t: number) =>
    Math.abs((priority[t] as number) - cp) <= PRIORITY_TOLERANCE * Math.max(1, cp);
  const path = [entry];
  let k = entry;
  for (;;) {
    const next = (problem.succ[k] as readonly number[]).filter(onPath);
    if (next.length === 0) break;
    k = Math.min(...next);
    path.push(k);
  }
  return { path, priority };
}

export function cpop(problem: DagProblem, options: ListOptions = {}): Schedule {
  const P = problem.processors;
  const { path, priority } = criticalPath(problem);
  const onPath = new Uint8Array(problem.tasks);
  for (const t of path) onPath[t] = 1;
  let cpProc = 0;
  let cpCost = Number.POSITIVE_INFINITY;
  for (let p = 0; p < P; p++) {
    let s = 0;
    for (const t of path) s += problem.cost[t * P + p] as number;
    if (s < cpCost) {
      cpCost = s;
      cpProc = p;
    }
  }
  const placement = new DagPlacement(problem, options);
  forEachReady(
    problem,
    priority,
    (t) => placement.isPlaced(t),
    (t) => {
      if (onPath[t]) {
        placement.place(t, cpProc, placement.earliestStart(t, cpProc));
        return;
      }
      placement.placeAtEarliestFinish(t);
    },
  );
  return placement.toSchedule();
}
