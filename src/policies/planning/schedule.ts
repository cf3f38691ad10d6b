/**
 * The result every planner returns, the processor state a planner may start from, and the
 * insertion-based placement that the list schedulers (HEFT, CPOP, PEFT, GA/PSO decoders) share.
 */
import { type DagProblem, type Problem, transferTime } from './problem.js';

export interface ScheduleEntry {
  readonly task: string;
  readonly processor: string;
  readonly taskIndex: number;
  readonly processorIndex: number;
  readonly start: number;
  readonly finish: number;
}

/** What a metaheuristic reports beside its schedule. */
export interface SearchReport {
  /** makespan of the solution the search started from (HEFT for DAGs, Min-Min for ETC) */
  readonly startMakespan: number;
  readonly iterations: number;
  /** evaluations of a full solution (decodes) */
  readonly evaluations: number;
  /** true when the search stopped on `budgetMs` before `iterations` */
  readonly stoppedByBudget: boolean;
  readonly bestKnown?: number | undefined;
  /** (makespan − bestKnown) / bestKnown */
  readonly gapToBestKnown?: number | undefined;
}

export interface Schedule {
  readonly makespan: number;
  /** one entry per task, in task index order */
  readonly entries: readonly ScheduleEntry[];
  readonly search?: SearchReport | undefined;
}

/**
 * The state of the processors when planning starts, so a request's DAG can be planned against
 * nodes that are already busy (live mode). All times are absolute, on the same clock as `now`.
 * - `busy[p]`: intervals [start, end) already taken on processor p; new tasks are inserted into the gaps.
 * - `ready[p]`: processor p takes nothing that starts before this time.
 * - `now`: no task starts before this time.
 * - `fixed`: tasks already placed (running or done); they keep their processor and start, their
 *   finish is start + cost, and their successors wait for them as usual.
 */
export interface ProcessorState {
  readonly busy?: readonly (readonly (readonly [number, number])[])[] | undefined;
  readonly ready?: readonly number[] | undefined;
  readonly now?: number | undefined;
  readonly fixed?: readonly FixedTask[] | undefined;
}

export interface FixedTask {
  /** task name or index */
  readonly task: string | number;
  /** processor name or index */
  readonly processor: string | number;
  readonly start: number;
}

/** Sorted, non-overlapping busy intervals of one processor. */
export class Timeline {
  readonly starts: number[] = [];
  readonly ends: number[] = [];

  /** Earliest start ≥ `ready` of a gap that holds `duration` (insertion policy of HEFT). */
  earliestStart(ready: number, duration: number): number {
    const { starts, ends } = this;
    // Ends are sorted too (intervals do not overlap): skip every interval that ends by `ready`.
    let lo = 0;
    let hi = ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((ends[mid] as number) <= ready) lo = mid + 1;
      else hi = mid;
    }
    let candidate = ready;
    for (let i = lo; i < starts.length; i++) {
      if (candidate + duration <= (starts[i] as number)) return candidate;
      const e = ends[i] as number;
      if (e > candidate) candidate = e;
    }
    return candidate;
  }

  /** Earliest start ≥ `ready` after every interval (no insertion). */
  appendStart(ready: number): number {
    const last =
      this.ends.length > 0 ? (this.ends[this.ends.length - 1] as number) : Number.NEGATIVE_INFINITY;
    return Math.max(ready, last);
  }

  insert(start: number, end: number): void {
    const { starts, ends } = this;
    let lo = 0;
    let hi = starts.length;
    // Order by (start, end) so zero-length intervals keep the ends sorted too.
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const s = starts[mid] as number;
      if (s < start || (s === start && (ends[mid] as number) <= end)) lo = mid + 1;
      else hi = mid;
    }
    starts.splice(lo, 0, start);
    ends.splice(lo, 0, end);
  }
}

/** Resolves a name or index to an index, or undefined. */
function resolve(names: readonly string[], x: string | number): number | undefined {
  if (typeof x === 'number') return Number.isInteger(x) && x >= 0 && x < names.length ? x : undefined;
  const i = names.indexOf(x);
  return i >= 0 ? i : undefined;
}

/**
 * Places DAG tasks one by one on processor timelines. `earliestFinish` is the EFT of HEFT:
 * data-ready time (every predecessor's finish plus its transfer) and insertion into the first idle
 * gap long enough.
 */
export class DagPlacement {
  readonly finish: Float64Array;
  readonly start: Float64Array;
  readonly proc: Int32Array;
  readonly timelines: Timeline[];
  readonly lowerBound: Float64Array;
  /** tasks fixed by the processor state */
  readonly fixedCount: number;

  constructor(
    readonly problem: DagProblem,
    state: ProcessorState = {},
  ) {
    const { tasks: T, processors: P } = problem;
    this.finish = new Float64Array(T).fill(Number.NaN);
    this.start = new Float64Array(T).fill(Number.NaN);
    this.proc = new Int32Array(T).fill(-1);
    this.timelines = Array.from({ length: P }, () => new Timeline());
    this.lowerBound = new Float64Array(P).fill(state.now ?? 0);
    for (let p = 0; p < P; p++) {
      const r = state.ready?.[p];
      if (r !== undefined && r > (this.lowerBound[p] as number)) this.lowerBound[p] = r;
      for (const [s, e] of state.busy?.[p] ?? []) if (e > s) this.timelines[p]?.insert(s, e);
    }
    let fixed = 0;
    for (const f of state.fixed ?? []) {
      const t = resolve(problem.taskNames, f.task);
      const p = resolve(problem.processorNames, f.processor);
      if (t === undefined || p === undefined) {
        throw new RangeError(
          `fixed task ${String(f.task)} on ${String(f.processor)}: unknown task or processor`,
        );
      }
      if (this.proc[t] === -1) fixed++;
      this.place(t, p, f.start);
    }
    this.fixedCount = fixed;
  }

  isPlaced(t: number): boolean {
    return (this.proc[t] as number) >= 0;
  }

  /** Time every input of t has arrived at p (and p's lower bound). */
  dataReady(t: number, p: number): number {
    const pb = this.problem;
    let ready = this.lowerBound[p] as number;
    const preds = pb.pred[t] as readonly number[];
    const comms = pb.predComm[t] as readonly number[];
    for (let k = 0; k < preds.length; k++) {
      const u = preds[k] as number;
      const q = this.proc[u] as number;
      const arrive = (this.finish[u] as number) + (q === p ? 0 : transferTime(pb, comms[k] as number, q, p));
      if (arrive > ready) ready = arrive;
    }
    return ready;
  }

  /** Insertion-based earliest start of t on p. */
  earliestStart(t: number, p: number): number {
    const w = this.problem.cost[t * this.problem.processors + p] as number;
    return (this.timelines[p] as Timeline).earliestStart(this.dataReady(t, p), w);
  }

  earliestFinish(t: number, p: number): number {
    return this.earliestStart(t, p) + (this.problem.cost[t * this.problem.processors + p] as number);
  }

  /**
   * Places task t on the processor where it finishes earliest (insertion-based, HEFT's rule), the lowest
   * processor index on ties.
   */
  placeAtEarliestFinish(t: number): void {
    const P = this.problem.processors;
    let bestP = 0;
    let bestStart = 0;
    let bestFinish = Number.POSITIVE_INFINITY;
    for (let p = 0; p < P; p++) {
      const start = this.earliestStart(t, p);
      const finish = start + (this.problem.cost[t * P + p] as number);
      if (finish < bestFinish) {
        bestFinish = finish;
        bestStart = start;
        bestP = p;
      }
    }
    this.place(t, bestP, bestStart);
  }

  place(t: number, p: number, start: number): void {
    const finish = start + (this.problem.cost[t * this.problem.processors + p] as number);
    this.start[t] = start;
    this.finish[t] = finish;
    this.proc[t] = p;
    (this.timelines[p] as Timeline).insert(start, finish);
  }

  /** The finished schedule; call once every task is placed. */
  toSchedule(): Schedule {
    return scheduleFrom(this.problem, this.proc, this.start, this.finish);
  }
}

/** Builds a `Schedule` from per-task processor, start and finish arrays. */
export function scheduleFrom(
  problem: Problem,
  proc: ArrayLike<number>,
  start: ArrayLike<number>,
  finish: ArrayLike<number>,
  search?: SearchReport,
): Schedule {
  const entries: ScheduleEntry[] = [];
  let makespan = 0;
  for (let t = 0; t < problem.tasks; t++) {
    const p = proc[t] as number;
    const f = finish[t] as number;
    if (f > makespan) makespan = f;
    entries.push({
      task: problem.taskNames[t] as string,
      processor: problem.processorNames[p] as string,
      taskIndex: t,
      processorIndex: p,
      start: start[t] as number,
      finish: f,
    });
  }
  return search ? { makespan, entries, search } : { makespan, entries };
}

/**
 * A schedule of independent tasks from a machine assignment: each machine runs its tasks back to
 * back from its ready time (`problem.ready`, default 0) in task index order.
 */
export function etcScheduleFrom(
  problem: Problem & { kind: 'etc' },
  assign: ArrayLike<number>,
  search?: SearchReport,
): Schedule {
  const P = problem.processors;
  const load = problem.ready ? Float64Array.from(problem.ready) : new Float64Array(P);
  const start = new Float64Array(problem.tasks);
  const finish = new Float64Array(problem.tasks);
  for (let t = 0; t < problem.tasks; t++) {
    const m = assign[t] as number;
    start[t] = load[m] as number;
    load[m] = (load[m] as number) + (problem.etc[t * P + m] as number);
    finish[t] = load[m] as number;
  }
  return scheduleFrom(problem, assign, start, finish, search);
}
