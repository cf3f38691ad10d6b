/**
 * ARS compute: the order of ready work and the choice of node.
 *
 * Queue order: an urgency key in seconds, fixed the first time the item is compared (the ready queue is a
 * heap, so an item's key must not change while it waits): its due time (deadline, or arrival plus a default
 * slack), minus its work (latest start), minus credit for priority, for its tenant's dominant-share deficit,
 * and for being a refresh a request waits on; such a refresh also starts early enough for the work its
 * request still has after it (the mean work of the requests that read the twin's group). Smaller keys go
 * first.
 *
 * Node choice: earliest finish (input transfers + run time + delivery of an answer to the user, relative to the
 * best node), keeping compute beside free attention so refreshes can use it (weighted by the forecast task
 * load), and low running cost. A filter refuses a node when another node, even after its backlog clears, would
 * finish the item much sooner (waiting for the fast node beats starting on a slow one).
 */
import { fitsEver, fitsNow } from '../../scheduler/feasibility.js';
import type { Filter, QueueSort, Score } from '../../scheduler/plugins.js';
import type { NodeView, Snapshot, WorkItem } from '../../scheduler/types.js';
import { OK } from '../../scheduler/types.js';
import type { ArsContext } from './context.js';

export interface UrgencyParts {
  readonly due: number;
  readonly work: number;
  readonly priority: number;
  readonly fairness: number;
  readonly refresh: number;
  /** for a refresh a request waits on: minus the mean work of the requests that read its twin's group */
  readonly readers: number;
}

/** The queue order. `key(item)` is the fixed urgency key; `parts(item)` its explanation. */
export function urgencyOrder(ctx: ArsContext): QueueSort & {
  key(item: WorkItem): number;
  parts(item: WorkItem): UrgencyParts | undefined;
} {
  const keys = new WeakMap<WorkItem, number>();
  const explained = new WeakMap<WorkItem, UrgencyParts>();
  const key = (item: WorkItem): number => {
    let k = keys.get(item);
    if (k !== undefined) return k;
    const p = ctx.params;
    const s = ctx.snapshot;
    const due = Number.isFinite(item.deadline) ? item.deadline : item.arrival + p.noDeadlineSlack;
    const deficit = s ? ctx.deficit(item.tenant, s) : 0;
    // a refresh with a deadline is one a request waits on (it carries the request's deadline)
    const waitedOn = item.type === 'refresh' && Number.isFinite(item.deadline);
    const parts: UrgencyParts = {
      due,
      work: -item.work,
      priority: -p.wPriority * item.priority,
      fairness: -p.wQueueFairness * deficit,
      refresh: waitedOn ? -p.refreshBonus : 0,
      readers: waitedOn ? -ctx.readWork(item.twin) : 0,
    };
    k = parts.due + parts.work + parts.priority + parts.fairness + parts.refresh + parts.readers;
    keys.set(item, k);
    explained.set(item, parts);
    return k;
  };
  return {
    name: 'ars-urgency',
    compare: (a, b) => key(a) - key(b),
    key,
    parts: (item) => explained.get(item),
  };
}

/**
 * Seconds from now until the item's result would be where it is needed if started on the node now: its
 * inputs' arrival, its run time, and for a task that returns a result to the user, that result's delivery
 * (`deliveryIn`). A request ends when its answer reaches the user, so a node that computes fast but sits far
 * from the users (a cloud behind a WAN) is not the earliest finish for a short task with an answer.
 */
export function finishIn(item: WorkItem, node: NodeView, s: Snapshot): number {
  return finishAt(item, node, s, node.speed(item.kind));
}

/** `finishIn` with the node's speed for the item's kind already read (the same arithmetic). */
export function finishAt(item: WorkItem, node: NodeView, s: Snapshot, speed: number): number {
  return s.inputsReadyAt(item, node.index) - s.now + item.work / speed + deliveryIn(item, node, s);
}

const USER = { device: undefined } as const;

/** Seconds to send the item's result (`outputBytes`) from the node back to the user; 0 without one. */
export function deliveryIn(item: WorkItem, node: NodeView, s: Snapshot): number {
  const bytes = item.outputBytes ?? 0;
  return bytes > 0 ? s.transferTime(USER, node.index, bytes) : 0;
}

/**
 * Earliest finish, relative to the best feasible node: best / this, in (0, 1], times `wFinish`.
 * (The ARS scores carry their live weights themselves, so the feedback controller can move them; the
 * profile lists each with weight 1.)
 */
export function earliestFinishScore(ctx: ArsContext): Score & {
  preset(best: number): void;
  /** the score of a node whose `finishIn` is `f` (what `score` returns; the placement index reuses f) */
  scoreAt(f: number): number;
} {
  let best = Number.POSITIVE_INFINITY;
  const scoreAt = (f: number): number =>
    Number.isFinite(best) ? (ctx.params.wFinish * (best + 1e-3)) / (f + 1e-3) : 0;
  return {
    name: 'ars-finish',
    preset(b) {
      best = b;
    },
    prepare(item, s) {
      best = Number.POSITIVE_INFINITY;
      for (const n of s.nodes) {
        if (!fitsNow(item, n)) continue;
        best = Math.min(best, finishIn(item, n, s));
      }
    },
    score: (item, node, s) => scoreAt(finishIn(item, node, s)),
    scoreAt,
    bound(item, node) {
      if (item.type === 'refresh' && item.twin < ctx.refreshNode.length)
        ctx.refreshNode[item.twin] = node.index;
    },
  };
}

/**
 * Keeps compute beside free attention: a task that holds no attention, put on a node whose free compute would
 * then fall below its free attention, blocks refresh slots. Score 1 − blocked slots / attention capacity.
 * With forecasting on, the penalty fades as the forecast task load outgrows the nodes without attention.
 * Times `wReserve`.
 */
export function reserveScore(ctx: ArsContext): Score & {
  /**
   * `prepare` at time `now` with the compute capacity of the up nodes without attention already summed
   * (`plainCompute`), by a caller that tracks which nodes are up (the placement index)
   */
  prepareWith(now: number, plain: number): void;
  /** whether the score is its weight on every node of this attention capacity (what `score` tests first) */
  flatFor(item: WorkItem, attentionCapacity: number): boolean;
} {
  let strength = 1;
  let computedAt = Number.NaN;
  const setStrength = (plain: number): void => {
    const load = ctx.computeLoad();
    strength = plain > 0 ? Math.max(0, Math.min(1, 2 - load / plain)) : 0;
  };
  return {
    name: 'ars-reserve',
    prepare(_item, s) {
      if (!ctx.useForecast || computedAt === s.now) return;
      computedAt = s.now;
      setStrength(plainCompute(s.nodes));
    },
    prepareWith(now, plain) {
      if (!ctx.useForecast || computedAt === now) return;
      computedAt = now;
      setStrength(plain);
    },
    // the weight 0 (the default) makes the score 0 everywhere: flat, so the placement index judges one bucket
    flatFor: (item, attentionCapacity) =>
      item.attention > 0 || attentionCapacity === 0 || ctx.params.wReserve === 0,
    score(item, node) {
      const w = ctx.params.wReserve;
      if (w === 0 || item.attention > 0 || node.attentionCapacity === 0) return w;
      const before = Math.min(node.freeAttention, node.freeCompute);
      const after = Math.min(node.freeAttention, Math.max(0, node.freeCompute - item.compute));
      return w * (1 - (strength * (before - after)) / node.attentionCapacity);
    },
  };
}

/** Cheaper runs first: 1 − cost here / the dearest feasible node's cost, in [0, 1], times `wNodeCost`. */
export function nodeCostScore(ctx: ArsContext): Score & {
  preset(dearest: number): void;
  /** the score of a node whose `runCost` is `cost` (what `score` returns) */
  scoreAt(cost: number): number;
} {
  let dearest = 0;
  const scoreAt = (cost: number): number => ctx.params.wNodeCost * (dearest > 0 ? 1 - cost / dearest : 1);
  return {
    name: 'ars-cost',
    preset(d) {
      dearest = d;
    },
    prepare(item, s) {
      dearest = 0;
      for (const n of s.nodes) if (n.up) dearest = Math.max(dearest, runCost(item, n));
    },
    score: (item, node) => scoreAt(runCost(item, node)),
    scoreAt,
  };
}

/** Compute capacity of the up nodes without attention, summed in node order (the reserve score's `plain`). */
export function plainCompute(nodes: readonly NodeView[]): number {
  let plain = 0;
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    if (n.attentionCapacity === 0 && n.up) plain += n.computeCapacity;
  }
  return plain;
}

/** What a run on the node costs: the cost score's quantity. */
export function runCost(item: WorkItem, n: NodeView): number {
  return runCostAt(item, n, n.speed(item.kind));
}

/** `runCost` with the node's speed for the item's kind already read (the same arithmetic). */
export function runCostAt(item: WorkItem, n: NodeView, speed: number): number {
  return (n.costPerSecond * item.work) / speed;
}

/**
 * Refuses a slow node when a faster one would finish the item sooner even after its backlog clears:
 * waiting a little for the right node beats holding a slow node (and its attention slots) for long.
 * Only for items whose run time differs by more than `patience` × between nodes.
 */
export function patienceFilter(patience = 2): Filter & {
  preset(item: WorkItem, now: number, bestLater: number): void;
  /**
   * The next call of `filter` (for the item and instant of the last `preset`) on node `node` may take `here`
   * as that node's `finishIn` instead of computing it: a caller that has just computed exactly that number
   * (the placement index, for a member of a class it scored). Used once, and cleared by `preset`.
   */
  hint(node: number, here: number): void;
} {
  let item0: WorkItem | undefined;
  let at = Number.NaN;
  let bestLater = Number.POSITIVE_INFINITY;
  let hintNode = -1;
  let hintHere = Number.NaN;
  return {
    name: 'ars-patience',
    preset(item, now, b) {
      item0 = item;
      at = now;
      bestLater = b;
      hintNode = -1;
    },
    hint(node, here) {
      hintNode = node;
      hintHere = here;
    },
    filter(item, node, s) {
      const preset = item === item0 && at === s.now;
      let here: number;
      if (preset && node.index === hintNode) {
        here = hintHere;
        hintNode = -1;
      } else here = finishIn(item, node, s);
      // a refusal needs here − bestLater > 1 with bestLater ≥ 0 (a sum of waits and finishes): a node that
      // finishes within a second passes whatever the others do, without the scan for bestLater
      if (!(here > 1)) return OK;
      if (!preset) {
        item0 = item;
        at = s.now;
        hintNode = -1;
        bestLater = Number.POSITIVE_INFINITY;
        for (const n of s.nodes) {
          if (!n.up || !fitsEver(item, n)) continue;
          const wait = n.freeCompute >= item.compute && n.freeAttention >= item.attention ? 0 : n.backlog;
          bestLater = Math.min(bestLater, wait + finishIn(item, n, s));
        }
      }
      if (here > patience * bestLater && here - bestLater > 1) {
        return {
          ok: false,
          reason: `a faster node frees up sooner (${bestLater.toFixed(2)} s vs ${here.toFixed(2)} s)`,
        };
      }
      return OK;
    },
  };
}

/**
 * Keeps part of a tenant's compute quota for its own twins' refreshes: a task (not a refresh) of a tenant
 * with a compute quota waits when running it would leave less of the quota free than the refreshes its
 * twins' attention shares keep running at once (`ArsContext.refreshReserve`, × `quotaReserve`, at most half
 * the quota), less those running now (the attention the tenant holds): so the tenant's tasks alone stay
 * within the quota less the reserve, and its running refreshes are not counted against them a second time.
 * Without it a burst of a tenant's heavy jobs fills its quota and none of its twins can be refreshed until
 * they end (smart-hospital: research analytics starving the equipment twins for 90 s).
 * A tenant holding nothing may always start one task, so a task larger than the rest of the quota still runs,
 * and a task whose work is no more than the mean measured refresh time (`ArsContext.refreshSeconds`) is not held
 * back: it gives the quota back about as soon as a refresh would.
 */
export function quotaReserveFilter(ctx: ArsContext): Filter {
  return {
    name: 'ars-quota-reserve',
    tenantRule: true,
    filter(item, _node, s) {
      if (item.type === 'refresh') return OK;
      const t = s.tenants[item.tenant];
      if (!t || t.quotaCompute === undefined || t.heldCompute <= 0) return OK;
      // a task no longer than a refresh holds its compute for at most the time a refresh takes, so it delays
      // a refresh by no more than one refresh would: the reserve is kept from the long jobs, which hold it for
      // many (generated-2030: 0.5-s reads waited seconds behind the reserve while 8-s analytics held the rest)
      if (item.work <= ctx.refreshSeconds) return OK;
      const quota = t.quotaCompute * s.totalCompute;
      const reserve = Math.min(ctx.params.quotaReserve * (ctx.refreshReserve[item.tenant] ?? 0), 0.5 * quota);
      // the refreshes running now hold part of the reserve already (what the tenant holds counts them): only the
      // rest must stay free, or tasks would wait behind the reserve twice over; the reserve is counted in
      // attention units, as the refreshes the shares keep running, so those running count by the attention they
      // hold
      const free = Math.max(0, reserve - t.heldAttention);
      if (t.heldCompute + item.compute <= quota - free + 1e-9) return OK;
      return {
        ok: false,
        reason: `keeps ${reserve.toFixed(1)} compute of tenant ${t.id}'s quota for its twins' refreshes`,
      };
    },
  };
}
