import type { QueueSort } from '../../scheduler/plugins.js';
import { lowestDominantShareTenant } from './tracker.js';

/**
 * DRF as a queue order (Ghodsi et al., NSDI 2011): serve the tenant with the lowest weighted dominant share
 * of compute and attention held right now; within a tenant, first come first served.
 */
export const drfOrder: QueueSort = {
  name: 'drf',
  compare: (a, b) => a.arrival - b.arrival,
  nextTenant: (candidates, s) =>
    lowestDominantShareTenant(candidates, s.tenants, s.totalCompute, s.totalAttention),
};
