// Reading a `--trace` file back: one decision per JSON line, streamed, with the line of a bad one.
import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { ArsError } from '../errors.js';
import type { Decision } from '../scheduler/scheduler.js';

/**
 * Calls `onDecision` for every decision of a trace file, in file order, without holding the file in memory.
 * @throws ArsError ARS_E_INPUT_FILE when the file cannot be read, ARS_E_INPUT_SYNTAX (with the line) for a
 * line that is not JSON or not a decision
 */
export async function readDecisions(file: string, onDecision: (d: Decision) => void): Promise<void> {
  try {
    if (!statSync(file).isFile()) throw new Error('not a file');
  } catch {
    throw new ArsError('ARS_E_INPUT_FILE', `cannot read trace ${file}`);
  }
  const lines = createInterface({
    input: createReadStream(file, 'utf8'),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (line.trim() === '') continue;
    let d: Decision;
    try {
      d = JSON.parse(line) as Decision;
    } catch {
      throw new ArsError('ARS_E_INPUT_SYNTAX', `${file}:${n}: not a JSON line`);
    }
    if (typeof d?.kind !== 'string' || typeof d.subject !== 'string') {
      throw new ArsError('ARS_E_INPUT_SYNTAX', `${file}:${n}: not a decision (needs kind and subject)`);
    }
    onDecision(d);
  }
}
