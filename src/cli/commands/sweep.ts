// `ars sweep <scenario> --vary PATH=VALUES ...`: policies over a parameter grid, kept in the run store.
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { ArsError } from '../../errors.js';
import { sweep } from '../../experiment/sweep.js';
import { parseVary } from '../../experiment/sweep-grid.js';
import { DEFAULT_PREFIX } from '../../experiment/sweep-queue-names.js';
import { NO_LIMITS } from '../../model/index.js';
import { estimateCaption } from '../../report/compare-table.js';
import { writeReport } from '../../report/html/write.js';
import { toCsv } from '../../report/metrics.js';
import { DEFAULT_SWEEP_METRICS, metricByPath, sweepCsvRows, sweepTable } from '../../report/sweep-table.js';
import { DEFAULT_STORE, RunStore } from '../../store/runs-sqlite.js';
import { collect, commandLimits, loadForRun, numberOption, progressBar } from '../common.js';
import { printJson, renderTable, runCommand } from '../io.js';
import { reportWritten } from './report.js';

interface SweepOpts {
  vary?: string[];
  policies?: string;
  replications?: string;
  seed?: string;
  horizon?: string;
  workers?: string;
  store?: string;
  metrics?: string;
  json?: boolean;
  csv?: boolean;
  html?: string;
  queue?: string;
  queuePrefix?: string;
}

const DEFAULT_POLICIES = 'ars,fifo,least-loaded,earliest-deadline-first';
/** Past this many threads a sweep only thrashes; `--no-limits` allows more. */
const MAX_WORKERS = 256;

const list = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

export function register(program: Command): void {
  program
    .command('sweep')
    .description(
      'run policies over a grid of scenario parameters; results are kept in a run store and resumed',
    )
    .argument('<scenario>', 'scenario file')
    .option(
      '--vary <path=values>',
      "a parameter and its values, repeatable: 'nodes.edge.count=4,8,16', 'workloads.*.rate=0.5x..3x:6'",
      collect,
    )
    .option('--policies <list>', 'comma-separated policy names', DEFAULT_POLICIES)
    .option('-n, --replications <n>', 'seeds per cell', '3')
    .option('-s, --seed <n>', 'first seed (default: the scenario’s); replication i uses seed + i')
    .option('--horizon <seconds>', 'simulated time per run (default: the scenario’s)')
    .option('--workers <n>', 'worker threads (default: one per core)')
    .option('--store <file>', 'run store (SQLite)', DEFAULT_STORE)
    .option(
      '--queue <url>',
      'run the cells on `ars worker` processes through BullMQ on this Redis (redis://host:6379)',
    )
    .option('--queue-prefix <name>', 'Redis key prefix of the queue', DEFAULT_PREFIX)
    .option(
      '--metrics <list>',
      'metrics of the table (paths in the result document)',
      DEFAULT_SWEEP_METRICS.join(','),
    )
    .option(
      '--html <file>',
      'also write a self-contained HTML report: each metric against the first varied parameter',
    )
    .option('--json', 'print one JSON document')
    .option('--csv', 'print rows with the parameter values, policy, metric, mean, ci95')
    .action(async (file: string, opts: SweepOpts, cmd: Command) => {
      await runCommand(async () => {
        const base = loadForRun(file); // bad scenarios are reported with line and column here
        const specs = (opts.vary ?? []).map(parseVary);
        if (specs.length === 0)
          throw new ArsError(
            'ARS_E_INPUT_ARGUMENT',
            "--vary is required, e.g. --vary 'nodes.edge.count=4,8,16'",
          );
        const policies = list(opts.policies ?? DEFAULT_POLICIES);
        if (policies.length === 0)
          throw new ArsError('ARS_E_INPUT_ARGUMENT', '--policies expects at least one name');
        const metrics = list(opts.metrics ?? DEFAULT_SWEEP_METRICS.join(',')).map(metricByPath);
        const replications = numberOption('replications', opts.replications, { integer: true, min: 1 }) ?? 3;
        const seed = numberOption('seed', opts.seed, { integer: true, min: 0 });
        const horizon = numberOption('horizon', opts.horizon, { min: Number.MIN_VALUE });
        const workers = numberOption('workers', opts.workers, { integer: true, min: 1 });
        if (workers !== undefined && workers > MAX_WORKERS && commandLimits() !== NO_LIMITS) {
          throw new ArsError(
            'ARS_E_INPUT_ARGUMENT',
            `--workers ${workers}: at most ${MAX_WORKERS} worker threads (this machine has ${cpus().length} cores); ` +
              'use --no-limits to start more',
          );
        }
        const store = new RunStore(opts.store ?? DEFAULT_STORE);
        let bar: ReturnType<typeof progressBar> | undefined;
        try {
          const result = await sweep(
            { document: parseYaml(readFileSync(file, 'utf8')), file, baseDir: dirname(file) },
            {
              vary: specs,
              policies,
              replications,
              store,
              ...(seed !== undefined ? { firstSeed: seed } : {}),
              ...(horizon !== undefined ? { horizon } : {}),
              ...(workers !== undefined ? { workers } : {}),
              ...(opts.queue
                ? { queue: { url: opts.queue, prefix: opts.queuePrefix ?? DEFAULT_PREFIX } }
                : {}),
              onPlan: (plan) => {
                process.stderr.write(
                  `sweep ${plan.sweep} of ${base.name}: ${plan.cells} cells, ${plan.stored} in ${store.file} already, ${plan.toRun} to run\n`,
                );
                if (opts.queue && plan.toRun > 0)
                  process.stderr.write(
                    `cells queued on ${opts.queue} (prefix ${opts.queuePrefix ?? DEFAULT_PREFIX}): they run on \`ars worker --queue ${opts.queue}\` processes\n`,
                  );
                bar = progressBar('cells', plan.toRun);
              },
              onProgress: (done) => bar?.update(done),
            },
          ).finally(() => bar?.stop());
          if (opts.html) reportWritten(opts.html, writeReport(opts.html, { kind: 'sweep', doc: result }));
          if (opts.json) printJson(result);
          else if (opts.csv) {
            const { header, rows } = sweepCsvRows(result);
            process.stdout.write(toCsv(header, rows));
          } else {
            process.stdout.write(
              `${result.scenario} · sweep ${result.sweep} · ${result.replications} replication${result.replications === 1 ? '' : 's'} per cell · ${estimateCaption(result.replications)}\n`,
            );
            for (const m of metrics) {
              const { header, rows } = sweepTable(result, m);
              process.stdout.write(`\n${m.label}\n${renderTable(header, rows)}\n`);
            }
          }
        } finally {
          store.close();
        }
        return 0;
      }, Boolean(cmd.optsWithGlobals().debug));
    });
}
