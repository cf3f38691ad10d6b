// Helpers shared by the commands that load a scenario and run it.
import cliProgress from 'cli-progress';
import { ArsError } from '../errors.js';
import { loadScenario } from '../model/index.js';
import type { PolicyRef, Scenario } from '../model/scenario.js';
import { policyNames } from '../policies/index.js';

export function loadForRun(file: string): Scenario {
  return loadScenario(file, { knownPolicies: policyNames() });
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
  if (value.trim() === '' || !Number.isFinite(x) || (opts.integer && !Number.isInteger(x)) || x < min) {
    throw new ArsError(
      'ARS_E_INPUT_ARGUMENT',
      `--${name} expects ${opts.integer ? 'an integer' : 'a number'}${Number.isFinite(min) ? ` >= ${min}` : ''}, got "${value}"`,
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
    const raw = p.slice(eq + 1);
    let v: unknown = raw;
    try {
      v = JSON.parse(raw);
    } catch {
      // plain text value
    }
    out[p.slice(0, eq)] = v;
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
