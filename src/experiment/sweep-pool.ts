/**
 * Runs sweep cells on worker threads (one per core by default) and hands each result to the caller
 * as soon as it exists, so a sweep that is stopped keeps every cell that finished.
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
  scenarioHash: string;
  scenario?: Scenario;
  policy: PolicyRef;
  seed: number;
  horizon: number | undefined;
}

type Reply = { ok: true; text: string; elapsedMs: number } | { ok: false; error: string; code?: string };

/** Compiled JavaScript can start workers on itself; under a TypeScript test runner cells run in-thread. */
const canUseWorkers = import.meta.url.endsWith('.js');

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
      const worker = new Worker(new URL('./sweep-worker.js', import.meta.url));
      const sent = new Set<string>();
      try {
        while (next < cells.length && failed === undefined) {
          const i = next++;
          const cell = cells[i]!;
          const message: CellMessage = {
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
        failed ??= err;
      } finally {
        await worker.terminate();
      }
    }),
  );
  if (failed !== undefined) throw failed;
}
