// `ars drf <file>`: the DRF allocator on its own (Ghodsi et al., NSDI 2011): how many tasks each user gets.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { LineCounter, parseDocument } from 'yaml';
import { InputError } from '../../errors.js';
import { type DrfUser, drfAllocate } from '../../policies/drf/drf.js';
import { formatNumber, printJson, renderTable, runCommand } from '../io.js';

function readInput(file: string): { capacity: Record<string, number> | number[]; users: DrfUser[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : 'cannot read file';
    throw new InputError('ARS_E_INPUT_FILE', [{ file, path: '', message: reason }]);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new InputError(
      'ARS_E_INPUT_SYNTAX',
      doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return { file, path: '', line: pos.line, column: pos.col, message: e.message.split('\n')[0]! };
      }),
    );
  }
  const raw = doc.toJS() as unknown;
  const obj =
    raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  const issues = [];
  if (obj.capacity === undefined)
    issues.push({
      file,
      path: 'capacity',
      message: 'missing field',
      expected: '{ resource: amount } or [amounts]',
    });
  if (!Array.isArray(obj.users))
    issues.push({
      file,
      path: 'users',
      message: 'missing field',
      expected: 'a list of { id, demand, weight?, maxTasks? }',
    });
  for (const key of Object.keys(obj))
    if (key !== 'capacity' && key !== 'users')
      issues.push({ file, path: key, message: `unknown field \`${key}\``, expected: 'capacity, users' });
  if (issues.length > 0) throw new InputError('ARS_E_INPUT_SCHEMA', issues);
  return obj as unknown as { capacity: Record<string, number> | number[]; users: DrfUser[] };
}

export function register(program: Command): void {
  program
    .command('drf')
    .description('allocate tasks to users by dominant resource fairness (progressive filling, weighted)')
    .argument(
      '<file>',
      'YAML or JSON: { capacity: { cpu: 9, mem: 18 }, users: [ { id, demand: { cpu: 1, mem: 4 }, weight?, maxTasks? } ] }',
    )
    .option('--json', 'print the allocation as one JSON document')
    .action(async (file: string, opts: { json?: boolean }, cmd: Command) => {
      await runCommand(() => {
        const input = readInput(file);
        let result: ReturnType<typeof drfAllocate>;
        try {
          result = drfAllocate(input.capacity, input.users);
        } catch (err) {
          // the allocator reports bad capacities and demands with their paths; name the file too
          if (err instanceof InputError)
            throw new InputError(
              err.code,
              err.issues.map((i) => ({ ...i, file })),
            );
          throw err;
        }
        if (opts.json) {
          printJson(result);
          return 0;
        }
        const header = [
          'user',
          'weight',
          'tasks',
          ...result.resources,
          'dominant share',
          'dominant resource',
        ];
        const rows = result.users.map((u) => [
          u.id,
          u.weight,
          u.tasks,
          ...u.allocation,
          formatNumber(u.dominantShare),
          u.dominantResource ?? '–',
        ]);
        rows.push(['(used)', '', result.tasks, ...result.used, '', '']);
        rows.push(['(capacity)', '', '', ...result.capacity, '', '']);
        process.stdout.write(`${renderTable(header, rows)}\n`);
        return 0;
      }, Boolean(cmd.optsWithGlobals().debug));
    });
}
