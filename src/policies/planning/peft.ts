/**
 * PEFT, Predict Earliest Finish Time (Arabnejad & Barbosa, IEEE TPDS 25(3), 2014).
 * The optimistic cost table OCT(t,p) is the longest path from t to an exit when t runs on p and
 * every later task gets its best processor, ignoring processor availability. Tasks go in
 * decreasing rank_oct (mean of the OCT row) from the ready list, each to the processor minimising
 * insertion-based EFT + OCT. O(p²·e) for the table, as HEFT for the placement.
 */
import type { ListOptions } from './heft.js';
import type { DagProblem } from './problem.js';
import { forEachReady, meanTransfer } from './ranks.js';
import { DagPlacement, type Schedule } from './schedule.js';

/**
 * OCT(t,p) = max over successors s of min over q of [OCT(s,q) + w(s,q) + (q = p ? 0 : c̄(t,s))],
 * 0 for exit tasks; returned flattened, oct[t * P + p].
 */
export function optimisticCostTable(problem: DagProblem): Float64Array {
  const { tasks: T, processors: P, cost } = problem;
  const c = meanTransfer(problem);
  const oct = new Float64Array(T * P);
  for (let i = problem.topoOrder.length - 1; i >= 0; i--) {
    const t = problem.topoOrder[i] as number;
    const succ = problem.succ[t] as readonly number[];
    const comm = problem.succComm[t] as readonly number[];
    for (let p = 0; p < P; p++) {
      let worst = 0;
      for (let k = 0; k < succ.length; k++) {
        const s = succ[k] as number;
        const cs = c(comm[k] as number);
        let best = Number.POSITIVE_INFINITY;
        for (let q = 0; q < P; q++) {
          const v = (oct[s * P + q] as number) + (cost[s * P + q] as number) + (q === p ? 0 : cs);
          if (v < best) best = v;
        }
        if (best > worst) worst = best;
      }
      oct[t * P + p] = worst;
    }
  }
  return oct;
}

/** rank_oct(t): the mean of OCT(t, ·) over processors. */
export function octRanks(
  problem: DagProblem,
  oct: Float64Array = optimisticCostTable(problem),
): Float64Array {
  const P = problem.processors;
  const rank = new Float64Array(problem.tasks);
  for (let t = 0; t < problem.tasks; t++) {
    let s = 0;
    for (let p = 0; p < P; p++) s += oct[t * P + p] as number;
    rank[t] = s / P;
  }
  return rank;
}

export function peft(problem: DagProblem, options: ListOptions = {}): Schedule {
  const P = problem.processors;
  const oct = optimisticCostTable(problem);
  const placement = new DagPlacement(problem, options);
  forEachReady(
    problem,
    octRanks(problem, oct),
    (t) => placement.isPlaced(t),
    (t) => {
      let bestP = 0;
      let bestStart = 0;
      let bestScore = Number.POSITIVE_INFINITY;
      for (let p = 0; p < P; p++) {
        const start = placement.earliestStart(t, p);
        const score = start + (problem.cost[t * P + p] as number) + (oct[t * P + p] as number);
        if (score < bestScore) {
          bestScore = score;
          bestStart = start;
          bestP = p;
        }
      }
      placement.place(t, bestP, bestStart);
    },
  );
  return placement.toSchedule();
}
