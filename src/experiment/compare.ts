import { cpus } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { PolicyRef, Scenario } from '../model/scenario.js';
import { registry } from '../policies/index.js';
import type { RunResult } from '../world/results.js';
import { resolvePolicy, runScenario } from './run.js';
import { summarizeDocuments } from './summarize.js';

export interface CompareOptions {
  policies: readonly (string | PolicyRef)[];
  replications: number;
  /** seeds are firstSeed, firstSeed+1, …: every policy sees the same seeds (common random numbers) */
  firstSeed?: number;
  horizon?: number;
  /** worker threads to use; 1 runs in this thread. Default: the number of cores */
  workers?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface CompareResult {
  scenario: string;
  replications: number;
  seeds: number[];
  results: {
    policy: string;
    params: Readonly<Record<string, unknown>>;
    metrics: unknown;
    runs: RunResult[];
  }[];
}

export interface Job {
  policy: PolicyRef;
  seed: number;
  horizon: number | undefined;
}

/**
 * Runs every policy on the same seeds and summarises each metric as mean ± 95% CI.
 * Parallel runs go to worker threads; results are put back in (policy, seed) order, so the output does not
 * depend on which worker finished first.
 */
export async function compare(scenario: Scenario, options: CompareOptions): Promise<CompareResult> {
  const plan = planCompare(scenario, options);
  const results = await runJobs(scenario, plan.jobs, options.workers ?? cpus().length, options.onProgress);
  return tabulate(scenario, plan, results);
}

/** The runs of a comparison: every policy (checked here) on every seed, in (policy, seed) order. */
export function planCompare(
  scenario: Scenario,
  options: Pick<CompareOptions, 'policies' | 'replications' | 'firstSeed' | 'horizon'>,
): { policies: PolicyRef[]; seeds: number[]; replications: number; jobs: Job[] } {
  const first = options.firstSeed ?? scenario.seed;
  const seeds = Array.from({ length: options.replications }, (_, i) => first + i);
  const policies = options.policies.map((p) => resolvePolicy(scenario, p));
  // bad policy names or parameters are the user's error: report them here, not from inside a worker
  for (const p of policies) registry.create(p.name, p.params);
  const jobs: Job[] = [];
  for (const policy of policies)
    for (const seed of seeds) jobs.push({ policy, seed, horizon: options.horizon });
  return { policies, seeds, replications: options.replications, jobs };
}

/** The runs of a plan (in its order) as a comparison: each policy's metrics as mean ± 95% CI. */
export function tabulate(
  scenario: Scenario,
  plan: { policies: readonly PolicyRef[]; seeds: number[]; replications: number },
  results: readonly RunResult[],
): CompareResult {
  const { policies, seeds } = plan;
  return {
    scenario: scenario.name,
    replications: plan.replications,
    seeds,
    results: policies.map((policy, p) => {
      const runs = results.slice(p * seeds.length, (p + 1) * seeds.length);
      return { policy: policy.name, params: policy.params, metrics: summarizeDocuments(runs), runs };
    }),
  };
}

/** Compiled JavaScript can start workers on itself; under a TypeScript test runner we run in-thread. */
const canUseWorkers = import.meta.url.endsWith('.js');

async function runJobs(
  scenario: Scenario,
  jobs: readonly Job[],
  workers: number,
  onProgress: CompareOptions['onProgress'],
): Promise<RunResult[]> {
  const out: RunResult[] = new Array(jobs.length);
  let done = 0;
  const n = Math.max(1, Math.min(workers, jobs.length));
  if (n === 1 || !canUseWorkers) {
    for (let i = 0; i < jobs.length; i++) {
      const j = jobs[i]!;
      out[i] = runScenario(scenario, {
        policy: j.policy,
        seed: j.seed,
        ...(j.horizon !== undefined ? { horizon: j.horizon } : {}),
      });
      onProgress?.(++done, jobs.length);
      // let a progress bar repaint between runs
      await new Promise((r) => setImmediate(r));
    }
    return out;
  }
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: { scenario } });
      try {
        while (next < jobs.length) {
          const i = next++;
          out[i] = await new Promise<RunResult>((resolve, reject) => {
            const onMessage = (
              m: { ok: true; result: RunResult } | { ok: false; error: string; code?: string },
            ) => {
              worker.off('error', reject);
              if (m.ok) resolve(m.result);
              else reject(Object.assign(new Error(m.error), { code: m.code }));
            };
            worker.once('message', onMessage);
            worker.once('error', reject);
            worker.postMessage(jobs[i]);
          });
          onProgress?.(++done, jobs.length);
        }
      } finally {
        await worker.terminate();
      }
    }),
  );
  return out;
}
