// `ars explain <trace> --subject ID`: the story of one twin or request from a decision trace.
import type { Command } from 'commander';
import { StoryBuilder } from '../../policies/ars/explain.js';
import { readDecisions } from '../../report/trace-read.js';
import { numberOption } from '../common.js';
import { printJson, runCommand } from '../io.js';

interface ExplainOpts {
  subject?: string;
  events?: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('explain')
    .description(
      'tell the story of one twin or request from a decision trace: what it got, why it waited, what it lost to',
    )
    .argument('<trace>', 'trace file written by `ars run --trace`')
    .requiredOption(
      '--subject <id>',
      'a twin id (press-3), a request id (production-query#12), a task id, a node group or node id (scaling), or a feedback controller (ars-feedback)',
    )
    .option('--events <n>', 'most events to list (default 40)', '40')
    .option('--json', 'print the story as JSON')
    .action(async (file: string, opts: ExplainOpts) => {
      await runCommand(async () => {
        const limit = numberOption('events', opts.events, { integer: true, min: 0 }) ?? 40;
        const builder = new StoryBuilder(opts.subject!);
        await readDecisions(file, (d) => builder.add(d));
        const story = builder.story();
        if (opts.json) {
          printJson(story);
          return story.kind === 'unknown' ? 2 : 0;
        }
        const out: string[] = [`${story.subject} (${story.kind})`];
        for (const s of story.summary) out.push(`  ${s}`);
        const events = story.events;
        if (events.length > 0) {
          out.push('', 'events:');
          const shown =
            events.length > limit ? [...events.slice(0, limit / 2), ...events.slice(-limit / 2)] : events;
          for (let i = 0; i < shown.length; i++) {
            if (events.length > limit && i === Math.floor(limit / 2))
              out.push(`  … ${events.length - limit} more …`);
            const e = shown[i]!;
            out.push(`  ${e.time.toFixed(3).padStart(10)}  ${e.kind.padEnd(9)} ${e.text}`);
          }
        }
        process.stdout.write(`${out.join('\n')}\n`);
        return story.kind === 'unknown' ? 2 : 0;
      });
    });
}
