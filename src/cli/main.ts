#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { commands } from './commands/index.js';
import { setCommandContext } from './common.js';
import { EXIT_INPUT, guardStdio, reportError } from './io.js';

guardStdio();

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

const program = new Command()
  .name('ars')
  .description(
    'ARS: attention and compute scheduling for digital-twin platforms, with a deterministic simulator',
  )
  .version(pkg.version, '-V, --version')
  .option('--debug', 'print stack traces on errors')
  .option(
    '--max-work <events>',
    'refuse a command estimated to simulate more events than this over all its runs (default 1e9)',
  )
  .option('--no-limits', 'lift every size, count and work limit on inputs (see docs/cli.md#limits)')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride()
  .hook('preAction', (_program, action) => {
    setCommandContext(action.name(), action.optsWithGlobals());
  });

for (const register of commands) register(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // --help and --version end here with code 0; usage errors are bad input.
    process.exitCode = err.exitCode === 0 ? 0 : EXIT_INPUT;
  } else {
    // Errors outside a command body (a bad --max-work in the hook) get the same treatment as inside.
    process.exitCode = reportError(err, process.argv.includes('--debug'));
  }
}
