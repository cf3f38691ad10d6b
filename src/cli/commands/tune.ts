// `ars tune <scenario>`: learn the ARS weights offline by simulation on training seeds (cross-entropy method).
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { ArsError } from '../../errors.js';
import { tunePolicy } from '../../experiment/tune.js';
import { type ParamName, TUNABLE } from '../../policies/ars/index.js';
import { BASELINES } from '../../policies/index.js';
import { loadForRun, numberOption, progressBar } from '../common.js';
import { checkOutputPath, outputError, printJson, runCommand, writeOutput } from '../io.js';

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
    if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b))
      throw new ArsError(
        'ARS_E_INPUT_ARGUMENT',
        `--seeds: "${part.length > 40 ? `${part.slice(0, 40)}…` : part}" goes beyond 2^53 - 1, where seeds stop being distinct`,
      );
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
    .option('--baselines <list>', 'reference policies of the objective', BASELINES.join(','))
    .option('--start <file>', 'start from this profile instead of the defaults')
    .option(
      '--params <list>',
      'tune only these parameters (comma-separated); the others keep their start values',
    )
    .option('--json', 'print the profile document instead of a summary')
    .action(async (file: string, opts: TuneOpts) => {
      await runCommand(async () => {
        // the profile is written after minutes of search: check its destination first
        if (opts.out) checkOutputPath('--out', opts.out, { createDirs: true });
        const scenario = loadForRun(file);
        const seeds = parseSeeds(opts.seeds ?? '101-103');
        const iterations = numberOption('iterations', opts.iterations, { integer: true, min: 1 }) ?? 5;
        const population = numberOption('population', opts.population, { integer: true, min: 4 }) ?? 12;
        const horizon = numberOption('horizon', opts.horizon, { min: Number.MIN_VALUE });
        const workers = numberOption('workers', opts.workers, { integer: true, min: 1 });
        const baselines = opts.baselines
          ?.split(',')
          .map((x) => x.trim())
          .filter((n) => n !== '');
        const log = (line: string) => process.stderr.write(`${line}\n`);
        const doc = await tunePolicy(scenario, {
          ...(opts.policy !== undefined ? { policy: opts.policy } : {}),
          parameters: parseParamList(opts.params),
          seeds,
          iterations,
          population,
          ...(horizon !== undefined ? { horizon } : {}),
          ...(workers !== undefined ? { workers } : {}),
          ...(baselines !== undefined ? { baselines } : {}),
          ...(opts.start !== undefined ? { start: opts.start } : {}),
          log,
          progress: progressBar,
        });
        if (opts.out) {
          try {
            mkdirSync(dirname(opts.out), { recursive: true });
          } catch (err) {
            throw outputError(`--out ${opts.out}`, err);
          }
          writeOutput('--out', opts.out, `${JSON.stringify(doc, null, 2)}\n`);
          log(
            `wrote ${opts.out} (objective ${doc.objective.start.toFixed(4)} → ${doc.objective.best.toFixed(4)})`,
          );
        }
        if (opts.json || !opts.out) printJson(doc);
        return 0;
      });
    });
}
