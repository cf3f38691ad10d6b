// Retries are stored once, across a kill -9 too. HTTP: a batch sent with an `Idempotency-Key`, acknowledged,
// then the server is killed with SIGKILL and started again on the same data directory; the client's retry with
// the same key is answered as the first time and not stored again. MQTT: a QoS 1 message redelivered with the
// DUP flag under the same packet id (a PUBACK the device never saw) is acknowledged and stored once, while a
// first transmission reusing an acknowledged packet id is stored.
import { mkdtempSync, rmSync } from 'node:fs';
import { type Socket, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqttPacket from 'mqtt-packet';
import { afterAll, describe, expect, it } from 'vitest';
import { kill9, serveChild } from './child-serve.js';
import { cleanups, serve as serveInProcess } from './live-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'ars-dedup-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const serve = (data: string) => serveChild(['--port', '0', '--data', data]);

async function send(url: string, body: unknown, key?: string) {
  const res = await fetch(`${url}/api/v1/telemetry`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

async function stored(url: string, thingId: string): Promise<number> {
  const res = await fetch(`${url}/api/v1/things/${thingId}/samples?limit=100`);
  return ((await res.json()) as { items: unknown[] }).items.length;
}

describe('HTTP retries with an Idempotency-Key', () => {
  it('store a batch once, across a kill -9 between the answer and the retry', async () => {
    const data = join(dir, 'http');
    const first = await serve(data);
    const put = await fetch(`${first.url}/api/v1/things/plant:pump-1`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ attributes: {}, features: {} }),
    });
    expect(put.status).toBe(201);
    const batch = [
      { thingId: 'plant:pump-1', time: 1000, features: { temp: { value: 20 } } },
      { thingId: 'plant:pump-1', time: 2000, features: { temp: { value: 21 } } },
    ];
    const ack = await send(first.url, batch, 'batch-0001');
    expect(ack.status).toBe(200);
    expect(ack.body).toMatchObject({ stored: 2 });
    await kill9(first.child);

    const second = await serve(data);
    const retry = await send(second.url, batch, 'batch-0001');
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual({ ...ack.body, duplicate: true });
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await stored(second.url, 'plant:pump-1')).toBe(2);
    // the same key for another batch is refused, nothing stored
    const other = await send(second.url, batch.slice(0, 1), 'batch-0001');
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('ARS_E_IDEMPOTENCY_KEY_REUSED');
    const bad = await send(second.url, batch, 'with space');
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('ARS_E_INPUT_HEADER');
    // without a key every batch is stored
    expect((await send(second.url, batch)).status).toBe(200);
    expect(await stored(second.url, 'plant:pump-1')).toBe(4);
    await kill9(second.child);
  }, 120_000);
});

/** A device speaking raw MQTT 3.1.1, so that the test sets packet ids and the DUP flag itself. */
async function rawDevice(port: number) {
  const socket: Socket = tcpConnect(port, '127.0.0.1');
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  const acks: number[] = [];
  let connacked = false;
  parser.on('packet', (p) => {
    if (p.cmd === 'connack') connacked = true;
    if (p.cmd === 'puback' && p.messageId !== undefined) acks.push(p.messageId);
  });
  socket.on('data', (b) => parser.parse(b));
  const write = (packet: object) => socket.write(mqttPacket.generate(packet as never));
  await new Promise((r) => socket.once('connect', r));
  write({
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: 4,
    clean: true,
    clientId: 'dev-1',
    keepalive: 60,
  });
  const wait = async (cond: () => boolean) => {
    const end = Date.now() + 30_000;
    while (!cond()) {
      if (Date.now() > end) throw new Error('no answer from the broker');
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  await wait(() => connacked);
  return {
    async publish(messageId: number, dup: boolean, payload: string) {
      const before = acks.length;
      write({
        cmd: 'publish',
        topic: 'telemetry/default/plant:m-1',
        payload,
        qos: 1,
        dup,
        retain: false,
        messageId,
      });
      await wait(() => acks.length > before);
      expect(acks[acks.length - 1]).toBe(messageId);
    },
    close: () => socket.destroy(),
  };
}

describe('MQTT QoS 1 redelivery', () => {
  it('is acknowledged and stored once; a first transmission is always stored', async () => {
    const s = await serveInProcess({ mqttPort: 0 });
    await s.store.putThing({ thingId: 'plant:m-1', tenant: 'default', attributes: {}, features: {} });
    const device = await rawDevice(s.mqtt!.port!);
    cleanups.push(() => device.close());
    const a = JSON.stringify({ time: 1000, features: { temp: { value: 1 } } });
    const b = JSON.stringify([
      { time: 2000, features: { temp: { value: 2 } } },
      { time: 3000, features: { temp: { value: 3 } } },
    ]);
    await device.publish(7, false, a);
    await device.publish(7, true, a); // the PUBACK was lost: the device sends it again
    expect(await s.store.countSamples('plant:m-1')).toBe(1);
    await device.publish(8, true, b); // a redelivery of a message that never arrived
    await device.publish(9, true, b); // ... and again, after a reconnect that gave it another id
    expect(await s.store.countSamples('plant:m-1')).toBe(3);
    await device.publish(7, false, a); // the same sample sent again as a new message: stored
    expect(await s.store.countSamples('plant:m-1')).toBe(4);
  }, 60_000);
});
