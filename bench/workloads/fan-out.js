// The scheduler benchmark's scenario: one request whose first task fans out to `tasks` independent
// tasks, so that when it finishes `tasks` items are queued at once and one scheduling cycle places
// them all. `nodes` nodes in two capacity classes (half with twice the compute of the other half),
// with room for every task at once, so every decision finds a node (as in Kubernetes' scheduler_perf
// "scheduling basic" workloads, where the figure is pods bound per second).
import { expandScenario, scenarioSchema } from '../../dist/model/index.js';

/** @param {{ nodes: number, tasks: number, policy?: string }} o */
export function fanOutSpec({ nodes, tasks, policy = 'least-loaded' }) {
  // three slots per node of the small class, six per large: room for all tasks with some to spare
  const small = Math.ceil(nodes / 2);
  const large = nodes - small;
  const perSlot = Math.ceil((tasks * 1.25) / (small * 1 + large * 2));
  const children = [];
  for (let i = 0; i < tasks; i++) children.push({ id: `t${i}`, work: 10, after: ['split'] });
  return {
    name: `fan-out-${nodes}x${tasks}`,
    seed: 1,
    horizon: 5,
    policy,
    tenants: [{ id: 'bench' }],
    nodes: [
      { id: 'small', count: small, tier: 'edge', compute: perSlot, attention: 1 },
      ...(large > 0 ? [{ id: 'large', count: large, tier: 'edge', compute: 2 * perSlot, attention: 1 }] : []),
    ],
    network: { default: { latency: 0.001, bandwidth: 1e9 } },
    workloads: [
      {
        id: 'fan-out',
        tenant: 'bench',
        arrival: { kind: 'periodic', period: 100 },
        tasks: [{ id: 'split', work: 0.001 }, ...children],
      },
    ],
  };
}

export function fanOutScenario(options) {
  return expandScenario(scenarioSchema.parse(fanOutSpec(options)));
}
