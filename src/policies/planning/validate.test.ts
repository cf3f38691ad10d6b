import { describe, expect, it } from 'vitest';
import { parseDagJson } from './problem.js';
import type { Schedule, ScheduleEntry } from './schedule.js';
import { validateSchedule } from './validate.js';

const problem = parseDagJson(
  JSON.stringify({ processors: ['A', 'B'], cost: { a: [2, 3], b: [4, 1] }, edges: [['a', 'b', 5]] }),
);
const entry = (task: string, processor: string, start: number, finish: number): ScheduleEntry => ({
  task,
  processor,
  taskIndex: task === 'a' ? 0 : 1,
  processorIndex: processor === 'A' ? 0 : 1,
  start,
  finish,
});
const sched = (...entries: ScheduleEntry[]): Schedule => ({
  makespan: Math.max(0, ...entries.map((e) => e.finish)),
  entries,
});
const kinds = (s: Schedule, state = {}) => validateSchedule(problem, s, state).map((v) => v.kind);

describe('validateSchedule', () => {
  it('accepts a feasible schedule', () => {
    expect(kinds(sched(entry('a', 'A', 0, 2), entry('b', 'A', 2, 6)))).toEqual([]);
    expect(kinds(sched(entry('a', 'A', 0, 2), entry('b', 'B', 7, 8)))).toEqual([]);
  });
  it('finds a task that starts before its input arrives from another processor', () => {
    expect(kinds(sched(entry('a', 'A', 0, 2), entry('b', 'B', 6, 7)))).toEqual(['early-start']);
  });
  it('finds overlaps, wrong durations, missing and duplicate tasks', () => {
    expect(kinds(sched(entry('a', 'A', 0, 2), entry('b', 'A', 1, 5)))).toContain('overlap');
    expect(kinds(sched(entry('a', 'A', 0, 3), entry('b', 'A', 3, 7)))).toEqual(['wrong-duration']);
    expect(kinds(sched(entry('a', 'A', 0, 2)))).toEqual(['missing-task']);
    expect(kinds(sched(entry('a', 'A', 0, 2), entry('a', 'B', 0, 3), entry('b', 'A', 2, 6)))).toEqual([
      'duplicate-task',
    ]);
    expect(kinds(sched(entry('a', 'C', 0, 2), entry('b', 'A', 2, 6)))).toContain('unknown-processor');
  });
  it('checks the makespan and the processor state', () => {
    const ok = sched(entry('a', 'A', 0, 2), entry('b', 'A', 2, 6));
    expect(kinds({ ...ok, makespan: 5 })).toEqual(['bad-makespan']);
    expect(kinds(ok, { now: 1 })).toEqual(['busy-conflict']);
    expect(kinds(ok, { busy: [[[5, 7]], []] })).toEqual(['busy-conflict']);
    expect(kinds(ok, { fixed: [{ task: 'a', processor: 'A', start: 0 }], now: 1 })).toEqual([]);
  });
});
