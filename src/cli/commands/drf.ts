// `ars drf <file>`: the DRF allocator on its own (Ghodsi et al., NSDI 2011): how many tasks each user gets.
import { extname } from 'node:path';
import type { Command } from 'commander';
import { InputError, type InputIssue } from '../../errors.js';
import { documentLocator, issueCollector, parseText, readTextFile } from '../../model/index.js';
import { type DrfUser, drfAllocate } from '../../policies/drf/drf.js';
import { commandLimits } from '../common.js';
import { formatNumber, printJson, renderTable, runCommand } from '../io.js';

/**
 * Reads a DRF file: bounded size, YAML or JSON with bounded aliases and nesting, then the shape
 * (`capacity`, `users` as mappings with a `demand`, unique ids); every problem with its line and column.
 * The allocator checks the numbers themselves.
 */
export function readDrfFile(file: string): { capacity: Record<string, number> | number[]; users: DrfUser[] } {
  const limits = commandLimits();
  const text = readTextFile(file, { maxBytes: limits.maxBytes, expected: 'a DRF file (YAML or JSON)' });
  const { doc, lineCounter, data } = parseText(text, {
    file,
    format: extname(file).toLowerCase() === '.json' ? 'json' : 'yaml',
    maxAliasCount: limits.maxAliasCount,
    maxDepth: limits.maxDepth,
  });
  const locate = documentLocator(doc, lineCounter);
  const issues: InputIssue[] = [];
  const add = issueCollector(issues, file, locate);
  const isMapping = (v: unknown): v is Record<string, unknown> =>
    v !== null && typeof v === 'object' && !Array.isArray(v);
  if (!isMapping(data)) {
    add(
      [],
      'a DRF file is a mapping',
      '{ capacity, users }',
      data === undefined ? 'an empty file' : typeof data,
    );
    throw new InputError('ARS_E_INPUT_SCHEMA', issues);
  }
  if (data.capacity === undefined) add(['capacity'], 'missing field', '{ resource: amount } or [amounts]');
  else if (typeof data.capacity !== 'object' || data.capacity === null)
    add(['capacity'], 'wrong type', '{ resource: amount } or [amounts]', JSON.stringify(data.capacity));
  if (!Array.isArray(data.users))
    add(
      ['users'],
      data.users === undefined ? 'missing field' : 'wrong type',
      'a list of { id, demand, weight?, maxTasks? }',
    );
  for (const key of Object.keys(data))
    if (key !== 'capacity' && key !== 'users') add([key], `unknown field \`${key}\``, 'capacity, users');
  const seen = new Map<string, number>();
  if (Array.isArray(data.users))
    data.users.forEach((u: unknown, i) => {
      if (!isMapping(u)) {
        add(['users', i], 'wrong type', 'a mapping { id, demand, weight?, maxTasks? }');
        return;
      }
      if (u.demand === undefined)
        add(['users', i, 'demand'], 'missing field', '{ resource: amount } or [amounts]');
      else if (typeof u.demand !== 'object' || u.demand === null)
        add(['users', i, 'demand'], 'wrong type', '{ resource: amount } or [amounts]');
      for (const key of Object.keys(u))
        if (!['id', 'demand', 'weight', 'maxTasks'].includes(key))
          add(['users', i, key], `unknown field \`${key}\``, 'id, demand, weight, maxTasks');
      for (const key of ['weight', 'maxTasks'])
        if (u[key] !== undefined && typeof u[key] !== 'number')
          add(['users', i, key], 'wrong type', 'a number', JSON.stringify(u[key]));
      if (u.id === undefined) return;
      if (typeof u.id !== 'string' && typeof u.id !== 'number') {
        add(['users', i, 'id'], 'wrong type', 'a name');
        return;
      }
      const id = String(u.id);
      const earlier = seen.get(id);
      if (earlier !== undefined)
        add(['users', i, 'id'], `duplicate user id \`${id}\` (also users[${earlier}])`);
      else seen.set(id, i);
    });
  if (issues.length > 0) throw new InputError('ARS_E_INPUT_SCHEMA', issues);
  const users = (data.users as Record<string, unknown>[]).map((u) =>
    u.id === undefined ? u : { ...u, id: String(u.id) },
  );
  return {
    capacity: data.capacity as Record<string, number> | number[],
    users: users as unknown as DrfUser[],
  };
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
        const input = readDrfFile(file);
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
