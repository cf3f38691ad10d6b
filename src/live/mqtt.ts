/**
 * Telemetry over MQTT for the live service when the host server brings none: an embedded broker (aedes) on a
 * port, or an external broker by URL (mqtt.js subscribing to `telemetry/+/+`). Topics follow Eclipse Hono:
 * `telemetry/<tenant>/<thingId>`; the payload is a JSON sample `{ "value": …, "time"?: epoch ms }` or a batch
 * (an array of them). A malformed message is counted under its reason and dropped; it never stops the broker.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import type { LiveRuntime } from './runtime.js';

export interface MqttIngest {
  /** where devices publish: mqtt://127.0.0.1:PORT */
  readonly url: string;
  readonly accepted: number;
  readonly rejected: Readonly<Record<string, number>>;
  close(): Promise<void>;
}

export const TELEMETRY_TOPIC = /^telemetry\/([^/]+)\/([^/]+)$/;

/** Parses one MQTT telemetry message into samples, or says why it is rejected. */
export function parseTelemetry(
  rt: LiveRuntime,
  topic: string,
  payload: Buffer,
):
  | { ok: true; thing: string; samples: { time: number; value: number | Record<string, number> }[] }
  | { ok: false; reason: string } {
  const m = TELEMETRY_TOPIC.exec(topic);
  if (!m) return { ok: false, reason: 'topic' };
  const [, tenant, thingId] = m as unknown as [string, string, string];
  const twin = rt.twinByName(thingId!);
  if (!twin || twin.tenantId !== tenant) return { ok: false, reason: 'unknown-thing' };
  let body: unknown;
  try {
    body = JSON.parse(payload.toString('utf8'));
  } catch {
    return { ok: false, reason: 'json' };
  }
  const list = Array.isArray(body) ? body : [body];
  const arrived = Date.now();
  const samples: { time: number; value: number | Record<string, number> }[] = [];
  for (const s of list) {
    if (typeof s === 'number' && Number.isFinite(s)) {
      samples.push({ time: arrived, value: s });
      continue;
    }
    if (!s || typeof s !== 'object') return { ok: false, reason: 'schema' };
    const { value, time } = s as { value?: unknown; time?: unknown };
    const okValue =
      (typeof value === 'number' && Number.isFinite(value)) ||
      (value !== null &&
        typeof value === 'object' &&
        Object.values(value as object).every((v) => typeof v === 'number' && Number.isFinite(v)));
    if (!okValue || (time !== undefined && (typeof time !== 'number' || !Number.isFinite(time))))
      return { ok: false, reason: 'schema' };
    samples.push({
      time: (time as number | undefined) ?? arrived,
      value: value as number | Record<string, number>,
    });
  }
  return { ok: true, thing: twin.thingId, samples };
}

function counting(rt: LiveRuntime) {
  const rejected: Record<string, number> = {};
  let accepted = 0;
  return {
    rejected,
    get accepted() {
      return accepted;
    },
    handle(topic: string, payload: Buffer) {
      const r = parseTelemetry(rt, topic, payload);
      if (!r.ok) {
        rejected[r.reason] = (rejected[r.reason] ?? 0) + 1;
        return;
      }
      rt.ingest(rt.twinByName(r.thing)!, r.samples);
      accepted += r.samples.length;
    },
  };
}

/** Starts an embedded broker on 127.0.0.1:`port` (0 picks a free one) that feeds the runtime. */
export async function embeddedBroker(rt: LiveRuntime, port: number, host = '127.0.0.1'): Promise<MqttIngest> {
  const broker = await Aedes.createBroker();
  const c = counting(rt);
  broker.on('publish', (packet, client) => {
    if (client && packet.topic.startsWith('telemetry/')) c.handle(packet.topic, packet.payload as Buffer);
  });
  const server: Server = createServer(broker.handle);
  server.listen(port, host);
  await once(server, 'listening');
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  return {
    url: `mqtt://${host}:${actual}`,
    get accepted() {
      return c.accepted;
    },
    rejected: c.rejected,
    async close() {
      await new Promise<void>((done) => broker.close(() => done()));
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

/** Subscribes to an external broker's telemetry topics. */
export async function externalBroker(rt: LiveRuntime, url: string): Promise<MqttIngest> {
  const client = await mqtt.connectAsync(url, {
    clientId: `ars-serve-${process.pid}`,
    reconnectPeriod: 1000,
  });
  const c = counting(rt);
  client.on('message', (topic, payload) => c.handle(topic, payload));
  await client.subscribeAsync('telemetry/+/+', { qos: 1 });
  return {
    url,
    get accepted() {
      return c.accepted;
    },
    rejected: c.rejected,
    async close() {
      await client.endAsync();
    },
  };
}
