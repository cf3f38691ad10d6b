// The policy catalogue: every named policy that `ars run --policy` accepts.
import type { AttentionAllocator } from '../scheduler/plugins.js';
import { buildProfile, type ProfileSpec } from '../scheduler/profile.js';
import { choiceParam, type PolicyFactory, PolicyRegistry } from '../scheduler/registry.js';
import type { Snapshot } from '../scheduler/types.js';
import { aoiPolicies } from './aoi/index.js';
import { arsPolicies } from './ars/index.js';
import { maxAgeFirst, uniformRefresh } from './baseline/attention.js';
import { edfOrder, fifoOrder } from './baseline/queue-sorts.js';
import { earliestFinish, firstFit, leastLoaded, randomNode, roundRobin } from './baseline/scores.js';
import { drfOrder } from './drf/plugin.js';
import { batchPlanner, dagPlanner } from './planning/in-world.js';
import { cpop, ga, heft, maxmin, minmin, peft, pso } from './planning/index.js';

const ATTENTION_RULES = ['uniform-refresh', 'max-age-first'] as const;
type AttentionRule = (typeof ATTENTION_RULES)[number];

function attentionRule(rule: AttentionRule): AttentionAllocator {
  return rule === 'max-age-first' ? maxAgeFirst() : uniformRefresh();
}

/** A baseline: one queue order, one placement score, and an attention rule chosen by the `attention` parameter. */
function baseline(
  name: string,
  summary: string,
  placement: string,
  make: () => Omit<ProfileSpec, 'name' | 'description' | 'attention' | 'params'>,
  defaultAttention: AttentionRule = 'uniform-refresh',
): PolicyFactory {
  return {
    name,
    summary,
    placement,
    attention: `${defaultAttention} (parameter attention: ${ATTENTION_RULES.join(' | ')})`,
    params: {
      attention: `attention rule, one of ${ATTENTION_RULES.join(', ')}; default ${defaultAttention}`,
    },
    create(params) {
      const rule = choiceParam(name, params, 'attention', ATTENTION_RULES, defaultAttention);
      return buildProfile({
        name,
        description: summary,
        ...make(),
        attention: attentionRule(rule),
        params: { attention: rule },
      });
    },
  };
}

/** Searches inside a run stop on iterations, never on wall time, so runs stay deterministic. */
const WORLD_SEARCH_ITERATIONS = 200;
const policySeed = (s: Snapshot) => Math.floor(s.random() * 2 ** 31);

export const registry = new PolicyRegistry()
  .register(
    baseline(
      'fifo',
      'first come, first served onto the first node that fits',
      'FIFO queue, first fit',
      () => ({
        queueSort: fifoOrder,
        scores: [{ plugin: firstFit(), weight: 1 }],
      }),
    ),
  )
  .register(
    baseline('random', 'FIFO queue onto a uniformly random feasible node', 'FIFO queue, random node', () => ({
      queueSort: fifoOrder,
      scores: [{ plugin: randomNode(), weight: 1 }],
    })),
  )
  .register(
    baseline('round-robin', 'FIFO queue, nodes taken in turn', 'FIFO queue, next node in a cycle', () => ({
      queueSort: fifoOrder,
      scores: [{ plugin: roundRobin(), weight: 1 }],
    })),
  )
  .register(
    baseline(
      'least-loaded',
      'FIFO queue onto the node with the most free compute',
      'FIFO queue, least loaded node',
      () => ({
        queueSort: fifoOrder,
        scores: [{ plugin: leastLoaded(), weight: 1 }],
      }),
    ),
  )
  .register(
    baseline(
      'earliest-deadline-first',
      'earliest deadline first onto the node that finishes the task soonest',
      'EDF queue, earliest finish time incl. transfers',
      () => ({ queueSort: edfOrder, scores: [{ plugin: earliestFinish(), weight: 1 }] }),
    ),
  )
  .register(
    baseline(
      'drf',
      'dominant resource fairness: the tenant with the lowest weighted dominant share goes next, onto the least loaded node',
      'DRF tenant order (FIFO within a tenant), least loaded node',
      () => ({ queueSort: drfOrder, scores: [{ plugin: leastLoaded(), weight: 1 }] }),
    ),
  )
  .register(
    baseline(
      'uniform-refresh',
      'least-loaded placement; attention round-robin over twins',
      'FIFO queue, least loaded node',
      () => ({ queueSort: fifoOrder, scores: [{ plugin: leastLoaded(), weight: 1 }] }),
      'uniform-refresh',
    ),
  )
  .register(
    baseline(
      'max-age-first',
      'least-loaded placement; attention to the twin with the largest criticality-weighted age',
      'FIFO queue, least loaded node',
      () => ({ queueSort: fifoOrder, scores: [{ plugin: leastLoaded(), weight: 1 }] }),
      'max-age-first',
    ),
  )
  .register(
    baseline(
      'heft',
      'HEFT (Topcuoglu et al. 2002) plans each request’s DAG on arrival against the nodes’ backlogs; execution follows the plan',
      'plan per request: upward rank, insertion-based earliest finish incl. transfers',
      () => ({
        queueSort: fifoOrder,
        scores: [{ plugin: earliestFinish(), weight: 1 }],
        planner: dagPlanner('heft', heft),
      }),
    ),
  )
  .register(
    baseline(
      'cpop',
      'CPOP (Topcuoglu et al. 2002): the critical path of each request on one node, the rest by earliest finish',
      'plan per request: critical path on its best node',
      () => ({
        queueSort: fifoOrder,
        scores: [{ plugin: earliestFinish(), weight: 1 }],
        planner: dagPlanner('cpop', cpop),
      }),
    ),
  )
  .register(
    baseline(
      'peft',
      'PEFT (Arabnejad & Barbosa 2014): optimistic cost table lookahead for each request’s DAG',
      'plan per request: rank_oct order, EFT + OCT',
      () => ({
        queueSort: fifoOrder,
        scores: [{ plugin: earliestFinish(), weight: 1 }],
        planner: dagPlanner('peft', peft),
      }),
    ),
  )
  .register(
    baseline(
      'minmin',
      'Min-Min (Braun et al. 2001) over the ready work of each scheduling window',
      'batch per window: smallest minimum completion time first',
      () => ({
        queueSort: fifoOrder,
        scores: [{ plugin: earliestFinish(), weight: 1 }],
        planner: batchPlanner('minmin', (p) => minmin(p)),
      }),
    ),
  )
  .register(
    baseline(
      'maxmin',
      'Max-Min (Braun et al. 2001) over the ready work of each scheduling window',
      'batch per window: largest minimum completion time first',
      () => ({
        queueSort: fifoOrder,
        scores: [{ plugin: earliestFinish(), weight: 1 }],
        planner: batchPlanner('maxmin', (p) => maxmin(p)),
      }),
    ),
  )
  .register(
    baseline(
      'ga',
      'memetic genetic algorithm from Min-Min over each window’s ready work (200 offspring, seeded from the policy stream)',
      'batch per window: GA search, never worse than Min-Min',
      () => ({
        queueSort: fifoOrder,
        scores: [{ plugin: earliestFinish(), weight: 1 }],
        planner: batchPlanner('ga', (p, s) =>
          ga(p, { iterations: WORLD_SEARCH_ITERATIONS, seed: policySeed(s) }),
        ),
      }),
    ),
  )
  .register(
    baseline(
      'pso',
      'discrete particle swarm from Min-Min over each window’s ready work (200 moves, seeded from the policy stream)',
      'batch per window: PSO search, never worse than Min-Min',
      () => ({
        queueSort: fifoOrder,
        scores: [{ plugin: earliestFinish(), weight: 1 }],
        planner: batchPlanner('pso', (p, s) =>
          pso(p, { iterations: WORLD_SEARCH_ITERATIONS, seed: policySeed(s) }),
        ),
      }),
    ),
  );
// registered by name: every ARS variant the ars folder defines, and the age-of-information policies
for (const f of [...arsPolicies, ...aoiPolicies]) registry.register(f);

/** Names of every registered policy, sorted. */
export function policyNames(): string[] {
  return registry.names();
}

/** The placement baselines `ars compare` runs when no `--policies` are given. */
export const PLACEMENT_BASELINES: readonly string[] = [
  'fifo',
  'random',
  'round-robin',
  'least-loaded',
  'earliest-deadline-first',
];

/**
 * The reference policies: `ars tune` scores candidates against the best of them, scripts/evaluate.js and
 * docs/evaluation.md compare ARS with them, in this order. `uniform-refresh` is `least-loaded` under its
 * attention rule's name (the same profile), listed so the evaluation shows the round-robin attention row.
 */
export const BASELINES: readonly string[] = [
  'fifo',
  'random',
  'round-robin',
  'least-loaded',
  'earliest-deadline-first',
  'uniform-refresh',
  'max-age-first',
  'max-weight',
  'whittle',
  'aoi-randomized',
  'drf',
  'heft',
];
