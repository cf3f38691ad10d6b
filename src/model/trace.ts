/**
 * Reads arrival times from a CSV trace: a header row, then one row per arrival.
 */
import { readFileSync, statSync } from 'node:fs';
import { didYouMean } from './did-you-mean.js';

/** Why a trace could not be read, phrased for the user; `found` says what was there instead. */
export class TraceProblem {
  constructor(
    readonly message: string,
    readonly expected?: string,
    readonly found?: string,
  ) {}
}

function splitCsvLine(line: string): string[] {
  // Simple CSV: fields separated by commas, optionally wrapped in double quotes (no embedded commas).
  return line.split(',').map((f) => f.trim().replace(/^"(.*)"$/, '$1'));
}

/**
 * Arrival times from the column `column` of the CSV file `path`, sorted ascending and multiplied by
 * `scale`. Returns a `TraceProblem` instead of throwing, so the caller can report it with the others.
 * Runs in O(n log n) for n rows.
 */
export function readTrace(
  path: string,
  column: string,
  scale: number,
  maxBytes: number,
): number[] | TraceProblem {
  let text: string;
  try {
    const st = statSync(path);
    if (st.isDirectory()) return new TraceProblem('trace file is a directory', 'a CSV file', path);
    if (st.size > maxBytes)
      return new TraceProblem('trace file too large', `at most ${maxBytes} bytes`, `${st.size} bytes`);
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return new TraceProblem(
      code === 'ENOENT' ? 'trace file not found' : `trace file unreadable (${code ?? 'error'})`,
      'a readable CSV file',
      path,
    );
  }
  const lines = text.split(/\r?\n/);
  let row = 0;
  while (row < lines.length && lines[row]!.trim() === '') row++;
  if (row >= lines.length)
    return new TraceProblem('trace file is empty', `a header row naming \`${column}\``);
  const header = splitCsvLine(lines[row]!);
  const col = header.indexOf(column);
  if (col < 0)
    return new TraceProblem(
      `trace has no column \`${column}\`${didYouMean(column, header)}`,
      `a header row naming \`${column}\``,
      `columns ${header.join(', ')}`,
    );
  const times: number[] = [];
  for (row++; row < lines.length; row++) {
    const line = lines[row]!;
    if (line.trim() === '') continue;
    const cell = splitCsvLine(line)[col];
    const t = cell === undefined || cell === '' ? Number.NaN : Number(cell);
    if (!Number.isFinite(t) || t < 0)
      return new TraceProblem(
        `trace line ${row + 1}: not an arrival time`,
        'a number of seconds >= 0',
        cell === undefined ? 'no such column on that line' : JSON.stringify(cell),
      );
    times.push(t * scale);
  }
  if (times.length === 0) return new TraceProblem('trace has no arrivals', 'at least one data row');
  times.sort((a, b) => a - b);
  return times;
}
