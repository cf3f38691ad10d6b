/**
 * HEFT, Heterogeneous Earliest Finish Time (Topcuoglu, Hariri & Wu, IEEE TPDS 13(3), 2002).
 * Tasks in decreasing upward rank (mean costs); each goes to the processor giving its earliest
 * finish time, inserted into the first idle gap long enough. O(e·p + v·p·g) for v tasks, e edges,
 * p processors and g tasks per timeline.
 */
import type { DagProblem } from './problem.js';
import { forEachReady, upwardRanks } from './ranks.js';
import { DagPlacement, type ProcessorState, type Schedule } from './schedule.js';

export type ListOptions = ProcessorState;

export function heft(problem: DagProblem, options: ListOptions = {}): Schedule {
  return heftWithPriority(problem, upwardRanks(problem), options);
}

/**
 * HEFT's processor selection with any task priority (decreasing priority, ready tasks only).
 * `assignment[t]`, when given and ≥ 0, forces task t onto that processor. Used by GA and PSO.
 */
export function heftWithPriority(
  problem: DagProblem,
  priority: ArrayLike<number>,
  options: ListOptions = {},
  assignment?: ArrayLike<number>,
): Schedule {
  const placement = new DagPlacement(problem, options);
  forEachReady(
    problem,
    priority,
    (t) => placement.isPlaced(t),
    (t) => {
      const forced = assignment ? (assignment[t] as number) : -1;
      if (forced >= 0) {
        placement.place(t, forced, placement.earliestStart(t, forced));
        return;
      }
      placement.placeAtEarliestFinish(t);
    },
  );
  return placement.toSchedule();
}
