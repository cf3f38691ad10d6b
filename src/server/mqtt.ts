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
 * QoS 1 redelivery: a message with the DUP flag (resent after a lost PUBACK or a reconnect) whose samples are
 * all stored already — same thing, same generation `time`, same features — is acknowledged and not stored
 * again. A message without DUP is a first transmission and always stored, at no extra cost. A redelivered
 * payload without `time` takes its arrival time and so cannot be recognised: devices that want exactly-once
 * storage stamp their samples.
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
import { createMqttGuard, defaultRoute, type Principal, SecurityError } from '../security/index.js';
import { nulPointer } from './errors.js';
import { LOCAL_ADMIN, type ServerGuard } from './guard.js';
import { ingestSamples, type LiveContext } from './ingest.js';
import { authorizeIngest } from './ingest-guard.js';
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
  | 'forbidden'
  | 'topic'
  | 'too-large'
  | 'malformed-json'
  | 'schema'
  | 'unknown-thing'
  | 'tenant-mismatch'
  | 'key-reused';

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
  security?: { guard: ServerGuard; principal: Principal },
  /** a QoS 1 message with the DUP flag: it may have been stored before */
  redelivery = false,
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
  if (security && security.principal !== LOCAL_ADMIN) {
    let verdict: Awaited<ReturnType<typeof authorizeIngest>>;
    try {
      verdict = await authorizeIngest(security.guard, ctx.store, security.principal, samples, ctx.events);
    } catch (e) {
      if (e instanceof SecurityError) return refuse('forbidden', e.message);
      throw e;
    }
    if (!verdict.ok)
      return refuse(
        verdict.reason === 'forbidden' ? 'forbidden' : 'unknown-thing',
        verdict.reason === 'forbidden' ? `may not write ${verdict.path}` : `no thing ${thingId}`,
      );
  }
  const result = await ingestSamples(ctx, samples, {
    transport: 'mqtt',
    tenant,
    receivedAt,
    ...(redelivery ? { redelivery } : {}),
  });
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
  /**
   * The server's guard: with authentication configured, the embedded broker authenticates every CONNECT
   * (the password carries an API key, node credential or OIDC token), a client publishes and subscribes
   * only on `telemetry/<its tenant>/…`, a subscription needs READ on every feature under the tenant's
   * policy, and a publish needs WRITE on each property it sends. Refusals are audited.
   */
  guard?: ServerGuard;
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

/** A QoS 1 message resent by its sender (or the broker): the DUP flag. */
function isRedelivery(packet: { qos?: number; dup?: boolean }): boolean {
  return packet.qos === 1 && packet.dup === true;
}

export async function startMqttIngest(options: MqttIngestOptions): Promise<MqttIngest> {
  return options.url ? startExternal(options, options.url) : startEmbedded(options);
}

/** `telemetry/<tenant>/…` belongs to that tenant; other topics route as the security library's default. */
export function telemetryRoute(topic: string) {
  const parts = topic.split('/');
  if (parts[0] === TELEMETRY_PREFIX && parts[1] && parts.length >= 3) return { tenant: parts[1] };
  return defaultRoute(topic);
}

/** The aedes hooks that enforce authentication, tenancy and policies; none in dev mode. */
function brokerSecurity(guard: ServerGuard | undefined) {
  const auth = guard?.authConfig;
  if (!guard || !auth) return undefined;
  const mqttGuard = createMqttGuard({
    auth,
    route: telemetryRoute,
    now: guard.now,
    onDenied: (e) =>
      guard.record({
        actor: e.action === 'connect' ? 'anonymous' : (principals.get(e.client)?.subject ?? 'anonymous'),
        tenant: principals.get(e.client)?.tenant,
        action: e.action === 'connect' ? 'login' : 'permission.denied',
        resource: e.topic !== undefined ? `mqtt:${e.topic}` : 'mqtt:connect',
        outcome: e.action === 'connect' ? 'failed' : 'denied',
        source: `mqtt:${e.client}`,
        detail: { reason: e.reason },
      }),
  });
  const principals = new Map<string, Principal>();
  return { mqttGuard, principals };
}

async function startEmbedded(options: MqttIngestOptions): Promise<MqttIngest> {
  const { context } = options;
  const log = options.log ?? silent;
  const security = brokerSecurity(options.guard);
  const guard = options.guard;
  /** audits a refused subscribe or publish */
  const denied = (p: Principal | undefined, client: Client, topic: string, reason: unknown) =>
    guard?.record({
      actor: p?.subject ?? 'anonymous',
      tenant: p?.tenant,
      action: 'permission.denied',
      resource: `mqtt:${topic}`,
      outcome: 'denied',
      source: `mqtt:${client.id}`,
      detail: { reason },
    });
  const secured = security
    ? {
        authenticate: (
          client: Client,
          username: Readonly<string> | undefined,
          password: Readonly<Buffer> | undefined,
          done: (error: (Error & { returnCode: number }) | null, success: boolean | null) => void,
        ) => {
          // failed logins per address, shared with HTTP (src/server/auth.ts): over the limit, refused unchecked
          const address = (client.conn as { remoteAddress?: string } | undefined)?.remoteAddress;
          const throttle = address !== undefined ? guard!.loginThrottle : undefined;
          if (throttle && throttle.retryAfterMs(address!, guard!.now()) > 0) {
            guard!.record({
              actor: 'anonymous',
              tenant: undefined,
              action: 'login',
              resource: 'mqtt:connect',
              outcome: 'denied',
              source: `mqtt:${client.id}`,
              detail: {
                reason: 'too many failed logins from this address',
                code: 'ARS_E_RATE_LIMITED',
                address,
              },
            });
            return done(Object.assign(new Error('too many failed logins'), { returnCode: 5 }), false);
          }
          security.mqttGuard.authenticate(client, username, password as Buffer | undefined, (err, ok) => {
            const p = security.mqttGuard.principalOf(client);
            if (ok && p) security.principals.set(client.id, p);
            else if (err && err.returnCode !== 3) throttle?.fail(address!, guard!.now());
            done(err, ok);
          });
        },
        authorizeSubscribe: (
          client: Client | null,
          sub: { topic: string; qos: number },
          callback: (error: Error | null, subscription?: { topic: string; qos: number } | null) => void,
        ) => {
          if (!client) return callback(null, sub);
          security.mqttGuard.authorizeSubscribe(client, sub, (err, granted) => {
            const p = security.mqttGuard.principalOf(client);
            if (err || !granted || !p || p.tenant === undefined) return callback(err, granted);
            // raw telemetry carries every property: a subscriber must be able to read all of them
            if (!guard!.tenantView(p, p.tenant).hasOnSubtree('thing', ['features'], 'READ')) {
              denied(p, client, sub.topic, 'may not read every feature');
              return callback(null, null);
            }
            callback(null, granted);
          });
        },
      }
    : {};
  const broker = await Aedes.createBroker({
    ...(secured as object),
    authorizePublish: (
      client: Client | null,
      packet: PublishPacket,
      callback: (error?: Error | null) => void,
    ) => {
      // The broker's own publishes (wills, $SYS) pass untouched.
      if (!client) return callback(null);
      let principal: Principal | undefined;
      if (security) {
        principal = security.mqttGuard.principalOf(client);
        if (!principal) return callback(new Error('publish refused: not authenticated'));
        const route = telemetryRoute(packet.topic);
        if (packet.topic.startsWith(`${TELEMETRY_PREFIX}/`) && route) {
          // telemetry: the topic's tenant must be the principal's; the policy decides the rest (as over HTTP)
          if (!guard!.visible(principal, route.tenant)) {
            denied(principal, client, packet.topic, 'another tenant');
            return callback(new Error('publish refused: another tenant'));
          }
        } else {
          let refused: Error | null | undefined;
          security.mqttGuard.authorizePublish(client, packet as never, (err) => {
            refused = err;
          });
          if (refused) return callback(refused);
        }
        try {
          if (principal.tenant !== undefined)
            guard!.limiter?.messageSize(principal.tenant, (packet.payload as Buffer).length);
        } catch (e) {
          return callback(e as Error);
        }
      }
      // Other topics pass untouched (tenancy already checked above when secured).
      if (!packet.topic.startsWith(`${TELEMETRY_PREFIX}/`)) return callback(null);
      handleTelemetryMessage(
        context,
        packet.topic,
        packet.payload as Buffer,
        principal && guard ? { guard, principal } : undefined,
        isRedelivery(packet),
      ).then(
        (outcome) => {
          if (!outcome.ok)
            log.warn({ client: client.id, topic: packet.topic, reason: outcome.reason }, outcome.detail);
          if (!outcome.ok && outcome.reason === 'forbidden') {
            denied(principal, client, packet.topic, outcome.detail);
            // refused whole, never forwarded to subscribers: the broker closes the connection
            return callback(new Error(`publish refused: ${outcome.detail}`));
          }
          if (outcome.ok && principal)
            guard?.record({
              actor: principal.subject,
              tenant: principal.tenant,
              action: 'telemetry.write',
              resource: `mqtt:${packet.topic}`,
              outcome: 'allowed',
              source: `mqtt:${client.id}`,
              detail: { samples: outcome.stored },
            });
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
  if (security) broker.on('clientDisconnect', (client) => security.principals.delete(client.id));
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
    customHandleAcks: (topic, message, packet, done) => {
      handleTelemetryMessage(context, topic, message, undefined, isRedelivery(packet)).then(
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
