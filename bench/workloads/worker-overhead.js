#!/usr/bin/env node
// What a sweep worker thread costs on top of its cells: the same six cells (smart factory, fifo,
// 120 s, seeds 1–6) run in this thread or in one fresh worker, as CPU seconds of the whole process.
// CPU time, unlike wall time, hardly depends on how busy the machine is.
//
//   npm run build && node bench/workloads/worker-overhead.js thread
//   npm run build && node bench/workloads/worker-overhead.js worker
import { Worker } from 'node:worker_threads';
import { runScenario } from '../../dist/experiment/run.js';
import { loadScenario } from '../../dist/model/index.js';

const mode = process.argv[2] === 'worker' ? 'worker' : 'thread';
const scenario = loadScenario('examples/smart-factory.yaml');
const cells = [1, 2, 3, 4, 5, 6].map((seed) => ({
  scenarioHash: 'h',
  policy: { name: 'fifo', params: {} },
  seed,
  horizon: 120,
}));
const c0 = process.cpuUsage();
const t0 = performance.now();
if (mode === 'thread') {
  for (const c of cells)
    JSON.stringify(runScenario(scenario, { policy: c.policy, seed: c.seed, horizon: c.horizon }));
} else {
  const worker = new Worker(new URL('../../dist/experiment/sweep-worker.js', import.meta.url));
  let first = true;
  for (const c of cells) {
    await new Promise((done) => {
      worker.once('message', done);
      worker.postMessage(first ? { ...c, scenario } : c);
      first = false;
    });
  }
  await worker.terminate();
}
const used = process.cpuUsage(c0);
process.stdout.write(
  `${JSON.stringify({ mode, cells: cells.length, cpuSeconds: (used.user + used.system) / 1e6, wallSeconds: (performance.now() - t0) / 1000 })}\n`,
);
