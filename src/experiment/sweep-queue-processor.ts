// The sandboxed BullMQ processor of `ars worker`: runs one sweep cell and returns its result's JSON
// text, the same bytes a local sweep stores. It runs on a worker thread, apart from the thread that
// renews the job's lock.
import type { Job } from 'bullmq';
import { runScenario } from './run.js';
import type { CellJob } from './sweep-queue.js';

export default async function processCell(job: Job<CellJob>): Promise<string> {
  const { scenario, policy, seed, horizon } = job.data;
  const result = runScenario(scenario, { policy, seed, ...(horizon !== undefined ? { horizon } : {}) });
  return JSON.stringify(result);
}
