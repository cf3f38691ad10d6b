/**
 * Output conventions for every command: a readable table on a terminal, `--json` for machines
 * (one JSON document on stdout and nothing else there), messages and progress on stderr.
 * Exit codes: 0 success, 2 bad input, 1 internal error. Bad input never prints a stack trace;
 * `--debug` does.
 */
import { ArsError, InputError } from '../errors.js';

export const EXIT_OK = 0;
export const EXIT_INTERNAL = 1;
export const EXIT_INPUT = 2;

export interface GlobalOptions {
  debug?: boolean;
}

/** Runs a command body and turns what it throws into a message on stderr and an exit code. */
export async function runCommand(
  body: () => Promise<number | undefined> | number | undefined,
  debug = false,
) {
  try {
    const code = await body();
    process.exitCode = code ?? EXIT_OK;
  } catch (err) {
    process.exitCode = reportError(err, debug);
  }
}

export function reportError(err: unknown, debug: boolean): number {
  if (err instanceof InputError) {
    process.stderr.write(`${err.message}\n`);
    process.stderr.write(
      `error ${err.code}: ${err.issues.length} problem${err.issues.length === 1 ? '' : 's'}\n`,
    );
    if (debug && err.stack) process.stderr.write(`${err.stack}\n`);
    return EXIT_INPUT;
  }
  if (err instanceof ArsError && err.isInputError) {
    process.stderr.write(`error ${err.code}: ${err.message}\n`);
    if (debug && err.stack) process.stderr.write(`${err.stack}\n`);
    return EXIT_INPUT;
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`internal error: ${message}\n`);
  if (debug && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  else process.stderr.write('run again with --debug for the stack trace, and please report it\n');
  return EXIT_INTERNAL;
}

/** Writes one JSON document to stdout. */
export function printJson(doc: unknown): void {
  process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
}

/** Renders rows as an aligned text table; numbers are right-aligned. */
export function renderTable(
  header: readonly string[],
  rows: readonly (readonly (string | number)[])[],
): string {
  const cells = rows.map((r) => r.map((c) => (typeof c === 'number' ? formatNumber(c) : c)));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number'));
  const line = (r: readonly string[]) =>
    r
      .map((c, i) => (numeric[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

/** Compact, stable formatting for tables: 4 significant digits, no exponent for everyday magnitudes. */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
  const abs = Math.abs(x);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e9)) return x.toExponential(3);
  return String(Number(x.toPrecision(4)));
}
