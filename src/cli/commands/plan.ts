// `ars plan <file> --policy <name>`: plans a static problem (task DAG or ETC matrix) and shows the schedule.
import type { Command } from 'commander';
import { ArsError } from '../../errors.js';
import { formatCount, NO_LIMITS, readTextFile } from '../../model/index.js';
import {
  bestKnownFor,
  PLANNERS,
  type Problem,
  parseProblem,
  plan,
  plannerNames,
  type Schedule,
  type SearchOptions,
  validateSchedule,
} from '../../policies/planning/index.js';
import { commandLimits } from '../common.js';
import { EXIT_INTERNAL, EXIT_OK, printJson, renderTable, runCommand } from '../io.js';

interface PlanOptions {
  policy: string;
  seed?: string;
  budgetMs?: string;
  iterations?: string;
  bestKnown?: string;
  json?: boolean;
}

/** Largest problem file read, so a wrong path to a huge file fails fast. */
const MAX_FILE_BYTES = 64 * 1024 * 1024;
/** Below this many tasks the text output lists every entry under the chart. */
const LIST_ENTRIES_UP_TO = 40;

function numberOption(
  name: string,
  raw: string | undefined,
  integer: boolean,
  min: number,
): number | undefined {
  if (raw === undefined) return undefined;
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v) || v < min || (integer && !Number.isSafeInteger(v))) {
    const what = integer ? `an integer ≥ ${min}` : `a number ≥ ${min}`;
    throw new ArsError('ARS_E_INPUT_ARGUMENT', `--${name} must be ${what}, got "${raw}"`);
  }
  return v;
}

/**
 * GA and PSO evaluate a population of whole schedules per iteration: refuse an `--iterations` whose
 * estimated work (iterations × tasks × processors) is past the command's work limit before searching,
 * instead of running for days. `--max-work` raises the limit, `--no-limits` lifts it.
 */
function checkSearchWork(policy: string, problem: Problem, iterations: number | undefined): void {
  if (iterations === undefined || (policy !== 'ga' && policy !== 'pso')) return;
  const work = iterations * problem.tasks * problem.processorNames.length;
  const { maxWork } = commandLimits();
  if (work > maxWork) {
    throw new ArsError(
      'ARS_E_INPUT_ARGUMENT',
      `--iterations ${iterations} would evaluate about ${formatCount(work)} task placements ` +
        `(${problem.tasks} tasks × ${problem.processorNames.length} processors per iteration), past the limit of ` +
        `${formatCount(maxWork)}; lower --iterations, use --budget-ms, or raise the limit with --max-work or --no-limits`,
    );
  }
}

function readProblem(file: string): Problem {
  const maxBytes = commandLimits() === NO_LIMITS ? Number.POSITIVE_INFINITY : MAX_FILE_BYTES;
  const text = readTextFile(file, { maxBytes, expected: 'a problem file (JSON DAG or ETC matrix)' });
  return parseProblem(text, file);
}

/**
 * One row per processor, the time axis scaled to `width` characters. Tasks alternate `#`/`=` so
 * neighbours stay apart; a task wide enough shows its name. Idle time is `.`.
 */
export function renderGantt(problem: Problem, schedule: Schedule, columns: number): string {
  const label = Math.max(...problem.processorNames.map((n) => n.length));
  const width = Math.max(20, columns - label - 3);
  const span = schedule.makespan > 0 ? schedule.makespan : 1;
  const col = (t: number) => Math.min(width, Math.round((t / span) * width));
  const rows = problem.processorNames.map(() => Array.from({ length: width }, () => '.'));
  const byProc = problem.processorNames.map(() => [] as Schedule['entries'][number][]);
  for (const e of schedule.entries) byProc[e.processorIndex]?.push(e);
  byProc.forEach((entries, p) => {
    const row = rows[p] as string[];
    entries.sort((a, b) => a.start - b.start || a.taskIndex - b.taskIndex);
    entries.forEach((e, k) => {
      const a = col(e.start);
      const b = Math.max(a + (e.finish > e.start ? 1 : 0), col(e.finish));
      const fill = k % 2 === 0 ? '#' : '=';
      for (let i = a; i < b && i < width; i++) row[i] = fill;
      if (b - a >= e.task.length + 2)
        for (let i = 0; i < e.task.length; i++) row[a + 1 + i] = e.task[i] as string;
    });
  });
  const lines = rows.map((r, p) => `${(problem.processorNames[p] as string).padEnd(label)} |${r.join('')}|`);
  const end = String(Number(span.toFixed(2)));
  lines.push(`${' '.repeat(label)}  0${end.padStart(width - 1)}`);
  return lines.join('\n');
}

export function register(program: Command): void {
  program
    .command('plan')
    .description(
      'plan a static scheduling problem (task DAG in JSON, or Braun ETC matrix) with a named policy',
    )
    .argument('<file>', 'problem file: JSON { processors, cost, edges } or an ETC matrix ("512 16 0" header)')
    .requiredOption('--policy <name>', `planning policy: ${plannerNames().join(', ')}`)
    .option('--seed <n>', 'seed of the GA / PSO random stream', '1')
    .option(
      '--budget-ms <ms>',
      'GA / PSO wall-clock budget in milliseconds (results then depend on machine speed)',
    )
    .option('--iterations <k>', 'GA / PSO iterations (deterministic bound; default 2000 without a budget)')
    .option('--best-known <x>', 'best known makespan, to report the gap (Braun instances: built in)')
    .option('--json', 'print one JSON document')
    .action(async (file: string, opts: PlanOptions, cmd: Command) => {
      await runCommand(() => {
        const info = PLANNERS.find((p) => p.name === opts.policy);
        if (!info) {
          throw new ArsError(
            'ARS_E_POLICY',
            `unknown planning policy "${opts.policy}"; known: ${plannerNames().join(', ')}`,
          );
        }
        const seed = numberOption('seed', opts.seed, true, 0) ?? 1;
        const budgetMs = numberOption('budget-ms', opts.budgetMs, false, 0);
        const iterations = numberOption('iterations', opts.iterations, true, 0);
        const bestKnown = numberOption('best-known', opts.bestKnown, false, 0) ?? bestKnownFor(file);
        const problem = readProblem(file);
        checkSearchWork(opts.policy, problem, iterations);
        const options: SearchOptions = { seed, budgetMs, iterations, bestKnown };
        const schedule = plan(opts.policy, problem, options);
        const violations = validateSchedule(problem, schedule);
        const search = schedule.search;
        const gap = bestKnown === undefined ? undefined : (schedule.makespan - bestKnown) / bestKnown;
        if (opts.json) {
          printJson({
            policy: opts.policy,
            file,
            kind: problem.kind,
            tasks: problem.tasks,
            processors: problem.processorNames,
            makespan: schedule.makespan,
            ...(bestKnown !== undefined ? { bestKnown, gapToBestKnown: gap } : {}),
            valid: violations.length === 0,
            ...(violations.length > 0 ? { violations } : {}),
            ...(search ? { seed, search } : {}),
            schedule: schedule.entries.map((e) => ({
              task: e.task,
              processor: e.processor,
              start: e.start,
              finish: e.finish,
            })),
          });
        } else {
          const columns = process.stdout.columns ?? 100;
          const out: string[] = [
            `${opts.policy} on ${file}: ${problem.tasks} tasks, ${problem.processors} processors`,
            '',
            renderGantt(problem, schedule, columns),
            '',
          ];
          if (problem.tasks <= LIST_ENTRIES_UP_TO) {
            const sorted = [...schedule.entries].sort(
              (a, b) => a.start - b.start || a.taskIndex - b.taskIndex,
            );
            out.push(
              renderTable(
                ['task', 'processor', 'start', 'finish'],
                sorted.map((e) => [e.task, e.processor, e.start, e.finish]),
              ),
              '',
            );
          }
          out.push(`makespan ${schedule.makespan}`);
          if (search) {
            out.push(
              `started from ${search.startMakespan} (${((1 - schedule.makespan / search.startMakespan) * 100).toFixed(2)}% better), ` +
                `${search.iterations} iterations, seed ${seed}${search.stoppedByBudget ? ', stopped by the time budget' : ''}`,
            );
          }
          if (bestKnown !== undefined && gap !== undefined) {
            out.push(`best known ${bestKnown}, gap ${(gap * 100).toFixed(2)}%`);
          }
          out.push(
            violations.length === 0
              ? 'schedule valid'
              : `INVALID schedule:\n${violations.map((v) => `  ${v.message}`).join('\n')}`,
          );
          process.stdout.write(`${out.join('\n')}\n`);
        }
        // A planner that returns an infeasible schedule is a bug in ARS, not in the input.
        return violations.length === 0 ? EXIT_OK : EXIT_INTERNAL;
      }, Boolean(cmd.optsWithGlobals().debug));
    });
}
