// `ars runs list|show|rm`: what the run store holds.
import type { Command } from 'commander';
import { ArsError } from '../../errors.js';
import { sweepFromStore } from '../../experiment/sweep.js';
import { estimateCaption } from '../../report/compare-table.js';
import { DEFAULT_SWEEP_METRICS, metricByPath, sweepTable } from '../../report/sweep-table.js';
import { DEFAULT_STORE, RunStore } from '../../store/runs-sqlite.js';
import { printJson, renderTable, runCommand } from '../io.js';

interface StoreOpts {
  store?: string;
  json?: boolean;
}

function withStore<T>(opts: StoreOpts, body: (store: RunStore) => T): T {
  const store = new RunStore(opts.store ?? DEFAULT_STORE);
  try {
    return body(store);
  } finally {
    store.close();
  }
}

/** A sweep id or run key from a prefix of at least 4 characters; several matches are the user's error. */
function resolveId(store: RunStore, prefix: string): { kind: 'sweep' | 'run'; id: string } {
  if (!/^[0-9a-f]{4,64}$/.test(prefix))
    throw new ArsError(
      'ARS_E_INPUT_ARGUMENT',
      `"${prefix}" is not a sweep id or run key (4 to 64 hex digits)`,
    );
  const found = store.resolve(prefix);
  const all = [
    ...found.sweeps.map((id) => ({ kind: 'sweep' as const, id })),
    ...found.runs.map((id) => ({ kind: 'run' as const, id })),
  ];
  if (all.length === 0)
    throw new ArsError(
      'ARS_E_INPUT_ARGUMENT',
      `no sweep or run "${prefix}" in ${store.file} (ars runs list shows them)`,
    );
  if (all.length > 1)
    throw new ArsError(
      'ARS_E_INPUT_ARGUMENT',
      `"${prefix}" matches ${all.length} entries (${all.map((a) => `${a.kind} ${a.id.slice(0, 12)}`).join(', ')}); give more digits`,
    );
  return all[0]!;
}

export function register(program: Command): void {
  const runs = program
    .command('runs')
    .description('list, show and remove the sweeps and runs of a run store');
  const storeOption = (c: Command) => c.option('--store <file>', 'run store (SQLite)', DEFAULT_STORE);

  storeOption(runs.command('list').description('sweeps with their progress; --all lists single runs too'))
    .option('--all', 'also list the most recent runs')
    .option('--json', 'print one JSON document')
    .action(async (opts: StoreOpts & { all?: boolean }, cmd: Command) => {
      await runCommand(
        () =>
          withStore(opts, (store) => {
            const sweeps = store.sweeps();
            const recent = opts.all ? store.runs(50) : [];
            if (opts.json) {
              printJson({
                store: store.file,
                runs: store.count(),
                sweeps: sweeps.map((s) => ({ ...s, spec: JSON.parse(s.spec) as unknown })),
                ...(opts.all ? { recent } : {}),
              });
              return 0;
            }
            process.stdout.write(`${store.file}: ${sweeps.length} sweeps, ${store.count()} runs\n`);
            if (sweeps.length > 0) {
              const rows = sweeps.map((s) => {
                const spec = JSON.parse(s.spec) as { vary: { path: string; values: string[] }[] };
                return [
                  s.id,
                  s.scenario,
                  `${s.done}/${s.cells}`,
                  spec.vary.map((v) => `${v.path}=${v.values.join(',')}`).join(' '),
                  s.createdAt.slice(0, 19).replace('T', ' '),
                ];
              });
              process.stdout.write(
                `\n${renderTable(['sweep', 'scenario', 'cells', 'varies', 'created (UTC)'], rows)}\n`,
              );
            }
            if (recent.length > 0) {
              const rows = recent.map((r) => [
                r.key.slice(0, 12),
                r.scenario,
                r.policy,
                r.parameters === '{}' ? '' : r.parameters,
                String(r.seed),
                `${Math.round(r.elapsedMs)} ms`,
              ]);
              process.stdout.write(
                `\n${renderTable(['run', 'scenario', 'policy', 'parameters', 'seed', 'took'], rows)}\n`,
              );
            }
            return 0;
          }),
        Boolean(cmd.optsWithGlobals().debug),
      );
    });

  storeOption(runs.command('show').description('a sweep as tables, or one run as its result document'))
    .argument('<id>', 'a sweep id or run key (a unique prefix is enough)')
    .option('--metrics <list>', 'metrics of a sweep table', DEFAULT_SWEEP_METRICS.join(','))
    .option('--json', 'print one JSON document')
    .action(async (prefix: string, opts: StoreOpts & { metrics?: string }, cmd: Command) => {
      await runCommand(
        () =>
          withStore(opts, (store) => {
            const { kind, id } = resolveId(store, prefix);
            if (kind === 'run') {
              // the stored bytes, as the run printed them
              process.stdout.write(`${JSON.stringify(JSON.parse(store.get(id)!.result), null, 2)}\n`);
              return 0;
            }
            const doc = sweepFromStore(store, id);
            if (!doc) {
              const s = store.sweeps().find((x) => x.id === id)!;
              throw new ArsError(
                'ARS_E_INPUT_ARGUMENT',
                `sweep ${id} is incomplete (${s.done} of ${s.cells} cells stored); run the same ars sweep command again to finish it`,
              );
            }
            if (opts.json) {
              printJson(doc);
              return 0;
            }
            process.stdout.write(
              `${doc.scenario} · sweep ${doc.sweep} · ${doc.replications} replication${doc.replications === 1 ? '' : 's'} per cell · ${estimateCaption(doc.replications)}\n`,
            );
            for (const path of (opts.metrics ?? DEFAULT_SWEEP_METRICS.join(',')).split(',').filter(Boolean)) {
              const m = metricByPath(path.trim());
              const { header, rows } = sweepTable(doc, m);
              process.stdout.write(`\n${m.label}\n${renderTable(header, rows)}\n`);
            }
            return 0;
          }),
        Boolean(cmd.optsWithGlobals().debug),
      );
    });

  storeOption(runs.command('rm').description('remove sweeps (with the runs no other sweep uses) or runs'))
    .argument('<ids...>', 'sweep ids or run keys (unique prefixes)')
    .action(async (prefixes: string[], opts: StoreOpts, cmd: Command) => {
      await runCommand(
        () =>
          withStore(opts, (store) => {
            const targets = prefixes.map((p) => resolveId(store, p));
            for (const t of targets) {
              if (t.kind === 'sweep') {
                const n = store.removeSweep(t.id);
                process.stderr.write(`removed sweep ${t.id} and ${n} run${n === 1 ? '' : 's'}\n`);
              } else if (store.removeRun(t.id)) process.stderr.write(`removed run ${t.id}\n`);
            }
            return 0;
          }),
        Boolean(cmd.optsWithGlobals().debug),
      );
    });
}
