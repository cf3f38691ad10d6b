// `ars report <document.json>`: one self-contained HTML file from a run, compare, sweep, evaluation or plan.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ArsError } from '../../errors.js';
import { detectInput, type ReportOptions } from '../../report/html/report.js';
import { decisionsAbout, writeReport } from '../../report/html/write.js';
import { runCommand } from '../io.js';

interface ReportOpts {
  out?: string;
  trace?: string;
  subject?: string;
  title?: string;
}

/** `--trace` with `--subject` → the explanation part of the report options. */
export async function explainOption(
  trace: string | undefined,
  subject: string | undefined,
): Promise<ReportOptions['explain']> {
  if (trace === undefined && subject === undefined) return undefined;
  if (trace === undefined || subject === undefined)
    throw new ArsError(
      'ARS_E_INPUT_ARGUMENT',
      '--trace and --subject go together: the decisions of which subject in which trace',
    );
  return { subject, decisions: await decisionsAbout(trace, subject) };
}

/** Writes a report and says where, and how big, on stderr. */
export function reportWritten(file: string, bytes: number): void {
  process.stderr.write(
    `wrote ${file} (${(bytes / 1024).toFixed(0)} KiB, self-contained: open it in any browser)\n`,
  );
}

export function register(program: Command): void {
  program
    .command('report')
    .description(
      'write one self-contained HTML report (charts, data inline, opens offline) from a JSON document',
    )
    .argument(
      '<document>',
      'JSON from ars run --json, compare --json, sweep --json, plan --json or scripts/evaluate.js --json',
    )
    .option('-o, --out <file>', 'HTML file to write (default: the document’s name with .html)')
    .option('--trace <file>', 'a decision trace (ars run --trace) to explain one subject from')
    .option('--subject <id>', 'the twin, request or task whose decisions to explain')
    .option('--title <text>', 'page title')
    .action(async (file: string, opts: ReportOpts, cmd: Command) => {
      await runCommand(async () => {
        let text: string;
        try {
          text = readFileSync(file, 'utf8');
        } catch {
          throw new ArsError('ARS_E_INPUT_FILE', `cannot read ${file}`);
        }
        let doc: unknown;
        try {
          doc = JSON.parse(text);
        } catch (err) {
          throw new ArsError(
            'ARS_E_INPUT_SYNTAX',
            `${file}: not JSON (${err instanceof Error ? err.message : String(err)})`,
          );
        }
        const input = detectInput(doc);
        if (!input)
          throw new ArsError(
            'ARS_E_INPUT_SCHEMA',
            `${file}: not a document ars report knows (expected the JSON of ars run, compare, sweep or plan, or of scripts/evaluate.js)`,
          );
        const explain = await explainOption(opts.trace, opts.subject);
        const out = opts.out ?? `${file.replace(/\.json$/i, '')}.html`;
        const bytes = writeReport(out, input, {
          ...(explain ? { explain } : {}),
          ...(opts.title ? { title: opts.title } : {}),
        });
        reportWritten(out, bytes);
        return 0;
      }, Boolean(cmd.optsWithGlobals().debug));
    });
}
