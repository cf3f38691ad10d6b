// `ars load SCENARIO --server URL`: submit the scenario's workloads to a live server at their arrival rates.
import type { Command } from 'commander';
import { generateLoad } from '../../live/load.js';
import { loadForRun, numberOption } from '../common.js';
import { runCommand } from '../io.js';

export function register(program: Command): void {
  program
    .command('load')
    .description('submit the scenario’s workloads to a live server at their arrival processes')
    .argument('<scenario>', 'scenario file')
    .requiredOption('--server <url>', 'the live server')
    .option('--factor <x>', 'multiply every arrival rate by this', '1')
    .option('--duration <seconds>', 'stop after this long (default: until Ctrl-C)')
    .option('--seed <n>', 'seed of the arrival processes (default: the scenario’s)')
    .action(
      async (
        file: string,
        opts: { server: string; factor: string; duration?: string; seed?: string },
        cmd: Command,
      ) => {
        const debug = Boolean(cmd.optsWithGlobals().debug);
        await runCommand(async () => {
          const scenario = loadForRun(file);
          const factor = numberOption('factor', opts.factor, { min: Number.MIN_VALUE })!;
          const duration = numberOption('duration', opts.duration, { min: 0 });
          const seed = numberOption('seed', opts.seed, { integer: true, min: 0 });
          const load = generateLoad(scenario, {
            server: opts.server,
            factor,
            ...(duration !== undefined ? { duration } : {}),
            ...(seed !== undefined ? { seed } : {}),
            onError: (err) => process.stderr.write(`load: ${err.message}\n`),
          });
          await Promise.race([
            load.done,
            new Promise<void>((resolve) => {
              process.once('SIGINT', () => resolve());
              process.once('SIGTERM', () => resolve());
            }),
          ]);
          await load.stop();
          process.stderr.write(`submitted ${load.submitted} requests, ${load.errors} errors\n`);
          return load.errors > 0 && load.submitted === 0 ? 1 : 0;
        }, debug);
      },
    );
}
