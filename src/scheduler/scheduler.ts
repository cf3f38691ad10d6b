/**
 * The scheduling cycle: take ready work in the profile's queue order, filter the nodes that can run it,
 * score them, bind to the best. The world owns the state and does the binding; this module only decides.
 */
import type { CandidateExplanation, PlaceDecision } from './decision.js';
import { fitsNow, nodeRefusal, quotaRefusal, withinQuota } from './feasibility.js';
import { Heap, KeyedHeap } from './heap.js';
import type { FreeComputeIndex, Judge } from './node-index.js';
import type { PlacerJudge } from './plugins.js';
import type { Profile } from './profile.js';
import type { NodeView, Snapshot, WorkItem } from './types.js';

export type { CandidateExplanation, Decision, DecisionSink } from './decision.js';

/** How many candidates an explanation keeps, best first: enough to say why, small enough for big clusters. */
export const EXPLAIN_TOP = 5;

/**
 * Why a node cannot take an item, or null when it can: the one feasibility rule (feasibility.ts: up, tier,
 * free compute and attention, the tenant's quota), then the profile's filters. Checked for every policy.
 */
export function infeasible(item: WorkItem, node: NodeView, s: Snapshot, profile: Profile): string | null {
  const refused = nodeRefusal(item, node);
  if (refused !== null) return refused;
  const tenant = s.tenants[item.tenant];
  if (tenant) {
    const quota = quotaRefusal(item, tenant, s);
    if (quota !== null) return `tenant ${quota} quota`;
  }
  for (const f of profile.filters) {
    const st = f.filter(item, node, s);
    if (!st.ok) return `${f.name}: ${st.reason}`;
  }
  return null;
}

/**
 * `infeasible(...) === null`, without building a reason: the hot path's check. Both forms read the same
 * rule in feasibility.ts (a property test compares them).
 */
export function fits(item: WorkItem, node: NodeView, s: Snapshot, profile: Profile): boolean {
  if (!fitsNow(item, node)) return false;
  const tenant = s.tenants[item.tenant];
  if (tenant && !withinQuota(item, tenant, s)) return false;
  // indexed loops: for-of over the profile's frozen arrays allocates an iterator result per step in V8
  const filters = profile.filters;
  for (let k = 0; k < filters.length; k++) if (!filters[k]!.filter(item, node, s).ok) return false;
  return true;
}

/** The weighted sum of the profile's scores, summed in profile order (the same arithmetic everywhere). */
export function totalScore(item: WorkItem, node: NodeView, s: Snapshot, profile: Profile): number {
  let total = 0;
  const scores = profile.scores;
  for (let k = 0; k < scores.length; k++) total += scores[k]!.weight * scores[k]!.plugin.score(item, node, s);
  return total;
}

const JUDGE: Judge = { feasible: fits, total: totalScore };

const PLACER_JUDGES = new WeakMap<Profile, PlacerJudge>();

/** The framework's check and score sum bound to one profile, for its `Placer` (one object per profile). */
function judgeOf(profile: Profile): PlacerJudge {
  let j = PLACER_JUDGES.get(profile);
  if (j === undefined) {
    j = {
      feasible: (item, node, s) => fits(item, node, s, profile),
      total: (item, node, s) => totalScore(item, node, s, profile),
    };
    PLACER_JUDGES.set(profile, j);
  }
  return j;
}

/**
 * The node `place` would choose, without an explanation and without allocating: the hot path.
 * With an `index` (only for profiles it serves, see `indexable`), the nodes are not scanned.
 */
export function chooseNode(item: WorkItem, s: Snapshot, profile: Profile, index?: FreeComputeIndex): number {
  const nodes = s.nodes;
  if (item.plannedNode >= 0) return fits(item, nodes[item.plannedNode]!, s, profile) ? item.plannedNode : -1;
  if (index !== undefined) {
    // the quota does not depend on the node: when it fails, no node fits
    const tenant = s.tenants[item.tenant];
    if (tenant && !withinQuota(item, tenant, s)) return -1;
    return index.best(item, s, profile, JUDGE);
  }
  const placer = profile.placer;
  if (placer !== undefined) {
    const tenant = s.tenants[item.tenant];
    if (tenant && !withinQuota(item, tenant, s)) return -1;
    return placer.choose(item, s, judgeOf(profile));
  }
  const scores = profile.scores;
  for (let k = 0; k < scores.length; k++) scores[k]!.plugin.prepare?.(item, s);
  let best = -1;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    if (!fits(item, node, s, profile)) continue;
    let total = 0;
    for (let k = 0; k < scores.length; k++) {
      const sc = scores[k]!;
      total += sc.weight * sc.plugin.score(item, node, s);
    }
    if (total > bestScore) {
      bestScore = total;
      best = i;
    }
  }
  return best;
}

export interface Placement {
  /** node index, or -1 when no node fits now */
  readonly node: number;
  readonly decision: PlaceDecision | undefined;
}

/**
 * Picks the node for one item: the feasible node with the highest weighted score, ties to the lowest index.
 * An item with a planned node goes there or waits. With `explain`, returns the decision with the top candidates.
 */
export function place(item: WorkItem, s: Snapshot, profile: Profile, explain: boolean): Placement {
  const nodes = s.nodes;
  if (item.plannedNode >= 0) {
    const node = nodes[item.plannedNode]!;
    const why = infeasible(item, node, s, profile);
    const chosen = why === null ? node.index : -1;
    const decision = explain
      ? {
          time: s.now,
          kind: 'place' as const,
          subject: item.id,
          chosen: why === null ? node.id : null,
          planned: node.id,
          ...(why === null ? {} : { waiting: why }),
          candidates: [{ id: node.id, score: 1, parts: { planner: 1 } }],
        }
      : undefined;
    return { node: chosen, decision };
  }
  for (const sc of profile.scores) sc.plugin.prepare?.(item, s);
  let best = -1;
  let bestScore = Number.NEGATIVE_INFINITY;
  const top: CandidateExplanation[] = [];
  const reasons: Record<string, number> = {};
  let refused: Record<string, string[]> | undefined;
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    const why = infeasible(item, node, s, profile);
    if (explain) refused = auditedRefusal(item, node, s, profile, refused);
    if (why !== null) {
      if (explain) reasons[why] = (reasons[why] ?? 0) + 1;
      continue;
    }
    let total = 0;
    let parts: Record<string, number> | undefined;
    if (explain) parts = {};
    for (const { plugin, weight } of profile.scores) {
      const v = weight * plugin.score(item, node, s);
      total += v;
      if (parts) parts[plugin.name] = v;
    }
    if (total > bestScore) {
      bestScore = total;
      best = i;
    }
    if (explain) keepTop(top, { id: node.id, score: total, parts: parts! });
  }
  let decision: PlaceDecision | undefined;
  if (explain) {
    decision = {
      time: s.now,
      kind: 'place',
      subject: item.id,
      chosen: best >= 0 ? nodes[best]!.id : null,
      runnerUp: top[1]?.id ?? null,
      candidates: top,
      ...(best < 0 ? { unschedulable: reasons } : {}),
      ...(refused ? { refused } : {}),
    };
  }
  return { node: best, decision };
}

/** Adds the node to `refused` under the reason of each `explainRefusals` filter that refuses it. */
function auditedRefusal(
  item: WorkItem,
  node: NodeView,
  s: Snapshot,
  profile: Profile,
  refused: Record<string, string[]> | undefined,
): Record<string, string[]> | undefined {
  for (const f of profile.filters) {
    if (!f.explainRefusals) continue;
    const st = f.filter(item, node, s);
    if (!st.ok) ((refused ??= {})[`${f.name}: ${st.reason}`] ??= []).push(node.id);
  }
  return refused;
}

function keepTop(top: CandidateExplanation[], c: CandidateExplanation): void {
  // insertion into a short sorted list; equal scores keep node order, as the choice does
  let i = top.length;
  while (i > 0 && top[i - 1]!.score < c.score) i--;
  if (i >= EXPLAIN_TOP) return;
  top.splice(i, 0, c);
  if (top.length > EXPLAIN_TOP) top.pop();
}

/** A heap of waiting work: by the profile's order (`Heap`), or by its key where it gives one (`KeyedHeap`). */
type WorkHeap = Heap<WorkItem> | KeyedHeap<WorkItem>;

/**
 * Ready work in the profile's order: two heaps per tenant, its tasks and its refreshes, so that a dynamic
 * tenant order (DRF) can pick the tenant and the static order picks within it, and so that a cycle can pass
 * over a tenant's tasks (the tenant is at its limit) and still reach its refreshes, which the limit does not
 * hold back in the same way (a refresh holds less, and a `tenantRule` such as ARS's quota reserve keeps room
 * for refreshes). Without a tenant order the global head is the least of the heads. The order is a total
 * one (the profile's comparison, then the uid), so splitting a tenant's work in two changes no pop.
 */
export class ReadyQueue {
  readonly #tasks: WorkHeap[];
  readonly #refreshes: WorkHeap[];
  readonly #profile: Profile;
  readonly #less: (a: WorkItem, b: WorkItem) => boolean;
  /** whether the heaps hold each item's `queueSort.key` (then heads are compared by it) */
  readonly #keyed: boolean;
  #size = 0;

  constructor(profile: Profile, tenants: number) {
    this.#profile = profile;
    const cmp = profile.queueSort;
    const less = (a: WorkItem, b: WorkItem) => {
      const c = cmp.compare(a, b);
      return c < 0 || (c === 0 && a.uid < b.uid);
    };
    this.#less = less;
    this.#keyed = cmp.key !== undefined;
    const heap = (): WorkHeap =>
      this.#keyed ? new KeyedHeap<WorkItem>((item) => cmp.key!(item)) : new Heap<WorkItem>(less);
    this.#tasks = Array.from({ length: tenants }, heap);
    this.#refreshes = Array.from({ length: tenants }, heap);
  }

  get size(): number {
    return this.#size;
  }

  push(item: WorkItem): void {
    (item.type === 'refresh' ? this.#refreshes : this.#tasks)[item.tenant]!.push(item);
    this.#size++;
  }

  /** Whether heap a's head goes before heap b's (both not empty). */
  #before(a: WorkHeap, b: WorkHeap): boolean {
    if (!this.#keyed) return this.#less(a.peek()!, b.peek()!);
    const c = (a as KeyedHeap<WorkItem>).peekKey() - (b as KeyedHeap<WorkItem>).peekKey();
    return c < 0 || (c === 0 && a.peek()!.uid < b.peek()!.uid);
  }

  /** Tenant t's next item, its tasks left out when `skipTasks`: the heap holding it, or undefined. */
  #headHeap(t: number, skipTasks: boolean): WorkHeap | undefined {
    const r = this.#refreshes[t]!;
    const k = this.#tasks[t]!;
    const hasR = r.size > 0;
    if (skipTasks || k.size === 0) return hasR ? r : undefined;
    if (!hasR) return k;
    return this.#before(r, k) ? r : k;
  }

  /**
   * Removes and returns the next item to try, or undefined when empty. The tasks of tenants marked in
   * `passOver` (1) are passed over: they wait, while those tenants' refreshes are still tried; when only
   * passed-over tasks are left, nothing is returned.
   */
  pop(s: Snapshot, passOver?: Uint8Array): WorkItem | undefined {
    if (this.#size === 0) return undefined;
    const tenants = this.#tasks.length;
    let pick: WorkHeap | undefined;
    const qs = this.#profile.queueSort;
    if (qs.nextTenant) {
      const candidates: number[] = [];
      for (let t = 0; t < tenants; t++)
        if (this.#headHeap(t, passOver?.[t] === 1) !== undefined) candidates.push(t);
      if (candidates.length === 0) return undefined;
      const t = candidates.length === 1 ? candidates[0]! : qs.nextTenant(candidates, s);
      pick = this.#headHeap(t, passOver?.[t] === 1);
    } else {
      for (let t = 0; t < tenants; t++) {
        const heap = this.#headHeap(t, passOver !== undefined && passOver[t] === 1);
        if (heap === undefined) continue;
        if (pick === undefined || this.#before(heap, pick)) pick = heap;
      }
    }
    if (pick === undefined) return undefined;
    const item = pick.pop();
    if (item) this.#size--;
    return item;
  }

  /** Removes every waiting item matching `pred` (rare: node failures, replanning). */
  removeWhere(pred: (item: WorkItem) => boolean): WorkItem[] {
    const out: WorkItem[] = [];
    for (let t = 0; t < this.#tasks.length; t++) {
      out.push(...this.#tasks[t]!.removeWhere(pred));
      out.push(...this.#refreshes[t]!.removeWhere(pred));
    }
    this.#size -= out.length;
    return out;
  }

  /** Waiting items, in no particular order. */
  *items(): Iterable<WorkItem> {
    for (let t = 0; t < this.#tasks.length; t++) {
      yield* this.#tasks[t]!.toArray();
      yield* this.#refreshes[t]!.toArray();
    }
  }
}
