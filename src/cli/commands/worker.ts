// `ars worker --queue redis://host:6379`: runs sweep cells from a BullMQ queue until stopped.
import type { Command } from 'commander';
import { DEFAULT_PREFIX } from '../../experiment/sweep-queue-names.js';
import { numberOption } from '../common.js';
import { runCommand } from '../io.js';

interface WorkerOpts {
  queue?: string;
  queuePrefix?: string;
  concurrency?: string;
  lockMs?: string;
}

export function register(program: Command): void {
  program
    .command('worker')
    .description('run the cells of distributed sweeps (ars sweep --queue) from a Redis queue, until stopped')
    .requiredOption('--queue <url>', 'Redis of the queue (redis://host:6379)')
    .option('--queue-prefix <name>', 'Redis key prefix of the queue', DEFAULT_PREFIX)
    .option('--concurrency <n>', 'cells at once (default 1; run one worker per core)', '1')
    .option('--lock-ms <ms>', 'job lock; a dead worker’s cell is run again after about this long', '30000')
    .action(async (opts: WorkerOpts, cmd: Command) => {
      await runCommand(async () => {
        const concurrency = numberOption('concurrency', opts.concurrency, { integer: true, min: 1 }) ?? 1;
        const lock = numberOption('lock-ms', opts.lockMs, { integer: true, min: 1000 }) ?? 30_000;
        // BullMQ and its Redis client load only for this command
        const { checkRedis, startQueueWorker } = await import('../../experiment/sweep-queue.js');
        await checkRedis(opts.queue!);
        const worker = startQueueWorker({
          url: opts.queue!,
          prefix: opts.queuePrefix ?? DEFAULT_PREFIX,
          concurrency,
          lockDurationMs: lock,
          stalledIntervalMs: lock,
        });
        let done = 0;
        worker.on('completed', (job) => {
          done++;
          process.stderr.write(`ran cell ${String(job.id).slice(0, 12)} (${done} so far)\n`);
        });
        worker.on('failed', (job, err) =>
          process.stderr.write(`cell ${String(job?.id ?? '?').slice(0, 12)} failed: ${err.message}\n`),
        );
        worker.on('error', (err) => process.stderr.write(`worker: ${err.message}\n`));
        await worker.waitUntilReady();
        process.stderr.write(
          `ars worker: waiting for cells on ${opts.queue} (prefix ${opts.queuePrefix ?? DEFAULT_PREFIX})\n`,
        );
        await new Promise<void>((resolve) => {
          const stop = () => {
            process.stderr.write('ars worker: finishing the running cells, then stopping\n');
            void worker.close().then(resolve);
          };
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
        return 0;
      }, Boolean(cmd.optsWithGlobals().debug));
    });
}
