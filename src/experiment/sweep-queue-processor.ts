// The sandboxed BullMQ processor of `ars worker`: runs one sweep cell and returns its result's JSON
// text, the same bytes a local sweep stores. It runs on a worker thread, apart from the thread that
// renews the job's lock.
import type { Job } from 'bullmq';
import type { PolicyRef, Scenario } from '../model/scenario.js';
import { runScenario } from './run.js';

/** What a queued cell carries: everything its run depends on. */
export interface CellJob {
  scenario: Scenario;
  policy: PolicyRef;
  seed: number;
  horizon: number | undefined;
}

export default async function processCell(job: Job<CellJob>): Promise<string> {
  const { scenario, policy, seed, horizon } = job.data;
  const result = runScenario(scenario, { policy, seed, ...(horizon !== undefined ? { horizon } : {}) });
  return JSON.stringify(result);
}
