// `ars tune <scenario>`: learn the ARS weights offline by simulation on training seeds (cross-entropy method).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { ArsError } from '../../errors.js';
import { compare } from '../../experiment/compare.js';
import { type ArsParams, type ParamName, resolveParams, TUNABLE } from '../../policies/ars/index.js';
import {
  bestOf,
  crossEntropySearch,
  type MetricValues,
  meanMetrics,
  objective,
} from '../../policies/ars/tune.js';
import { registry } from '../../policies/index.js';
import { loadForRun, numberOption, progressBar } from '../common.js';
import { printJson, runCommand } from '../io.js';

interface TuneOpts {
  seeds?: string;
  out?: string;
  iterations?: string;
  population?: string;
  horizon?: string;
  workers?: string;
  policy?: string;
  baselines?: string;
  start?: string;
  params?: string;
  json?: boolean;
}

/** The policies whose best values are the reference of the objective (those registered). */
export const TUNE_BASELINES = [
  'fifo',
  'random',
  'round-robin',
  'least-loaded',
  'earliest-deadline-first',
  'max-age-first',
  'drf',
  'heft',
];

/** `1,2,5` or `101-104` (or a mix: `1,10-12`). */
export function parseSeeds(text: string): number[] {
  const out: number[] = [];
  for (const part of text.split(',').map((s) => s.trim())) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m)
      throw new ArsError(
        'ARS_E_INPUT_ARGUMENT',
        `--seeds expects numbers or ranges like 101-104, got "${part}"`,
      );
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a || b - a > 10_000) throw new ArsError('ARS_E_INPUT_ARGUMENT', `--seeds: bad range "${part}"`);
    for (let s = a; s <= b; s++) out.push(s);
  }
  return out;
}

/** `--params a,b`: names of tunable parameters (all of them when absent). */
function parseParamList(list: string | undefined): ParamName[] {
  if (list === undefined) return [...TUNABLE];
  const names = list
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');
  if (names.length === 0) throw new ArsError('ARS_E_INPUT_ARGUMENT', '--params needs at least one name');
  for (const n of names) {
    if (!(TUNABLE as readonly string[]).includes(n)) {
      throw new ArsError(
        'ARS_E_INPUT_ARGUMENT',
        `--params: "${n}" is not a tunable parameter (tunable: ${TUNABLE.join(', ')})`,
      );
    }
  }
  return names as ParamName[];
}

export function register(program: Command): void {
  program
    .command('tune')
    .description(
      'learn the ARS feature weights by simulation on training seeds and write them as a profile file',
    )
    .argument('<scenario>', 'scenario file')
    .option(
      '--seeds <list>',
      'training seeds, e.g. 101-103 (keep them apart from the seeds you evaluate on)',
      '101-103',
    )
    .option('--out <file>', 'profile file to write (load it with --param profile=<file>)')
    .option('--iterations <n>', 'cross-entropy iterations', '5')
    .option('--population <n>', 'candidates per iteration', '12')
    .option('--horizon <seconds>', 'simulated time per run (default: the scenario’s)')
    .option('--workers <n>', 'worker threads (default: one per core)')
    .option('--policy <name>', 'the ARS variant to tune', 'ars')
    .option('--baselines <list>', 'reference policies of the objective', TUNE_BASELINES.join(','))
    .option('--start <file>', 'start from this profile instead of the defaults')
    .option(
      '--params <list>',
      'tune only these parameters (comma-separated); the others keep their start values',
    )
    .option('--json', 'print the profile document instead of a summary')
    .action(async (file: string, opts: TuneOpts) => {
      await runCommand(async () => {
        const scenario = loadForRun(file);
        const seeds = parseSeeds(opts.seeds ?? '101-103');
        const iterations = numberOption('iterations', opts.iterations, { integer: true, min: 1 }) ?? 5;
        const population = numberOption('population', opts.population, { integer: true, min: 4 }) ?? 12;
        const horizon = numberOption('horizon', opts.horizon, { min: Number.MIN_VALUE });
        const workers = numberOption('workers', opts.workers, { integer: true, min: 1 });
        const policy = opts.policy ?? 'ars';
        if (!policy.startsWith('ars'))
          throw new ArsError('ARS_E_INPUT_ARGUMENT', `--policy must be an ARS variant, got "${policy}"`);
        registry.get(policy);
        const tuned = parseParamList(opts.params);
        const baselines = (opts.baselines ?? TUNE_BASELINES.join(','))
          .split(',')
          .map((s) => s.trim())
          .filter((n) => n !== '' && registry.has(n));
        const common = {
          replications: 1,
          ...(horizon !== undefined ? { horizon } : {}),
          ...(workers !== undefined ? { workers } : {}),
        };
        /** mean objective metrics of each policy over the training seeds */
        const measure = async (
          label: string,
          policies: { name: string; params: Record<string, unknown> }[],
        ) => {
          const perSeed: Awaited<ReturnType<typeof compare>>[] = [];
          // one bar over every run of this step (policies × seeds), shown on a terminal after a second
          const bar = progressBar(label, policies.length * seeds.length);
          try {
            for (const seed of seeds) {
              const before = perSeed.length * policies.length;
              perSeed.push(
                await compare(scenario, {
                  ...common,
                  policies,
                  firstSeed: seed,
                  onProgress: (done) => bar.update(before + done),
                }),
              );
            }
          } finally {
            bar.stop();
          }
          return policies.map((_, p) => meanMetrics(perSeed.map((c) => c.results[p]!.runs[0])));
        };
        const log = (line: string) => process.stderr.write(`${line}\n`);
        log(`tune ${scenario.name}: references ${baselines.join(', ')} on seeds ${seeds.join(', ')}`);
        const refs = await measure(
          'reference runs',
          baselines.map((name) => ({ name, params: {} })),
        );
        const reference: MetricValues = bestOf(refs);
        const start = resolveParams(policy, opts.start ? { profile: opts.start } : {});
        // the tunable parameters left out keep their start values in every candidate and in the profile
        const fixed = Object.fromEntries(
          TUNABLE.filter((k) => !tuned.includes(k)).map((k) => [k, start[k]]),
        ) as Partial<ArsParams>;
        let iteration = 0;
        const result = await crossEntropySearch(
          async (candidates) => {
            iteration++;
            const values = await measure(
              `iteration ${iteration}/${iterations}`,
              candidates.map((c) => ({ name: policy, params: { ...fixed, ...c } })),
            );
            return values.map((v) => objective(v, reference));
          },
          {
            parameters: tuned,
            start,
            iterations,
            population,
            seed: seeds[0]!,
            onIteration: (i, best) =>
              log(`  iteration ${i}/${iterations}: best objective ${best.toFixed(4)}`),
          },
        );
        const params = { ...fixed, ...result.best };
        const [values] = await measure('tuned profile', [{ name: policy, params: { ...params } }]);
        const doc = {
          policy,
          scenario: scenario.name,
          method: 'cross-entropy',
          trainedOn: { seeds, horizon: horizon ?? scenario.horizon },
          search: { iterations, population, evaluations: result.evaluations, history: result.history },
          objective: {
            start: result.startScore,
            best: result.bestScore,
            references: baselines,
            reference,
            tuned: values,
          },
          ...(tuned.length < TUNABLE.length ? { tunedParameters: tuned } : {}),
          params,
        };
        if (opts.out) {
          mkdirSync(dirname(opts.out), { recursive: true });
          writeFileSync(opts.out, `${JSON.stringify(doc, null, 2)}\n`);
          log(
            `wrote ${opts.out} (objective ${result.startScore.toFixed(4)} → ${result.bestScore.toFixed(4)})`,
          );
        }
        if (opts.json || !opts.out) printJson(doc);
        return 0;
      });
    });
}
