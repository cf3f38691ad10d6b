/**
 * Reads arrival times from a CSV trace: a header row, then one row per arrival.
 */
import { InputError } from '../errors.js';
import { didYouMean } from './did-you-mean.js';
import { readTextFile } from './read.js';

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
    text = readTextFile(path, { maxBytes, expected: 'a CSV file' });
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    const issue = err.issues[0]!;
    return new TraceProblem(
      `trace ${issue.message}`,
      issue.expected ?? 'a readable CSV file',
      issue.found ?? path,
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
    const t = cell === undefined || cell === '' ? Number.NaN : Number(cell) * scale;
    if (!Number.isFinite(t) || t < 0)
      return new TraceProblem(
        `trace line ${row + 1}: not an arrival time`,
        'a finite number of seconds >= 0 (after `scale`)',
        cell === undefined
          ? 'no such column on that line'
          : JSON.stringify(cell.length > 40 ? `${cell.slice(0, 40)}…` : cell),
      );
    times.push(t);
  }
  if (times.length === 0) return new TraceProblem('trace has no arrivals', 'at least one data row');
  times.sort((a, b) => a - b);
  return times;
}
