// `ars validate <files...>`: checks scenario files without running them.
import type { Command } from 'commander';
import type { InputError } from '../../errors.js';
import { safeLoadScenario } from '../../model/index.js';
import { policyNames } from '../../policies/index.js';
import { commandLimits } from '../common.js';
import { EXIT_INPUT, EXIT_OK, formatIssueList, printJson, runCommand } from '../io.js';

interface FileReport {
  file: string;
  ok: boolean;
  summary?: { nodes: number; twins: number; workloads: number };
  errors?: {
    code: string;
    path: string;
    line: number | null;
    column: number | null;
    message: string;
    expected: string | null;
    found: string | null;
  }[];
}

function errorsOf(error: InputError): NonNullable<FileReport['errors']> {
  return error.issues.map((i) => ({
    code: error.code,
    path: i.path,
    line: i.line ?? null,
    column: i.column ?? null,
    message: i.message,
    expected: i.expected ?? null,
    found: i.found ?? null,
  }));
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function register(program: Command): void {
  program
    .command('validate')
    .description('check scenario files (YAML or JSON) and report every problem with its location')
    .argument('<files...>', 'scenario files (.yaml, .yml or .json)')
    .option('--json', 'print one JSON document with the result of every file')
    .action(async (files: string[], opts: { json?: boolean }, cmd: Command) => {
      const debug = Boolean(cmd.optsWithGlobals().debug);
      await runCommand(() => {
        const names = policyNames();
        // An empty catalogue means policies are not registered yet; do not reject every name then.
        const knownPolicies = names.length > 0 ? names : undefined;
        const reports: FileReport[] = [];
        for (const file of files) {
          const result = safeLoadScenario(file, { knownPolicies, limits: commandLimits() });
          if (result.ok) {
            const s = result.scenario;
            const summary = { nodes: s.nodes.length, twins: s.twins.length, workloads: s.workloads.length };
            reports.push({ file, ok: true, summary });
            if (!opts.json)
              process.stdout.write(
                `${file}: ok (${plural(summary.nodes, 'node')}, ${plural(summary.twins, 'twin')}, ${plural(summary.workloads, 'workload')})\n`,
              );
          } else {
            const { error } = result;
            reports.push({ file, ok: false, errors: errorsOf(error) });
            if (!opts.json) {
              // Issues of a file-level error may lack the file name; every line must name it.
              const issues = error.issues.map((i) => ({ ...i, file: i.file ?? file }));
              process.stderr.write(`${formatIssueList(issues)}\n`);
              process.stderr.write(
                `${file}: error ${error.code}: ${plural(error.issues.length, 'problem')}\n`,
              );
            }
          }
        }
        if (opts.json) printJson({ files: reports });
        return reports.every((r) => r.ok) ? EXIT_OK : EXIT_INPUT;
      }, debug);
    });
}
