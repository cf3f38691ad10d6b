// `ars policies`: what each policy does, and the parameters each one takes.
import type { Command } from 'commander';
import { registry } from '../../policies/index.js';
import { renderWrappedTable, terminalWidth, wrapText } from '../../report/wrap-table.js';
import { printJson, runCommand } from '../io.js';

export function register(program: Command): void {
  program
    .command('policies')
    .description('list the scheduling policies with their placement and attention rules and parameters')
    .option('--json', 'print one JSON document')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      await runCommand(() => {
        const all = registry.factories();
        if (opts.json) {
          printJson({
            policies: all.map((f) => ({
              name: f.name,
              summary: f.summary,
              placement: f.placement,
              attention: f.attention,
              params: f.params,
            })),
          });
          return 0;
        }
        const width = terminalWidth();
        const out = [
          renderWrappedTable(
            ['policy', 'what it does', 'placement', 'attention'],
            all.map((f) => [f.name, f.summary, f.placement, f.attention]),
            width,
          ),
          '',
          'parameters (set with --param key=value):',
        ];
        for (const f of all) {
          const params = Object.entries(f.params);
          if (params.length === 0) continue;
          out.push('', `${f.name}`);
          const nameWidth = Math.max(...params.map(([k]) => k.length));
          const textWidth = Math.max(20, width - nameWidth - 4);
          for (const [key, text] of params) {
            wrapText(text, textWidth).forEach((line, i) => {
              out.push(`  ${(i === 0 ? key : '').padEnd(nameWidth)}  ${line}`.trimEnd());
            });
          }
        }
        const without = all.filter((f) => Object.keys(f.params).length === 0).map((f) => f.name);
        if (without.length > 0) out.push('', ...wrapText(`no parameters: ${without.join(', ')}`, width));
        process.stdout.write(`${out.join('\n')}\n`);
        return 0;
      }, Boolean(cmd.optsWithGlobals().debug));
    });
}
