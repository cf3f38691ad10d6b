/**
 * The three things a scheduling runtime needs from the system it schedules, and nothing else: a
 * `Snapshot` to read (src/scheduler/types.ts), a `Binder` to act and a `Clock` to wake it. The simulated
 * world implements them over its own records; a live service implements them over real machines, agents
 * and telemetry, and then runs the same `SchedulingRuntime`, the same profiles and the same policy code.
 */
import type { WorkItem } from '../types.js';

/**
 * Time, and wake-ups. The runtime never reads a wall clock: `now` is the only time it knows.
 *
 * Implementing it live: `now` is seconds on a monotonic clock since the service started (the same unit
 * as every time in a `Snapshot`); `soon(fn)` runs `fn` once, after the events already due at this
 * instant have been handled (a microtask or `setImmediate`), never re-entrantly inside the caller.
 */
export interface Clock {
  readonly now: number;
  /** Runs `fn` once at the current instant, after what is already due; the runtime coalesces its own calls. */
  soon(fn: () => void): void;
}

/**
 * How the runtime's decisions reach the system. Each call is made only after the runtime has checked,
 * through the `Snapshot`, that the node can take the work (up, enough free compute and attention, tier,
 * quota, the profile's filters), so a binder does not re-decide; it must not throw for work that fits.
 *
 * Implementing it live: `bind` reserves the item's compute and attention on the node in your own books
 * *before* returning (the very next decision of the same cycle reads them through the snapshot), then
 * dispatches the work to the machine asynchronously; completion and failure come back later as events
 * that release the reservation and ask the runtime for a cycle. The books must make `NodeView.freeCompute`
 * exclude what `hold` keeps, and must tell the runtime `nodeChanged(i)` before every change to a node's
 * reservations, holds or state.
 */
export interface Binder {
  /** Reserves the item's demands on node `node` (an index into `Snapshot.nodes`) and starts it. */
  bind(item: WorkItem, node: number): void;
  /**
   * A new refresh of twin `twin` (index into `Snapshot.twins`), not yet bound: from now on the twin
   * counts as refreshing (`TwinView.refreshing`). The runtime binds it or gives it back with `dropRefresh`.
   */
  newRefresh(twin: number): WorkItem;
  /** A refresh from `newRefresh` that fitted nowhere: the twin is no longer refreshing. Must be idempotent. */
  dropRefresh(item: WorkItem): void;
  /**
   * Keeps `compute` units of node `node` free for planned work waiting for it (0 releases the hold), so
   * short work arriving later cannot take each unit as it frees up and starve the planned item. Holds
   * last until the runtime changes them (at the start of every cycle it releases them all).
   */
  hold(node: number, compute: number): void;
  /**
   * Stops one running proactive refresh (one the runtime started for the attention allocator, not one a task
   * waits for) so that a refresh a task waits for, which fits nowhere now, can take its place: of those whose
   * node `room(node, victim)` accepts, the one bound last (the least work lost; ties to the lower node index).
   * The stopped refresh's reservation is released as if it had never run, its twin stops refreshing and the
   * attention allocator is told (`refreshed(twin, false)`). Returns the stopped refresh and its node, or
   * undefined when none qualified; the runtime records the decision. Optional: a system without it never
   * preempts.
   */
  preempt?(room: (node: number, victim: WorkItem) => boolean): Stopped | undefined;
}

/** A proactive refresh `Binder.preempt` stopped, and the node it ran on. */
export interface Stopped {
  readonly item: WorkItem;
  readonly node: number;
}
