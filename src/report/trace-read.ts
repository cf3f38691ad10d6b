/**
 * Reading a `--trace` file back: checks each line of a decision trace before `ars explain` or a report reads it, so a trace
 * written by hand or by another tool with fields of the wrong type is refused with its line number
 * instead of failing deep inside the story builder.
 */
import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { ArsError } from '../errors.js';
import { readReason } from '../model/index.js';
import { DECISION_KINDS, type Decision } from '../scheduler/decision.js';
import { parseTraceLine } from './trace-file.js';

const KINDS: ReadonlySet<string> = new Set(DECISION_KINDS);

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);
const isNumberMap = (v: unknown) => isRecord(v) && Object.values(v).every((x) => typeof x === 'number');

/** What is wrong with `d` as a decision ("`time` must be a number"), or undefined when it is one. */
export function decisionProblem(d: unknown): string | undefined {
  if (!isRecord(d)) return 'not a decision object';
  if (typeof d.time !== 'number' || !Number.isFinite(d.time)) return '`time` must be a finite number';
  if (typeof d.kind !== 'string' || !KINDS.has(d.kind))
    return `\`kind\` must be one of ${[...KINDS].join(', ')}`;
  if (typeof d.subject !== 'string') return '`subject` must be a string';
  if (d.chosen !== null && typeof d.chosen !== 'string') return '`chosen` must be a string or null';
  if (d.runnerUp !== undefined && d.runnerUp !== null && typeof d.runnerUp !== 'string')
    return '`runnerUp` must be a string or null';
  if (!Array.isArray(d.candidates)) return '`candidates` must be a list';
  for (const [i, c] of d.candidates.entries()) {
    if (!isRecord(c) || typeof c.id !== 'string' || typeof c.score !== 'number' || !isNumberMap(c.parts))
      return `\`candidates[${i}]\` must be { id: string, score: number, parts: { name: number } }`;
  }
  for (const key of ['age', 'score', 'weight'])
    if (d[key] !== undefined && typeof d[key] !== 'number') return `\`${key}\` must be a number`;
  if (d.features !== undefined && !isNumberMap(d.features)) return '`features` must map names to numbers';
  if (d.detail !== undefined && !isRecord(d.detail)) return '`detail` must be an object';
  return undefined;
}

/** Narrowing form of `decisionProblem`. */
export function isDecision(d: unknown): d is Decision {
  return decisionProblem(d) === undefined;
}

/** Longest trace line read; a decision is a few kilobytes, so anything longer is not a trace. */
export const MAX_TRACE_LINE = 1 << 20;

/**
 * The lines of a regular file, read in chunks with memory bounded by `maxLine` (a file without line
 * breaks is refused, not buffered whole). Devices, pipes and unreadable files are refused with the reason.
 * @throws ArsError `ARS_E_INPUT_FILE`
 */
export async function* boundedLines(file: string, maxLine = MAX_TRACE_LINE): AsyncGenerator<string> {
  let handle: FileHandle;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw new ArsError('ARS_E_INPUT_FILE', `cannot read trace ${file}: ${readReason(err)}`);
  }
  try {
    if (!(await handle.stat()).isFile())
      throw new ArsError(
        'ARS_E_INPUT_FILE',
        `trace ${file} is not a regular file (a device, pipe or folder)`,
      );
    const decoder = new TextDecoder('utf-8');
    const buffer = Buffer.allocUnsafe(1 << 16);
    let partial = '';
    let lineNo = 0;
    for (;;) {
      let n: number;
      try {
        ({ bytesRead: n } = await handle.read(buffer, 0, buffer.length, null));
      } catch (err) {
        throw new ArsError('ARS_E_INPUT_FILE', `cannot read trace ${file}: ${readReason(err)}`);
      }
      const text = partial + decoder.decode(buffer.subarray(0, n), { stream: n > 0 });
      const lines = text.split('\n');
      partial = n > 0 ? lines.pop()! : '';
      for (const line of lines) {
        lineNo++;
        yield line.endsWith('\r') ? line.slice(0, -1) : line;
      }
      if (partial.length > maxLine)
        throw new ArsError(
          'ARS_E_INPUT_FILE',
          `${file}:${lineNo + 1}: line longer than ${maxLine} characters: not a decision trace`,
        );
      if (n === 0) return;
    }
  } finally {
    await handle.close();
  }
}

/**
 * Calls `onDecision` for every decision of a trace file, in file order, with memory bounded by the longest
 * line (`boundedLines`).
 * @throws ArsError ARS_E_INPUT_FILE when the file cannot be read, ARS_E_INPUT_SYNTAX (with the line) for a
 * line that is not JSON or not a decision
 */
export async function readDecisions(file: string, onDecision: (d: Decision) => void): Promise<void> {
  let n = 0;
  for await (const line of boundedLines(file)) {
    n++;
    if (line.trim() === '') continue;
    const d = parseTraceLine(line);
    if (typeof d === 'string') throw new ArsError('ARS_E_INPUT_SYNTAX', `${file}:${n}: ${d}`);
    const problem = decisionProblem(d);
    if (problem) throw new ArsError('ARS_E_INPUT_SYNTAX', `${file}:${n}: not a decision: ${problem}`);
    onDecision(d);
  }
}
