// `ars agent --server URL --id ID ...`: offer this machine's compute and attention to a live server.
import type { Command } from 'commander';
import { ArsError } from '../../errors.js';
import { Agent } from '../../live/agent.js';
import { collect, numberOption } from '../common.js';
import { runCommand } from '../io.js';

interface AgentOpts {
  server: string;
  id: string;
  kind: string;
  compute: string;
  attention: string;
  speed: string;
  labels?: string[];
  handlers?: string;
  token?: string;
}

const KINDS = ['edge', 'fog', 'cloud'] as const;

export function register(program: Command): void {
  program
    .command('agent')
    .description('connect to a live server as a node and run the work it assigns')
    .requiredOption(
      '--server <url>',
      'the server, e.g. http://10.0.0.5:8080; replicas comma-separated (the agent finds the leader)',
    )
    .requiredOption('--id <id>', 'this node’s id (unique among agents)')
    .option('--kind <tier>', 'edge, fog or cloud', 'edge')
    .option('--compute <units>', 'compute capacity offered', '1')
    .option('--attention <units>', 'attention capacity offered (twin refreshes at once)', '0')
    .option('--speed <factor>', 'speed factor: work w takes w / speed seconds here', '1')
    .option('--labels <key=value>', 'a label, repeatable or comma-separated (zone=line-1)', collect)
    .option('--handlers <module>', 'ES module of named async task and update handlers')
    .option('--token <key>', "this node's credential when the server has --auth (default: $ARS_TOKEN)")
    .action(async (opts: AgentOpts, cmd: Command) => {
      const debug = Boolean(cmd.optsWithGlobals().debug);
      await runCommand(async () => {
        if (!(KINDS as readonly string[]).includes(opts.kind))
          throw new ArsError(
            'ARS_E_INPUT_ARGUMENT',
            `--kind expects one of ${KINDS.join(', ')}, got "${opts.kind}"`,
          );
        // replicas of a cluster: several URLs, comma-separated
        for (const server of opts.server.split(',')) {
          try {
            new URL(server.trim());
          } catch {
            throw new ArsError(
              'ARS_E_INPUT_ARGUMENT',
              `--server expects a URL such as http://127.0.0.1:8080 (or several, comma-separated), got "${server}"`,
            );
          }
        }
        const labels: Record<string, string> = {};
        for (const pair of (opts.labels ?? []).flatMap((l) => l.split(','))) {
          const eq = pair.indexOf('=');
          if (eq <= 0)
            throw new ArsError('ARS_E_INPUT_ARGUMENT', `--labels expects key=value, got "${pair}"`);
          labels[pair.slice(0, eq)] = pair.slice(eq + 1);
        }
        const agent = new Agent({
          server: opts.server,
          id: opts.id,
          kind: opts.kind as (typeof KINDS)[number],
          compute: numberOption('compute', opts.compute, { min: Number.MIN_VALUE })!,
          attention: numberOption('attention', opts.attention, { min: 0 })!,
          speed: { default: numberOption('speed', opts.speed, { min: Number.MIN_VALUE })!, kinds: {} },
          labels,
          ...(opts.handlers ? { handlers: opts.handlers } : {}),
          ...((opts.token ?? process.env.ARS_TOKEN) ? { token: opts.token ?? process.env.ARS_TOKEN } : {}),
          log: (line) => process.stderr.write(`${line}\n`),
        });
        try {
          await agent.start();
        } catch (err) {
          if (err instanceof ArsError) throw err;
          throw new ArsError(
            'ARS_E_INPUT_ARGUMENT',
            `cannot connect to ${opts.server}: ${(err as Error).message}`,
          );
        }
        await new Promise<void>((resolve) => {
          process.once('SIGINT', () => resolve());
          process.once('SIGTERM', () => resolve());
        });
        await agent.stop();
        process.stderr.write(`agent ${opts.id}: stopped after ${agent.completed} completed assignments\n`);
        return 0;
      }, debug);
    });
}
