// Writing a report file, and reading the decisions about one subject from a `--trace` file for it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ArsError } from '../../errors.js';
import type { Decision } from '../../scheduler/scheduler.js';
import { readDecisions } from '../trace-read.js';
import { type ReportInput, type ReportOptions, renderReport } from './report.js';

/** Writes the HTML report of a document to `file`; returns its size in bytes. */
export function writeReport(file: string, input: ReportInput, options: ReportOptions = {}): number {
  const html = renderReport(input, options);
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, html);
  } catch (err) {
    throw new ArsError(
      'ARS_E_INPUT_FILE',
      `cannot write the report ${file}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  return Buffer.byteLength(html);
}

/**
 * The decisions of a trace about `subject`: those it is the subject of, those that chose it, and those
 * about its parts (`request#3/task`). Streams the file, so a large trace is not held in memory.
 */
export async function decisionsAbout(file: string, subject: string): Promise<Decision[]> {
  const out: Decision[] = [];
  await readDecisions(file, (d) => {
    if (d.subject === subject || d.chosen === subject || d.subject.startsWith(`${subject}/`)) out.push(d);
  });
  return out;
}
