// `ars schema [--out FILE]`: the scenario JSON Schema, for editors and other tools.
import type { Command } from 'commander';
import { scenarioJsonSchema } from '../../model/index.js';
import { runCommand, writeOutput } from '../io.js';

export function register(program: Command): void {
  program
    .command('schema')
    .description('print the JSON Schema of scenario files (point `$schema` at it for editor completion)')
    .option('--out <file>', 'write the schema to this file instead of stdout')
    .action(async (opts: { out?: string }, cmd: Command) => {
      const debug = Boolean(cmd.optsWithGlobals().debug);
      await runCommand(() => {
        const text = `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
        if (!opts.out) {
          process.stdout.write(text);
          return;
        }
        writeOutput('--out', opts.out, text);
        if (opts.out !== '-') process.stderr.write(`wrote ${opts.out}\n`);
      }, debug);
    });
}
