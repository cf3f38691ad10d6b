// Helpers shared by the commands that load a scenario and run it.
import cliProgress from 'cli-progress';
import { ArsError } from '../errors.js';
import { checkWork, DEFAULT_LIMITS, type Limits, loadScenario, NO_LIMITS } from '../model/index.js';
import type { PolicyRef, Scenario } from '../model/scenario.js';
import { policyNames } from '../policies/index.js';

/** The command being run: its name and options (with the global ones), set by main.ts before it acts. */
let context: { name: string; options: Record<string, unknown> } = { name: '', options: {} };
let limits: Limits = DEFAULT_LIMITS;

/**
 * Records the command about to run and applies the global `--no-limits` and `--max-work <events>`.
 * @throws ArsError `ARS_E_INPUT_ARGUMENT` for a bad `--max-work`.
 */
export function setCommandContext(name: string, options: Record<string, unknown>): void {
  context = { name, options };
  if (options.limits === false) {
    limits = NO_LIMITS;
    return;
  }
  const maxWork = numberOption('max-work', options.maxWork as string | undefined, { min: 1 });
  limits = maxWork === undefined ? DEFAULT_LIMITS : { ...DEFAULT_LIMITS, maxWork };
}

/** The limits in force for this command (defaults, `--max-work`, or none with `--no-limits`). */
export function commandLimits(): Limits {
  return limits;
}

/** A number option as the command will read it, or undefined when absent or malformed (it refuses those). */
function optionNumber(name: string): number | undefined {
  const raw = context.options[name];
  if (typeof raw !== 'string' || raw.trim() === '') return undefined;
  const x = Number(raw);
  return Number.isFinite(x) ? x : undefined;
}

/** How many seeds a `--seeds` list such as `1,10-12` names; malformed parts count as one. */
function countSeeds(text: string): number {
  let n = 0;
  for (const part of text.split(',')) {
    const m = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(part);
    n += m ? Math.max(1, Number(m[2]) - Number(m[1]) + 1) : 1;
  }
  return n;
}

/** How many simulation runs the current command makes, from its options (see each command's defaults). */
function runsOfCommand(): number {
  const o = context.options;
  const list = (v: unknown, fallback: number) =>
    typeof v === 'string' ? Math.max(1, v.split(',').filter((x) => x.trim() !== '').length) : fallback;
  switch (context.name) {
    case 'compare':
      return list(o.policies, 5) * Math.max(1, optionNumber('replications') ?? 5);
    case 'tune': {
      const seeds = countSeeds(typeof o.seeds === 'string' ? o.seeds : '101-103');
      const candidates = (optionNumber('iterations') ?? 5) * (optionNumber('population') ?? 12);
      return seeds * (list(o.baselines, 8) + candidates + 2);
    }
    default:
      return 1;
  }
}

/**
 * Loads a scenario for a command that simulates it, then checks before any run starts that the work
 * asked for can be done: the horizon (the scenario's or `--horizon`) outlasts the warm-up, and the
 * estimated events of all the command's runs stay within the limits.
 * @throws InputError for a bad file, ArsError (exit 2) for work that cannot be done.
 */
export function loadForRun(file: string): Scenario {
  const scenario = loadScenario(file, { knownPolicies: policyNames(), limits });
  const horizonOption = optionNumber('horizon');
  const horizon = horizonOption !== undefined && horizonOption > 0 ? horizonOption : scenario.horizon;
  if (horizon <= scenario.warmup)
    throw new ArsError(
      'ARS_E_INPUT_ARGUMENT',
      `--horizon ${horizon} ends before the scenario's warm-up (${scenario.warmup} s) does: nothing would be measured; ` +
        `give a horizon longer than ${scenario.warmup}`,
    );
  const seed = optionNumber('seed');
  const replications = optionNumber('replications');
  if (seed !== undefined && replications !== undefined && seed + replications - 1 > Number.MAX_SAFE_INTEGER)
    throw new ArsError(
      'ARS_E_INPUT_ARGUMENT',
      `--seed ${seed} with ${replications} replications runs past 2^53 - 1, where seeds stop being distinct`,
    );
  checkWork(scenario, { horizon, runs: runsOfCommand() }, limits);
  return scenario;
}

/** Parses a number option; bad values are the user's error (exit 2), never NaN silently. */
export function numberOption(
  name: string,
  value: string | undefined,
  opts: { integer?: boolean; min?: number } = {},
) {
  if (value === undefined) return undefined;
  const x = Number(value);
  const min = opts.min ?? Number.NEGATIVE_INFINITY;
  if (value.trim() === '' || !Number.isFinite(x) || (opts.integer && !Number.isSafeInteger(x)) || x < min) {
    const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    throw new ArsError(
      'ARS_E_INPUT_ARGUMENT',
      `--${name} expects ${opts.integer ? 'an integer' : 'a number'}${Number.isFinite(min) ? ` >= ${min}` : ''}` +
        `${opts.integer ? ` and <= ${Number.MAX_SAFE_INTEGER} (2^53 - 1)` : ''}, got "${shown}"`,
    );
  }
  return x;
}

/** `--param key=value` pairs; values are read as JSON when they parse (numbers, booleans), else as text. */
export function parseParams(pairs: readonly string[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of pairs ?? []) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new ArsError('ARS_E_INPUT_ARGUMENT', `--param expects key=value, got "${p}"`);
    const key = p.slice(0, eq);
    // `key in defaults` is true for Object.prototype's names: they would pass a policy's unknown-name check.
    if (key in Object.prototype)
      throw new ArsError('ARS_E_INPUT_ARGUMENT', `--param: "${key}" is not a parameter name of any policy`);
    const raw = p.slice(eq + 1);
    let v: unknown = raw;
    try {
      v = JSON.parse(raw);
    } catch {
      // plain text value
    }
    out[key] = v;
  }
  return out;
}

export function policyRef(name: string, params: Record<string, unknown>): PolicyRef {
  return { name, params };
}

export const collect = (value: string, previous: string[] = []) => [...previous, value];

/** A progress bar on a terminal, nothing otherwise. Shown only for work that lasts over a second. */
export function progressBar(label: string, total: number) {
  if (!process.stderr.isTTY) return { update: (_: number) => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {percentage}% | {value}/{total} | eta {eta_formatted}`,
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  let shown = false;
  return {
    update(value: number) {
      if (!shown && Date.now() - started > 1000) {
        bar.start(total, value);
        shown = true;
      } else if (shown) bar.update(value);
    },
    stop() {
      if (shown) bar.stop();
    },
  };
}
