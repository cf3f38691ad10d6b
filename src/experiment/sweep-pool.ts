/**
 * Runs sweep cells on worker threads (one per core by default) and hands each result to the caller
 * as soon as it exists, so a sweep that is stopped keeps every cell that finished.
 *
 * A worker thread is expensive to start cold: besides loading the modules (about 0.1 CPU-s), its V8
 * isolate runs the simulator unoptimised until the JIT has seen enough of it (about 1 CPU-s on the
 * smart factory), which is as much as several short cells. So workers are kept: a thread runs every
 * cell it is given, and when a sweep ends its threads wait, unreferenced (they never keep the process
 * alive), for the next sweep of the same process (a bench, a library caller, the live service's
 * what-if). A thread that failed is not reused.
 */
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { PolicyRef, Scenario } from '../model/scenario.js';
import { runScenario } from './run.js';

export interface PoolCell {
  scenarioHash: string;
  scenario: Scenario;
  policy: PolicyRef;
  seed: number;
  horizon: number | undefined;
}

/** What a worker is sent: the scenario only with the first cell of that scenario it sees. */
export interface CellMessage {
  /** the first cell of a sweep on this thread: forget the scenarios of earlier sweeps */
  fresh?: boolean;
  scenarioHash: string;
  scenario?: Scenario;
  policy: PolicyRef;
  seed: number;
  horizon: number | undefined;
}

type Reply = { ok: true; text: string; elapsedMs: number } | { ok: false; error: string; code?: string };

/** Compiled JavaScript can start workers on itself; under a TypeScript test runner cells run in-thread. */
const canUseWorkers = import.meta.url.endsWith('.js');

/** Threads that finished their last sweep and wait for another, warm. */
const idle: Worker[] = [];

/** A waiting thread that dies is dropped (an 'error' without a listener would throw in this thread). */
function dropIdle(this: Worker): void {
  const i = idle.indexOf(this);
  if (i >= 0) idle.splice(i, 1);
}

function takeWorker(): Worker {
  const w = idle.pop() ?? new Worker(new URL('./sweep-worker.js', import.meta.url));
  w.off('error', dropIdle).off('exit', dropIdle);
  w.ref();
  return w;
}

function giveBack(w: Worker): void {
  w.on('error', dropIdle).on('exit', dropIdle);
  w.unref();
  idle.push(w);
}

/** Ends the threads kept warm between sweeps (a long-lived caller that is done with sweeps). */
export async function closeSweepWorkers(): Promise<void> {
  await Promise.all(idle.splice(0).map((w) => w.terminate()));
}

/** How many threads wait warm for the next sweep. */
export function warmSweepWorkers(): number {
  return idle.length;
}

function runHere(cell: PoolCell): { text: string; elapsedMs: number } {
  const started = performance.now();
  const result = runScenario(cell.scenario, {
    policy: cell.policy,
    seed: cell.seed,
    ...(cell.horizon !== undefined ? { horizon: cell.horizon } : {}),
  });
  return { text: JSON.stringify(result), elapsedMs: performance.now() - started };
}

/**
 * Runs every cell once; `onResult(i, text, elapsedMs)` is called in completion order.
 * The first failing cell stops the pool (cells already reported stay reported).
 */
export async function runCells(
  cells: readonly PoolCell[],
  workers: number,
  onResult: (index: number, text: string, elapsedMs: number) => void,
): Promise<void> {
  const n = Math.max(1, Math.min(workers, cells.length));
  if (cells.length === 0) return;
  if (n === 1 || !canUseWorkers) {
    for (let i = 0; i < cells.length; i++) {
      const r = runHere(cells[i]!);
      onResult(i, r.text, r.elapsedMs);
      // let a progress bar repaint and a Ctrl-C through between cells
      await new Promise((resolve) => setImmediate(resolve));
    }
    return;
  }
  let next = 0;
  let failed: unknown;
  await Promise.all(
    Array.from({ length: n }, async () => {
      const worker = takeWorker();
      const sent = new Set<string>();
      let healthy = true;
      try {
        while (next < cells.length && failed === undefined) {
          const i = next++;
          const cell = cells[i]!;
          const message: CellMessage = {
            ...(sent.size === 0 ? { fresh: true } : {}),
            scenarioHash: cell.scenarioHash,
            ...(sent.has(cell.scenarioHash) ? {} : { scenario: cell.scenario }),
            policy: cell.policy,
            seed: cell.seed,
            horizon: cell.horizon,
          };
          sent.add(cell.scenarioHash);
          const reply = await new Promise<Reply>((resolve, reject) => {
            worker.once('message', (m: Reply) => {
              worker.off('error', reject);
              resolve(m);
            });
            worker.once('error', reject);
            worker.postMessage(message);
          });
          if (!reply.ok) throw Object.assign(new Error(reply.error), { code: reply.code });
          onResult(i, reply.text, reply.elapsedMs);
        }
      } catch (err) {
        healthy = false;
        failed ??= err;
      } finally {
        if (healthy) giveBack(worker);
        else await worker.terminate();
      }
    }),
  );
  if (failed !== undefined) throw failed;
}
