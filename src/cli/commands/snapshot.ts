// `ars snapshot --server URL`: the live state as a scenario file on stdout (validates with `ars validate`).
import type { Command } from 'commander';
import { ArsError } from '../../errors.js';
import { runCommand } from '../io.js';

export function register(program: Command): void {
  program
    .command('snapshot')
    .description('print the live system (agents, twins, forecast arrival rates) as a scenario file')
    .requiredOption('--server <url>', 'the live server')
    .action(async (opts: { server: string }, cmd: Command) => {
      const debug = Boolean(cmd.optsWithGlobals().debug);
      await runCommand(async () => {
        let res: Response;
        try {
          res = await fetch(new URL('/api/v1/snapshot', opts.server));
        } catch (err) {
          throw new ArsError(
            'ARS_E_INPUT_ARGUMENT',
            `cannot reach ${opts.server}: ${(err as Error).message}`,
          );
        }
        if (!res.ok)
          throw new ArsError('ARS_E_INTERNAL', `server answered ${res.status}: ${await res.text()}`);
        process.stdout.write(await res.text());
        return 0;
      }, debug);
    });
}
