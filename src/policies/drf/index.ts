// Dominant Resource Fairness: the standalone allocator, the Mesos-style order and the incremental tracker.

export {
  type DrfHolder,
  type DrfOptions,
  type DrfResult,
  type DrfUser,
  type DrfUserAllocation,
  dominantShare,
  drfAllocate,
  drfOrder,
} from './drf.js';
export {
  DominantShareTracker,
  lowestDominantShareTenant,
  type TenantHoldings,
  type TrackedTenant,
} from './tracker.js';
