/**
 * Leader-gated scheduling with the real CLI: two `ars serve --store postgres://…` replicas and three
 * `ars agent` processes given both replicas' URLs. Requests are submitted to both replicas and complete exactly
 * once; the leader is killed with SIGKILL, the other replica leads, resumes what was accepted, the
 * agents reconnect to it, and every request submitted before and after the kill completes exactly once.
 * Skipped with a message when PostgreSQL (ARS_TEST_PG_URL) is unreachable. Each run has its own schema.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { Agent } from '../src/live/agent.js';
import { type Service, startService } from '../src/live/service.js';
import { loadScenario } from '../src/model/index.js';
import { openStore, type Store } from '../src/store/index.js';
import { PG_URL } from './reliability-helpers.js';
import { root } from './run-cli.js';

const cli = join(root, 'dist/cli/main.js');
const admin = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 10_000 });
const reachable = await admin.connect().then(
  () => true,
  (error: Error) => {
    console.warn(`cluster serve tests skipped: PostgreSQL ${PG_URL} unreachable (${error.message})`);
    return false;
  },
);
const MQTT_URL = process.env.ARS_TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';
const mosquitto = await new Promise<boolean>((resolve) => {
  const u = new URL(MQTT_URL);
  const socket = connect(Number(u.port || 1883), u.hostname);
  socket.once('connect', () => {
    socket.destroy();
    resolve(true);
  });
  socket.once('error', () => resolve(false));
});
if (!mosquitto) console.warn(`cluster serve tests: no MQTT broker at ${MQTT_URL}, its part is left out`);
const schema = `ars_cluster_${process.pid}_${Date.now().toString(36)}`;
const store = `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}schema=${schema}`;
const children: ChildProcess[] = [];

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  if (reachable) {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  }
});

interface Child {
  child: ChildProcess;
  log: () => string;
  exited: Promise<number | null>;
}

function start(args: string[]): Child {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  let text = '';
  child.stderr!.on('data', (b: Buffer) => {
    text += b.toString();
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return { child, log: () => text, exited };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** `ars serve` on a free port; resolves with its URL once it listens. */
async function replica(): Promise<Child & { url: string }> {
  const c = start([
    'serve',
    join(root, 'test/fixtures/live/two-tenants.yaml'),
    '--port',
    '0',
    '--store',
    store,
  ]);
  const url = await until('ars serve to listen', async () => {
    const m = /ARS live on (http:\/\/[\d.:]+)/.exec(c.log());
    if (c.child.exitCode !== null) throw new Error(`ars serve exited: ${c.log()}`);
    return m?.[1];
  });
  return { ...c, url };
}

async function get(url: string): Promise<Record<string, unknown>> {
  const res = await fetch(url);
  return (await res.json()) as Record<string, unknown>;
}

async function submit(base: string, work: number): Promise<string> {
  const res = await fetch(`${base}/api/v1/requests`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      tenant: 'acme',
      tasks: [
        { id: 'a', work },
        { id: 'b', work, after: ['a'] },
      ],
    }),
  });
  const body = (await res.json()) as { id: string };
  expect(res.status, JSON.stringify(body)).toBe(202);
  return body.id;
}

const leads = async (base: string) =>
  (await get(`${base}/api/v1/cluster`)).leader === true ? true : undefined;
const agentsUp = async (base: string, n: number) => {
  const nodes = (await get(`${base}/api/v1/nodes`)).nodes as { up: boolean }[];
  return nodes.filter((x) => x.up).length === n ? true : undefined;
};

/** Every id completed, read through `base`; the store holds each exactly once, done. */
const allDone = (base: string, ids: string[]) => allDoneIn(schema, base, ids);

async function allDoneIn(schema: string, base: string, ids: string[]): Promise<void> {
  for (const id of ids)
    await until(`${id} to complete`, async () =>
      (await get(`${base}/api/v1/requests/${id}`)).status === 'completed' ? true : undefined,
    );
  // the leader writes its updates to the store every 250 ms
  const rows = await until('every request done in the store', async () => {
    const r = await admin.query<{ id: string; state: string }>(
      `SELECT id, state FROM ${schema}.requests WHERE id = ANY($1)`,
      [ids],
    );
    return r.rows.every((x) => x.state === 'done') ? r.rows : undefined;
  });
  expect(rows.length).toBe(ids.length);
}

describe.skipIf(!reachable)('ars serve replicas on one PostgreSQL', () => {
  it(
    'only the leader schedules; kill -9 it and the other leads, nothing lost or run twice',
    { timeout: 240_000 },
    async () => {
      const a = await replica();
      await until('the first replica to lead', () => leads(a.url));
      const b = await replica();
      expect((await get(`${b.url}/api/v1/cluster`)).leader).toBe(false);
      await until('the follower to know the leader', async () =>
        (await get(`${b.url}/api/v1/cluster`)).leaderUrl === a.url ? true : undefined,
      );

      // agents given both replicas: those that try the follower first are sent to the leader
      const agents = ['edge-0', 'edge-1', 'edge-2'].map((id, i) =>
        start([
          'agent',
          '--server',
          i === 0 ? `${a.url},${b.url}` : `${b.url},${a.url}`,
          '--id',
          id,
          '--compute',
          '2',
          '--attention',
          '1',
        ]),
      );
      await until('three agents on the leader', () => agentsUp(a.url, 3));
      expect((await get(`${b.url}/api/v1/nodes`)).nodes).toEqual([]);

      // requests to both replicas at once: distinct ids, all completed once
      const before = await Promise.all(
        Array.from({ length: 12 }, (_, i) => submit(i % 2 === 0 ? a.url : b.url, 0.05)),
      );
      expect(new Set(before).size).toBe(before.length);
      await allDone(b.url, before);

      // some still running when the leader dies
      const inFlight = await Promise.all(
        Array.from({ length: 6 }, (_, i) => submit(i % 2 === 0 ? a.url : b.url, 1)),
      );
      const killedAt = Date.now();
      a.child.kill('SIGKILL');
      await a.exited;
      // accepted by the survivor while it is not leading yet
      const during = await Promise.all(Array.from({ length: 4 }, () => submit(b.url, 0.05)));
      await until('the survivor to lead', () => leads(b.url), 30_000);
      const tookOver = Date.now() - killedAt;
      // the goal is 5 s (measured 0.4-0.9 s under load, docs/reliability.md); the test's bound only says
      // that it happens, so a busy machine cannot fail it
      expect(tookOver, `took over after ${tookOver} ms`).toBeLessThan(30_000);
      await until('the agents to reconnect to the new leader', () => agentsUp(b.url, 3));
      const after = await Promise.all(Array.from({ length: 6 }, () => submit(b.url, 0.05)));

      const all = [...before, ...inFlight, ...during, ...after];
      expect(new Set(all).size).toBe(all.length);
      await allDone(b.url, all);
      const total = await admin.query<{ n: string }>(`SELECT count(*) AS n FROM ${schema}.requests`);
      expect(Number(total.rows[0]!.n)).toBe(all.length);
      // the results of requests the dead leader finished are served by the survivor from the store
      const result = await get(`${b.url}/api/v1/requests/${before[0]}/result`);
      expect(result).toMatchObject({ id: before[0], status: 'completed' });

      for (const g of agents) g.child.kill('SIGTERM');
      b.child.kill('SIGTERM');
      expect(await b.exited, b.log()).toBe(0);
    },
    300_000,
  );
});

describe.skipIf(!reachable)('replicas in one process (startService with cluster)', () => {
  it('a follower forwards telemetry to the leader; a leader that loses its lock stops scheduling at once', async () => {
    const own = `${schema}_b`;
    const url = `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}schema=${own}`;
    const key = 0x6000_0000 + Math.floor(Math.random() * 0x0fff_ffff);
    const scenario = loadScenario(join(root, 'test/fixtures/live/two-tenants.yaml'));
    const services: Service[] = [];
    const stores: Store[] = [];
    const logs: string[][] = [[], []];
    try {
      for (let i = 0; i < 2; i++) {
        const store = await openStore(url);
        stores.push(store);
        services.push(
          await startService({
            port: 0,
            heartbeatMs: 500,
            scenario,
            store,
            cluster: { election: { url: PG_URL, key, retryMs: 300, checkMs: 300 }, schema: own },
            log: (line) => logs[i]!.push(line),
            ...(mosquitto ? { mqttUrl: MQTT_URL } : {}),
          }),
        );
      }
      const [first, second] = services as [Service, Service];
      expect([first.replica!.leading, second.replica!.leading]).toEqual([true, false]);
      // an external broker's session is the leader's alone
      if (mosquitto) expect([first.mqtt !== undefined, second.mqtt !== undefined]).toEqual([true, false]);

      // HTTP telemetry taken by the follower reaches the leader's runtime (LISTEN/NOTIFY)
      const thing = first.runtime.twins[0]!.thingId;
      const res = await fetch(`${second.url}/api/v1/telemetry`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ thingId: thing, features: { value: { value: 21 } } }),
      });
      expect(res.status).toBe(200);
      await until('the leader to hear of the sample', async () =>
        first.runtime.twinByName(thing)!.samplesReceived > 0 ? true : undefined,
      );

      const agent = new Agent({
        server: `${second.url},${first.url}`,
        id: 'edge-x',
        kind: 'edge',
        compute: 2,
        attention: 1,
        handlers: join(root, 'test/fixtures/live/stuck-handlers.js'),
      });
      await agent.start();
      expect(agent.server).toBe(first.url);
      const before = await submit(second.url, 0.05);
      await allDoneIn(own, first.url, [before]);
      // the follower lists what the leader ran from the store (its own runtime holds none of it)
      const listed = async (base: string) =>
        (await get(`${base}/api/v1/requests`)).requests as { id: string; status: string }[];
      expect(second.runtime.requests.has(before)).toBe(false);
      expect((await listed(second.url)).find((r) => r.id === before)).toMatchObject({ status: 'completed' });
      expect((await listed(first.url)).find((r) => r.id === before)).toMatchObject({ status: 'completed' });
      // the leading term's decisions reach /metrics through the cluster's runtime proxy
      const metrics = await (await fetch(`${first.url}/metrics`)).text();
      expect(metrics).toMatch(/^ars_decisions_total\{kind="place"\} [1-9]/m);

      // the leader's lock connection is terminated: it steps down and hangs up on its agents at once
      await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`,
        [`ars-leader ${first.replica!.id}`],
      );
      // (it may win the lock again on its next try: then it leads a new term with a fresh runtime)
      await until(
        'the leader to step down',
        async () => (logs[0]!.some((l) => l.includes('stopped scheduling')) ? true : undefined),
        30_000,
      );
      const leader = await until(
        'a leader again',
        async () => services.find((s) => s.replica!.leading),
        30_000,
      );
      await until('the agent on the new leader', () => agentsUp(leader.url, 1));
      if (mosquitto)
        await until('the broker session to follow the leadership', async () =>
          services.every((s) => (s.mqtt !== undefined) === s.replica!.leading) ? true : undefined,
        );
      const after = await submit(first.url, 0.05);
      await allDoneIn(own, second.url, [before, after]);

      // a follower plans a task of a kind only the leader's agents offer as they do: with that handler
      const follower = services.find((s) => !s.replica!.leading)!;
      const custom = await until('the follower to plan with the custom handler', async () => {
        const res = await fetch(`${follower.url}/api/v1/requests`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ tasks: [{ id: 'c', kind: 'big', work: 0.01 }], params: { bytes: 3 } }),
        });
        const body = (await res.json()) as { id: string; tasks: { handler: string }[] };
        return body.tasks[0]!.handler === 'big' ? body.id : undefined;
      });
      await allDoneIn(own, follower.url, [custom]);
      const ids = (await listed(follower.url)).map((r) => r.id);
      for (const id of [before, after, custom]) expect(ids).toContain(id);
      expect(await get(`${follower.url}/api/v1/requests/${custom}/result`)).toMatchObject({
        outputs: { c: { text: 'xxx' } },
      });
      await agent.stop();
    } finally {
      for (const s of services) await s.close();
      for (const s of stores) await s.close();
      await admin.query(`DROP SCHEMA IF EXISTS ${own} CASCADE`);
    }
  }, 120_000);
});
