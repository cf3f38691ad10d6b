/**
 * A what-if that starts from the live state instead of fresh twins: the live service's snapshot scenario
 * (src/live/snapshot.ts, `snapshotSpec`) and its twins' ages go into the world's fork port
 * (`World.snapshotFork`), and every policy runs from that one copied state on the same streams (common
 * random numbers). The live what-if route runs it in place of simulating the snapshot from fresh twins
 * (src/live/snapshot.ts `whatIf`, through `compareFromAges`: replications on worker threads).
 */
import { Worker } from 'node:worker_threads';
import type { PolicyRef, Scenario } from '../model/scenario.js';
import { registry } from '../policies/index.js';
import { withSensitivePlacement } from '../policies/privacy/index.js';
import type { ForkOutcome } from '../scheduler/fork.js';
import type { RunResult } from '../world/results.js';
import { World } from '../world/world.js';
import { type CompareResult, planCompare, tabulate } from './compare.js';

export interface ForkWhatIfOptions {
  /** simulated seconds ahead (default: the scenario's horizon) */
  readonly horizon?: number;
  /** the fork's streams (default: the scenario's seed) */
  readonly seed?: number;
  /** stop a run after this many events (reported as truncated) */
  readonly maxEvents?: number;
}

/** Runs each policy from the snapshot with its twins as old as `ages` says (seconds, by twin id). */
export function whatIfFromAges(
  scenario: Scenario,
  ages: Readonly<Record<string, number>>,
  policies: readonly (string | PolicyRef)[],
  o: ForkWhatIfOptions = {},
): { policy: string; outcome: ForkOutcome }[] {
  const fork = World.snapshotFork(scenario, ages, o.seed ?? scenario.seed);
  return policies.map((p) => {
    const ref = typeof p === 'string' ? { name: p, params: {} } : p;
    const profile = withSensitivePlacement(registry.create(ref.name, ref.params), scenario);
    const outcome = fork.run({
      profile,
      horizon: o.horizon ?? scenario.horizon,
      ...(o.maxEvents !== undefined ? { maxEvents: o.maxEvents } : {}),
    });
    return { policy: ref.name, outcome };
  });
}

/** One replication of one policy from the snapshot: the fork's streams are keyed by `seed`. */
export interface ForkJob {
  readonly policy: PolicyRef;
  readonly seed: number;
  readonly horizon: number | undefined;
}

/** Runs one fork job: a fresh fork per replication seed, so every policy of that seed starts alike. */
export function runForkJob(
  scenario: Scenario,
  ages: Readonly<Record<string, number>>,
  job: ForkJob,
): RunResult {
  const [run] = whatIfFromAges(scenario, ages, [job.policy], {
    seed: job.seed,
    ...(job.horizon !== undefined ? { horizon: job.horizon } : {}),
  });
  return run!.outcome.result as RunResult;
}

export interface ForkCompareOptions {
  readonly policies: readonly (string | PolicyRef)[];
  readonly replications: number;
  /** replication seeds are firstSeed, firstSeed+1, …, the same for every policy (common random numbers) */
  readonly firstSeed?: number;
  readonly horizon?: number;
  /** worker threads (compiled code only; under a TypeScript runner the runs stay in this thread) */
  readonly workers?: number;
}

/**
 * `compare` from the snapshot's fork: every policy × replication seed runs from the twins' live ages, and
 * each policy's runs are summarised as mean ± 95 % CI. Runs go to worker threads (src/experiment/worker.ts,
 * given the ages), so the caller's event loop keeps serving; results come back in (policy, seed) order.
 */
export async function compareFromAges(
  scenario: Scenario,
  ages: Readonly<Record<string, number>>,
  o: ForkCompareOptions,
): Promise<CompareResult> {
  const plan = planCompare(scenario, o);
  return tabulate(scenario, plan, await runForkJobs(scenario, ages, plan.jobs, o.workers ?? 2));
}

const compiled = import.meta.url.endsWith('.js');

type WorkerReply = { ok: true; result: RunResult } | { ok: false; error: string; code?: string };

async function runForkJobs(
  scenario: Scenario,
  ages: Readonly<Record<string, number>>,
  jobs: readonly ForkJob[],
  workers: number,
): Promise<RunResult[]> {
  const out: RunResult[] = new Array(jobs.length);
  const threads = Math.max(1, Math.min(workers, jobs.length));
  if (!compiled || threads === 1) {
    for (const [i, job] of jobs.entries()) {
      out[i] = runForkJob(scenario, ages, job);
      // between runs, whatever else waits on this event loop gets a turn
      await new Promise((r) => setImmediate(r));
    }
    return out;
  }
  let taken = 0;
  const drain = async (thread: Worker) => {
    try {
      for (let i = taken++; i < jobs.length; i = taken++) {
        const reply = await new Promise<WorkerReply>((resolve, reject) => {
          thread.once('error', reject);
          thread.once('message', (m: WorkerReply) => {
            thread.off('error', reject);
            resolve(m);
          });
          thread.postMessage(jobs[i]);
        });
        if (!reply.ok) throw Object.assign(new Error(reply.error), { code: reply.code });
        out[i] = reply.result;
      }
    } finally {
      await thread.terminate();
    }
  };
  const url = new URL('./worker.js', import.meta.url);
  await Promise.all(
    Array.from({ length: threads }, () => drain(new Worker(url, { workerData: { scenario, ages } }))),
  );
  return out;
}
