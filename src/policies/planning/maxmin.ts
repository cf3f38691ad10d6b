/**
 * Max-Min (Braun et al., JPDC 61(6), 2001) on an ETC matrix: among the unassigned tasks, take the
 * one whose minimum completion time is largest and put it on the machine giving that time. Ties:
 * lowest task index, then lowest machine index. Same cost as Min-Min, O(T²·M) at worst.
 */
import { batchAssignment } from './minmin.js';
import type { EtcProblem } from './problem.js';
import { etcScheduleFrom, type Schedule } from './schedule.js';

export function maxmin(problem: EtcProblem): Schedule {
  return etcScheduleFrom(problem, batchAssignment(problem, 'max'));
}
