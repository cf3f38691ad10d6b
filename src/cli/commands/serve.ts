// `ars serve [scenario]`: the live service on 127.0.0.1 (agents, requests, telemetry, what-if).
import type { Command } from 'commander';
import { startService } from '../../live/service.js';
import { collect, loadForRun, numberOption, parseParams } from '../common.js';
import { runCommand } from '../io.js';

interface ServeOpts {
  policy?: string;
  param?: string[];
  port: string;
  host: string;
  mqttPort?: string;
  mqttUrl?: string;
  data?: string;
  updater: string;
  demo?: boolean | string;
  devicePeriod?: string;
}

export function register(program: Command): void {
  program
    .command('serve')
    .description(
      'run ARS live: agents as nodes, telemetry into twins, requests scheduled by the same policies',
    )
    .argument('[scenario]', 'scenario whose tenants, twins and workloads to serve (nodes come from agents)')
    .option('-p, --policy <name>', 'policy (default: the scenario’s, else ars)')
    .option('--param <key=value>', 'policy parameter, repeatable', collect)
    .option('--port <n>', 'HTTP port (0 picks a free one)', '8080')
    .option(
      '--host <address>',
      'address to bind (authentication arrives with the security work: keep it local)',
      '127.0.0.1',
    )
    .option('--mqtt-port <n>', 'start an embedded MQTT broker on this port (0 picks a free one)')
    .option('--mqtt-url <url>', 'take telemetry from an external MQTT broker instead')
    .option('--data <dir>', 'directory for the decision trace (decisions.jsonl, readable by `ars explain`)')
    .option(
      '--updater <name>',
      'twin update handler: last, ewma, kalman, or a handler the agents load',
      'last',
    )
    .option(
      '--demo [scenario]',
      'also start an agent per scenario node, an embedded broker, devices and load',
    )
    .option('--device-period <seconds>', 'demo devices: seconds between two samples of one device', '1')
    .action(async (file: string | undefined, opts: ServeOpts, cmd: Command) => {
      const debug = Boolean(cmd.optsWithGlobals().debug);
      await runCommand(async () => {
        const scenarioFile = file ?? (typeof opts.demo === 'string' ? opts.demo : undefined);
        const scenario = scenarioFile ? loadForRun(scenarioFile) : undefined;
        const port = numberOption('port', opts.port, { integer: true, min: 0 })!;
        const mqttPort = numberOption('mqtt-port', opts.mqttPort, { integer: true, min: 0 });
        const devicePeriod = numberOption('device-period', opts.devicePeriod, { min: 0.01 });
        const policy = opts.policy ? { name: opts.policy, params: parseParams(opts.param) } : undefined;
        const demo = opts.demo !== undefined;
        if (demo && !scenario) {
          process.stderr.write('error ARS_E_INPUT_ARGUMENT: --demo needs a scenario file\n');
          return 2;
        }
        const service = await startService({
          scenario,
          policy,
          port,
          host: opts.host,
          mqttPort: mqttPort ?? (demo && !opts.mqttUrl ? 0 : undefined),
          mqttUrl: opts.mqttUrl,
          data: opts.data,
          updater: opts.updater,
          demo,
          ...(devicePeriod !== undefined ? { devicePeriod } : {}),
          log: (line) => process.stderr.write(`${line}\n`),
        });
        const rt = service.runtime;
        const lines = [
          `ARS live on ${service.url} (policy ${rt.policy.name}${scenario ? `, scenario ${scenario.name}: ${rt.twins.length} twins, ${scenario.workloads.length} workloads` : ''})`,
          `  agents connect to      ${service.url.replace('http', 'ws')}/api/v1/agents/connect   (ars agent --server ${service.url} ...)`,
          `  requests               POST ${service.url}/api/v1/requests`,
          `  nodes                  ${service.url}/api/v1/nodes`,
          `  twins and their ages   ${service.url}/api/v1/live/twins`,
          `  live metrics           ${service.url}/api/v1/live/summary`,
          `  decisions              ${service.url}/api/v1/decisions?subject=...`,
          `  what-if                POST ${service.url}/api/v1/what-if`,
          `  snapshot as scenario   ars snapshot --server ${service.url} > now.yaml`,
          ...(service.mqtt
            ? [`  MQTT telemetry         ${service.mqtt.url}  topic telemetry/<tenant>/<thingId>`]
            : []),
          ...(service.agents.length > 0
            ? [
                `  demo: ${service.agents.length} agents, devices publishing, load from the scenario's workloads`,
              ]
            : []),
          'Ctrl-C stops.',
        ];
        process.stderr.write(`${lines.join('\n')}\n`);
        await new Promise<void>((resolve) => {
          const stop = () => resolve();
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
        await service.close();
        return 0;
      }, debug);
    });
}
