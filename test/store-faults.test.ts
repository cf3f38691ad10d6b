/**
 * The store failing under the server: while the SQLite file is locked by another writer, or PostgreSQL cannot
 * be reached (a TCP proxy between the store and the server is cut), writes answer 503 with `Retry-After` and
 * `ARS_E_STORE_UNAVAILABLE`, never a 500, and leave nothing half-written; once the store is back the same
 * requests succeed. PostgreSQL parts skip with a message when ARS_TEST_PG_URL is unreachable.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { EventBus } from '../src/server/events.js';
import { createLiveMetrics } from '../src/server/metrics.js';
import { startMqttIngest } from '../src/server/mqtt.js';
import { createServer, type LiveServer } from '../src/server/server.js';
import { openPostgresStore } from '../src/store/postgres.js';
import { openSqliteStore } from '../src/store/sqlite.js';
import type { Store } from '../src/store/store.js';
import { PG_URL } from './reliability-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'ars-faults-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const put = (app: LiveServer, thingId: string, attributes: object) =>
  app.inject({
    method: 'PUT',
    url: `/api/v1/things/${thingId}`,
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ tenant: 'acme', attributes, features: {} }),
  });
const post = (app: LiveServer, thingId: string, value: number) =>
  app.inject({
    method: 'POST',
    url: '/api/v1/telemetry',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify([
      { thingId, features: { t: { v: value } } },
      { thingId, features: { t: { v: value + 1 } } },
    ]),
  });

function expectUnavailable(res: { statusCode: number; headers: Record<string, unknown>; json(): unknown }) {
  expect(res.statusCode).toBe(503);
  expect(res.headers['retry-after']).toBe('1');
  expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
  expect(res.json()).toMatchObject({ status: 503, code: 'ARS_E_STORE_UNAVAILABLE' });
}

async function expectUnchanged(store: Store, thingId: string) {
  expect(await store.getThing(thingId)).toMatchObject({ revision: 1, attributes: { v: 1 } });
  expect(await store.countSamples(thingId)).toBe(0);
}

describe('store unavailable', () => {
  it('SQLite locked by another writer: 503 + Retry-After, nothing written, then the retry succeeds', async () => {
    const path = join(dir, 'locked.db');
    const store = openSqliteStore({ path });
    const app = await createServer({ store, retentionSweepMs: 0 });
    expect((await put(app, 'plant:l', { v: 1 })).statusCode).toBe(201);

    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE'); // holds the write lock; the store's busy timeout runs out
    expectUnavailable(await put(app, 'plant:l', { v: 2 }));
    expectUnavailable(await post(app, 'plant:l', 10));
    // Readers are not blocked by a writer in WAL mode.
    expect((await app.inject({ method: 'GET', url: '/api/v1/things/plant:l' })).statusCode).toBe(200);
    other.exec('ROLLBACK');
    other.close();

    await expectUnchanged(store, 'plant:l');
    expect((await put(app, 'plant:l', { v: 2 })).statusCode).toBe(200);
    expect((await post(app, 'plant:l', 10)).statusCode).toBe(200);
    expect(await store.countSamples('plant:l')).toBe(2);
    await app.close();
    await store.close();
  });

  it('MQTT while SQLite is locked: no PUBACK, the connection closes, the device resends and it is stored', async () => {
    const path = join(dir, 'mqtt-locked.db');
    const store = openSqliteStore({ path });
    await store.putThing({ thingId: 'plant:m', tenant: 'acme', attributes: {}, features: {} });
    const context = { store, events: new EventBus(), metrics: createLiveMetrics() };
    const ingest = await startMqttIngest({ context, port: 0 });
    const device = await mqtt.connectAsync(ingest.url, { reconnectPeriod: 200, clientId: 'locked-device' });
    device.on('error', () => {});
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    const closed = new Promise<void>((resolve) => device.once('close', () => resolve()));
    let acknowledged = false;
    const publish = device
      .publishAsync('telemetry/acme/plant:m', JSON.stringify({ features: { t: { v: 1 } } }), { qos: 1 })
      .then(() => {
        acknowledged = true;
      });
    await closed; // the store failed: the broker closed the connection instead of acknowledging
    expect(acknowledged).toBe(false);
    expect(await store.countSamples('plant:m')).toBe(0);
    other.exec('ROLLBACK');
    other.close();
    await publish; // resent after the reconnection, stored, acknowledged
    expect(await store.countSamples('plant:m')).toBe(1);
    await device.endAsync(true);
    await ingest.close();
    await store.close();
  });

  const admin = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 10_000 });
  const reachable = admin.connect().then(
    () => true,
    (error: Error) => {
      console.warn(`PostgreSQL fault test skipped: ${PG_URL} unreachable (${error.message})`);
      return false;
    },
  );

  it('PostgreSQL unreachable: 503 + Retry-After, nothing written, then the retry succeeds', async (ctx) => {
    if (!(await reachable)) return ctx.skip();
    const target = new URL(PG_URL);
    // A TCP proxy standing for the network between the replica and PostgreSQL.
    const sockets = new Set<Socket>();
    let proxy: Server | undefined;
    const startProxy = (port: number) =>
      new Promise<number>((resolve) => {
        proxy = createTcpServer((client) => {
          const upstream = connect(Number(target.port || 5432), target.hostname);
          sockets.add(client).add(upstream);
          client.pipe(upstream).pipe(client);
          const end = () => {
            client.destroy();
            upstream.destroy();
          };
          client.on('error', end).on('close', end);
          upstream.on('error', end).on('close', end);
        });
        proxy.listen(port, '127.0.0.1', () => {
          const a = proxy!.address();
          resolve(typeof a === 'object' && a ? a.port : port);
        });
      });
    const cut = async () => {
      await new Promise<void>((resolve) => {
        proxy!.close(() => resolve());
        for (const s of sockets) s.destroy();
        sockets.clear();
      });
    };
    const port = await startProxy(0);
    const via = new URL(PG_URL);
    via.hostname = '127.0.0.1';
    via.port = String(port);
    const schema = `ars_faults_${process.pid}_${Date.now().toString(36)}`;
    const store = await openPostgresStore({ url: via.toString(), schema, connectTimeoutMs: 5000 });
    const app = await createServer({ store, retentionSweepMs: 0 });
    try {
      expect((await put(app, 'plant:p', { v: 1 })).statusCode).toBe(201);
      await cut();
      expectUnavailable(await put(app, 'plant:p', { v: 2 }));
      expectUnavailable(await post(app, 'plant:p', 10));
      const ready = await app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(503);
      await startProxy(port);
      await expectUnchanged(store, 'plant:p');
      expect((await put(app, 'plant:p', { v: 2 })).statusCode).toBe(200);
      expect((await post(app, 'plant:p', 10)).statusCode).toBe(200);
      expect(await store.countSamples('plant:p')).toBe(2);
    } finally {
      await app.close();
      await store.close();
      await cut();
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    }
  });
});
