/**
 * The one feasibility rule: can a node run a piece of work? Every placement path asks here — the runtime's
 * filter step (`fits` / `infeasible` in scheduler.ts), the ARS scores that look for the best feasible node,
 * and the planners that build a cost matrix — so that "fits" means the same thing everywhere.
 *
 * Two questions, one rule:
 * - `fitsNow`: the node is up, of the work's tier, and has the compute and attention free now (a slack of
 *   1e-9 units absorbs rounding in the running sums of reservations);
 * - `fitsEver`: the node is of the work's tier and its capacity (free or not) can hold the demands — what a
 *   planner placing work ahead of time needs.
 * Tenant quotas (`withinQuota`) and the profile's filters come on top, in scheduler.ts.
 */
import type { NodeView, Snapshot, TenantView } from './types.js';

/** What feasibility reads of a piece of work (a `WorkItem`, a task definition, a demand). */
export interface Demands {
  readonly compute: number;
  readonly attention: number;
  readonly tier?: NodeView['tier'] | undefined;
}

/** Rounding slack on free capacity. */
export const FIT_SLACK = 1e-9;

/** Why the node cannot take the demands now (down, tier, free compute, free attention), or null. */
export function nodeRefusal(d: Demands, node: NodeView): string | null {
  if (!node.up) return 'node down';
  if (d.tier !== undefined && node.tier !== d.tier) return `needs tier ${d.tier}`;
  if (node.freeCompute < d.compute - FIT_SLACK) return 'not enough free compute';
  if (node.freeAttention < d.attention - FIT_SLACK) return 'not enough free attention';
  return null;
}

/** `nodeRefusal(d, node) === null` without building a reason: the hot path's form. */
export function fitsNow(d: Demands, node: NodeView): boolean {
  return (
    node.up &&
    (d.tier === undefined || node.tier === d.tier) &&
    !(node.freeCompute < d.compute - FIT_SLACK) &&
    !(node.freeAttention < d.attention - FIT_SLACK)
  );
}

/** Whether the node could run the demands at all, once free: its tier, and its capacities. */
export function fitsEver(d: Demands, node: NodeView): boolean {
  return (
    (d.tier === undefined || d.tier === node.tier) &&
    d.compute <= node.computeCapacity &&
    d.attention <= node.attentionCapacity
  );
}

/** Which of the tenant's quotas taking the demands would exceed ('compute', 'attention'), or null. */
export function quotaRefusal(d: Demands, tenant: TenantView, s: Snapshot): 'compute' | 'attention' | null {
  if (
    tenant.quotaCompute !== undefined &&
    tenant.heldCompute + d.compute > tenant.quotaCompute * s.totalCompute + FIT_SLACK
  )
    return 'compute';
  if (
    tenant.quotaAttention !== undefined &&
    d.attention > 0 &&
    tenant.heldAttention + d.attention > tenant.quotaAttention * s.totalAttention + FIT_SLACK
  )
    return 'attention';
  return null;
}

/** `quotaRefusal(...) === null`: the hot path's form. */
export function withinQuota(d: Demands, tenant: TenantView, s: Snapshot): boolean {
  return (
    (tenant.quotaCompute === undefined ||
      tenant.heldCompute + d.compute <= tenant.quotaCompute * s.totalCompute + FIT_SLACK) &&
    (tenant.quotaAttention === undefined ||
      d.attention <= 0 ||
      tenant.heldAttention + d.attention <= tenant.quotaAttention * s.totalAttention + FIT_SLACK)
  );
}
