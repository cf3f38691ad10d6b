/**
 * Reading a `--trace` file back, line by line with bounded memory; each line is checked by `parseTraceLine`, so
 * a trace written by hand or by another tool with fields of the wrong type is refused with its line number
 * instead of failing deep inside the story builder.
 */
import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { ArsError } from '../errors.js';
import { readReason } from '../model/index.js';
import type { Decision } from '../scheduler/decision.js';
import { parseTraceLine } from './trace-file.js';

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
    onDecision(d);
  }
}
