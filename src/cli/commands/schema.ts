// `ars schema [--out FILE]`: the scenario JSON Schema, for editors and other tools.
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ArsError } from '../../errors.js';
import { scenarioJsonSchema } from '../../model/index.js';
import { runCommand } from '../io.js';

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
        try {
          writeFileSync(opts.out, text);
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code ?? String(err);
          throw new ArsError('ARS_E_INPUT_ARGUMENT', `cannot write ${opts.out} (${code})`);
        }
        process.stderr.write(`wrote ${opts.out}\n`);
      }, debug);
    });
}
