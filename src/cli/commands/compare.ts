// `ars compare <scenario> --policies a,b,c --replications N`: policies side by side on common random numbers.
import type { Command } from 'commander';
import { ArsError } from '../../errors.js';
import { compare } from '../../experiment/compare.js';
import type { Estimate } from '../../experiment/summarize.js';
import { PLACEMENT_BASELINES } from '../../policies/index.js';
import { getPath, KEY_METRICS, toCsv } from '../../report/metrics.js';
import { loadForRun, numberOption, progressBar } from '../common.js';
import { formatNumber, printJson, renderTable, runCommand } from '../io.js';

interface CompareOpts {
  policies?: string;
  replications?: string;
  seed?: string;
  horizon?: string;
  workers?: string;
  json?: boolean;
  csv?: boolean;
}

const DEFAULT_POLICIES = PLACEMENT_BASELINES.join(',');

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
    .option('--csv', 'print rows policy,metric,mean,ci95')
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
        const result = await compare(scenario, {
          policies: names,
          replications,
          ...(seed !== undefined ? { firstSeed: seed } : {}),
          ...(horizon !== undefined ? { horizon } : {}),
          ...(workers !== undefined ? { workers } : {}),
          onProgress: (done) => bar.update(done),
        }).finally(() => bar.stop());
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
          process.stdout.write(
            `${result.scenario} · ${result.replications} replication${result.replications === 1 ? '' : 's'} per policy (seeds ${result.seeds[0]}–${result.seeds[result.seeds.length - 1]}) · mean ± 95% CI · best marked *\n\n`,
          );
          const header = ['metric', ...result.results.map((r) => r.policy)];
          const rows = KEY_METRICS.map((m) => {
            const ests = result.results.map((r) => getPath(r.metrics, m.path) as Estimate | null | undefined);
            const means = ests.map((e) => (e ? e.mean : Number.NaN));
            const finite = means.filter(Number.isFinite);
            const best =
              finite.length > 1 ? (m.lower ? Math.min(...finite) : Math.max(...finite)) : Number.NaN;
            return [
              m.label,
              ...ests.map((e) =>
                e ? `${formatNumber(e.mean)} ± ${formatNumber(e.ci95)}${e.mean === best ? ' *' : ''}` : '–',
              ),
            ];
          });
          process.stdout.write(`${renderTable(header, rows)}\n`);
        }
        return 0;
      }, Boolean(cmd.optsWithGlobals().debug));
    });
}

/** `a.b` → { mean, ci95 } pairs of a summarised document, skipping per-node detail. */
function flattenEstimates(doc: unknown, prefix = ''): [string, Estimate][] {
  if (doc === null || typeof doc !== 'object') return [];
  const o = doc as Record<string, unknown>;
  if ('mean' in o && 'ci95' in o && typeof o.mean === 'number') return [[prefix, o as unknown as Estimate]];
  const out: [string, Estimate][] = [];
  for (const [k, v] of Object.entries(o)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (key === 'resources.byNode') continue;
    out.push(...flattenEstimates(v, key));
  }
  return out;
}
