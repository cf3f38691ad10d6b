/**
 * Freshness policies from Kadota, Sinha, Uysal-Biyikoglu, Singh and Modiano (IEEE/ACM ToN 26(6), 2018) as world
 * policies: `aoi-randomized`, `max-weight` and `whittle`. Placement is least-loaded with a FIFO queue, as for the
 * other attention baselines (`uniform-refresh`, `max-age-first`), so a comparison among them isolates attention.
 */
import { buildProfile } from '../../scheduler/profile.js';
import type { PolicyFactory } from '../../scheduler/registry.js';
import { fifoOrder } from '../baseline/queue-sorts.js';
import { leastLoaded } from '../baseline/scores.js';
import { AOI_RULES, type AoiRule, aoiIndexAllocator, aoiRandomizedAllocator } from './attention.js';

export { AOI_RULES, type AoiRule, aoiIndexAllocator, aoiRandomizedAllocator } from './attention.js';
export {
  BROADCAST_POLICIES,
  type BroadcastNetwork,
  type BroadcastPolicy,
  type BroadcastRun,
  type BroadcastRunOptions,
  checkNetwork,
  lowerBound,
  maxWeightIndex,
  optimalRandomized,
  randomizedExpectedAoI,
  simulateBroadcast,
  whittleIndex,
} from './broadcast.js';

const SUMMARY: Record<AoiRule, { summary: string; attention: string }> = {
  'aoi-randomized': {
    summary:
      'least-loaded placement; attention by the optimal stationary randomized policy of Kadota et al. (ToN 2018)',
    attention:
      'twin i drawn with probability ∝ √(criticality / (reliability · refresh seconds)), learnt online',
  },
  'max-weight': {
    summary: 'least-loaded placement; attention by the Max-Weight policy of Kadota et al. (ToN 2018)',
    attention: 'largest criticality · reliability · age · (age + 2 · refresh seconds) / refresh seconds',
  },
  whittle: {
    summary: 'least-loaded placement; attention by Whittle’s index policy of Kadota et al. (ToN 2018)',
    attention:
      'largest Whittle index c · d · h (p (h − 1)/2 + 1), h = age / refresh seconds d, p = reliability',
  },
};

function factory(rule: AoiRule): PolicyFactory {
  const { summary, attention } = SUMMARY[rule];
  return {
    name: rule,
    summary,
    placement: 'FIFO queue, least loaded node',
    attention,
    params: {},
    create: () =>
      buildProfile({
        name: rule,
        description: summary,
        queueSort: fifoOrder,
        scores: [{ plugin: leastLoaded(), weight: 1 }],
        attention: rule === 'aoi-randomized' ? aoiRandomizedAllocator() : aoiIndexAllocator(rule),
      }),
  };
}

/** The three policies, for the registry. */
export const aoiPolicies: readonly PolicyFactory[] = AOI_RULES.map(factory);
