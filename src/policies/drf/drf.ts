/**
 * Dominant Resource Fairness (Ghodsi, Zaharia, Hindman, Konwinski, Shenker & Stoica, NSDI 2011):
 * a standalone allocator by progressive filling, and the ordering used by Mesos' DRF sorter.
 *
 * A user's dominant share is the largest fraction of any one resource it holds, divided by its
 * weight. DRF repeatedly gives one more task to the user with the lowest weighted dominant share,
 * which equalises dominant shares as far as whole tasks allow.
 */
import { ArsError, InputError, type InputIssue } from '../../errors.js';
import { dominantResourceOf, dominantShareOf, type ResourceVector } from '../../metrics/index.js';
import { ShareHeap } from './share-heap.js';

export { dominantShare } from '../../metrics/index.js';

export interface DrfUser {
  /** Name in the result; defaults to the user's index as a string. */
  readonly id?: string;
  /** Resources one task needs, in the same form as the capacities (positional or named). */
  readonly demand: ResourceVector;
  /** Entitlement: a user of weight 2 settles at twice the dominant share of a user of weight 1. Default 1. */
  readonly weight?: number;
  /** Upper bound on this user's tasks (its pending work). Default unbounded. */
  readonly maxTasks?: number;
}

export interface DrfUserAllocation {
  readonly id: string;
  readonly tasks: number;
  /** Resources held, aligned with `DrfResult.resources`. */
  readonly allocation: readonly number[];
  /** Weighted dominant share: max over resources of allocation / capacity, divided by the weight. */
  readonly dominantShare: number;
  /** Name of the resource behind the dominant share, or null when the user got nothing. */
  readonly dominantResource: string | null;
  readonly weight: number;
}

export interface DrfResult {
  /** Resource names: the keys of named capacities, or "0", "1", … for positional ones. */
  readonly resources: readonly string[];
  readonly capacity: readonly number[];
  readonly users: readonly DrfUserAllocation[];
  /** Total allocated per resource. */
  readonly used: readonly number[];
  /** Total tasks placed. */
  readonly tasks: number;
}

export interface DrfOptions {
  /** Safety bound on the total number of tasks placed (default 10,000,000). */
  readonly maxTotalTasks?: number;
}

// Sums of task demands drift by an ulp or so; allow that much over capacity.
const FIT_TOLERANCE = 1e-12;

/**
 * Progressive filling over any number of resources. Loop: among users whose next task still fits
 * in the remaining capacity and who are below `maxTasks`, serve the one with the lowest weighted
 * dominant share; ties go to the lowest index in `users`. A user whose next task does not fit is
 * retired for good (allocations only grow, so it will never fit again) and the others continue;
 * the loop ends when no user can take another task.
 *
 * Runs in O(T · (R + log U)) for T tasks placed, R resources, U users.
 * @example drfAllocate([9, 18], [{ demand: [1, 4] }, { demand: [3, 1] }]).users.map(u => u.tasks) // [3, 2]
 * @throws InputError ARS_E_INPUT_ARGUMENT listing every bad capacity, demand, weight or maxTasks
 * (a demand of all zeros needs a finite maxTasks).
 * @throws ArsError ARS_E_INPUT_ARGUMENT when more than `maxTotalTasks` tasks would be placed.
 */
export function drfAllocate(
  capacity: ResourceVector,
  users: readonly DrfUser[],
  options: DrfOptions = {},
): DrfResult {
  const { maxTotalTasks = 10_000_000 } = options;
  const { resources, cap, demands, weights, limits, ids } = validate(capacity, users);
  const n = users.length;
  const r = resources.length;
  const tasks = new Float64Array(n);
  const used = new Float64Array(r);
  const held = new Float64Array(r);
  const heap = new ShareHeap(n);
  for (let i = 0; i < n; i++) if (limits[i]! > 0) heap.set(i, 0);
  let placed = 0;
  for (let i = heap.peek(); i >= 0; i = heap.peek()) {
    const d = demands[i]!;
    let fits = tasks[i]! < limits[i]!;
    for (let k = 0; fits && k < r; k++) fits = used[k]! + d[k]! <= cap[k]! * (1 + FIT_TOLERANCE);
    if (!fits) {
      heap.delete(i);
      continue;
    }
    if (++placed > maxTotalTasks) {
      throw new ArsError('ARS_E_INPUT_ARGUMENT', `DRF would place more than ${maxTotalTasks} tasks`);
    }
    const t = ++tasks[i]!;
    for (let k = 0; k < r; k++) {
      used[k]! += d[k]!;
      // A product rather than a running sum keeps the share exact for integer demands.
      held[k] = t * d[k]!;
    }
    heap.set(i, dominantShareOf(held, cap, weights[i]!));
  }
  const result: DrfUserAllocation[] = ids.map((id, i) => {
    const allocation = demands[i]!.map((x) => tasks[i]! * x);
    const dominant = dominantResourceOf(allocation, cap);
    return {
      id,
      tasks: tasks[i]!,
      allocation,
      dominantShare: dominantShareOf(allocation, cap, weights[i]!),
      dominantResource: dominant >= 0 ? resources[dominant]! : null,
      weight: weights[i]!,
    };
  });
  return { resources, capacity: cap, users: result, used: Array.from(used), tasks: placed };
}

export interface DrfHolder {
  readonly id?: string;
  /** What the user holds now, in the same form as the totals. */
  readonly allocation: ResourceVector;
  readonly weight?: number;
}

/**
 * The users sorted by ascending weighted dominant share of what they hold, as the DRF sorter of
 * Apache Mesos orders clients for the next offer. Equal shares keep their input order (a stable
 * sort), so the order is deterministic. Returns a new array of the same objects. O(U log U + U · R).
 * @example drfOrder([{ id: 'a', allocation: [5, 5] }, { id: 'b', allocation: [6, 6], weight: 2 }], [100, 100]) // b, a
 */
export function drfOrder<U extends DrfHolder>(users: readonly U[], totals: ResourceVector): U[] {
  const { cap, vectors, weights } = alignHolders(users, totals);
  const shares = vectors.map((v, i) => dominantShareOf(v, cap, weights[i]!));
  const order = users.map((_, i) => i);
  order.sort((a, b) => shares[a]! - shares[b]! || a - b);
  return order.map((i) => users[i]!);
}

function alignHolders(users: readonly DrfHolder[], totals: ResourceVector) {
  const names = resourceNames(totals);
  const cap = toVector(totals, names);
  const issues: InputIssue[] = [];
  checkVector(cap, 'totals', names, issues);
  const vectors = users.map((u, i) => {
    const v = alignOrReport(u.allocation, totals, names, `users[${i}].allocation`, issues);
    checkVector(v, `users[${i}].allocation`, names, issues);
    return v;
  });
  const weights = users.map((u, i) => checkWeight(u.weight, `users[${i}].weight`, issues));
  if (issues.length > 0) throw new InputError('ARS_E_INPUT_ARGUMENT', issues);
  return { cap, vectors, weights };
}

function validate(capacity: ResourceVector, users: readonly DrfUser[]) {
  const resources = resourceNames(capacity);
  const cap = toVector(capacity, resources);
  const issues: InputIssue[] = [];
  if (resources.length === 0) issues.push({ path: 'capacity', message: 'needs at least one resource' });
  checkVector(cap, 'capacity', resources, issues);
  const demands: number[][] = [];
  const weights: number[] = [];
  const limits: number[] = [];
  const ids: string[] = [];
  users.forEach((u, i) => {
    const d = alignOrReport(u.demand, capacity, resources, `users[${i}].demand`, issues);
    checkVector(d, `users[${i}].demand`, resources, issues);
    demands.push(d);
    weights.push(checkWeight(u.weight, `users[${i}].weight`, issues));
    const limit = u.maxTasks ?? Number.POSITIVE_INFINITY;
    if (!(limit === Number.POSITIVE_INFINITY || (Number.isInteger(limit) && limit >= 0))) {
      issues.push({
        path: `users[${i}].maxTasks`,
        message: 'must be a non-negative integer',
        found: String(limit),
      });
    } else if (limit === Number.POSITIVE_INFINITY && d.every((x) => x === 0)) {
      issues.push({
        path: `users[${i}].demand`,
        message: 'a task that needs nothing requires a finite maxTasks',
      });
    }
    limits.push(limit);
    ids.push(u.id ?? String(i));
  });
  if (issues.length > 0) throw new InputError('ARS_E_INPUT_ARGUMENT', issues);
  return { resources, cap, demands, weights, limits, ids };
}

function resourceNames(v: ResourceVector): string[] {
  return Array.isArray(v) ? v.map((_, i) => String(i)) : Object.keys(v);
}

function toVector(v: ResourceVector, names: readonly string[]): number[] {
  if (Array.isArray(v)) return [...(v as readonly number[])];
  const rec = v as Readonly<Record<string, number>>;
  return names.map((k) => rec[k] ?? 0);
}

function alignOrReport(
  v: ResourceVector,
  like: ResourceVector,
  names: readonly string[],
  path: string,
  issues: InputIssue[],
): number[] {
  if (Array.isArray(like) !== Array.isArray(v)) {
    issues.push({
      path,
      message: Array.isArray(like)
        ? 'must be positional like the capacities'
        : 'must be named like the capacities',
    });
    return names.map(() => 0);
  }
  if (Array.isArray(v)) {
    if (v.length !== names.length) {
      issues.push({ path, message: `must list ${names.length} resources`, found: String(v.length) });
    }
    return names.map((_, k) => (v as readonly number[])[k] ?? 0);
  }
  for (const key of Object.keys(v)) {
    if (!names.includes(key)) issues.push({ path: `${path}.${key}`, message: 'names an unknown resource' });
  }
  return toVector(v, names);
}

function checkVector(
  v: readonly number[],
  path: string,
  names: readonly string[],
  issues: InputIssue[],
): void {
  v.forEach((x, k) => {
    if (!(x >= 0 && x < Number.POSITIVE_INFINITY)) {
      const where = /^\d+$/.test(names[k]!) ? `${path}[${k}]` : `${path}.${names[k]}`;
      issues.push({ path: where, message: 'must be a finite number ≥ 0', found: String(x) });
    }
  });
}

function checkWeight(w: number | undefined, path: string, issues: InputIssue[]): number {
  const weight = w ?? 1;
  if (!(weight > 0 && weight < Number.POSITIVE_INFINITY)) {
    issues.push({ path, message: 'must be a positive finite number', found: String(weight) });
    return 1;
  }
  return weight;
}
