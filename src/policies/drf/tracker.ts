/**
 * Incremental dominant shares for a running system: the simulator adds a task's demand when it
 * starts and removes it when it finishes, and asks which tenant DRF would serve next.
 */
import { ArsError } from '../../errors.js';
import { dominantShareOf, type ResourceVector } from '../../metrics/index.js';
import { ShareHeap } from './share-heap.js';

export interface TrackedTenant {
  readonly id: string;
  /** Default 1. */
  readonly weight?: number;
}

/**
 * Tracks what each tenant holds of every resource (by default the two ARS resources, compute and
 * attention) and keeps tenants ordered by weighted dominant share
 * max_r(held[r] / totals[r]) / weight.
 *
 * Interface contract:
 * - Tenants are indexed 0 … n − 1 in the order given to the constructor; `indexOf(id)` maps ids.
 * - `start(t, demand)` / `finish(t, demand)` add and remove one task's demand (a vector aligned with
 *   `resources`; use `vector({ compute, attention })` to build one once). O(R + log n).
 *   `finish` with no task running throws. When a tenant's last task finishes its holdings reset to
 *   exactly 0, so floating-point drift from many add/remove pairs never accumulates.
 * - A tenant is *waiting* when it has ready work; all tenants start waiting. `setWaiting(t, b)` is
 *   O(log n).
 * - `lowest()` returns the waiting tenant with the lowest weighted dominant share in O(1), or -1
 *   when none waits. Ties go to the lowest tenant index, so the answer is deterministic.
 * - `pick(candidates)` answers the same question for an explicit list in O(k), ties to the
 *   lowest index; it is what a scheduler's `nextTenant(candidates)` hook needs.
 * - `setTotals` (capacity changed: failures, autoscaling) and `setWeight` re-key tenants,
 *   O(n log n) and O(log n).
 */
export class DominantShareTracker {
  readonly resources: readonly string[];
  private readonly ids: readonly string[];
  private readonly byId: Map<string, number>;
  private readonly weights: Float64Array;
  private readonly held: Float64Array[];
  private readonly running: Float64Array;
  private readonly heap: ShareHeap;
  private readonly positional: boolean;
  private totals: Float64Array;

  /**
   * @param totals capacity of each resource, named (`{ compute: 100, attention: 40 }`, whose key
   * order fixes the resource order) or positional
   * @param tenants ids and optional weights
   */
  constructor(totals: ResourceVector, tenants: readonly TrackedTenant[]) {
    this.positional = Array.isArray(totals);
    this.resources = Array.isArray(totals) ? totals.map((_, i) => String(i)) : Object.keys(totals);
    this.totals = this.checkTotals(totals);
    this.ids = tenants.map((t) => t.id);
    this.byId = new Map();
    tenants.forEach((t, i) => {
      if (this.byId.has(t.id)) throw new ArsError('ARS_E_INPUT_ARGUMENT', `duplicate tenant id "${t.id}"`);
      this.byId.set(t.id, i);
    });
    this.weights = Float64Array.from(tenants, (t) => checkWeight(t.weight ?? 1));
    this.held = tenants.map(() => new Float64Array(this.resources.length));
    this.running = new Float64Array(tenants.length);
    this.heap = new ShareHeap(tenants.length);
    for (let i = 0; i < tenants.length; i++) this.heap.set(i, 0);
  }

  get size(): number {
    return this.ids.length;
  }

  /** Tenant index of `id`, or -1. */
  indexOf(id: string): number {
    return this.byId.get(id) ?? -1;
  }

  id(tenant: number): string {
    return this.ids[tenant]!;
  }

  /** A demand vector aligned with `resources` from named amounts (missing names are 0). */
  vector(amounts: Readonly<Record<string, number>>): Float64Array {
    for (const key of Object.keys(amounts)) {
      if (!this.resources.includes(key))
        throw new ArsError('ARS_E_INPUT_ARGUMENT', `unknown resource "${key}"`);
    }
    return Float64Array.from(this.resources, (r) => amounts[r] ?? 0);
  }

  /** A task of `tenant` starts holding `demand`. */
  start(tenant: number, demand: ArrayLike<number>): void {
    const h = this.holding(tenant);
    for (let r = 0; r < h.length; r++) h[r]! += demand[r] ?? 0;
    this.running[tenant]! += 1;
    this.rekey(tenant);
  }

  /** A task of `tenant` that held `demand` finishes. */
  finish(tenant: number, demand: ArrayLike<number>): void {
    const h = this.holding(tenant);
    if (this.running[tenant]! <= 0) {
      throw new ArsError(
        'ARS_E_INPUT_ARGUMENT',
        `tenant "${this.ids[tenant]}" has no running task to finish`,
      );
    }
    const left = --this.running[tenant]!;
    for (let r = 0; r < h.length; r++) h[r] = left === 0 ? 0 : Math.max(0, h[r]! - (demand[r] ?? 0));
    this.rekey(tenant);
  }

  /** Marks whether `tenant` has ready work (only waiting tenants are candidates for `lowest`). */
  setWaiting(tenant: number, waiting: boolean): void {
    this.holding(tenant);
    if (waiting) this.heap.set(tenant, this.share(tenant));
    else this.heap.delete(tenant);
  }

  isWaiting(tenant: number): boolean {
    return this.heap.has(tenant);
  }

  /** The waiting tenant with the lowest weighted dominant share (lowest index on ties), or -1. O(1). */
  lowest(): number {
    return this.heap.peek();
  }

  /** The tenant of `candidates` with the lowest weighted dominant share, lowest index on ties; -1 if empty. O(k). */
  pick(candidates: readonly number[]): number {
    let best = -1;
    let bestShare = Number.POSITIVE_INFINITY;
    for (const t of candidates) {
      const s = this.share(t);
      if (best < 0 || s < bestShare || (s === bestShare && t < best)) {
        best = t;
        bestShare = s;
      }
    }
    return best;
  }

  /** Weighted dominant share of `tenant` now. */
  share(tenant: number): number {
    return dominantShareOf(this.holding(tenant), this.totals, this.weights[tenant]!);
  }

  /** What `tenant` holds, aligned with `resources` (a live view: copy it to keep it). */
  holdings(tenant: number): Readonly<Float64Array> {
    return this.holding(tenant);
  }

  /** Tasks of `tenant` currently running. */
  runningTasks(tenant: number): number {
    return this.running[tenant] ?? 0;
  }

  /** The capacity changed (a node failed or was added). */
  setTotals(totals: ResourceVector): void {
    if (Array.isArray(totals) !== this.positional) {
      throw new ArsError('ARS_E_INPUT_ARGUMENT', 'new totals must have the same form as the first');
    }
    this.totals = this.checkTotals(totals);
    for (let t = 0; t < this.size; t++) this.rekey(t);
  }

  setWeight(tenant: number, weight: number): void {
    this.holding(tenant);
    this.weights[tenant] = checkWeight(weight);
    this.rekey(tenant);
  }

  private holding(tenant: number): Float64Array {
    const h = this.held[tenant];
    if (h === undefined) throw new ArsError('ARS_E_INPUT_ARGUMENT', `no tenant with index ${tenant}`);
    return h;
  }

  private rekey(tenant: number): void {
    if (this.heap.has(tenant)) this.heap.set(tenant, this.share(tenant));
  }

  private checkTotals(totals: ResourceVector): Float64Array {
    const values = Array.isArray(totals)
      ? (totals as readonly number[])
      : this.resources.map((r) => (totals as Readonly<Record<string, number>>)[r]);
    if (values.length !== this.resources.length) {
      throw new ArsError('ARS_E_INPUT_ARGUMENT', `totals must list ${this.resources.length} resources`);
    }
    for (const v of values) {
      if (!(v !== undefined && v >= 0 && v < Number.POSITIVE_INFINITY)) {
        throw new ArsError('ARS_E_INPUT_ARGUMENT', `resource totals must be finite and ≥ 0, got ${v}`);
      }
    }
    return Float64Array.from(values as number[]);
  }
}

function checkWeight(weight: number): number {
  if (!(weight > 0 && weight < Number.POSITIVE_INFINITY)) {
    throw new ArsError(
      'ARS_E_INPUT_ARGUMENT',
      `tenant weight must be a positive finite number, got ${weight}`,
    );
  }
  return weight;
}

/** The shape of a tenant the scheduler's snapshot exposes (structurally `TenantView`). */
export interface TenantHoldings {
  readonly weight: number;
  readonly heldCompute: number;
  readonly heldAttention: number;
}

/**
 * Stateless DRF pick for a scheduler hook: among `candidates` (tenant indices), the one with the
 * lowest weighted dominant share of compute and attention, lowest index on ties; -1 if empty. O(k).
 */
export function lowestDominantShareTenant(
  candidates: readonly number[],
  tenants: readonly TenantHoldings[],
  totalCompute: number,
  totalAttention: number,
): number {
  let best = -1;
  let bestShare = Number.POSITIVE_INFINITY;
  const totals = [totalCompute, totalAttention];
  const held = [0, 0];
  for (const t of candidates) {
    const tenant = tenants[t];
    if (tenant === undefined) throw new ArsError('ARS_E_INPUT_ARGUMENT', `no tenant with index ${t}`);
    held[0] = tenant.heldCompute;
    held[1] = tenant.heldAttention;
    const s = dominantShareOf(held, totals, tenant.weight);
    if (best < 0 || s < bestShare || (s === bestShare && t < best)) {
      best = t;
      bestShare = s;
    }
  }
  return best;
}
