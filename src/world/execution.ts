/**
 * Execution on the nodes (space sharing): binding reserves an item's compute and attention on a node and
 * sends its inputs over the network; the item runs `work / speed` seconds once they have arrived; on
 * completion the reservation is released and the request's or twin's room is told. A node that fails
 * loses its work: refreshes are dropped, tasks retried or their requests lost, plans onto it redone.
 */

import type { Stopped } from '../scheduler/runtime/index.js';
import type { WorkItem } from '../scheduler/types.js';
import type { Accounting } from './accounting.js';
import type { WorldCore } from './core.js';
import type { Requests } from './requests.js';
import type { Item, NodeRt, RequestRt } from './state.js';
import type { Twins } from './twins.js';

/** What `WorldOptions.onExecute` is told each time work is bound to a node (conformance checks, replays). */
export interface ExecutionRecord {
  readonly id: string;
  readonly type: 'task' | 'refresh';
  readonly request: number;
  readonly task: number;
  readonly node: string;
  /** when the node's resources were reserved */
  readonly bound: number;
  /** when the inputs had all arrived and processing began */
  readonly start: number;
  readonly end: number;
  readonly compute: number;
  readonly attention: number;
  /** the node's reserved compute and attention right after this reservation */
  readonly nodeCompute: number;
  readonly nodeAttention: number;
  readonly capacityCompute: number;
  readonly capacityAttention: number;
}

export class Execution {
  readonly #w: WorldCore;
  readonly #accounts: Accounting;
  readonly #requests: Requests;
  readonly #twins: Twins;
  readonly #onExecute: ((r: ExecutionRecord) => void) | undefined;

  constructor(
    w: WorldCore,
    accounts: Accounting,
    requests: Requests,
    twins: Twins,
    onExecute: ((r: ExecutionRecord) => void) | undefined,
  ) {
    this.#w = w;
    this.#accounts = accounts;
    this.#requests = requests;
    this.#twins = twins;
    this.#onExecute = onExecute;
  }

  /** Reserves the item's demands on node `ni`, sends its inputs and schedules its completion. */
  bind(item: Item, ni: number): void {
    const w = this.#w;
    const n = w.nodes[ni]!;
    const now = w.sim.now;
    this.#accounts.node(n);
    const tenant = w.tenants[item.tenant]!;
    this.#accounts.tenant(tenant);
    n.usedCompute += item.compute;
    n.usedAttention += item.attention;
    tenant.heldCompute += item.compute;
    tenant.heldAttention += item.attention;
    let ready = now;
    const inputs = item.inputs;
    const network = w.network;
    for (let k = 0; k < inputs.length; k++) {
      const inp = inputs[k]!;
      const from = inp.from;
      const arrival =
        'node' in from
          ? network.send(now, from.node, w.nodes[from.node]!.zone, ni, inp.bytes)
          : network.send(now, -1, from.device, ni, inp.bytes);
      if (arrival > ready) ready = arrival;
    }
    if (item.type === 'refresh') this.#twins.sampled(item);
    item.node = ni;
    item.end = ready + item.work / n.speed(item.kind);
    n.addItem(item);
    n.sumComputeEnd += item.compute * item.end;
    item.event = w.sim.scheduleAt(item.end, this.#onDone, item);
    this.#onExecute?.({
      id: item.id,
      type: item.type,
      request: item.request,
      task: item.task,
      node: n.id,
      bound: now,
      start: ready,
      end: item.end,
      compute: item.compute,
      attention: item.attention,
      nodeCompute: n.usedCompute,
      nodeAttention: n.usedAttention,
      capacityCompute: n.computeCapacity,
      capacityAttention: n.attentionCapacity,
    });
  }

  #release(item: Item): NodeRt {
    const w = this.#w;
    const n = w.nodes[item.node]!;
    this.#accounts.node(n);
    const tenant = w.tenants[item.tenant]!;
    this.#accounts.tenant(tenant);
    n.usedCompute -= item.compute;
    n.usedAttention -= item.attention;
    if (n.usedCompute < 1e-9) n.usedCompute = 0;
    if (n.usedAttention < 1e-9) n.usedAttention = 0;
    tenant.heldCompute -= item.compute;
    tenant.heldAttention -= item.attention;
    n.removeItem(item);
    n.sumComputeEnd -= item.compute * item.end;
    if (n.running === 0) n.sumComputeEnd = 0;
    return n;
  }

  readonly #onDone = (item: Item): void => {
    const n = this.#release(item);
    n.completed++;
    if (item.type === 'refresh') this.#twins.completeRefresh(item);
    else this.#requests.completeTask(item);
    this.#w.requestCycle();
  };

  /**
   * The binder's `preempt`: stops the proactive refresh bound last (its sample taken last) among the nodes'
   * last-bound ones that `room` accepts, ties to the lower node. A proactive refresh that tasks have come to
   * wait for (reads whose age bound its sample will meet) is demanded too, and never stopped. The victim's
   * reservation is released and its completion cancelled (the attention it held so far is spent, and counted
   * busy); its twin is no longer refreshing and the allocator is told. O(nodes with attention + the items
   * walked back past on each).
   */
  preempt(room: (node: number, victim: WorkItem) => boolean): Stopped | undefined {
    const w = this.#w;
    const twins = w.twins;
    const unwaited = (x: Item) => !twins[x.twin]!.waiters?.length;
    let victim: Item | undefined;
    for (const n of w.nodes) {
      if (n.attentionCapacity <= 0 || n.usedAttention <= 0 || !n.up) continue;
      const v = n.lastProactiveRefresh(unwaited);
      if (v === undefined || (victim !== undefined && v.sampleTime <= victim.sampleTime)) continue;
      if (room(n.index, v)) victim = v;
    }
    if (victim === undefined) return undefined;
    const node = victim.node;
    w.sim.cancel(victim.event);
    this.#release(victim);
    victim.node = -1;
    this.#accounts.refreshesPreempted++;
    this.#twins.refreshStopped(victim);
    return { item: victim, node };
  }

  /** Stops the work on a node that went away: refreshes are dropped, tasks retried or lost, plans redone. */
  evacuate(n: NodeRt): void {
    const w = this.#w;
    const requests = this.#requests;
    const { onFailure, maxRetries } = w.scenario.failures;
    for (const item of n.items()) {
      w.sim.cancel(item.event);
      this.#release(item);
      item.node = -1;
      if (item.type === 'refresh') {
        this.#twins.refreshFailed(item);
        continue;
      }
      const req = item.req!;
      item.attempts++;
      if (onFailure === 'retry' && item.attempts <= maxRetries && !req.failed) {
        this.#accounts.retries++;
        item.plannedNode = -1;
        item.readyTime = w.sim.now;
        requests.enqueue(item);
      } else {
        requests.fail(req);
      }
    }
    n.usedCompute = 0;
    n.usedAttention = 0;
    n.sumComputeEnd = 0;
    // work planned onto this node goes back to the planner, or to regular placement
    const replan = new Set<RequestRt>();
    for (let req = requests.open.first; req; req = req.next) if (req.plan?.includes(n.index)) replan.add(req);
    for (const req of replan) requests.plan(req);
    const moved = w.runtime.queue.removeWhere((it) => it.plannedNode === n.index);
    for (const it of moved) {
      const item = it as Item;
      const req = item.req;
      item.plannedNode = req?.plan ? requests.livePlanned(req.plan[item.task]!) : -1;
      requests.enqueue(item);
    }
  }
}
