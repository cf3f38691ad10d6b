#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { commands } from './commands/index.js';
import { EXIT_INPUT } from './io.js';

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
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

for (const register of commands) register(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // --help and --version end here with code 0; usage errors are bad input.
    process.exitCode = err.exitCode === 0 ? 0 : EXIT_INPUT;
  } else {
    throw err;
  }
}
