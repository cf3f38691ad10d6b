/**
 * Distributed sweeps on BullMQ (Redis): `ars sweep --queue URL` enqueues the cells a store lacks,
 * `ars worker --queue URL` on any number of machines runs them.
 *
 * - A job's id is the cell's run key, so enqueuing a cell twice (two sweeps, a resumed sweep) adds
 *   one job, and a result is the same bytes whoever ran it: delivery is at least once, and a cell
 *   run twice changes nothing.
 * - The simulation runs in a sandboxed processor on a worker thread (`useWorkerThreads`), so the
 *   worker's main thread keeps renewing job locks while a long cell runs. A worker that dies loses
 *   its lock; BullMQ's stalled-job check puts the cell back in the queue for another worker.
 * - The sweep reads each result from the finished job and writes it to its own run store, then
 *   assembles the document from the store exactly as a local sweep does.
 */
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { ArsError } from '../errors.js';
import type { PoolCell } from './sweep-pool.js';
import type { CellJob } from './sweep-queue-processor.js';

export type { CellJob } from './sweep-queue-processor.js';

import { DEFAULT_PREFIX, QUEUE_NAME } from './sweep-queue-names.js';

export { DEFAULT_PREFIX, QUEUE_NAME };

export interface QueueOptions {
  /** redis://host:port[/db] */
  url: string;
  /** key prefix in Redis, to keep unrelated sweeps (or tests) apart; default "ars" */
  prefix?: string;
}

export function connectionOf(url: string): { url: string; maxRetriesPerRequest: null } {
  if (!/^rediss?:\/\//.test(url))
    throw new ArsError('ARS_E_INPUT_ARGUMENT', `--queue expects a redis:// or rediss:// URL, got "${url}"`);
  // BullMQ workers block on Redis: ioredis must not give up on a command after a few retries
  return { url, maxRetriesPerRequest: null };
}

const POLL_MS = 250;

/**
 * Fails fast, as bad input, when Redis does not answer: BullMQ's own connections retry forever,
 * which is right for a worker waiting out a Redis restart but not for a typo in --queue.
 */
export async function checkRedis(url: string): Promise<void> {
  connectionOf(url);
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
  } catch (err) {
    throw new ArsError(
      'ARS_E_INPUT_ARGUMENT',
      `--queue ${url}: Redis does not answer (${err instanceof Error ? err.message : String(err)})`,
    );
  } finally {
    client.disconnect();
  }
}

/**
 * Enqueues every cell (job id = key) and calls `onResult(i, text)` as each one finishes, in
 * completion order. Fails when a cell fails for good (after its attempts).
 */
export async function runCellsOnQueue(
  cells: readonly (PoolCell & { key: string })[],
  options: QueueOptions,
  onResult: (index: number, text: string, elapsedMs: number) => void,
): Promise<void> {
  if (cells.length === 0) return;
  await checkRedis(options.url);
  const queue = new Queue<CellJob, string>(QUEUE_NAME, {
    connection: connectionOf(options.url),
    prefix: options.prefix ?? DEFAULT_PREFIX,
  });
  queue.on('error', (err) => process.emitWarning(`queue ${options.url}: ${err.message}`));
  const watcher = new Redis(options.url, { maxRetriesPerRequest: null });
  watcher.on('error', (err) => process.emitWarning(`queue ${options.url}: ${err.message}`));
  try {
    await queue.addBulk(
      cells.map((c) => ({
        name: 'cell',
        data: { scenario: c.scenario, policy: c.policy, seed: c.seed, horizon: c.horizon },
        opts: { jobId: c.key, attempts: 3, removeOnComplete: false, removeOnFail: false },
      })),
    );
    const pending = new Map(cells.map((c, i) => [c.key, i]));
    while (pending.size > 0) {
      // one round trip asks which cells have finished; only those are read whole (a job holds its
      // scenario: reading every pending job every poll cost the sweep's process more CPU than its
      // bookkeeping, on the machine the workers share)
      const keys = [...pending.keys()];
      const batch = watcher.pipeline();
      for (const key of keys) batch.hget(queue.toKey(key), 'finishedOn');
      const finished = ((await batch.exec()) ?? []).map(([err, v]) => (err ? null : v));
      for (const [n, key] of keys.entries()) {
        if (finished[n] === null || finished[n] === undefined) continue;
        const i = pending.get(key)!;
        const job = await queue.getJob(key);
        if (!job) continue;
        if (job.finishedOn && typeof job.returnvalue === 'string') {
          pending.delete(key);
          onResult(i, job.returnvalue, job.finishedOn - (job.processedOn ?? job.finishedOn));
        } else if (job.finishedOn && job.failedReason && job.attemptsMade >= (job.opts.attempts ?? 1)) {
          throw new Error(`cell ${key} failed on a worker: ${job.failedReason}`);
        }
      }
      if (pending.size > 0) await new Promise((r) => setTimeout(r, POLL_MS));
    }
  } finally {
    watcher.disconnect();
    await queue.close();
  }
}

export interface WorkerOptions extends QueueOptions {
  /** cells run at once by this worker; default 1 (run one `ars worker` per core) */
  concurrency?: number;
  /** how long a job's lock lasts without renewal; a dead worker's cell is retried after about this long */
  lockDurationMs?: number;
  /** how often stalled jobs (of dead workers) are looked for */
  stalledIntervalMs?: number;
}

/** Starts a worker that runs sweep cells from the queue until `close()`. */
export function startQueueWorker(options: WorkerOptions): Worker<CellJob, string> {
  const processor = new URL('./sweep-queue-processor.js', import.meta.url);
  return new Worker<CellJob, string>(QUEUE_NAME, processor, {
    connection: connectionOf(options.url),
    prefix: options.prefix ?? DEFAULT_PREFIX,
    concurrency: options.concurrency ?? 1,
    useWorkerThreads: true,
    lockDuration: options.lockDurationMs ?? 30_000,
    stalledInterval: options.stalledIntervalMs ?? 30_000,
    maxStalledCount: 5,
  });
}
