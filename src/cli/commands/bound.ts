// `ars bound <scenario>`: the least weighted age of information any policy can reach on the scenario.
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { ArsError } from '../../errors.js';
import { type FreshnessBound, freshnessBound } from '../../experiment/bound.js';
import { scenarioAt } from '../../experiment/sweep.js';
import { gridPoints, parseVary, pointLabels } from '../../experiment/sweep-grid.js';
import { loadScenario } from '../../model/index.js';
import { policyNames } from '../../policies/index.js';
import { collect, commandLimits, numberOption, progressBar } from '../common.js';
import { formatNumber, printJson, renderTable, runCommand } from '../io.js';

interface BoundOpts {
  anomalyP95?: string;
  quantile?: string;
  horizon?: string;
  vary?: string[];
  json?: boolean;
}

/** `10,12.5,20`: anomaly-delay targets in seconds */
function parseTargets(text: string | undefined): number[] {
  if (text === undefined) return [];
  const out = text.split(',').map((x) => x.trim());
  return out.map((x) => {
    const v = Number(x);
    if (x === '' || !Number.isFinite(v) || v <= 0)
      throw new ArsError(
        'ARS_E_INPUT_ARGUMENT',
        `--anomaly-p95 expects positive numbers of seconds separated by commas, got "${x.length > 40 ? `${x.slice(0, 40)}…` : x}"`,
      );
    return v;
  });
}

/** what the long-run bound did with the requests, in a line */
const REQUESTS: Record<FreshnessBound['requests'], string> = {
  counted:
    'requests: their tasks take their mean share of the nodes (the long-run bound is for policies that serve them all)',
  'left out': 'requests: none hold a node',
  overload:
    'requests: their tasks alone need more than the nodes hold, so no policy serves them all; the bounds leave them out',
};

const seconds = (x: number) => (Number.isFinite(x) ? formatNumber(x) : '∞');

export function register(program: Command): void {
  program
    .command('bound')
    .description(
      'the least criticality-weighted age of information any policy can reach on a scenario (a fluid lower bound), ' +
        'alone or for policies that also detect anomalies within a delay',
    )
    .argument('<scenario>', 'scenario file (.yaml, .yml or .json)')
    .option(
      '--anomaly-p95 <seconds>',
      'also bound the policies whose anomaly-detection delay quantile stays within each of these targets (comma list)',
    )
    .option('--quantile <q>', 'the quantile the anomaly targets are for', '0.95')
    .option(
      '--horizon <seconds>',
      'simulated time (default: the scenario’s); the window is warm-up to horizon',
    )
    .option(
      '--vary <path=values>',
      "also bound the scenario at each point of a grid, as `ars sweep` varies it (repeatable): 'workloads.*.rate=1x,2x,4x'",
      collect,
      [],
    )
    .option('--json', 'print the bounds as JSON')
    .action(async (file: string, opts: BoundOpts, cmd: Command) => {
      await runCommand(() => {
        const targets = parseTargets(opts.anomalyP95);
        const quantile = numberOption('quantile', opts.quantile, { min: Number.MIN_VALUE });
        const horizon = numberOption('horizon', opts.horizon, { min: Number.MIN_VALUE });
        const specs = (opts.vary ?? []).map(parseVary);
        const scenario = loadScenario(file, { knownPolicies: policyNames(), limits: commandLimits() });
        const base = {
          ...(quantile !== undefined ? { anomalyQuantile: quantile } : {}),
          ...(horizon !== undefined ? { horizon } : {}),
        };
        const steady = freshnessBound(scenario, base);
        const window = freshnessBound(scenario, { ...base, steady: false });
        // the grid's points: each a scenario of its own (the file read as written, then changed as a sweep does)
        const source =
          specs.length > 0
            ? { document: parseYaml(readFileSync(file, 'utf8')), file, baseDir: dirname(file) }
            : undefined;
        const points = source ? gridPoints(specs) : [];
        // a bar on a terminal once the grid takes more than a second (each point is a bound of its own)
        const bar = progressBar('grid points', points.length);
        const whatIf = points.map((point, i) => {
          const at = scenarioAt(source!, point);
          const w = {
            parameters: pointLabels(point),
            steady: freshnessBound(at, base),
            window: freshnessBound(at, { ...base, steady: false }),
          };
          bar.update(i + 1);
          return w;
        });
        bar.stop();
        const frontier = targets.map((anomalyDelay) => ({
          anomalyDelay,
          steady: freshnessBound(scenario, { ...base, anomalyDelay }),
          window: freshnessBound(scenario, { ...base, anomalyDelay, steady: false }),
        }));
        if (opts.json) {
          const strip = ({ groups: _g, capacity: _c, ...rest }: FreshnessBound) => rest;
          printJson({
            scenario: scenario.name,
            horizon: horizon ?? scenario.horizon,
            warmup: scenario.warmup,
            steady,
            window: strip(window),
            anomalyTargets: frontier.map((f) => ({
              anomalyDelay: f.anomalyDelay,
              steady: strip(f.steady),
              window: strip(f.window),
            })),
            ...(whatIf.length > 0
              ? {
                  whatIf: whatIf.map((w) => ({
                    parameters: w.parameters,
                    steady: strip(w.steady),
                    window: strip(w.window),
                  })),
                }
              : {}),
          });
          return 0;
        }
        const out = process.stdout;
        const h = horizon ?? scenario.horizon;
        out.write(
          `${scenario.name} · the least weighted age of information any policy can reach (fluid lower bound)\n` +
            `capacity up on average: ${formatNumber(steady.capacity.attention)} attention, ` +
            `${formatNumber(steady.capacity.compute)} compute units on the nodes that can refresh\n` +
            `${REQUESTS[steady.requests]}\n\n`,
        );
        out.write(
          `${renderTable(
            ['bound', 'weighted AoI (s)'],
            [
              ['long run (what a steady schedule cannot beat on average)', seconds(steady.weightedAoI)],
              [
                `any schedule over the measured window (${scenario.warmup}–${h} s)`,
                seconds(window.weightedAoI),
              ],
            ],
          )}\n`,
        );
        if (steady.feasible !== undefined)
          out.write(
            `a feasible allocation of the relaxation reaches ${seconds(steady.feasible)} s: the long-run bound is that tight\n`,
          );
        out.write(
          `\n${renderTable(
            ['asset group', 'twins', 'criticality', 'anomalies/s', 'refresh (s)', 'period at the bound (s)'],
            steady.groups.map((g) => [
              g.group,
              g.twins,
              g.criticality,
              g.anomalyRate,
              g.refreshTime,
              Number.isFinite(g.period) ? g.period : '∞',
            ]),
          )}\n`,
        );
        if (frontier.length > 0) {
          const q = steady.anomalyQuantile;
          out.write(
            `\nfor policies whose anomaly-detection delay p${Math.round(q * 100)} is at most D:\n${renderTable(
              ['D (s)', 'long run (s)', 'over the window (s)', 'reachable'],
              frontier.map((f) => [
                f.anomalyDelay,
                f.steady.reachable ? seconds(f.steady.weightedAoI) : '–',
                f.window.reachable ? seconds(f.window.weightedAoI) : '–',
                f.steady.reachable ? 'yes' : 'no: no allocation within the capacities meets D',
              ]),
            )}\n`,
          );
        }
        if (whatIf.length > 0) {
          const paths = Object.keys(whatIf[0]!.parameters);
          out.write(
            `\nwhat if (the scenario at each point of the grid):\n${renderTable(
              [...paths, 'long run (s)', 'over the window (s)', 'requests'],
              whatIf.map((w) => [
                ...paths.map((p) => w.parameters[p]!),
                seconds(w.steady.weightedAoI),
                seconds(w.window.weightedAoI),
                w.steady.requests === 'overload' ? 'overload: left out' : w.steady.requests,
              ]),
            )}\n`,
          );
        }
        return 0;
      }, Boolean(cmd.optsWithGlobals().debug));
    });
}
