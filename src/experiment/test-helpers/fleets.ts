// Small fleets for the tests of the freshness bound and of ARS's attention (not exported from the package).

import type { Scenario } from '../../model/scenario.js';
import { literalScenario } from '../../model/test-helpers/literal.js';

/** the groups of `threeGroups`: criticality and refresh work differ, nothing else */
export const THREE_GROUPS = [
  { id: 'hot', count: 30, criticality: 4, work: 0.2 },
  { id: 'warm', count: 50, criticality: 1, work: 0.5 },
  { id: 'cold', count: 20, criticality: 0.25, work: 2 },
] as const;

/**
 * 100 twins in three groups on one node of 4 slots, over a free network, no requests and no anomalies
 * declared: refreshes compete only with each other (the square-root law's own setting).
 */
export function threeGroups(): Scenario {
  return literalScenario(
    {
      warmup: 60,
      nodes: [{ id: 'n', tier: 'edge', compute: 4, attention: 4 }],
      network: { default: { latency: 0, bandwidth: 1e15 } },
      assets: THREE_GROUPS.map((g) => ({
        id: g.id,
        count: g.count,
        tenant: 't',
        twin: {
          criticality: g.criticality,
          sampleBytes: 0,
          refresh: { work: g.work, compute: 1, attention: 1 },
        },
      })),
    },
    { name: 'three-groups', horizon: 600, file: 'three-groups.json' },
  );
}
