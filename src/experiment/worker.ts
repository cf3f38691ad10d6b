// A worker thread that runs simulation jobs of one scenario for `compare`.
import { parentPort, workerData } from 'node:worker_threads';
import { ArsError } from '../errors.js';
import type { Scenario } from '../model/scenario.js';
import type { Job } from './compare.js';
import { runScenario } from './run.js';

const scenario = (workerData as { scenario: Scenario }).scenario;

parentPort!.on('message', (job: Job) => {
  try {
    const result = runScenario(scenario, {
      policy: job.policy,
      seed: job.seed,
      ...(job.horizon !== undefined ? { horizon: job.horizon } : {}),
    });
    parentPort!.postMessage({ ok: true, result });
  } catch (err) {
    parentPort!.postMessage({
      ok: false,
      error: err instanceof Error ? err.message : String(err),
      ...(err instanceof ArsError ? { code: err.code } : {}),
    });
  }
});
