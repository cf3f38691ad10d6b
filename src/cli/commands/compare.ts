// `ars compare <scenario> --policies a,b,c --replications N`: policies side by side on common random numbers.
import type { Command } from 'commander';
import { ArsError } from '../../errors.js';
import { compare } from '../../experiment/compare.js';
import { PLACEMENT_BASELINES, registry } from '../../policies/index.js';
import { estimateCaption, estimateRows, flattenEstimates } from '../../report/compare-table.js';
import { writeReport } from '../../report/html/write.js';
import { toCsv } from '../../report/metrics.js';
import { collect, loadForRun, numberOption, parseParams, progressBar } from '../common.js';
import { printJson, renderTable, runCommand } from '../io.js';
import { reportWritten } from './report.js';

interface CompareOpts {
  policies?: string;
  replications?: string;
  seed?: string;
  horizon?: string;
  workers?: string;
  json?: boolean;
  csv?: boolean;
  html?: string;
  param?: string[];
}

/**
 * `--param key=value` for compare: each parameter goes to every listed policy that has it (the ARS variants
 * share theirs), and a name none of them has is an input error, as it is for `run`.
 */
function paramsByPolicy(names: readonly string[], pairs: string[] | undefined) {
  const params = parseParams(pairs);
  for (const key of Object.keys(params)) {
    if (!names.some((n) => registry.has(n) && key in registry.get(n).params))
      throw new ArsError(
        'ARS_E_INPUT_ARGUMENT',
        `--param: "${key}" is not a parameter of any of the policies compared (${names.join(', ')})`,
      );
  }
  return names.map((name) => {
    if (!registry.has(name)) return name; // the comparison reports the unknown name
    const own = Object.fromEntries(Object.entries(params).filter(([k]) => k in registry.get(name).params));
    return Object.keys(own).length > 0 ? { name, params: own } : name;
  });
}

/** ARS with its defaults against the five placement baselines: what a user comparing policies first wants */
const DEFAULT_POLICIES = ['ars', ...PLACEMENT_BASELINES].join(',');

export function register(program: Command): void {
  program
    .command('compare')
    .description('run several policies on the same seeds and print each metric as mean ± 95% CI')
    .argument('<scenario>', 'scenario file')
    .option('--policies <list>', 'comma-separated policy names', DEFAULT_POLICIES)
    .option('-n, --replications <n>', 'seeds per policy', '5')
    .option('-s, --seed <n>', 'first seed (default: the scenario’s); replication i uses seed + i')
    .option('--horizon <seconds>', 'simulated time per run (default: the scenario’s)')
    .option('--workers <n>', 'worker threads (default: one per core)')
    .option('--json', 'print one JSON document')
    .option('--html <file>', 'also write a self-contained HTML report with charts to this file')
    .option('--csv', 'print rows policy,metric,mean,ci95 (ci95 empty with one replication)')
    .option(
      '--param <key=value>',
      'policy parameter for every compared policy that has it (e.g. profile=… for the ARS variants), repeatable',
      collect,
    )
    .action(async (file: string, opts: CompareOpts, cmd: Command) => {
      await runCommand(async () => {
        const scenario = loadForRun(file);
        const names = (opts.policies ?? DEFAULT_POLICIES)
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        if (names.length === 0)
          throw new ArsError('ARS_E_INPUT_ARGUMENT', '--policies expects at least one name');
        const replications = numberOption('replications', opts.replications, { integer: true, min: 1 }) ?? 5;
        const seed = numberOption('seed', opts.seed, { integer: true, min: 0 });
        const horizon = numberOption('horizon', opts.horizon, { min: Number.MIN_VALUE });
        const workers = numberOption('workers', opts.workers, { integer: true, min: 1 });
        const bar = progressBar('runs', names.length * replications);
        const policies = paramsByPolicy(names, opts.param);
        const result = await compare(scenario, {
          policies,
          replications,
          ...(seed !== undefined ? { firstSeed: seed } : {}),
          ...(horizon !== undefined ? { horizon } : {}),
          ...(workers !== undefined ? { workers } : {}),
          onProgress: (done) => bar.update(done),
        }).finally(() => bar.stop());
        if (opts.html) {
          const doc = {
            scenario: result.scenario,
            replications: result.replications,
            seeds: result.seeds,
            results: result.results.map((r) => ({ policy: r.policy, metrics: r.metrics })),
          };
          reportWritten(opts.html, writeReport(opts.html, { kind: 'compare', doc }));
        }
        if (opts.json) {
          printJson({
            scenario: result.scenario,
            replications: result.replications,
            seeds: result.seeds,
            results: result.results.map((r) => ({ policy: r.policy, params: r.params, metrics: r.metrics })),
          });
        } else if (opts.csv) {
          const rows: unknown[][] = [];
          for (const r of result.results) {
            for (const [k, v] of flattenEstimates(r.metrics)) rows.push([r.policy, k, v.mean, v.ci95]);
          }
          process.stdout.write(toCsv(['policy', 'metric', 'mean', 'ci95'], rows));
        } else {
          const last = result.seeds[result.seeds.length - 1];
          process.stdout.write(
            `${result.scenario} · ${result.replications} replication${result.replications === 1 ? '' : 's'} per policy (seed${result.seeds.length === 1 ? ` ${last}` : `s ${result.seeds[0]}–${last}`}) · ${estimateCaption(result.replications)}\n\n`,
          );
          const header = ['metric', ...result.results.map((r) => r.policy)];
          const rows = estimateRows(result.results.map((r) => ({ name: r.policy, metrics: r.metrics })));
          process.stdout.write(`${renderTable(header, rows)}\n`);
        }
        return 0;
      }, Boolean(cmd.optsWithGlobals().debug));
    });
}
