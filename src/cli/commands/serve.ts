// `ars serve [scenario]`: the live service on 127.0.0.1 (agents, requests, telemetry, what-if).
import type { Command } from 'commander';
import { DEFAULT_LEADER_KEY, type LeaderElectorOptions } from '../../cluster/leader.js';
import { ArsError } from '../../errors.js';
import type { LiveSummary } from '../../live/accounting.js';
import { startService } from '../../live/service.js';
import { assertSafeBind } from '../../security/bind-guard.js';
import { loadAuthFile, type ServerSecurity } from '../../server/auth-config.js';
import { isPostgresUrl, openStore } from '../../store/open.js';
import type { Store } from '../../store/store.js';
import { collect, loadForRun, numberOption, parseParams } from '../common.js';
import { printJson, runCommand } from '../io.js';

interface ServeOpts {
  policy?: string;
  param?: string[];
  port: string;
  host: string;
  mqttPort?: string;
  mqttUrl?: string;
  data?: string;
  leaseFactor: string;
  updater: string;
  demo?: boolean | string;
  devicePeriod?: string;
  duration?: string;
  statusEvery?: string;
  json?: boolean;
  auth?: string;
  store?: string;
  elect: boolean;
  advertiseUrl?: string;
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
    .option('--host <address>', 'address to bind (anything but loopback needs --auth)', '127.0.0.1')
    .option(
      '--auth <file>',
      'security configuration: keys, OIDC, tenants, policies, limits (docs/security.md)',
    )
    .option(
      '--store <url>',
      'the store: postgres://user@host/db[?schema=name] for PostgreSQL (several replicas may share it), or a SQLite file or directory; default: SQLite in --data',
    )
    .option(
      '--no-elect',
      'with a PostgreSQL store: do not campaign for leadership (this replica schedules on its own, as if alone)',
    )
    .option(
      '--advertise-url <url>',
      'with a PostgreSQL store: the URL other replicas send agents to for this one (default: the URL it listens on)',
    )
    .option('--mqtt-port <n>', 'start an embedded MQTT broker on this port (0 picks a free one)')
    .option('--mqtt-url <url>', 'take telemetry from an external MQTT broker instead')
    .option(
      '--data <dir>',
      'directory of the store (ars.db: things, samples, requests, tasks, agents, decisions) and the decision trace (decisions.jsonl, readable by `ars explain`); default: a temporary store deleted at exit',
    )
    .option(
      '--lease-factor <n>',
      'an attempt not finished within n times its expected duration (plus three heartbeats) is cancelled and dispatched again',
      '3',
    )
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
    .option(
      '--duration <seconds>',
      'stop by itself after this long and print the live summary (default: run until Ctrl-C)',
    )
    .option('--json', 'with --duration: print the live summary as JSON on stdout')
    .option('--status-every <seconds>', 'print one status line this often on stderr (0: never)', '10')
    .action(async (file: string | undefined, opts: ServeOpts, cmd: Command) => {
      const debug = Boolean(cmd.optsWithGlobals().debug);
      await runCommand(async () => {
        const scenarioFile = file ?? (typeof opts.demo === 'string' ? opts.demo : undefined);
        const scenario = scenarioFile ? loadForRun(scenarioFile) : undefined;
        const port = numberOption('port', opts.port, { integer: true, min: 0 })!;
        const mqttPort = numberOption('mqtt-port', opts.mqttPort, { integer: true, min: 0 });
        const devicePeriod = numberOption('device-period', opts.devicePeriod, { min: 0.01 });
        const duration = numberOption('duration', opts.duration, { min: Number.MIN_VALUE });
        const statusEvery = numberOption('status-every', opts.statusEvery, { min: 0 }) ?? 10;
        const leaseFactor = numberOption('lease-factor', opts.leaseFactor, { min: 1 });
        const policy = opts.policy ? { name: opts.policy, params: parseParams(opts.param) } : undefined;
        const demo = opts.demo !== undefined;
        if (demo && !scenario) {
          process.stderr.write('error ARS_E_INPUT_ARGUMENT: --demo needs a scenario file\n');
          return 2;
        }
        const security: ServerSecurity | undefined = opts.auth ? loadAuthFile(opts.auth) : undefined;
        try {
          assertSafeBind(opts.host, security !== undefined && !security.auth.devMode);
        } catch (e) {
          security?.close();
          throw new ArsError('ARS_E_INPUT_ARGUMENT', (e as Error).message);
        }
        if (demo && security && !security.auth.devMode) {
          security.close();
          throw new ArsError(
            'ARS_E_INPUT_ARGUMENT',
            '--demo runs its agents, devices and load in-process without credentials: drop --auth for the demo, or run `ars agent --token …` against a server with --auth',
          );
        }
        if (opts.advertiseUrl !== undefined && !/^https?:\/\/[^/]+/.test(opts.advertiseUrl))
          throw new ArsError(
            'ARS_E_INPUT_ARGUMENT',
            `--advertise-url expects an http(s) URL such as http://10.0.0.5:8080, got "${opts.advertiseUrl}"`,
          );
        let store: Store | undefined;
        if (opts.store) {
          try {
            store = await openStore(opts.store);
          } catch (e) {
            security?.close();
            throw new ArsError(
              'ARS_E_INPUT_ARGUMENT',
              `--store ${redactUrl(opts.store)}: ${(e as Error).message}`,
            );
          }
        }
        // `security` is spread into createServer's options ({ auth, sensitive, redactKeys }) by the service
        const service = await startService({
          security,
          ...(store ? { store } : {}),
          ...(opts.store && isPostgresUrl(opts.store) && opts.elect
            ? { cluster: { ...electionFor(opts.store), advertise: opts.advertiseUrl } }
            : {}),
          scenario,
          policy,
          port,
          host: opts.host,
          mqttPort: mqttPort ?? (demo && !opts.mqttUrl ? 0 : undefined),
          mqttUrl: opts.mqttUrl,
          data: opts.data,
          ...(leaseFactor !== undefined ? { leaseFactor } : {}),
          updater: opts.updater,
          demo,
          ...(devicePeriod !== undefined ? { devicePeriod } : {}),
          log: (line) => process.stderr.write(`${line}\n`),
        });
        const rt = service.runtime;
        const replica = service.replica;
        const lines = [
          `ARS live on ${service.url} (policy ${rt.policy.name}${scenario ? `, scenario ${scenario.name}: ${rt.twins.length} twins, ${scenario.workloads.length} workloads` : ''})`,
          `  agents connect to      ${service.url.replace('http', 'ws')}/api/v1/agents/connect   (ars agent --server ${service.url} ...)`,
          `  requests               POST ${service.url}/api/v1/requests`,
          `  nodes                  ${service.url}/api/v1/nodes`,
          `  twins and their ages   ${service.url}/api/v1/live/twins`,
          `  live metrics           ${service.url}/api/v1/live/summary`,
          `  dashboard              ${service.url}/`,
          `  decisions              ${service.url}/api/v1/live/decisions?subject=...`,
          `  things (twin registry) ${service.url}/api/v1/things`,
          `  telemetry              POST ${service.url}/api/v1/telemetry`,
          `  events (WebSocket/SSE) ${service.url}/api/v1/events`,
          `  health, metrics, API   ${service.url}/healthz  /readyz  /metrics  /openapi.json`,
          ...(replica
            ? [
                `  cluster                ${service.url}/api/v1/cluster   (replica ${replica.id}, ${replica.leading ? 'leader: schedules' : 'follower: serves the API, sends agents to the leader'})`,
              ]
            : []),
          `  store                  ${opts.store ? redactUrl(opts.store) : opts.data ? `${opts.data}/ars.db` : 'temporary SQLite file (use --data DIR to keep it)'}`,
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
          duration !== undefined ? `Stops after ${duration} s (or Ctrl-C).` : 'Ctrl-C stops.',
        ];
        process.stderr.write(`${lines.join('\n')}\n`);
        const status =
          statusEvery > 0
            ? setInterval(
                () => process.stderr.write(`${statusLine(rt.accounting.summary())}\n`),
                statusEvery * 1000,
              )
            : undefined;
        await new Promise<void>((resolve) => {
          const stop = () => resolve();
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
          if (duration !== undefined) setTimeout(stop, duration * 1000).unref();
        });
        if (status) clearInterval(status);
        const summary = rt.accounting.summary();
        await service.close();
        await store?.close();
        security?.close();
        if (duration !== undefined) {
          if (opts.json) printJson(summary);
          else process.stderr.write(`${statusLine(summary)}\n`);
        }
        return 0;
      }, debug);
    });
}

/**
 * The election of the replicas sharing `spec`: the database URL without the store's `schema` parameter, and a
 * lock key of that schema (replicas of deployments in different schemas of one database elect apart).
 */
function electionFor(spec: string): { election: LeaderElectorOptions; schema: string | undefined } {
  const url = new URL(spec);
  const schema = url.searchParams.get('schema') ?? undefined;
  url.searchParams.delete('schema');
  let key = DEFAULT_LEADER_KEY;
  if (schema !== undefined && schema !== 'public') {
    // FNV-1a of the schema name, kept a positive 31-bit integer away from the migration lock's key
    let h = 0x811c9dc5;
    for (const c of schema) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
    key = (h & 0x3fffffff) | 0x40000000;
  }
  return { election: { url: url.toString(), key }, schema };
}

/** A store URL as it may be printed: without its password. */
function redactUrl(spec: string): string {
  try {
    const u = new URL(spec);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return spec;
  }
}

/** One line of what the live system is doing now: what a platform engineer watches scroll by. */
function statusLine(s: LiveSummary): string {
  const f = (v: number | null, digits = 2) => (v === null ? '–' : v.toFixed(digits));
  const up = s.nodes.filter((n) => n.up).length;
  return [
    `[${s.time.toFixed(0)} s]`,
    `weighted AoI ${f(s.twins.weightedAoI)} s`,
    `requests ${s.requests.completed}/${s.requests.arrived} done`,
    `latency p95 ${f(s.requests.latency.p95)} s`,
    `misses ${s.requests.deadlineMissRate === null ? '–' : `${(s.requests.deadlineMissRate * 100).toFixed(1)} %`}`,
    `refreshes ${s.twins.refreshes.proactive + s.twins.refreshes.onDemand}`,
    `queue ${s.queueLength}`,
    `agents ${up}/${s.nodes.length}`,
    `decision p99 ${f(s.decisionLatencyMs.p99, 3)} ms`,
  ].join(' · ');
}
