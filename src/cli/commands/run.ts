// `ars run <scenario>`: simulate one scenario with one policy and seed.
import type { Command } from 'commander';
import { ArsError } from '../../errors.js';
import { resolvePolicy, runScenario } from '../../experiment/run.js';
import { writeReport } from '../../report/html/write.js';
import { flatten, getPath, KEY_METRICS, toCsv } from '../../report/metrics.js';
import { collect, loadForRun, numberOption, parseParams, progressBar } from '../common.js';
import { checkOutputPath, DecisionTraceOutput, printJson, renderTable, runCommand } from '../io.js';
import { explainOption, reportWritten } from './report.js';

interface RunOpts {
  policy?: string;
  param?: string[];
  seed?: string;
  horizon?: string;
  json?: boolean;
  csv?: boolean;
  trace?: string;
  html?: string;
  subject?: string;
  series?: boolean;
  seriesWindow?: string;
}

export function register(program: Command): void {
  program
    .command('run')
    .description('simulate a scenario with one policy and print what users care about')
    .argument('<scenario>', 'scenario file (.yaml, .yml or .json)')
    .option('-p, --policy <name>', 'policy to run (default: the scenario’s; see `ars policies`)')
    .option('--param <key=value>', 'policy parameter, repeatable', collect)
    .option('-s, --seed <n>', 'root random seed (default: the scenario’s)')
    .option('--horizon <seconds>', 'simulated time to run (default: the scenario’s)')
    .option('--json', 'print the result document as JSON')
    .option('--csv', 'print the result as CSV (one row)')
    .option(
      '--trace <file>',
      'write one JSON line per scheduling decision to this file (`-`: stdout, the table then goes to stderr)',
    )
    .option('--html <file>', 'also write a self-contained HTML report with charts to this file')
    .option(
      '--series',
      'record per-window series (AoI, latency, misses, queue, utilisation, cost) in the result',
    )
    .option(
      '--series-window <seconds>',
      'width of a series window in simulated seconds (implies --series; default: a hundredth of horizon − warm-up)',
    )
    .option('--subject <id>', 'with --trace and --html: explain this twin or request in the report')
    .action(async (file: string, opts: RunOpts, cmd: Command) => {
      await runCommand(async () => {
        const scenario = loadForRun(file);
        if (
          opts.subject !== undefined &&
          (opts.trace === undefined || opts.trace === '-' || opts.html === undefined)
        )
          throw new ArsError(
            'ARS_E_INPUT_ARGUMENT',
            '--subject needs --trace FILE and --html: it explains a subject in the report',
          );
        if (opts.html !== undefined) checkOutputPath('--html', opts.html);
        const seed = numberOption('seed', opts.seed, { integer: true, min: 0 });
        const horizon = numberOption('horizon', opts.horizon, { min: Number.MIN_VALUE });
        const seriesWindow = numberOption('series-window', opts.seriesWindow, { min: Number.MIN_VALUE });
        const series =
          opts.series || seriesWindow !== undefined
            ? { ...(seriesWindow !== undefined ? { window: seriesWindow } : {}) }
            : undefined;
        const params = parseParams(opts.param);
        const policy = resolvePolicy(scenario, opts.policy, params);
        if (opts.trace === '-' && (opts.json || opts.csv))
          throw new ArsError(
            'ARS_E_INPUT_ARGUMENT',
            `--trace - writes the decisions to stdout, where --${opts.json ? 'json' : 'csv'} goes too: give --trace a file name`,
          );
        // opened before the run, so a bad path fails now rather than after the simulation
        const trace = opts.trace ? new DecisionTraceOutput('--trace', opts.trace) : undefined;
        const out = opts.trace === '-' ? process.stderr : process.stdout;
        const bar = progressBar('simulating', 100);
        let traceClosed = false;
        try {
          const result = runScenario(scenario, {
            policy,
            ...(seed !== undefined ? { seed } : {}),
            ...(horizon !== undefined ? { horizon } : {}),
            ...(trace ? { trace } : {}),
            ...(series ? { series } : {}),
            onProgress: (f) => bar.update(Math.round(f * 100)),
          });
          bar.stop();
          if (opts.json) printJson(result);
          else if (opts.csv) {
            // one row of scalars: the series (arrays per window) are in --json and --html only
            const { series: _series, ...scalars } = result;
            const flat = flatten(scalars);
            process.stdout.write(
              toCsv(
                flat.map(([k]) => k),
                [flat.map(([, v]) => v)],
              ),
            );
          } else {
            out.write(
              `${result.scenario} · policy ${result.policy} · seed ${result.seed} · ${result.horizon} s simulated (warm-up ${result.warmup} s)\n\n`,
            );
            const rows = KEY_METRICS.map((m) => {
              const v = getPath(result, m.path);
              return [m.label, typeof v === 'number' ? v : '–'] as [string, string | number];
            });
            out.write(`${renderTable(['metric', 'value'], rows)}\n`);
            const shares = Object.entries(result.fairness.dominantShares)
              .map(([t, s]) => `${t} ${(s * 100).toFixed(1)}%`)
              .join(', ');
            out.write(`\ndominant shares: ${shares}\n`);
            if (result.series)
              out.write(
                `series: ${Object.keys(result.series.series).length} series × ${result.series.windows} windows of ${result.series.window} s (in --json and --html)\n`,
              );
          }
          if (trace) {
            // the report reads the trace, so it must be complete on disk first
            trace.close();
            traceClosed = true;
            process.stderr.write(
              `wrote ${trace.count} decisions to ${opts.trace === '-' ? 'stdout' : opts.trace}\n`,
            );
          }
          if (opts.html) {
            const explain = await explainOption(opts.trace, opts.subject);
            reportWritten(
              opts.html,
              writeReport(opts.html, { kind: 'run', doc: result }, explain ? { explain } : {}),
            );
          }
        } finally {
          bar.stop();
          if (trace && !traceClosed) trace.close();
        }
        return 0;
      }, Boolean(cmd.optsWithGlobals().debug));
    });
}
