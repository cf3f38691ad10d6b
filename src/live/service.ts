/**
 * `ars serve` as a library call: a Fastify server on 127.0.0.1 with the live routes, the live runtime, MQTT
 * ingest (embedded broker or external), an optional decision trace file in the data directory, and for
 * demos one in-process agent per scenario node, devices and load.
 */
import { createWriteStream, mkdirSync, readFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { parse } from 'yaml';
import { dashboardRoutes } from '../dashboard/plugin.js';
import type { PolicyRef, Scenario } from '../model/scenario.js';
import type { Decision } from '../scheduler/scheduler.js';
import { openSqliteStore, type Store } from '../store/index.js';
import { Agent } from './agent.js';
import { type DevicePlayer, playDevices } from './devices.js';
import { generateLoad, type LoadGenerator } from './load.js';
import { embeddedBroker, externalBroker, type MqttIngest } from './mqtt.js';
import { type Persister, persistTo } from './persist.js';
import { livePlugin } from './plugin.js';
import { LiveRuntime } from './runtime.js';

export interface ServiceOptions {
  readonly scenario?: Scenario | undefined;
  readonly policy?: PolicyRef | undefined;
  readonly host?: string;
  /** 0 picks a free port */
  readonly port?: number;
  /** embedded broker port (0 = free port); ignored with mqttUrl; undefined = no MQTT */
  readonly mqttPort?: number | undefined;
  readonly mqttUrl?: string | undefined;
  /** directory for the store (ars.db: decisions, requests, agents, twin states) and decisions.jsonl */
  readonly data?: string | undefined;
  readonly updater?: string;
  readonly warmup?: number;
  readonly heartbeatMs?: number;
  /** start an agent per scenario node, devices and load in this process */
  readonly demo?: boolean;
  /** seconds between two samples of a demo device (default 1) */
  readonly devicePeriod?: number;
  readonly log?: (line: string) => void;
}

export interface Service {
  readonly url: string;
  readonly app: FastifyInstance;
  readonly runtime: LiveRuntime;
  readonly mqtt: MqttIngest | undefined;
  readonly store: Store | undefined;
  readonly agents: Agent[];
  readonly devices: DevicePlayer | undefined;
  readonly load: LoadGenerator | undefined;
  close(): Promise<void>;
}

export async function startService(options: ServiceOptions): Promise<Service> {
  const scenario = options.scenario;
  const source =
    scenario?.file !== undefined
      ? (parse(readFileSync(scenario.file, 'utf8')) as Record<string, unknown>)
      : undefined;
  let trace: WriteStream | undefined;
  if (options.data) {
    mkdirSync(options.data, { recursive: true });
    trace = createWriteStream(join(options.data, 'decisions.jsonl'), { flags: 'a' });
  }
  const runtime = new LiveRuntime({
    scenario,
    policy: options.policy,
    ...(options.updater ? { updater: options.updater } : {}),
    ...(options.warmup !== undefined ? { warmup: options.warmup } : {}),
    ...(options.heartbeatMs !== undefined ? { heartbeatMs: options.heartbeatMs } : {}),
    ...(trace
      ? {
          onDecision: (d: Decision) => {
            trace!.write(`${JSON.stringify(d)}\n`);
            persister?.decision(d);
          },
        }
      : {}),
  });
  let store: Store | undefined;
  let persister: Persister | undefined;
  if (options.data) {
    // NORMAL: the trace and twin states survive a crash of the process; the scheduler never waits on fsync
    store = openSqliteStore({ path: join(options.data, 'ars.db'), synchronous: 'normal' });
    persister = await persistTo(store, runtime, (err) => options.log?.(`store: ${err.message}`));
  }
  const app = Fastify({ logger: false, bodyLimit: 8 * 1024 * 1024 });
  await app.register(livePlugin, {
    runtime,
    source,
    telemetry: true,
    ...(options.heartbeatMs !== undefined ? { heartbeatMs: options.heartbeatMs } : {}),
  });
  await app.register(dashboardRoutes);
  app.get('/healthz', async () => ({ ok: true }));
  const host = options.host ?? '127.0.0.1';
  await app.listen({ host, port: options.port ?? 8080 });
  const address = app.server.address();
  const url = `http://${host}:${typeof address === 'object' && address ? address.port : options.port}`;
  let mqtt: MqttIngest | undefined;
  if (options.mqttUrl) mqtt = await externalBroker(runtime, options.mqttUrl);
  else if (options.mqttPort !== undefined) mqtt = await embeddedBroker(runtime, options.mqttPort, host);
  const agents: Agent[] = [];
  let devices: DevicePlayer | undefined;
  let load: LoadGenerator | undefined;
  if (options.demo && scenario) {
    // elastic pools start at their `count`, as in the simulator (live mode does not autoscale agents)
    const startCount = new Map(scenario.nodeGroups.map((g) => [g.id, g.count]));
    const member = new Map<string, number>();
    for (const n of scenario.nodes) {
      const k = member.get(n.group) ?? 0;
      member.set(n.group, k + 1);
      if (k >= (startCount.get(n.group) ?? Number.POSITIVE_INFINITY)) continue;
      const agent = new Agent({
        server: url,
        id: n.id,
        kind: n.tier,
        compute: n.compute,
        attention: n.attention,
        speed: { default: n.speedDefault, kinds: { ...n.speedByKind } },
        labels: { group: n.group, ...(n.zone ? { zone: n.zone } : {}) },
        costPerSecond: n.costPerSecond,
      });
      await agent.start();
      agents.push(agent);
    }
    devices = await playDevices(scenario, {
      ...(mqtt ? { mqtt: mqtt.url } : { http: url }),
      ...(options.devicePeriod !== undefined ? { period: options.devicePeriod } : {}),
      onError: (err) => options.log?.(`devices: ${err.message}`),
    });
    load = generateLoad(scenario, { server: url, onError: (err) => options.log?.(`load: ${err.message}`) });
  }
  return {
    url,
    app,
    runtime,
    mqtt,
    store,
    agents,
    devices,
    load,
    async close() {
      await load?.stop();
      await devices?.stop();
      for (const a of agents) await a.stop();
      runtime.stop();
      await app.close();
      // the store records every agent as gone, whether or not its close reached us before the server stopped
      for (const n of runtime.nodes) runtime.disconnectAgent(n, 'server stopped');
      await persister?.close();
      await store?.close();
      await mqtt?.close();
      if (trace) await new Promise<void>((done) => trace!.end(() => done()));
    },
  };
}
