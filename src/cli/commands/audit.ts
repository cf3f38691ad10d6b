// `ars audit verify <file>`: checks the hash chain of an audit log kept in a SQLite file.
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { ArsError } from '../../errors.js';
import { SqliteAuditStore, verifyChain } from '../../security/audit/index.js';
import { EXIT_INPUT, EXIT_OK, printJson, runCommand } from '../io.js';

function open(file: string): SqliteAuditStore {
  if (!existsSync(file)) throw new ArsError('ARS_E_INPUT_FILE', `${file}: no such file`);
  let store: SqliteAuditStore;
  try {
    store = new SqliteAuditStore(file, { readonly: true });
  } catch (err) {
    const what = /no such table/.test(String(err))
      ? 'has no audit_log table'
      : 'is not an ARS audit database (SQLite)';
    throw new ArsError('ARS_E_INPUT_FILE', `${file}: ${what}`);
  }
  return store;
}

export function register(program: Command): void {
  const audit = program.command('audit').description('inspect the audit log');
  audit
    .command('verify')
    .description('check the hash chain of an audit log (SQLite file) and name the first bad row')
    .argument('<file>', 'the audit database (SQLite)')
    .option(
      '--expect-head <hash>',
      'also require the newest record to have this hash (detects rows cut off the end)',
    )
    .option('--json', 'print the result as JSON')
    .action(async (file: string, opts: { expectHead?: string; json?: boolean }, cmd: Command) => {
      const debug = Boolean(cmd.optsWithGlobals().debug);
      await runCommand(() => {
        const store = open(file);
        let check: ReturnType<typeof verifyChain>;
        try {
          check = verifyChain(store.all());
        } catch (err) {
          throw new ArsError('ARS_E_INPUT_FILE', `${file}: unreadable audit_log (${(err as Error).message})`);
        } finally {
          store.close();
        }
        const headMismatch = check.ok && opts.expectHead !== undefined && check.head !== opts.expectHead;
        if (opts.json)
          printJson({
            file,
            ...check,
            ...(headMismatch ? { ok: false, expectedHead: opts.expectHead } : {}),
          });
        else if (!check.ok)
          process.stderr.write(
            `${file}: chain broken at row seq ${check.firstBad.seq}: ${check.firstBad.problem} (${check.count} rows before it verify)\n`,
          );
        else if (headMismatch)
          process.stderr.write(
            `${file}: head is ${check.head}, expected ${opts.expectHead} (rows missing or added at the end)\n`,
          );
        else process.stdout.write(`${file}: ok, ${check.count} records, head ${check.head}\n`);
        return check.ok && !headMismatch ? EXIT_OK : EXIT_INPUT;
      }, debug);
    });
}
