// In-flight tasks survive a kill -9 of `ars serve` under their leases. A child-process server on a SQLite store
// runs tasks on an agent (a raw WebSocket client here, so the test decides when results go out); the server is
// killed with SIGKILL while a task runs and started again on the same port and data directory.
// - The agent comes back within the lease: its result for the attempt it was running is taken, the task is
//   not dispatched again, and the finished task before it keeps its output.
// - The agent comes back after the lease ran out: the task runs again under a new attempt id, and the old
//   attempt's late result is ignored.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Agent } from '../src/live/agent.js';
import type { ServerMessage } from '../src/live/protocol.js';
import { type ChildServer, callJson, kill9, serveChild } from './child-serve.js';
import { cleanups, serve as serveInProcess } from './live-helpers.js';
import { dropSchemas, PG_URL, postgresReachable } from './pg-probe.js';

const dir = mkdtempSync(join(tmpdir(), 'ars-lease-restart-'));
const sockets: WebSocket[] = [];

afterAll(() => {
  for (const s of sockets) s.terminate();
  rmSync(dir, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

function serve(data: string, port: number, leaseFactor: number, store: string[] = []): Promise<ChildServer> {
  return serveChild([
    '--port',
    String(port),
    '--data',
    data,
    '--lease-factor',
    String(leaseFactor),
    ...store,
  ]);
}

const pgSchema = `ars_lease_${process.pid}_${Date.now().toString(36)}`;
const pgUp = await postgresReachable('lease restart');
afterAll(async () => {
  if (pgUp) await dropSchemas([pgSchema]);
});

/** Where a test's server keeps its state: arguments of `ars serve`, and how to read its stored leases. */
interface StoreKind {
  name: string;
  args: string[];
  leases(data: string): Promise<{ task_id: string; attempt: number; node: string }[]>;
}
const sqlite: StoreKind = { name: 'SQLite', args: [], leases: async (data) => storedLeases(data) };
const postgres: StoreKind = {
  name: 'PostgreSQL',
  args: ['--store', `${PG_URL}?schema=${pgSchema}`],
  async leases() {
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    try {
      const r = await c.query(`SELECT task_id, attempt::float8 AS attempt, node FROM ${pgSchema}.leases`);
      return r.rows;
    } catch {
      return []; // not migrated yet
    } finally {
      await c.end();
    }
  },
};

type Assign = Extract<ServerMessage, { type: 'assign' }>;

/** A raw agent: registers, beats, answers refreshes at once and keeps task assignments for the test. */
async function rawAgent(url: string, id: string) {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/api/v1/agents/connect`);
  sockets.push(ws);
  const tasks: Assign[] = [];
  await new Promise<void>((resolve, reject) => {
    ws.once('error', reject);
    ws.on('open', () =>
      ws.send(JSON.stringify({ type: 'register', id, kind: 'edge', compute: 4, attention: 2 })),
    );
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as ServerMessage;
      if (msg.type === 'registered') resolve();
      else if (msg.type === 'error') reject(new Error(msg.message));
      else if (msg.type === 'assign' && msg.work === 'refresh')
        ws.send(JSON.stringify({ type: 'result', attempt: msg.attempt, ok: true, output: null }));
      else if (msg.type === 'assign') tasks.push(msg);
    });
  });
  const beat = setInterval(() => {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'heartbeat' }));
  }, 200);
  ws.once('close', () => clearInterval(beat));
  return {
    tasks,
    result(attempt: number, output: unknown) {
      ws.send(JSON.stringify({ type: 'result', attempt, ok: true, output }));
    },
    close() {
      clearInterval(beat);
      ws.terminate();
    },
  };
}

async function until<T>(probe: () => T | undefined | Promise<T | undefined>, what: string): Promise<T> {
  const end = Date.now() + 60_000;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const call = callJson;

/** The leases the server has written to its store (read beside it, read-only). */
function storedLeases(data: string): { task_id: string; attempt: number; node: string }[] {
  const db = new Database(join(data, 'ars.db'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT task_id, attempt, node FROM leases').all() as never;
  } finally {
    db.close();
  }
}

describe.each([sqlite, postgres])('in-flight tasks after a kill -9 ($name)', (kind) => {
  it.skipIf(kind === postgres && !pgUp)(
    'keep their lease when the agent comes back in time: its result for that attempt is taken',
    async () => {
      const data = join(dir, `kept-${kind.name}`);
      // with --store, `ars serve` writes only decisions.jsonl into --data, and does not create it
      mkdirSync(data, { recursive: true });
      const port = await freePort();
      const first = await serve(data, port, 3, kind.args);
      const agent = await rawAgent(first.url, 'edge-0');
      const r = await call('POST', `${first.url}/api/v1/requests`, {
        tasks: [
          { id: 'a', work: 0.01 },
          { id: 'b', work: 30, after: ['a'] },
        ],
      });
      expect(r.status).toBe(202);
      const id = r.body.id as string;
      const a = await until(() => agent.tasks.find((t) => t.id === `${id}/a`), 'task a');
      agent.result(a.attempt, { from: 'a' });
      const b = await until(() => agent.tasks.find((t) => t.id === `${id}/b`), 'task b');
      // the lease of b (and a's output) are in the store
      await until(
        async () => (await kind.leases(data)).find((l) => l.task_id === 'b' && l.attempt === b.attempt),
        'lease',
      );
      await kill9(first.child);
      agent.close();

      const second = await serve(data, port, 3, kind.args);
      const back = await rawAgent(second.url, 'edge-0');
      back.result(b.attempt, { from: 'b' });
      const done = await until(async () => {
        const res = await call('GET', `${second.url}/api/v1/requests/${id}/result`);
        return res.status === 200 ? res.body : undefined;
      }, 'the request to complete');
      expect(done.outputs).toEqual({ a: { from: 'a' }, b: { from: 'b' } });
      // neither a nor b was dispatched again
      expect(back.tasks.filter((t) => t.id.startsWith(`${id}/`))).toEqual([]);
      // the decision trace goes on across the restart: the assignment before it, the lease held after it
      const trace = await until(async () => {
        const res = await call('GET', `${second.url}/api/v1/decisions?subject=${id}/b&limit=100`);
        const items = res.body.items as { detail: { waiting?: string; chosen?: string } }[];
        return items.some((d) => d.detail.waiting === `attempt ${b.attempt} held by edge-0 across a restart`)
          ? items
          : undefined;
      }, 'the decision about the held lease');
      expect(trace[0]!.detail.chosen).toBe('edge-0');
      back.close();
      await kill9(second.child);
    },
    180_000,
  );
});

describe('in-flight tasks after a kill -9', () => {
  it('run again under a new attempt when the lease ran out first; the late result is ignored', async () => {
    const data = join(dir, 'expired');
    const port = await freePort();
    const first = await serve(data, port, 1);
    const agent = await rawAgent(first.url, 'edge-1');
    const r = await call('POST', `${first.url}/api/v1/requests`, { tasks: [{ id: 'x', work: 0.5 }] });
    const id = r.body.id as string;
    const x = await until(() => agent.tasks.find((t) => t.id === `${id}/x`), 'task x');
    // the lease: 1 × 0.5 s of work plus three 1 s heartbeats after the assignment
    const leaseEnd = Date.now() + 3500;
    await until(() => storedLeases(data).find((l) => l.attempt === x.attempt), 'lease');
    await kill9(first.child);
    agent.close();

    const second = await serve(data, port, 1);
    await new Promise((done) => setTimeout(done, Math.max(0, leaseEnd - Date.now()) + 1000));
    const back = await rawAgent(second.url, 'edge-1');
    const again = await until(() => back.tasks.find((t) => t.id === `${id}/x`), 'x dispatched again');
    expect(again.attempt).not.toBe(x.attempt);
    back.result(x.attempt, 'late');
    back.result(again.attempt, 'fresh');
    const done = await until(async () => {
      const res = await call('GET', `${second.url}/api/v1/requests/${id}/result`);
      return res.status === 200 ? res.body : undefined;
    }, 'the request to complete');
    expect(done.outputs).toEqual({ x: 'fresh' });
    back.close();
    await kill9(second.child);
  }, 180_000);
});

describe('in-flight tasks after a graceful restart', () => {
  it('keep their lease; the agent finishes the work while away and its result counts', async () => {
    const data = join(dir, 'graceful');
    const first = await serveInProcess({ data, leaseFactor: 10 });
    const port = Number(new URL(first.url).port);
    const agent = new Agent({ server: first.url, id: 'edge-2', kind: 'edge', compute: 4, attention: 2 });
    cleanups.push(() => agent.stop());
    await agent.start();
    const r = await call('POST', `${first.url}/api/v1/requests`, { tasks: [{ id: 'w', work: 2 }] });
    const id = r.body.id as string;
    await until(() => (first.runtime.requests.get(id)?.attempts[0] === 1 ? true : undefined), 'assignment');
    await first.close();

    const second = await serveInProcess({ data, port, leaseFactor: 10 });
    const done = await until(
      () =>
        second.runtime.requests.get(id)?.status === 'completed' ? second.runtime.requests.get(id) : undefined,
      'the request to complete',
    );
    expect(done.attempts[0]).toBe(1);
    expect(agent.completed).toBe(1);
    expect(second.runtime.decisionsAbout(`${id}/w`).map((d) => d.waiting)).toContainEqual(
      expect.stringContaining('across a restart'),
    );
  }, 120_000);
});
