import type { Score } from '../../scheduler/plugins.js';

/** Every feasible node scores the same, so the lowest-index feasible node wins: first fit. */
export const firstFit = (): Score => ({ name: 'first-fit', score: () => 0 });

/** A uniformly random feasible node, from the policy's seeded stream. */
export const randomNode = (): Score => ({ name: 'random', score: (_item, _node, s) => s.random() });

/** The next feasible node after the one chosen last, cycling through the node list. */
export function roundRobin(): Score {
  let last = -1;
  return {
    name: 'round-robin',
    score: (_item, node, s) => {
      const n = s.nodes.length;
      return 1 - ((node.index - last - 1 + n) % n) / n;
    },
    bound: (_item, node) => {
      last = node.index;
    },
  };
}

/** The node with the largest share of its compute still free after placing the item. */
export const leastLoaded = (): Score => ({
  name: 'least-loaded',
  score: (item, node) => (node.freeCompute - item.compute) / node.computeCapacity,
  // (free − c) / capacity: rises with free compute at a given capacity, and floating-point rounding keeps that
  monotoneInFreeCompute: true,
});

/**
 * Earliest finish time, counting the input transfers from where the data sits and the node's speed
 * for the task kind: 1 / (1 + seconds until finish), so sooner is higher and the score stays in (0, 1].
 */
export const earliestFinish = (): Score => ({
  name: 'earliest-finish',
  score: (item, node, s) => {
    const finish = s.inputsReadyAt(item, node.index) + item.work / node.speed(item.kind);
    return 1 / (1 + finish - s.now);
  },
});

/** Cheaper nodes first: 1 / (1 + cost of running the item there). */
export const lowCost = (): Score => ({
  name: 'low-cost',
  score: (item, node) => 1 / (1 + (node.costPerSecond * item.work) / node.speed(item.kind)),
});
