/**
 * MQTT telemetry ingest, on topics `telemetry/<tenant>/<thingId>` (Eclipse Hono's convention). The payload is
 * one sample without its thingId, `{ "time"?: ms | RFC 3339, "features": { id: { property: value } } }`, or an
 * array of them (stored all or nothing).
 *
 * - **Embedded broker** (aedes, the default): samples are stored in `authorizePublish`, which aedes runs
 *   before it writes the PUBACK of a QoS 1 message, so a PUBACK means the sample is durably stored. Messages
 *   read from one socket chunk are handled together, so they share one group commit.
 * - **External broker** by URL (mqtt.js, e.g. Mosquitto): a persistent MQTT 5 session (clean: false) subscribes
 *   `telemetry/#` at QoS 1 and sends each PUBACK only after the store commit (`customHandleAcks`).
 *
 * A message that cannot be used (bad topic, malformed JSON, wrong shape, unknown thing, another tenant's
 * thing, too large) is counted in `ars_ingest_rejects_total{transport="mqtt",reason}` and acknowledged,
 * so that a device does not resend a poison message forever; it is never stored and never crashes anything.
 * When the store itself fails, the message is not acknowledged and the connection is closed, so the sender
 * delivers it again: nothing acknowledged is lost.
 */
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { Aedes, type Client, type PublishPacket } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import { Type } from 'typebox';
import { Compile } from 'typebox/compile';
import { nulPointer } from './errors.js';
import { ingestSamples, type LiveContext } from './ingest.js';
import { MAX_BATCH, SampleBody } from './schemas.js';
import { toSample } from './telemetry.js';

export const TELEMETRY_PREFIX = 'telemetry';
/** Largest payload taken, in bytes. */
export const MAX_PAYLOAD_BYTES = 1024 * 1024;

const PayloadSample = Type.Omit(SampleBody, ['thingId']);
const payloadCheck = Compile(
  Type.Union([PayloadSample, Type.Array(PayloadSample, { minItems: 1, maxItems: MAX_BATCH })]),
);

export type MqttRejectReason =
  | 'topic'
  | 'too-large'
  | 'malformed-json'
  | 'schema'
  | 'unknown-thing'
  | 'tenant-mismatch';

export type MqttOutcome =
  | { ok: true; stored: number }
  | { ok: false; reason: MqttRejectReason; detail: string };

const TOPIC = /^telemetry\/([A-Za-z0-9][A-Za-z0-9._-]{0,63})\/([^/]+)$/;

/**
 * Stores one telemetry message. Resolves with the outcome (a refusal is counted); rejects only when the store
 * failed, in which case the message must not be acknowledged.
 */
export async function handleTelemetryMessage(
  ctx: LiveContext,
  topic: string,
  payload: Buffer,
): Promise<MqttOutcome> {
  const refuse = (reason: MqttRejectReason, detail: string): MqttOutcome => {
    ctx.metrics.ingestRejects.inc({ transport: 'mqtt', reason });
    return { ok: false, reason, detail };
  };
  const m = TOPIC.exec(topic);
  if (!m) return refuse('topic', `topic ${topic} is not ${TELEMETRY_PREFIX}/<tenant>/<thingId>`);
  const [, tenant, thingId] = m as unknown as [string, string, string];
  if (payload.length > MAX_PAYLOAD_BYTES)
    return refuse('too-large', `payload over ${MAX_PAYLOAD_BYTES} bytes`);
  let body: unknown;
  try {
    body = JSON.parse(payload.toString('utf8'));
  } catch (e) {
    return refuse('malformed-json', e instanceof Error ? e.message : 'malformed JSON');
  }
  const nul = nulPointer(body);
  if (nul !== undefined) return refuse('schema', `${nul || '(root)'}: a string may not contain U+0000`);
  if (!payloadCheck.Check(body)) {
    const first = [...payloadCheck.Errors(body)][0];
    return refuse('schema', `${first?.instancePath || '(root)'}: ${first?.message ?? 'invalid'}`);
  }
  const receivedAt = Date.now();
  const list = (Array.isArray(body) ? body : [body]) as Parameters<typeof toSample>[0][];
  const samples = list.map((s) => toSample(s, thingId, receivedAt));
  const result = await ingestSamples(ctx, samples, { transport: 'mqtt', tenant, receivedAt });
  if (!result.ok) {
    // ingestSamples counted the refusal already.
    return {
      ok: false,
      reason: result.reason,
      detail: `thing ${thingId} of tenant ${tenant}: ${result.reason}`,
    };
  }
  return { ok: true, stored: result.stored };
}

export interface MqttIngestOptions {
  context: LiveContext;
  /** Embedded broker: the TCP port (0 picks a free one; default 1883) and host (default 127.0.0.1). */
  port?: number;
  host?: string;
  /** External broker instead of the embedded one, e.g. `mqtt://127.0.0.1:1883`. */
  url?: string;
  /** Client id of the persistent session on an external broker. Default `ars-ingest`. */
  clientId?: string;
  /** How long an external broker keeps the session (and queues telemetry) while ARS is away. Default 1 day. */
  sessionExpirySeconds?: number;
  /** Topic filter subscribed on an external broker. Default `telemetry/#`. */
  topic?: string;
  /** Where refusals and failures are reported (e.g. the Fastify logger). */
  log?: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

export interface MqttIngest {
  /** `mqtt://host:port` of the broker devices publish to. */
  readonly url: string;
  /** The embedded broker's port; undefined with an external broker. */
  readonly port: number | undefined;
  /** The embedded broker, to publish or observe from inside the process. */
  readonly broker: Aedes | undefined;
  /** True while ingest can take messages (for `/readyz`). */
  ready(): boolean;
  close(): Promise<void>;
}

const silent = { warn() {}, error() {} };

export async function startMqttIngest(options: MqttIngestOptions): Promise<MqttIngest> {
  return options.url ? startExternal(options, options.url) : startEmbedded(options);
}

async function startEmbedded(options: MqttIngestOptions): Promise<MqttIngest> {
  const { context } = options;
  const log = options.log ?? silent;
  const broker = await Aedes.createBroker({
    authorizePublish: (
      client: Client | null,
      packet: PublishPacket,
      callback: (error?: Error | null) => void,
    ) => {
      // The broker's own publishes (wills, $SYS) and other topics pass untouched.
      if (!client || !packet.topic.startsWith(`${TELEMETRY_PREFIX}/`)) return callback(null);
      handleTelemetryMessage(context, packet.topic, packet.payload as Buffer).then(
        (outcome) => {
          if (!outcome.ok)
            log.warn({ client: client.id, topic: packet.topic, reason: outcome.reason }, outcome.detail);
          callback(null);
        },
        (error: unknown) => {
          log.error(
            { err: error, topic: packet.topic },
            'telemetry not stored; closing the connection so it is resent',
          );
          callback(error instanceof Error ? error : new Error(String(error)));
        },
      );
    },
  });
  broker.on('clientError', (client, error) =>
    log.warn({ client: client.id, err: error }, 'mqtt client error'),
  );
  const server: Server = createTcpServer(broker.handle);
  // Open device connections, so that close() ends them: server.close() alone waits for every device to leave.
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 1883, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 1883);
  let closed = false;
  return {
    url: `mqtt://${host}:${port}`,
    port,
    broker,
    ready: () => !closed && server.listening,
    close: async () => {
      if (closed) return;
      closed = true;
      // Stop accepting, then end the devices' sessions. A message whose store commit is still pending gets no
      // PUBACK, so its device sends it again to whichever replica it reaches next.
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await stopped;
    },
  };
}

async function startExternal(options: MqttIngestOptions, url: string): Promise<MqttIngest> {
  const { context } = options;
  const log = options.log ?? silent;
  let client: MqttClient;
  client = mqtt.connect(url, {
    clientId: options.clientId ?? 'ars-ingest',
    clean: false,
    // mqtt.js honours customHandleAcks on MQTT 5 sessions only.
    protocolVersion: 5,
    properties: { sessionExpiryInterval: options.sessionExpirySeconds ?? 24 * 3600 },
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
    customHandleAcks: (topic, message, _packet, done) => {
      handleTelemetryMessage(context, topic, message).then(
        (outcome) => {
          if (!outcome.ok) log.warn({ topic, reason: outcome.reason }, outcome.detail);
          done(0);
        },
        (error: unknown) => {
          log.error(
            { err: error, topic },
            'telemetry not stored; reconnecting so that the broker resends it',
          );
          done(error instanceof Error ? error : new Error(String(error)));
          client.stream?.destroy();
        },
      );
    },
  });
  client.on('error', (error) => log.warn({ err: error }, 'mqtt ingest client error'));
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => {
      client.end(true);
      reject(new Error(`cannot connect to MQTT broker ${url}: ${error.message}`));
    };
    client.once('error', onError);
    client.once('connect', () => {
      client.off('error', onError);
      resolve();
    });
  });
  await client.subscribeAsync(options.topic ?? `${TELEMETRY_PREFIX}/#`, { qos: 1 });
  return {
    url,
    port: undefined,
    broker: undefined,
    ready: () => client.connected,
    close: () => client.endAsync(),
  };
}
