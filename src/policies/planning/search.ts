/**
 * What GA and PSO share: options, the stopping rule (iterations AND a wall-clock budget), and for
 * independent tasks the machine-load solution with its local search on the critical machine.
 */
import type { ListOptions } from './heft.js';
import type { EtcProblem } from './problem.js';
import type { SearchReport } from './schedule.js';

export interface SearchOptions extends ListOptions {
  /** seed of the search's random stream (default 1) */
  readonly seed?: number | undefined;
  /**
   * Iterations: offspring for GA, swarm moves for PSO. The result is a pure function of
   * (problem, options, seed) when the search stops on iterations. Default: 2,000 without a budget,
   * unbounded with one.
   */
  readonly iterations?: number | undefined;
  /** wall-clock budget in milliseconds; results then depend on machine speed */
  readonly budgetMs?: number | undefined;
  /** population (GA) or swarm (PSO) size */
  readonly population?: number | undefined;
  /** a best known makespan, only to report the gap to it */
  readonly bestKnown?: number | undefined;
  /** the clock read for `budgetMs` (default performance.now); injected for tests */
  readonly clockMs?: (() => number) | undefined;
}

export const DEFAULT_ITERATIONS = 2000;

/** Decides when a search stops: after `iterations`, or when `budgetMs` has passed. */
export class StopRule {
  private readonly limit: number;
  private readonly deadline: number;
  private readonly clock: () => number;
  iterations = 0;
  stoppedByBudget = false;

  constructor(options: SearchOptions) {
    this.limit =
      options.iterations ?? (options.budgetMs === undefined ? DEFAULT_ITERATIONS : Number.POSITIVE_INFINITY);
    this.clock = options.clockMs ?? (() => performance.now());
    this.deadline =
      options.budgetMs === undefined ? Number.POSITIVE_INFINITY : this.clock() + options.budgetMs;
  }

  /** True while the search may run one more iteration; counts it. */
  another(): boolean {
    if (this.iterations >= this.limit) return false;
    if (this.deadline !== Number.POSITIVE_INFINITY && this.clock() >= this.deadline) {
      this.stoppedByBudget = true;
      return false;
    }
    this.iterations++;
    return true;
  }
}

export function searchReport(
  startMakespan: number,
  makespan: number,
  stop: StopRule,
  evaluations: number,
  bestKnown: number | undefined,
): SearchReport {
  return {
    startMakespan,
    iterations: stop.iterations,
    evaluations,
    stoppedByBudget: stop.stoppedByBudget,
    ...(bestKnown !== undefined ? { bestKnown, gapToBestKnown: (makespan - bestKnown) / bestKnown } : {}),
  };
}

/** Improvements smaller than this fraction of the makespan are rounding noise, not progress. */
const IMPROVEMENT = 1e-12;

/**
 * A machine assignment of independent tasks with its machine loads and per-machine task lists,
 * so moves and swaps cost O(1).
 */
export class EtcSolution {
  readonly assign: Int32Array;
  readonly load: Float64Array;
  private readonly lists: Int32Array[];
  private readonly count: Int32Array;
  private readonly pos: Int32Array;

  constructor(readonly problem: EtcProblem) {
    const { tasks: T, processors: M } = problem;
    this.assign = new Int32Array(T);
    this.load = new Float64Array(M);
    this.lists = Array.from({ length: M }, () => new Int32Array(T));
    this.count = new Int32Array(M);
    this.pos = new Int32Array(T);
  }

  /** Replaces the whole assignment. */
  set(assign: ArrayLike<number>): this {
    const { tasks: T, processors: M, etc } = this.problem;
    if (this.problem.ready) this.load.set(this.problem.ready);
    else this.load.fill(0);
    this.count.fill(0);
    for (let t = 0; t < T; t++) {
      const m = assign[t] as number;
      this.assign[t] = m;
      this.load[m] = (this.load[m] as number) + (etc[t * M + m] as number);
      const k = this.count[m] as number;
      (this.lists[m] as Int32Array)[k] = t;
      this.pos[t] = k;
      this.count[m] = k + 1;
    }
    return this;
  }

  makespan(): number {
    let ms = 0;
    for (let m = 0; m < this.load.length; m++) if ((this.load[m] as number) > ms) ms = this.load[m] as number;
    return ms;
  }

  move(t: number, to: number): void {
    const M = this.problem.processors;
    const etc = this.problem.etc;
    const from = this.assign[t] as number;
    if (from === to) return;
    const list = this.lists[from] as Int32Array;
    const last = (this.count[from] as number) - 1;
    const moved = list[last] as number;
    list[this.pos[t] as number] = moved;
    this.pos[moved] = this.pos[t] as number;
    this.count[from] = last;
    this.load[from] = (this.load[from] as number) - (etc[t * M + from] as number);
    const k = this.count[to] as number;
    (this.lists[to] as Int32Array)[k] = t;
    this.pos[t] = k;
    this.count[to] = k + 1;
    this.load[to] = (this.load[to] as number) + (etc[t * M + to] as number);
    this.assign[t] = to;
  }

  /**
   * Local search on the critical machine: repeatedly apply the best move of one of its tasks to
   * another machine, or swap of one of its tasks with a task elsewhere, that lowers the larger of
   * the two loads it touches below the makespan. Stops at a local optimum or after `maxSteps`.
   * Each step costs O(n_c · T) for n_c tasks on the critical machine. Returns the makespan.
   */
  localSearch(maxSteps = Number.POSITIVE_INFINITY): number {
    const M = this.problem.processors;
    const etc = this.problem.etc;
    const load = this.load;
    for (let step = 0; step < maxSteps; step++) {
      let c = 0;
      for (let m = 1; m < M; m++) if ((load[m] as number) > (load[c] as number)) c = m;
      const ms = load[c] as number;
      let best = ms - ms * IMPROVEMENT;
      let bestT = -1;
      let bestU = -1;
      let bestM = -1;
      const listC = this.lists[c] as Int32Array;
      const nc = this.count[c] as number;
      for (let i = 0; i < nc; i++) {
        const t = listC[i] as number;
        const tRow = t * M;
        const rest = ms - (etc[tRow + c] as number);
        for (let m = 0; m < M; m++) {
          if (m === c) continue;
          const lm = load[m] as number;
          const onM = lm + (etc[tRow + m] as number);
          const v = Math.max(onM, rest);
          if (v < best) {
            best = v;
            bestT = t;
            bestU = -1;
            bestM = m;
          }
          // A swap can only help if t fits on m once some task leaves it: check every task there.
          const listM = this.lists[m] as Int32Array;
          const nm = this.count[m] as number;
          const tOnM = etc[tRow + m] as number;
          for (let j = 0; j < nm; j++) {
            const u = listM[j] as number;
            const uRow = u * M;
            const newC = rest + (etc[uRow + c] as number);
            if (newC >= best) continue;
            const newM = lm - (etc[uRow + m] as number) + tOnM;
            const w = Math.max(newC, newM);
            if (w < best) {
              best = w;
              bestT = t;
              bestU = u;
              bestM = m;
            }
          }
        }
      }
      if (bestT < 0) break;
      this.move(bestT, bestM);
      if (bestU >= 0) this.move(bestU, c);
    }
    return this.makespan();
  }
}
