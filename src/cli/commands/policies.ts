// `ars policies`: what each policy does.
import type { Command } from 'commander';
import { registry } from '../../policies/index.js';
import { printJson, renderTable, runCommand } from '../io.js';

export function register(program: Command): void {
  program
    .command('policies')
    .description('list the scheduling policies with their placement and attention rules')
    .option('--json', 'print one JSON document')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      await runCommand(() => {
        const all = registry.factories();
        if (opts.json) {
          printJson({
            policies: all.map((f) => ({
              name: f.name,
              summary: f.summary,
              placement: f.placement,
              attention: f.attention,
              params: f.params,
            })),
          });
        } else {
          process.stdout.write(
            `${renderTable(
              ['policy', 'placement', 'attention', 'what it does'],
              all.map((f) => [f.name, f.placement, f.attention, f.summary]),
            )}\n`,
          );
        }
        return 0;
      }, Boolean(cmd.optsWithGlobals().debug));
    });
}
