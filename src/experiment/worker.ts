// A worker thread that runs simulation jobs of one scenario for `compare`; given twins' ages (the live
// what-if, `compareFromAges`), each job runs from a fork of the snapshot with the twins that old.
import { parentPort, workerData } from 'node:worker_threads';
import { ArsError } from '../errors.js';
import type { Scenario } from '../model/scenario.js';
import type { Job } from './compare.js';
import { runScenario } from './run.js';
import { runForkJob } from './what-if-fork.js';

const { scenario, ages } = workerData as { scenario: Scenario; ages?: Record<string, number> };

parentPort!.on('message', (job: Job) => {
  try {
    const result = ages
      ? runForkJob(scenario, ages, job)
      : runScenario(scenario, {
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
