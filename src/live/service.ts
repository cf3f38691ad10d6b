/**
 * `ars serve` as a library call: ONE server. The live service's HTTP side is `createServer` (src/server:
 * registry, `POST /api/v1/telemetry`, decisions, the event stream, health, metrics, OpenAPI, problem+json
 * errors) with the live routes (agents, requests, nodes, twins, summary, what-if, snapshot) as its plugin;
 * MQTT telemetry goes through the server's ingest (src/server/mqtt.ts: an embedded broker that stores before
 * the PUBACK, or an external broker). The Store is always real: SQLite in `data/ars.db`, or in a temporary
 * directory deleted at close when there is no `data`. Telemetry is stored by the ingest; the runtime hears
 * of it on the event bus and a refresh reads the stored samples. Requests, task attempts, agents, refreshed
 * twin states and the decision trace go to the Store; with `data`, the trace is also written as `"v":1`
 * lines to `data/decisions.jsonl` (readable by `ars explain`). Demos add one in-process agent per scenario
 * node, devices and load.
 */
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { parse } from 'yaml';
import type { LeaderElectorOptions } from '../cluster/leader.js';
import { ClusterReplica, clusterRoutes, type TelemetryNote, type Term } from '../cluster/serve.js';
import { dashboardRoutes } from '../dashboard/plugin.js';
import type { PolicyRef, Scenario } from '../model/scenario.js';
import { traceLine } from '../report/trace-file.js';
import type { Decision } from '../scheduler/scheduler.js';
import type { ServerSecurity } from '../server/auth-config.js';
import { EventBus } from '../server/events.js';
import type { LiveContext } from '../server/ingest.js';
import { createLiveMetrics } from '../server/metrics.js';
import { type MqttIngest, startMqttIngest } from '../server/mqtt.js';
import { createServer } from '../server/server.js';
import { openSqliteStore, type Store } from '../store/index.js';
import { Agent } from './agent.js';
import { type DevicePlayer, playDevices } from './devices.js';
import { generateLoad, type LoadGenerator } from './load.js';
import {
  nextRequestNumber,
  type Persister,
  persistTo,
  registerTwins,
  resumeRequests,
  sampleValue,
} from './persist.js';
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
  /** directory of the store (ars.db) and the decision trace (decisions.jsonl); default: a temporary store */
  readonly data?: string | undefined;
  /** a Store to use instead of SQLite (e.g. PostgreSQL); the service does not close it */
  readonly store?: Store | undefined;
  /** authentication, policies, tenants, limits, audit and sensitive fields (`ars serve --auth`); absent: local dev mode */
  readonly security?: Pick<ServerSecurity, 'auth' | 'sensitive' | 'redactKeys'> | undefined;
  readonly updater?: string;
  readonly warmup?: number;
  readonly heartbeatMs?: number;
  /** an attempt's lease in multiples of its expected duration (default 3) */
  readonly leaseFactor?: number;
  /** start an agent per scenario node, devices and load in this process */
  readonly demo?: boolean;
  /** seconds between two samples of a demo device (default 1) */
  readonly devicePeriod?: number;
  readonly log?: (line: string) => void;
  /**
   * Several replicas on one PostgreSQL store: campaign for leadership; only the leader schedules and takes
   * agents (src/cluster/serve.ts). Absent: this process schedules alone.
   */
  readonly cluster?: {
    /** the election's connection (the store's URL without `schema`), lock key, retry period */
    readonly election: LeaderElectorOptions;
    /** the store's PostgreSQL schema (the members table goes there) */
    readonly schema?: string | undefined;
    /** the URL others reach this replica at (default: the URL it listens on) */
    readonly advertise?: string | undefined;
    /** how often the leader looks for requests accepted by other replicas, ms (default 500) */
    readonly pollMs?: number;
  };
}

export interface Service {
  readonly url: string;
  readonly app: FastifyInstance;
  readonly runtime: LiveRuntime;
  readonly mqtt: MqttIngest | undefined;
  readonly store: Store;
  readonly events: EventBus;
  /** the scheduling runtime's persister (in a cluster: the current term's, while this replica leads) */
  readonly persister: Persister;
  /** several replicas: this one's part in the election (undefined for a single replica) */
  readonly replica: ClusterReplica | undefined;
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
  let scratch: string | undefined;
  let store: Store;
  if (options.store) store = options.store;
  else {
    const dir = options.data ?? (scratch = mkdtempSync(join(tmpdir(), 'ars-serve-')));
    mkdirSync(dir, { recursive: true });
    // NORMAL in WAL mode: a commit survives a crash of the process (not a power loss); see docs/live.md
    store = openSqliteStore({ path: join(dir, 'ars.db'), synchronous: 'normal' });
  }
  if (options.data) {
    // with a PostgreSQL store the directory holds only the trace, and may not exist yet
    mkdirSync(options.data, { recursive: true });
    trace = createWriteStream(join(options.data, 'decisions.jsonl'), { flags: 'a' });
  }
  const events = new EventBus((err) => options.log?.(`event listener: ${(err as Error).message}`));
  const metrics = createLiveMetrics();
  const context: LiveContext = { store, events, metrics };
  const newRuntime = (firstRequest: number, onDecision: (d: Decision) => void) =>
    new LiveRuntime({
      firstRequest,
      scenario,
      policy: options.policy,
      ...(options.updater ? { updater: options.updater } : {}),
      ...(options.warmup !== undefined ? { warmup: options.warmup } : {}),
      ...(options.heartbeatMs !== undefined ? { heartbeatMs: options.heartbeatMs } : {}),
      ...(options.leaseFactor !== undefined ? { leaseFactor: options.leaseFactor } : {}),
      onDecision,
      readSamples: async (thingId, afterMs, limit) => {
        const rows = await store.listSamples({
          thingId,
          ...(Number.isFinite(afterMs) ? { since: afterMs } : {}),
          newestFirst: true,
          limit,
        });
        const out = [];
        for (let i = rows.length - 1; i >= 0; i--) {
          const r = rows[i]!;
          if (r.time > afterMs) out.push({ time: r.time, value: sampleValue(r.features) });
        }
        return out;
      },
    });
  /** A scheduling runtime with its persister (the decision trace goes to the store and the trace file). */
  const newTerm = (firstRequest: number): Term => {
    let persister: Persister | undefined;
    const runtime = newRuntime(firstRequest, (d) => {
      trace?.write(traceLine(d));
      persister?.decision(d);
    });
    persister = persistTo(store, runtime, events, (err) => options.log?.(`store: ${err.message}`));
    return { runtime, persister };
  };
  let replica: ClusterReplica | undefined;
  let single: Term | undefined;
  if (options.cluster) {
    // a follower's routes plan requests against the scenario: a runtime that never runs
    const idle = newRuntime(0, () => {});
    idle.stop();
    await registerTwins(store, idle);
    replica = new ClusterReplica({
      store,
      idle,
      term: async () => newTerm(0),
      election: options.cluster.election,
      schema: options.cluster.schema,
      ...(options.cluster.pollMs !== undefined ? { pollMs: options.cluster.pollMs } : {}),
      onTelemetry: (note) => heard(note),
      // an external broker's persistent session is the leader's alone: two replicas under one client id would
      // take it from each other; while there is no leader the broker keeps the QoS 1 messages for the session
      onRole: async (leading) => {
        if (!options.mqttUrl) return;
        // one session per deployment: the schema names it (replicas of another schema have their own)
        const schema = options.cluster?.schema;
        const clientId = schema && schema !== 'public' ? `ars-ingest-${schema}` : 'ars-ingest';
        if (leading && !mqtt)
          mqtt = await startMqttIngest({ context, url: options.mqttUrl, guard: app.arsGuard, clientId });
        else if (!leading && mqtt) {
          const closing = mqtt;
          mqtt = undefined;
          await closing.close();
        }
      },
      ...(options.log ? { log: options.log } : {}),
    });
  } else {
    single = newTerm(await nextRequestNumber(store));
    await registerTwins(store, single.runtime);
    // a restart on the same store runs again what was accepted and had not finished
    const resumed = await resumeRequests(store, single.runtime, single.persister);
    if (resumed > 0)
      options.log?.(`resumed ${resumed} unfinished request${resumed === 1 ? '' : 's'} from the store`);
  }
  const runtime = replica?.runtime ?? single!.runtime;
  // the ingest stored samples: the scheduling runtime counts them; a refresh will read them from the store
  const heard = (e: TelemetryNote) => {
    const twin = runtime.twinByName(e.thingId);
    if (twin)
      runtime.samplesStored(twin, e.count, { time: e.newestTime, value: sampleValue(e.latest ?? {}) });
  };
  const unsubscribe = events.subscribe({ types: ['telemetry'] }, (e) => {
    if (e.type !== 'telemetry') return;
    const note = { thingId: e.thingId, count: e.count, newestTime: e.newestTime, latest: e.latest };
    // in a cluster a follower tells the leader, whose runtime is the one that schedules refreshes
    if (replica && !replica.leading) replica.forward(note);
    else heard(note);
  });
  const host = options.host ?? '127.0.0.1';
  let mqtt: MqttIngest | undefined;
  let url = '';
  const app = await createServer({
    store,
    events,
    metrics,
    bodyLimit: 8 * 1024 * 1024,
    ...(options.security
      ? {
          auth: options.security.auth,
          redactKeys: options.security.redactKeys,
          ...(options.security.sensitive ? { sensitive: options.security.sensitive } : {}),
        }
      : {}),
    // an agent's result (a task's output, a refreshed state) is one WebSocket message
    websocketMaxPayload: 64 * 1024 * 1024,
    ready: () => mqtt?.ready() ?? true,
    plugins: [
      async (api) => {
        await api.register(livePlugin, {
          runtime,
          source,
          ...(replica ? { cluster: replica.cluster } : { accept: (r) => single!.persister.accept(r) }),
        });
      },
      clusterRoutes(replica, () => url),
    ],
  });
  await app.register(dashboardRoutes);
  await app.listen({ host, port: options.port ?? 8080 });
  const address = app.server.address();
  url = `http://${host}:${typeof address === 'object' && address ? address.port : options.port}`;
  // join the cluster once this replica can be reached: its URL goes into the members table
  await replica?.start(options.cluster?.advertise ?? url);
  // the broker authenticates and authorises with the server's guard (a no-op in local dev mode)
  const guard = app.arsGuard;
  if (options.mqttUrl && !replica) mqtt = await startMqttIngest({ context, url: options.mqttUrl, guard });
  else if (options.mqttPort !== undefined)
    mqtt = await startMqttIngest({ context, port: options.mqttPort, host, guard });
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
  let closed = false;
  return {
    url,
    app,
    runtime,
    get mqtt() {
      return mqtt;
    },
    store,
    events,
    get persister() {
      return (replica ? replica.persister : single!.persister) as Persister;
    },
    replica,
    agents,
    devices,
    load,
    async close() {
      if (closed) return;
      closed = true;
      await load?.stop();
      await devices?.stop();
      for (const a of agents) await a.stop();
      const term = replica?.leading ? { runtime, persister: replica.persister! } : single;
      term?.runtime.stop();
      await mqtt?.close();
      await app.close();
      // the store records every agent as gone, whether or not its close reached us before the server stopped
      if (term) for (const n of term.runtime.nodes) term.runtime.disconnectAgent(n, 'server stopped');
      unsubscribe();
      if (replica) await replica.close();
      else await single?.persister.close();
      if (!options.store) await store.close();
      if (trace) await new Promise<void>((done) => trace!.end(() => done()));
      if (scratch) rmSync(scratch, { recursive: true, force: true });
    },
  };
}
