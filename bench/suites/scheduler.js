// Scheduling decisions per second: one cycle of the real world places 50,000 queued tasks onto 500,
// 5,000 or 15,000 nodes (bench/workloads/fan-out.js). The figure is tasks bound per second during that
// cycle, timed from the first binding to the last, so it counts the queue, filtering, scoring and
// binding (reservation, transfer, completion event) of every task, and no set-up.
// Kubernetes' scheduler is held to 680-1,100 pods/s at 5,000-15,000 nodes; the goal here is 100,000/s
// at 5,000 nodes, for least-loaded and for ARS.
import { performance } from 'node:perf_hooks';
import { policyNames, registry } from '../../dist/policies/index.js';
import { World } from '../../dist/world/world.js';
import { fanOutScenario } from '../workloads/fan-out.js';

export const name = 'scheduler';

/** Policies that score every node are timed over this many decisions (of the 50,000 queued). */
const SCANNING_SAMPLE = 5_000;
/** Policies that find their node from an index (least-loaded's free-compute index, ARS's class index). */
const INDEXED = new Set(['least-loaded', 'ars']);

/**
 * Binds per second in the cycle that places the fan-out's children, over its first `limit` bindings (the
 * simulation stops there, so a policy that scores every node does not take minutes at 15,000 nodes).
 */
function decisionsPerSecond(scenario, policy, limit) {
  let bound = 0;
  let start = 0;
  let end = 0;
  const enough = new Error('enough decisions timed');
  const world = new World(scenario, registry.create(policy, {}), {
    onExecute: (r) => {
      if (r.task < 1) return;
      if (bound === 0) start = performance.now();
      if (++bound === limit) {
        end = performance.now();
        throw enough; // leaves the cycle at once; the half-run world is thrown away
      }
    },
  });
  try {
    world.run();
  } catch (err) {
    if (err !== enough) throw err;
  }
  if (bound !== limit) throw new Error(`${policy}: bound ${bound} of ${limit} tasks`);
  return (limit - 1) / ((end - start) / 1000);
}

export async function run({ quick, measure, log }) {
  const tasks = quick ? 10_000 : 50_000;
  const sizes = quick ? [500, 5_000] : [500, 5_000, 15_000];
  const hasArs = policyNames().includes('ars');
  const policies = ['least-loaded', ...(hasArs ? ['ars'] : [])];
  const runs = quick ? 2 : 3;
  const result = { tasks, runs, policies, decisionsPerSecond: {}, byPolicy: {} };
  for (const policy of policies) result.byPolicy[policy] = {};
  const rows = [];
  for (const nodes of sizes) {
    const scenario = fanOutScenario({ nodes, tasks });
    // least-loaded and ARS find their node from an index (ARS: src/policies/ars/placement-index.ts), so both
    // are timed over every decision of the cycle
    for (const policy of policies) {
      const limit = INDEXED.has(policy) ? tasks : Math.min(tasks, SCANNING_SAMPLE);
      const m = await measure(() => decisionsPerSecond(scenario, policy, limit), { runs, warmup: 1 });
      result.byPolicy[policy][nodes] = {
        decisionsPerSecond: m.median,
        decisionsPerSecondMin: m.min,
        decisionsPerSecondMax: m.max,
      };
      log(`${policy} at ${nodes} nodes: ${Math.round(m.median)} decisions/s`);
      rows.push({
        figure: `${policy} @ ${nodes} nodes`,
        median: m.median,
        min: m.min,
        max: m.max,
        unit: 'decisions/s',
      });
    }
    // the headline figure per size is least-loaded's (the key); every policy is in `byPolicy`
    result.decisionsPerSecond[nodes] = result.byPolicy['least-loaded'][nodes].decisionsPerSecond;
  }
  return { result, rows };
}
