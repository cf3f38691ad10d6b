/**
 * The external-broker path across a broker restart: our OWN Mosquitto (never the shared one) on a free port with
 * persistence, ARS's persistent MQTT 5 session subscribed at QoS 1, a device publishing QoS 1 telemetry while the
 * broker is stopped (SIGTERM, which saves its queues) and started again on the same port and data. ARS
 * reconnects by itself and every message the broker acknowledged to the device is stored: QoS 1 is
 * at-least-once, so a message may arrive twice when the broker restarts between ARS's commit and its PUBACK;
 * the test counts those and requires none lost. Skips with a message when `mosquitto` is not installed.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { EventBus } from '../src/server/events.js';
import { createLiveMetrics } from '../src/server/metrics.js';
import { startMqttIngest } from '../src/server/mqtt.js';
import { openSqliteStore } from '../src/store/sqlite.js';

const candidates = [process.env.ARS_TEST_MOSQUITTO, 'mosquitto', '/usr/sbin/mosquitto'].filter(
  (c): c is string => Boolean(c),
);
const binary = candidates.find((c) => spawnSync(c, ['-h']).error === undefined);
if (!binary) console.warn('broker restart test skipped: no mosquitto binary (apt-get install mosquitto)');

const dir = mkdtempSync(join(tmpdir(), 'ars-broker-'));
// Mosquitto started as root drops to its own user, which must be able to write its persistence file here.
chmodSync(dir, 0o777);
let broker: ChildProcess | undefined;
afterAll(() => {
  broker?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address ? address.port : 0;
}

async function startBroker(config: string, port: number): Promise<ChildProcess> {
  const child = spawn(binary!, ['-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  // Ready when the port answers.
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = mqtt.connect(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0, connectTimeout: 500 });
      c.once('connect', () => {
        resolve(true);
        c.end(true);
      });
      c.once('error', () => c.end(true));
      c.once('close', () => resolve(false));
    });
    if (ok) return child;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error('mosquitto did not start');
}

describe.skipIf(!binary)('external broker restart (own Mosquitto)', () => {
  it('reconnects and loses no QoS 1 message across a broker restart', async () => {
    const port = await freePort();
    const config = join(dir, 'mosquitto.conf');
    writeFileSync(
      config,
      [
        `listener ${port} 127.0.0.1`,
        'allow_anonymous true',
        'persistence true',
        `persistence_location ${dir}/`,
        'autosave_interval 1',
        'max_queued_messages 100000',
        '',
      ].join('\n'),
    );
    broker = await startBroker(config, port);
    const url = `mqtt://127.0.0.1:${port}`;
    const store = openSqliteStore({ path: join(dir, 'ars.db') });
    await store.putThing({ thingId: 'plant:b', tenant: 'acme', attributes: {}, features: {} });
    const context = { store, events: new EventBus(), metrics: createLiveMetrics() };
    const ingest = await startMqttIngest({ context, url, clientId: `ars-restart-${process.pid}` });

    const device = await mqtt.connectAsync(url, {
      clientId: `device-${process.pid}`,
      clean: false,
      reconnectPeriod: 100,
    });
    device.on('error', () => {});
    const acked = new Set<number>();
    let next = 0;
    let stop = false;
    const publisher = (async () => {
      while (!stop) {
        const id = next++;
        // Resolves on the broker's PUBACK; across the restart mqtt.js resends from its own queue.
        const sent = device
          .publishAsync('telemetry/acme/plant:b', JSON.stringify({ features: { d: { id } } }), { qos: 1 })
          .then(() => acked.add(id));
        if (id % 20 === 19) await sent;
        await new Promise((r) => setTimeout(r, 2));
      }
    })();

    await new Promise((r) => setTimeout(r, 800));
    const before = acked.size;
    broker.kill('SIGTERM');
    await new Promise((resolve) => broker!.once('exit', resolve));
    // ARS notices the broker going away (no bound asserted: it depends on the machine's load).
    for (let i = 0; i < 200 && ingest.ready(); i++) await new Promise((r) => setTimeout(r, 50));
    expect(ingest.ready()).toBe(false);
    await new Promise((r) => setTimeout(r, 300));
    broker = await startBroker(config, port);
    // ARS's session reconnects on its own (reconnectPeriod 1 s).
    const deadline = Date.now() + 10_000;
    while (!ingest.ready() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(ingest.ready()).toBe(true);
    await new Promise((r) => setTimeout(r, 800));
    stop = true;
    await publisher;
    // Everything acknowledged reaches the store.
    const stored = async () =>
      (await store.listSamples({ thingId: 'plant:b', limit: 1_000_000 })).map(
        (s) => (s.features.d as { id: number }).id,
      );
    const waitUntil = Date.now() + 15_000;
    let ids = await stored();
    while ([...acked].some((id) => !ids.includes(id)) && Date.now() < waitUntil) {
      await new Promise((r) => setTimeout(r, 200));
      ids = await stored();
    }
    expect(before).toBeGreaterThan(10);
    expect(acked.size).toBeGreaterThan(before);
    expect([...acked].filter((id) => !ids.includes(id))).toEqual([]);
    const duplicates = ids.length - new Set(ids).size;
    console.log(
      `broker restart: ${acked.size} acknowledged, ${ids.length} stored, ${duplicates} redelivered twice`,
    );

    await device.endAsync(true);
    await ingest.close();
    await store.close();
    broker.kill('SIGTERM');
    await new Promise((resolve) => broker!.once('exit', resolve));
  });

  it('two replicas on a shared subscription ($share/ars/telemetry/#) store each message once', async () => {
    const port = await freePort();
    const config = join(dir, 'shared.conf');
    writeFileSync(config, [`listener ${port} 127.0.0.1`, 'allow_anonymous true', ''].join('\n'));
    broker = await startBroker(config, port);
    const url = `mqtt://127.0.0.1:${port}`;
    const store = openSqliteStore({ path: join(dir, 'shared.db') });
    await store.putThing({ thingId: 'plant:s', tenant: 'acme', attributes: {}, features: {} });
    const replicas = await Promise.all(
      [0, 1].map((i) =>
        startMqttIngest({
          context: { store, events: new EventBus(), metrics: createLiveMetrics() },
          url,
          clientId: `ars-shared-${process.pid}-${i}`,
          topic: '$share/ars/telemetry/#',
        }),
      ),
    );
    const device = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
    const count = 400;
    await Promise.all(
      Array.from({ length: count }, (_, id) =>
        device.publishAsync('telemetry/acme/plant:s', JSON.stringify({ features: { d: { id } } }), {
          qos: 1,
        }),
      ),
    );
    const deadline = Date.now() + 15_000;
    while ((await store.countSamples('plant:s')) < count && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const ids = (await store.listSamples({ thingId: 'plant:s', limit: 10_000 })).map(
      (s) => (s.features.d as { id: number }).id,
    );
    expect(ids.length).toBe(count);
    expect(new Set(ids).size).toBe(count);
    await device.endAsync(true);
    for (const r of replicas) await r.close();
    await store.close();
    broker.kill('SIGTERM');
  });
});
