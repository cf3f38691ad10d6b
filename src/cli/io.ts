/**
 * Output conventions for every command: a readable table on a terminal, `--json` for machines
 * (one JSON document on stdout and nothing else there), messages and progress on stderr.
 * Exit codes: 0 success, 2 bad input, 1 internal error. Bad input never prints a stack trace;
 * `--debug` does.
 */
import { accessSync, closeSync, constants, existsSync, openSync, statSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ArsError, formatIssues, InputError, type InputIssue } from '../errors.js';
import { traceLine } from '../report/trace-file.js';
import type { Decision, DecisionSink } from '../scheduler/scheduler.js';

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
    writeMessage(`${formatIssueList(err.issues)}\n`);
    writeMessage(`error ${err.code}: ${err.issues.length} problem${err.issues.length === 1 ? '' : 's'}\n`);
    if (debug && err.stack) writeMessage(`${err.stack}\n`);
    return EXIT_INPUT;
  }
  if (err instanceof ArsError && err.isInputError) {
    writeMessage(`error ${err.code}: ${cleanLine(err.message)}\n`);
    if (debug && err.stack) writeMessage(`${err.stack}\n`);
    return EXIT_INPUT;
  }
  if (isStackOverflow(err)) {
    // Deep nesting that slipped past a loader's depth check is still the input's fault.
    writeMessage('error ARS_E_INPUT_FILE: the input is nested too deeply to process\n');
    if (debug && err instanceof Error && err.stack) writeMessage(`${err.stack}\n`);
    return EXIT_INPUT;
  }
  const message = err instanceof Error ? err.message : String(err);
  writeMessage(`internal error: ${cleanLine(message)}\n`);
  if (debug && err instanceof Error && err.stack) writeMessage(`${err.stack}\n`);
  else writeMessage('run again with --debug for the stack trace, and please report it\n');
  return EXIT_INTERNAL;
}

function isStackOverflow(err: unknown): boolean {
  return err instanceof RangeError && /call stack size/i.test(err.message);
}

/** Longest message line printed; longer lines (a 1 MB value quoted back) are cut. */
export const MAX_MESSAGE_LINE = 400;
/** Most problems listed for one error; the count of the rest follows. */
export const MAX_LISTED_ISSUES = 50;

/**
 * One printable line: control characters and stray bytes become escapes (so a binary file quoted in a
 * message cannot garble the terminal), and a line longer than `MAX_MESSAGE_LINE` is cut with a count.
 */
export function cleanLine(text: string, max = MAX_MESSAGE_LINE): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these are exactly what we escape
  const escaped = text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\ufffd]/g, (c) =>
    c === '\ufffd' ? '\\ufffd' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
  const lines = escaped.split('\n').map((l) => {
    const chars = [...l];
    return chars.length <= max
      ? l
      : `${chars.slice(0, max).join('')}… (${chars.length - max} more characters)`;
  });
  return lines.join('\n');
}

/** `formatIssues`, each line cleaned, at most `MAX_LISTED_ISSUES` problems. */
export function formatIssueList(issues: readonly InputIssue[]): string {
  const shown = issues.slice(0, MAX_LISTED_ISSUES);
  const lines = shown.map((i) => cleanLine(formatIssues([i])));
  if (issues.length > shown.length) lines.push(`… and ${issues.length - shown.length} more problems`);
  return lines.join('\n');
}

/**
 * Writes a message to stderr, synchronously so it is out before the process exits; a closed or full
 * stderr is ignored (there is nowhere left to complain).
 */
export function writeMessage(text: string): void {
  try {
    writeSync(2, text);
  } catch {
    // stderr is gone; the exit code still tells
  }
}

const WRITE_REASONS: Record<string, string> = {
  EPIPE: 'the reader closed the pipe',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large for the file system',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENOENT: 'no such directory',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'is a directory',
  EIO: 'input/output error',
};

/** Why writing failed, in words, with the system's code: "no space left on the device (ENOSPC)". */
export function writeReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code && WRITE_REASONS[code]) return `${WRITE_REASONS[code]} (${code})`;
  return code ?? (err instanceof Error ? err.message : String(err));
}

/** The error for a destination that cannot take the output: exit 2, one line. */
export function outputError(what: string, err: unknown): ArsError {
  return new ArsError('ARS_E_INPUT_ARGUMENT', `cannot write ${what}: ${writeReason(err)}`);
}

let guarded = false;
/**
 * Makes a failing stdout (a closed pipe as in `ars run … | head`, a full disk, `/dev/full`) end the
 * process with exit 2 and one line on stderr instead of an unhandled 'error' event and a stack trace.
 * Idempotent; main.ts installs it before any command runs.
 */
export function guardStdio(): void {
  if (guarded) return;
  guarded = true;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    // A reader that stopped reading (`| head`) wanted no more: no complaint beyond one line.
    writeMessage(`error ARS_E_INPUT_ARGUMENT: cannot write to stdout: ${writeReason(err)}\n`);
    process.exit(EXIT_INPUT);
  });
  process.stderr.on('error', () => {
    // nowhere to report; keep the exit code the command chose
  });
}

/**
 * Checks before any long work that `file` can be written: its folder exists (or can be created when
 * `createDirs`) and is writable, and the file itself, if it exists, is a writable non-directory.
 * `-` (stdout) always passes. Throws an exit-2 error naming the option.
 */
export function checkOutputPath(option: string, file: string, opts: { createDirs?: boolean } = {}): void {
  if (file === '-') return;
  const fail = (reason: string) => {
    throw new ArsError('ARS_E_INPUT_ARGUMENT', `${option} ${file}: cannot write there: ${reason}`);
  };
  if (file === '') fail('empty file name');
  const path = resolve(file);
  try {
    if (existsSync(path)) {
      const st = statSync(path);
      if (st.isDirectory()) fail('is a directory');
      accessSync(path, constants.W_OK);
      return;
    }
    // The nearest folder that exists must be a writable directory.
    let dir = dirname(path);
    let missing = false;
    while (!existsSync(dir)) {
      missing = true;
      const up = dirname(dir);
      if (up === dir) break;
      dir = up;
    }
    if (missing && !opts.createDirs) fail(`no such directory ${dirname(path)}`);
    if (!statSync(dir).isDirectory()) fail(`${dir} is not a directory`);
    accessSync(dir, constants.W_OK);
  } catch (err) {
    if (err instanceof ArsError) throw err;
    fail(writeReason(err));
  }
}

/**
 * A line-oriented output: a file opened for writing now (so a bad path fails before the work), or
 * stdout for `-`. Every write failure becomes an exit-2 error naming the destination.
 */
export class OutputFile {
  readonly #fd: number;
  readonly #owned: boolean;
  readonly #name: string;
  #pending: string[] = [];
  #bytes = 0;
  #closed = false;

  constructor(option: string, file: string) {
    this.#name = file === '-' ? 'to stdout' : `${option} ${file}`;
    if (file === '-') {
      this.#fd = 1;
      this.#owned = false;
      return;
    }
    checkOutputPath(option, file);
    try {
      this.#fd = openSync(file, 'w');
    } catch (err) {
      throw outputError(`${option} ${file}`, err);
    }
    this.#owned = true;
  }

  write(text: string): void {
    this.#pending.push(text);
    this.#bytes += text.length;
    if (this.#bytes > 1 << 16) this.flush();
  }

  flush(): void {
    if (this.#pending.length === 0) return;
    const data = Buffer.from(this.#pending.join(''), 'utf8');
    this.#pending = [];
    this.#bytes = 0;
    let off = 0;
    while (off < data.length) {
      try {
        off += writeSync(this.#fd, data, off);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EAGAIN') continue; // a non-blocking pipe that is full
        throw outputError(this.#name, err);
      }
    }
  }

  /** Flushes and closes; idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.flush();
    } finally {
      if (this.#owned) closeSync(this.#fd);
    }
  }
}

/** Writes one JSON document to stdout. */
export function printJson(doc: unknown): void {
  process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
}

/**
 * Writes `text` to `file` in one go (`-` is stdout); a full or unwritable destination is an exit-2 error.
 * Check the path with `checkOutputPath` before long work.
 */
export function writeOutput(option: string, file: string, text: string): void {
  const out = new OutputFile(option, file);
  out.write(text);
  out.close();
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

/**
 * `--trace <file>`: one JSON line per scheduling decision, to a file opened before the run starts, or
 * to stdout for `-`. A destination that fills up or closes ends the command with exit 2.
 */
export class DecisionTraceOutput implements DecisionSink {
  readonly #out: OutputFile;
  count = 0;
  constructor(option: string, file: string) {
    this.#out = new OutputFile(option, file);
  }
  record(d: Decision): void {
    this.#out.write(traceLine(d));
    this.count++;
  }
  close(): void {
    this.#out.close();
  }
}
