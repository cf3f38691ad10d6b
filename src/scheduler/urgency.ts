/**
 * How urgent an on-demand refresh is: as urgent as the most urgent task waiting for it. The simulated world
 * (world/twins.ts) and the live service (live/runtime.ts) rank their refreshes by these two rules.
 */

/** What ranks a work item in every queue order: its priority and its absolute deadline. */
export interface Urgency {
  readonly priority: number;
  readonly deadline: number;
}

/**
 * The earliest deadline and the highest priority among `items` (no queue order ranks the result behind any
 * of them); for none, priority −∞ and deadline +∞.
 */
export function mostUrgent(items: Iterable<Urgency>): Urgency {
  let priority = Number.NEGATIVE_INFINITY;
  let deadline = Number.POSITIVE_INFINITY;
  for (const u of items) {
    if (u.priority > priority) priority = u.priority;
    if (u.deadline < deadline) deadline = u.deadline;
  }
  return { priority, deadline };
}

/**
 * The urgency a queued refresh `pending` takes when a task of urgency `u` starts waiting for it: the most
 * urgent of the two where the task ranks higher (an earlier deadline or a higher priority), else undefined
 * (the refresh keeps its own).
 */
export function hastened(u: Urgency, pending: Urgency): Urgency | undefined {
  return u.deadline < pending.deadline || u.priority > pending.priority
    ? mostUrgent([u, pending])
    : undefined;
}
