/**
 * The scheduling runtime: one cycle of the framework, run whenever something changed (an arrival, a
 * finish, a node going up or down). It pops ready work in the profile's queue order, filters and scores
 * the nodes, binds each item to the best or defers it, stops after a bounded run of items that fit
 * nowhere, keeps compute free for planned work that waits for its node, and hands free attention to the
 * profile's attention allocator. It owns the ready queue and the free-compute index.
 *
 * It talks to the system only through the ports (ports.ts): it reads a `Snapshot`, acts through a
 * `Binder` and is woken through a `Clock`. The simulated world implements them on its records; a live
 * service implements them over real nodes, so both make the same decisions with the same policy code.
 */

import { FIT_SLACK, withinQuota } from '../feasibility.js';
import { FreeComputeIndex, indexable } from '../node-index.js';
import type { AttentionChoice, Filter } from '../plugins.js';
import type { Profile } from '../profile.js';
import { chooseNode, type Decision, type DecisionSink, fits, place, ReadyQueue } from '../scheduler.js';
import type { Snapshot, WorkItem } from '../types.js';
import type { Binder, Clock } from './ports.js';

/** How many unplaceable items in a row end a scheduling cycle (bounded backfilling past a blocked head). */
export const MAX_SKIPS_PER_CYCLE = 64;
/**
 * How many of one tenant's tasks a cycle sets aside because the tenant is at its limit (its quota, or a
 * `tenantRule` filter) before it passes over the rest of that tenant's work until the next cycle.
 */
export const MAX_ASIDE_PER_TENANT = 64;
/**
 * How many tasks a cycle sets aside because no up node has the room for them (after its first item that fit
 * nowhere) before such tasks count towards MAX_SKIPS_PER_CYCLE again: the bound on a cycle's extra work.
 */
export const MAX_ASIDE_PER_CYCLE = 1024;

/** The tiers the runtime keeps the most free room of (slot 0: all nodes) */
const TIER_SLOT: Readonly<Record<string, number>> = { edge: 1, fog: 2, cloud: 3 };

/**
 * Whether some up node of the item's tier may have room for it by `room` (`#room`): false only when none has
 * (a tier the runtime does not know is never judged here; no tier: any up node).
 */
function hasRoom(
  item: { readonly compute: number; readonly attention: number; readonly tier?: WorkItem['tier'] },
  room: Float64Array,
): boolean {
  const t = item.tier === undefined ? 0 : TIER_SLOT[item.tier];
  if (t === undefined) return true;
  return !(room[2 * t]! < item.compute - FIT_SLACK) && !(room[2 * t + 1]! < item.attention - FIT_SLACK);
}

export interface RuntimeOptions {
  readonly profile: Profile;
  readonly snapshot: Snapshot;
  readonly binder: Binder;
  readonly clock: Clock;
  /** where placement and attention decisions go, with their explanations; none: no explanations are built */
  readonly trace?: DecisionSink | undefined;
  /**
   * Every attention demand work may come with (refreshes' and tasks'), in a fixed order: the free-compute
   * index keeps the nodes able to meet each apart, and when all of them and every node's attention
   * capacity are whole numbers, the runtime keeps the free-attention total incrementally (exact then).
   */
  readonly attentionDemands: readonly number[];
  /** the smallest attention a refresh asks for (Infinity when there are no twins) */
  readonly minRefreshAttention: number;
  /**
   * The least compute and the least attention any work item asks for (tasks and refreshes alike). Given, a
   * cycle in which an item found no node stops as soon as no up node has that much free: nothing left in the
   * queue could be placed (absent: it tries on to its bounds, one item at a time).
   */
  readonly minDemand?: { readonly compute: number; readonly attention: number } | undefined;
}

export class SchedulingRuntime {
  /** ready work in the profile's order */
  readonly queue: ReadyQueue;
  /** placement decisions taken (tasks and refreshes, placed or deferred) */
  decisions = 0;
  /** proactive refreshes stopped to make room for a refresh a task waits for (`#preempt`) */
  preemptions = 0;
  readonly #profile: Profile;
  readonly #s: Snapshot;
  readonly #binder: Binder;
  readonly #clock: Clock;
  readonly #trace: DecisionSink | undefined;
  readonly #minRefreshAttention: number;
  /** the profile's filters whose verdict does not depend on the node (`Filter.tenantRule`) */
  readonly #tenantRules: readonly Filter[];
  readonly #roomBuffer = new Float64Array(8);
  /** `RuntimeOptions.minDemand`, where a full system may end a cycle (not with a planner: see the constructor) */
  readonly #minDemand: { readonly compute: number; readonly attention: number } | undefined;
  /** whether a refresh that fits nowhere may stop a proactive one to make room (`#preempt`) */
  readonly #preempts: boolean;
  /** every tenant marked: the queue's tasks passed over, its refreshes still returned (`ReadyQueue.pop`) */
  readonly #allTenants: Uint8Array;
  #cyclePending = false;
  /** nodes by free compute, for profiles whose scores allow it (no scan per decision) */
  readonly #index: FreeComputeIndex | undefined;
  /** compute held on each node for waiting planned work, and the nodes holding some */
  readonly #held: Float64Array;
  readonly #holding: number[] = [];
  /**
   * Free attention summed over nodes, kept up to date from the nodes that changed instead of summed over all
   * nodes every cycle. Only when every capacity and demand is a whole number: then every partial sum is exact
   * and the total equals the full sum bit for bit, whatever the order; otherwise the cycle sums the nodes.
   */
  readonly #attentionTotalExact: boolean;
  #freeAttention = 0;
  readonly #attentionCounted: Float64Array;
  readonly #attentionDirty: Int32Array;
  readonly #attentionIsDirty: Uint8Array;
  #attentionDirtyCount = 0;

  constructor(o: RuntimeOptions) {
    this.#profile = o.profile;
    this.#s = o.snapshot;
    this.#binder = o.binder;
    this.#clock = o.clock;
    this.#trace = o.trace;
    this.#minRefreshAttention = o.minRefreshAttention;
    this.#tenantRules = o.profile.filters.filter((f) => f.tenantRule === true);
    // a planner's deferred work holds compute on its planned node for the cycle (below), so with a planner
    // every item a cycle visits counts, and the cycle goes on as before
    this.#minDemand = o.profile.planner === undefined ? o.minDemand : undefined;
    this.#preempts = o.binder.preempt !== undefined && o.profile.attention.preempts !== undefined;
    this.#allTenants = new Uint8Array(o.snapshot.tenants.length).fill(1);
    const nodes = o.snapshot.nodes;
    this.queue = new ReadyQueue(o.profile, o.snapshot.tenants.length);
    if (indexable(o.profile)) this.#index = new FreeComputeIndex(nodes, [...new Set(o.attentionDemands)]);
    this.#held = new Float64Array(nodes.length);
    this.#attentionTotalExact =
      nodes.every((n) => Number.isInteger(n.attentionCapacity)) &&
      o.attentionDemands.every((a) => Number.isInteger(a)) &&
      o.snapshot.totalAttention < Number.MAX_SAFE_INTEGER;
    this.#attentionCounted = new Float64Array(nodes.length);
    this.#attentionDirty = new Int32Array(nodes.length);
    this.#attentionIsDirty = new Uint8Array(nodes.length);
    for (const n of nodes) {
      this.#attentionCounted[n.index] = n.freeAttention;
      this.#freeAttention += n.freeAttention;
    }
  }

  /**
   * The system tells the runtime that node `i` is about to change (reservations, holds, up or down):
   * called before every such change, so the free-compute index and the free-attention total follow it.
   */
  nodeChanged(i: number): void {
    this.#index?.dirty(i);
    this.#profile.placer?.nodeChanged(i);
    if (this.#attentionIsDirty[i] === 0) {
      this.#attentionIsDirty[i] = 1;
      this.#attentionDirty[this.#attentionDirtyCount++] = i;
    }
  }

  /** Ready work joins the queue; it is tried at the next cycle. */
  enqueue(item: WorkItem): void {
    this.queue.push(item);
  }

  /** Asks for one cycle at the current instant, after what is already due; repeated asks make one cycle. */
  requestCycle(): void {
    if (this.#cyclePending) return;
    this.#cyclePending = true;
    this.#clock.soon(this.#cycle);
  }

  readonly #cycle = (): void => {
    this.#cyclePending = false;
    this.cycle();
  };

  /** One scheduling cycle, now. */
  cycle(): void {
    const s = this.#s;
    const binder = this.#binder;
    // items no node takes now (most cycles have none: the list is made at the first)
    let deferred: WorkItem[] | undefined;
    const held = this.#held;
    for (const i of this.#holding) {
      held[i] = 0;
      binder.hold(i, 0);
    }
    if (this.#holding.length !== 0) this.#holding.length = 0;
    let skips = 0;
    // refreshes deferred so far in this cycle: they wait for a slot ahead of the next one
    let waitingRefreshes = 0;
    // per tenant, its tasks set aside in this cycle because the tenant is at its limit, and the tenants passed
    // over for the rest of the cycle (made at the first task set aside: most cycles have none)
    let aside: Int32Array | undefined;
    let passOver: Uint8Array | undefined;
    // the most free compute and attention of the up nodes, per tier (made at the cycle's first item that fit
    // nowhere; binds only lower it, so it stays an upper bound for the rest of the cycle), and the tasks set
    // aside for want of it
    let room: Float64Array | undefined; // #room's buffer once filled in this cycle
    let roomless = 0;
    while (this.queue.size > 0 && skips < MAX_SKIPS_PER_CYCLE) {
      // Something found no node, and no up node has the room the smallest work asks for: nothing left fits
      // anywhere, so the rest waits where it is. Under a profile whose waiting refreshes may stop a proactive
      // one to make room (`#preempt`), the refreshes are still tried, in their order, and the tasks wait. On
      // every example the same items are placed as when each was tried and deferred (`scripts/hash-runs.js
      // --ignore-waits`); with a queue of thousands this keeps a cycle from visiting a thousand of them in vain,
      // and the refreshes behind them are reached before the cycle's bounds.
      let only = passOver;
      if (skips > 0 && this.#minDemand !== undefined && !hasRoom(this.#minDemand, (room ??= this.#room()))) {
        if (!this.#preempts) break;
        only = this.#allTenants;
      }
      const item = this.queue.pop(s, only);
      if (item === undefined) break; // only passed-over tenants' work is left
      if (item.type === 'task') {
        // Work no node can take now, whichever node is asked, waits without counting as a skip, so it does not
        // stop the cycle before the rest of the queue is tried: a task whose tenant is at its limit (what the
        // tenant holds only grows in a cycle, but for a stopped refresh), and once something has failed in this
        // cycle, a task asking for more compute or attention than any up node of its tier has free. Each is a
        // decision all the same (traced with every node's refusal); untraced, its answer is known: no node.
        const limited = !this.#tenantAdmits(item);
        if (
          limited ||
          (skips > 0 && roomless < MAX_ASIDE_PER_CYCLE && !hasRoom(item, (room ??= this.#room())))
        ) {
          if (this.#trace && this.#trace.explainsWait?.(item.id) !== false) this.#choose(item);
          else this.decisions++;
          (deferred ??= []).push(item);
          if (!limited) roomless++;
          else {
            aside ??= new Int32Array(s.tenants.length);
            if (++aside[item.tenant]! >= MAX_ASIDE_PER_TENANT) {
              passOver ??= new Uint8Array(s.tenants.length);
              passOver[item.tenant] = 1;
            }
          }
          continue;
        }
      }
      let node = this.#choose(item);
      // a refresh in the queue is one a task waits for (proactive ones are placed as they are chosen)
      if (node < 0 && item.type === 'refresh' && this.#preempt(item, waitingRefreshes)) {
        room = undefined; // the stopped refresh gave its room back
        node = this.#choose(item);
      }
      if (node >= 0) {
        this.#bind(item, node);
        skips = 0;
      } else {
        (deferred ??= []).push(item);
        if (item.type === 'refresh') waitingRefreshes++;
        skips++;
      }
    }
    if (deferred !== undefined)
      for (const d of deferred) {
        this.queue.push(d);
        // planned work comes before proactive refreshes, as ready work does everywhere in the cycle
        const n = s.nodes[d.plannedNode];
        if (n?.up && held[n.index]! < n.computeCapacity) {
          if (held[n.index] === 0) this.#holding.push(n.index);
          held[n.index] = Math.min(held[n.index]! + d.compute, n.computeCapacity);
          binder.hold(n.index, held[n.index]!);
        }
      }
    this.#fillAttention();
  }

  /**
   * Whether the item's tenant admits it now, on any node: within its quota, and passed by every filter that is
   * a `tenantRule` (asked with the first node: such a filter does not read it).
   */
  #tenantAdmits(item: WorkItem): boolean {
    const s = this.#s;
    const tenant = s.tenants[item.tenant];
    if (tenant === undefined) return true;
    if (!withinQuota(item, tenant, s)) return false;
    const filters = this.#tenantRules;
    if (filters.length === 0) return true;
    const node = s.nodes[0];
    if (node === undefined) return true;
    for (let k = 0; k < filters.length; k++) if (!filters[k]!.filter(item, node, s).ok) return false;
    return true;
  }

  /**
   * The most free compute and attention among the up nodes: [compute, attention] of all nodes at 0 and 1, then
   * of the edge, fog and cloud tiers' (−∞ where none is up). Filled into one buffer, reused by every cycle.
   */
  #room(): Float64Array {
    const room = this.#roomBuffer.fill(Number.NEGATIVE_INFINITY);
    const nodes = this.#s.nodes;
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i]!;
      if (!n.up) continue;
      const c = n.freeCompute;
      const a = n.freeAttention;
      if (c > room[0]!) room[0] = c;
      if (a > room[1]!) room[1] = a;
      const t = TIER_SLOT[n.tier];
      if (t === undefined) continue;
      if (c > room[2 * t]!) room[2 * t] = c;
      if (a > room[2 * t + 1]!) room[2 * t + 1] = a;
    }
    return room;
  }

  /** One placement decision for a ready item (traced when there is a trace): its node, or -1. */
  #choose(item: WorkItem): number {
    this.decisions++;
    const trace = this.#trace;
    if (!trace) return chooseNode(item, this.#s, this.#profile, this.#index);
    // a wait the trace does not want explained again: decided untraced (the same choice), a placement explained
    if (trace.explainsWait?.(item.id) === false) {
      const node = chooseNode(item, this.#s, this.#profile, this.#index);
      if (node < 0) return node;
    }
    const p = place(item, this.#s, this.#profile, true);
    trace.record(p.decision!);
    return p.node;
  }

  /**
   * Makes room for `item`, a refresh a task waits for that fits nowhere, by stopping the proactive refresh
   * bound last on a node that could then take it (`Binder.preempt`), when the attention allocator allows it
   * (`preempts`). The node must be up and of the item's tier, hold the item's demands once the victim's are
   * released, pass the profile's filters, and the item's tenant must stay within its quota (a victim of the
   * same tenant frees its share of it). Whether a refresh was stopped.
   */
  #preempt(item: WorkItem, waiting: number): boolean {
    const binder = this.#binder;
    const profile = this.#profile;
    const s = this.#s;
    if (binder.preempt === undefined || profile.attention.preempts?.(item, s, waiting) !== true) return false;
    const tenant = s.tenants[item.tenant];
    const filters = profile.filters;
    const room = (i: number, victim: WorkItem): boolean => {
      const n = s.nodes[i];
      if (!n?.up || (item.tier !== undefined && n.tier !== item.tier)) return false;
      if (n.freeCompute + victim.compute < item.compute - FIT_SLACK) return false;
      if (n.freeAttention + victim.attention < item.attention - FIT_SLACK) return false;
      if (tenant && victim.tenant !== item.tenant && !withinQuota(item, tenant, s)) return false;
      for (let k = 0; k < filters.length; k++) if (!filters[k]!.filter(item, n, s).ok) return false;
      return true;
    };
    const stopped = binder.preempt(room);
    if (stopped === undefined) return false;
    this.preemptions++;
    const trace = this.#trace;
    if (trace) {
      const time = this.#clock.now;
      const on = s.nodes[stopped.node]!.id;
      const victim = stopped.item.id;
      const note = (subject: string, waiting: string) =>
        trace.record({ time, kind: 'place', subject, chosen: null, candidates: [], waiting });
      note(victim, `stopped on ${on} to make room for ${item.id}, which a task waits for`);
      note(item.id, `takes the place of ${victim}, the proactive refresh bound last on ${on}`);
    }
    return true;
  }

  #bind(item: WorkItem, node: number): void {
    this.#binder.bind(item, node);
    const scores = this.#profile.scores;
    const n = this.#s.nodes[node]!;
    for (let k = 0; k < scores.length; k++) scores[k]!.plugin.bound?.(item, n);
  }

  /** Hands free attention to the allocator's choice of twins, best first, until a choice does not fit. */
  #fillAttention(): void {
    const s = this.#s;
    if (s.twins.length === 0) return;
    let free = 0;
    if (this.#attentionTotalExact) free = this.#freeAttentionTotal();
    else for (let k = 0; k < s.nodes.length; k++) free += s.nodes[k]!.freeAttention;
    if (free <= 1e-9) return;
    const per = this.#minRefreshAttention;
    const slots = Math.min(s.twins.length, per > 0 ? Math.floor(free / per + 1e-9) : s.twins.length);
    if (slots <= 0) return;
    const attention = this.#profile.attention;
    // explanations only for a trace: untraced, the allocator need not build them
    const choices = attention.select(s, slots, this.#trace !== undefined);
    // A choice that fits nowhere (its tier is full, its tenant at quota) does not block the ones after it;
    // once no refresh could fit any more, the rest go back untried.
    let i = 0;
    for (; i < choices.length && free >= per - 1e-9; i++) {
      const c = choices[i]!;
      const twin = s.twins[c.twin];
      if (!twin || twin.refreshing) {
        attention.refreshed?.(c.twin, false, s);
        continue;
      }
      const item = this.#binder.newRefresh(c.twin);
      attention.refreshStarted?.(c.twin, s);
      let node: number;
      const trace = this.#trace;
      // chosen for a free slot on a node that takes it: bound there (the allocator chose the twin for that slot)
      const slot = c.node ?? -1;
      const slotted = slot >= 0 && slot < s.nodes.length && fits(item, s.nodes[slot]!, s, this.#profile);
      if (trace) {
        // a twin whose wait for a node the trace does not want explained again: placed untraced if it can be
        if (
          !slotted &&
          trace.explainsWait?.(s.twins[c.twin]!.id) === false &&
          chooseNode(item, s, this.#profile, this.#index) < 0
        )
          node = -1;
        else {
          // the candidates as the placement scores them; a slotted refresh is bound to its slot all the same
          const p = place(item, s, this.#profile, true);
          node = slotted ? slot : p.node;
          const d = p.decision;
          this.#traceAttention(
            c,
            item,
            d && slotted && p.node !== slot ? { ...d, chosen: s.nodes[slot]!.id } : d,
          );
        }
      } else node = slotted ? slot : chooseNode(item, s, this.#profile, this.#index);
      this.decisions++;
      if (node < 0) {
        this.#binder.dropRefresh(item);
        attention.refreshed?.(c.twin, false, s);
        continue;
      }
      free -= item.attention;
      this.#bind(item, node);
    }
    // tell the allocator about the choices never tried
    for (; i < choices.length; i++) attention.refreshed?.(choices[i]!.twin, false, s);
  }

  /** Σ free attention over nodes, from the running total and the nodes changed since the last call. */
  #freeAttentionTotal(): number {
    const nodes = this.#s.nodes;
    for (let d = 0; d < this.#attentionDirtyCount; d++) {
      const i = this.#attentionDirty[d]!;
      this.#attentionIsDirty[i] = 0;
      const f = nodes[i]!.freeAttention;
      this.#freeAttention += f - this.#attentionCounted[i]!;
      this.#attentionCounted[i] = f;
    }
    this.#attentionDirtyCount = 0;
    return this.#freeAttention;
  }

  #traceAttention(c: AttentionChoice, item: WorkItem, d: Decision | undefined): void {
    const s = this.#s;
    this.#trace!.record({
      ...(d ?? { candidates: [], chosen: null }),
      time: this.#clock.now,
      kind: 'attention',
      subject: s.twins[c.twin]!.id,
      ...(c.score !== undefined ? { score: c.score } : {}),
      ...(c.weight !== undefined ? { weight: c.weight } : {}),
      ...(c.parts ? { features: c.parts } : {}),
      ...(c.detail ? { detail: c.detail } : {}),
      age: this.#clock.now - s.twins[item.twin]!.lastSample,
    });
  }
}
