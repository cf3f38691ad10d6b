/**
 * MQTT ingest over real TCP: mqtt.js clients against the embedded aedes broker on a free port, a real SQLite
 * file, and (when it runs on this machine) an external Mosquitto broker with unique topics.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore, type SqliteStore } from '../store/sqlite.js';
import type { Store } from '../store/store.js';
import { EventBus } from './events.js';
import type { LiveContext } from './ingest.js';
import { createLiveMetrics } from './metrics.js';
import { type MqttIngest, startMqttIngest } from './mqtt.js';

const MOSQUITTO_URL = process.env.ARS_TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';

let dir: string;
let store: SqliteStore;
let ctx: LiveContext;
let ingest: MqttIngest | undefined;
const clients: MqttClient[] = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ars-mqtt-'));
  store = openSqliteStore({ path: join(dir, 'ars.db') });
  ctx = { store, events: new EventBus(), metrics: createLiveMetrics() };
  await store.putThing({ thingId: 'plant:press-1', tenant: 'acme', attributes: {}, features: {} });
});
afterEach(async () => {
  for (const c of clients.splice(0)) await c.endAsync(true);
  await ingest?.close();
  ingest = undefined;
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function device(url: string): Promise<MqttClient> {
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5000 });
  clients.push(client);
  return client;
}

async function rejects(reason: string): Promise<number> {
  const metric = await ctx.metrics.ingestRejects.get();
  return metric.values.find((v) => v.labels.transport === 'mqtt' && v.labels.reason === reason)?.value ?? 0;
}

describe('embedded broker', () => {
  beforeEach(async () => {
    ingest = await startMqttIngest({ context: ctx, port: 0 });
  });

  it('stores QoS 1 telemetry before the PUBACK reaches the device', async () => {
    const client = await device(ingest!.url);
    await client.publishAsync(
      'telemetry/acme/plant:press-1',
      JSON.stringify({ time: 1000, features: { temp: { value: 20 } } }),
      {
        qos: 1,
      },
    );
    // Read at the moment the PUBACK arrived: the sample is already there.
    expect(await store.listSamples({ thingId: 'plant:press-1', limit: 10 })).toMatchObject([
      { time: 1000, tenant: 'acme', features: { temp: { value: 20 } } },
    ]);
    await client.publishAsync(
      'telemetry/acme/plant:press-1',
      JSON.stringify([
        { time: 2000, features: { temp: { value: 21 } } },
        { time: '1970-01-01T00:00:03Z', features: { temp: { value: 22 } } },
      ]),
      { qos: 1 },
    );
    expect((await store.listSamples({ thingId: 'plant:press-1', limit: 10 })).map((s) => s.time)).toEqual([
      1000, 2000, 3000,
    ]);
    const stored = await ctx.metrics.ingestSamples.get();
    expect(stored.values.find((v) => v.labels.transport === 'mqtt')?.value).toBe(3);
  });

  it('holds the PUBACK until the store has committed', async () => {
    await ingest!.close();
    const order: string[] = [];
    // The real store, with its commit slowed down and recorded.
    const slow: Store = Object.create(store, {
      appendSamples: {
        value: async (...args: Parameters<Store['appendSamples']>) => {
          await new Promise((r) => setTimeout(r, 150));
          const result = await store.appendSamples(...args);
          order.push('stored');
          return result;
        },
      },
    });
    ingest = await startMqttIngest({ context: { ...ctx, store: slow }, port: 0 });
    const client = await device(ingest.url);
    await client.publishAsync('telemetry/acme/plant:press-1', JSON.stringify({ features: { a: { b: 1 } } }), {
      qos: 1,
    });
    order.push('puback');
    expect(order).toEqual(['stored', 'puback']);
  });

  it('does not acknowledge when the store fails, so the device resends', async () => {
    await ingest!.close();
    let failures = 1;
    const flaky: Store = Object.create(store, {
      appendSamples: {
        value: async (...args: Parameters<Store['appendSamples']>) => {
          if (failures-- > 0) throw new Error('disk full');
          return store.appendSamples(...args);
        },
      },
    });
    ingest = await startMqttIngest({ context: { ...ctx, store: flaky }, port: 0 });
    const client = mqtt.connect(ingest.url, { reconnectPeriod: 100, clean: false, clientId: 'press-1' });
    clients.push(client);
    await new Promise((r) => client.once('connect', r));
    // The first attempt fails and the connection drops; mqtt.js resends the unacknowledged message on reconnect.
    await client.publishAsync('telemetry/acme/plant:press-1', JSON.stringify({ time: 7, features: {} }), {
      qos: 1,
    });
    expect((await store.listSamples({ thingId: 'plant:press-1', limit: 10 })).map((s) => s.time)).toEqual([
      7,
    ]);
  });

  it('counts malformed messages by reason, stores nothing of them, and keeps serving', async () => {
    const client = await device(ingest!.url);
    const send = (topic: string, payload: string | Buffer) => client.publishAsync(topic, payload, { qos: 1 });
    await send('telemetry/acme/plant:press-1', '{"features": {');
    await send('telemetry/acme/plant:press-1', Buffer.from([0xff, 0xfe, 0x00]));
    await send('telemetry/acme/plant:press-1', JSON.stringify({ features: { temp: 5 } }));
    await send('telemetry/acme/plant:press-1', JSON.stringify({ time: 'yesterday', features: {} }));
    await send('telemetry/acme/plant:press-1', '[]');
    await send('telemetry/acme/plant:ghost', JSON.stringify({ features: {} }));
    await send('telemetry/other/plant:press-1', JSON.stringify({ features: {} }));
    await send('telemetry/acme', JSON.stringify({ features: {} }));
    await send('telemetry/acme/plant:press-1', Buffer.alloc(1024 * 1024 + 1, 0x20));
    // Other topics are plain MQTT: routed, not ingested, not counted.
    await send('status/press-1', 'online');
    expect(await store.listSamples({ thingId: 'plant:press-1', limit: 10 })).toEqual([]);
    expect(await rejects('malformed-json')).toBe(2);
    expect(await rejects('schema')).toBe(3);
    expect(await rejects('unknown-thing')).toBe(1);
    expect(await rejects('tenant-mismatch')).toBe(1);
    expect(await rejects('topic')).toBe(1);
    expect(await rejects('too-large')).toBe(1);
    // The same connection still works.
    await send('telemetry/acme/plant:press-1', JSON.stringify({ time: 1, features: { ok: { v: true } } }));
    expect(await store.listSamples({ thingId: 'plant:press-1', limit: 10 })).toHaveLength(1);
  });

  it('survives garbage bytes on the socket', async () => {
    const socket = tcpConnect(ingest!.port!, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    socket.write(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    await new Promise((r) => socket.once('close', r));
    const client = await device(ingest!.url);
    await client.publishAsync('telemetry/acme/plant:press-1', JSON.stringify({ time: 1, features: {} }), {
      qos: 1,
    });
    expect(await store.listSamples({ thingId: 'plant:press-1', limit: 10 })).toHaveLength(1);
  });

  it('announces stored messages on the event bus', async () => {
    const seen: unknown[] = [];
    ctx.events.subscribe({ types: ['telemetry'] }, (e) => seen.push(e));
    const client = await device(ingest!.url);
    await client.publishAsync('telemetry/acme/plant:press-1', JSON.stringify({ time: 42, features: {} }), {
      qos: 1,
    });
    expect(seen).toMatchObject([
      { type: 'telemetry', thingId: 'plant:press-1', tenant: 'acme', newestTime: 42, transport: 'mqtt' },
    ]);
  });
});

describe('external broker (Mosquitto)', () => {
  it('ingests through a persistent QoS 1 session', async (test) => {
    const probe = await mqtt
      .connectAsync(MOSQUITTO_URL, { reconnectPeriod: 0, connectTimeout: 2000 })
      .catch(() => undefined);
    if (!probe) {
      test.skip(`no MQTT broker at ${MOSQUITTO_URL} (set ARS_TEST_MQTT_URL)`);
      return;
    }
    await probe.endAsync();
    const unique = `ars-test-${process.pid}-${Date.now()}`;
    await store.putThing({
      thingId: `${unique.replaceAll('-', '.')}:dev`,
      tenant: 'acme',
      attributes: {},
      features: {},
    });
    ingest = await startMqttIngest({
      context: ctx,
      url: MOSQUITTO_URL,
      clientId: unique,
      sessionExpirySeconds: 0,
      topic: `telemetry/acme/${unique.replaceAll('-', '.')}:dev`,
    });
    expect(ingest.ready()).toBe(true);
    const client = await device(MOSQUITTO_URL);
    const thingId = `${unique.replaceAll('-', '.')}:dev`;
    await client.publishAsync(
      `telemetry/acme/${thingId}`,
      JSON.stringify({ time: 5, features: { t: { v: 1 } } }),
      { qos: 1 },
    );
    await client.publishAsync(`telemetry/acme/${thingId}`, 'not json', { qos: 1 });
    // The broker acknowledged the device; wait for ARS's own acknowledgement of the broker.
    for (let i = 0; i < 100 && (await store.listSamples({ thingId, limit: 5 })).length === 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect((await store.listSamples({ thingId, limit: 5 })).map((s) => s.time)).toEqual([5]);
    for (let i = 0; i < 100 && (await rejects('malformed-json')) === 0; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(await rejects('malformed-json')).toBe(1);
  });

  it('fails clearly when the broker is unreachable', async () => {
    await expect(startMqttIngest({ context: ctx, url: 'mqtt://127.0.0.1:1' })).rejects.toThrow(
      /cannot connect to MQTT broker/,
    );
  });
});
