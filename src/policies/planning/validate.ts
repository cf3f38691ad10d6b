/**
 * Checks a schedule against its problem. Violations are values, not exceptions: an empty list
 * means the schedule is feasible. Every planner test runs its schedule through this.
 */
import { type Problem, transferTime } from './problem.js';
import type { ProcessorState, Schedule } from './schedule.js';

export type ViolationKind =
  | 'missing-task' // a task has no entry
  | 'duplicate-task' // a task has more than one entry
  | 'unknown-task'
  | 'unknown-processor'
  | 'wrong-duration' // finish − start differs from the cost on the chosen processor
  | 'overlap' // two tasks share a processor at the same time
  | 'early-start' // a task starts before an input has arrived
  | 'busy-conflict' // a task overlaps a busy interval or starts before the processor is ready
  | 'bad-makespan'; // makespan is not the latest finish

export interface Violation {
  readonly kind: ViolationKind;
  readonly task?: string | undefined;
  readonly message: string;
}

/**
 * Relative tolerance for time comparisons: schedules are sums of many floating-point costs, so two
 * mathematically equal times may differ in the last bits.
 */
export const TIME_TOLERANCE = 1e-9;

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= TIME_TOLERANCE * Math.max(1, Math.abs(a), Math.abs(b));
}

/** True when a is before b by more than the tolerance. */
function before(a: number, b: number): boolean {
  return a < b && !close(a, b);
}

/**
 * Every task runs exactly once, for exactly its cost on the chosen processor; no two tasks overlap
 * on a processor; no task starts before all its inputs arrived (predecessor finish plus transfer
 * time when on different processors); with `state`, no task overlaps a busy interval or starts
 * before `now` / the processor's ready time (tasks listed in `state.fixed` are exempt from those).
 */
export function validateSchedule(
  problem: Problem,
  schedule: Schedule,
  state: ProcessorState = {},
): Violation[] {
  const out: Violation[] = [];
  const T = problem.tasks;
  const P = problem.processors;
  const taskIndex = new Map(problem.taskNames.map((n, i) => [n, i]));
  const procIndex = new Map(problem.processorNames.map((n, i) => [n, i]));
  const proc = new Int32Array(T).fill(-1);
  const start = new Float64Array(T);
  const finish = new Float64Array(T);
  const seen = new Uint8Array(T);

  for (const e of schedule.entries) {
    const t = taskIndex.get(e.task);
    const p = procIndex.get(e.processor);
    if (t === undefined) {
      out.push({ kind: 'unknown-task', task: e.task, message: `unknown task ${e.task}` });
      continue;
    }
    if (p === undefined) {
      out.push({ kind: 'unknown-processor', task: e.task, message: `unknown processor ${e.processor}` });
      continue;
    }
    if (seen[t]) {
      out.push({ kind: 'duplicate-task', task: e.task, message: `${e.task} is scheduled more than once` });
      continue;
    }
    seen[t] = 1;
    proc[t] = p;
    start[t] = e.start;
    finish[t] = e.finish;
    const cost = problem.kind === 'dag' ? problem.cost[t * P + p] : problem.etc[t * P + p];
    if (!close(e.finish - e.start, cost as number)) {
      out.push({
        kind: 'wrong-duration',
        task: e.task,
        message: `${e.task} on ${e.processor} lasts ${e.finish - e.start}, its cost is ${cost}`,
      });
    }
  }
  for (let t = 0; t < T; t++) {
    if (!seen[t])
      out.push({
        kind: 'missing-task',
        task: problem.taskNames[t],
        message: `${problem.taskNames[t]} is not scheduled`,
      });
  }

  const byProc: number[][] = Array.from({ length: P }, () => []);
  for (let t = 0; t < T; t++) if (seen[t]) byProc[proc[t] as number]?.push(t);
  for (let p = 0; p < P; p++) {
    // Zero-length tasks occupy nothing; among the others, compare each with the latest finish so far.
    const list = (byProc[p] as number[])
      .filter((t) => (finish[t] as number) > (start[t] as number))
      .sort((a, b) => (start[a] as number) - (start[b] as number) || a - b);
    let last = -1;
    for (const b of list) {
      if (last >= 0 && before(start[b] as number, finish[last] as number)) {
        out.push({
          kind: 'overlap',
          task: problem.taskNames[b],
          message: `${problem.taskNames[last]} and ${problem.taskNames[b]} overlap on ${problem.processorNames[p]}`,
        });
      }
      if (last < 0 || (finish[b] as number) > (finish[last] as number)) last = b;
    }
  }

  if (problem.kind === 'dag') {
    for (let t = 0; t < T; t++) {
      if (!seen[t]) continue;
      const preds = problem.pred[t] as readonly number[];
      const comms = problem.predComm[t] as readonly number[];
      for (let k = 0; k < preds.length; k++) {
        const u = preds[k] as number;
        if (!seen[u]) continue;
        const arrive =
          (finish[u] as number) +
          transferTime(problem, comms[k] as number, proc[u] as number, proc[t] as number);
        if (before(start[t] as number, arrive)) {
          out.push({
            kind: 'early-start',
            task: problem.taskNames[t],
            message: `${problem.taskNames[t]} starts at ${start[t]} before its input from ${problem.taskNames[u]} arrives at ${arrive}`,
          });
        }
      }
    }
  }

  // Independent tasks cannot start on a machine before the time it becomes free.
  if (problem.kind === 'etc' && problem.ready) {
    for (let t = 0; t < T; t++) {
      const r = problem.ready[proc[t] as number] as number;
      if (seen[t] && before(start[t] as number, r)) {
        out.push({
          kind: 'busy-conflict',
          task: problem.taskNames[t],
          message: `${problem.taskNames[t]} starts before its machine is free at ${r}`,
        });
      }
    }
  }

  const fixed = new Set(
    (state.fixed ?? []).map((f) => (typeof f.task === 'number' ? f.task : (taskIndex.get(f.task) ?? -1))),
  );
  for (let t = 0; t < T; t++) {
    if (!seen[t] || fixed.has(t)) continue;
    const p = proc[t] as number;
    const lower = Math.max(
      state.now ?? Number.NEGATIVE_INFINITY,
      state.ready?.[p] ?? Number.NEGATIVE_INFINITY,
    );
    if (before(start[t] as number, lower)) {
      out.push({
        kind: 'busy-conflict',
        task: problem.taskNames[t],
        message: `${problem.taskNames[t]} starts before ${lower}`,
      });
    }
    for (const [s, e] of state.busy?.[p] ?? []) {
      if (
        before(start[t] as number, e) &&
        before(s, finish[t] as number) &&
        (finish[t] as number) > (start[t] as number)
      ) {
        out.push({
          kind: 'busy-conflict',
          task: problem.taskNames[t],
          message: `${problem.taskNames[t]} overlaps busy interval [${s}, ${e}) on ${problem.processorNames[p]}`,
        });
      }
    }
  }

  let latest = 0;
  for (const e of schedule.entries) latest = Math.max(latest, e.finish);
  if (!close(latest, schedule.makespan)) {
    out.push({
      kind: 'bad-makespan',
      message: `makespan ${schedule.makespan} but the last task finishes at ${latest}`,
    });
  }
  return out;
}
