// MQTT on a real embedded broker (aedes on a free loopback port) with real mqtt.js clients: connect
// needs valid credentials, an agent may publish only as its node, nobody subscribes across tenants,
// and a session closes when its credential expires.

import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeys, createMqttGuard, NodeCredentials, TenantLimiter } from '../src/security/index.js';

let broker: Aedes;
let server: Server;
let url: string;
let clock = Date.now();
const apiKeys = new ApiKeys({ now: () => clock });
const nodes = new NodeCredentials({ now: () => clock });
const denials: string[] = [];
const keys: Record<string, string> = {};

beforeAll(async () => {
  const guard = createMqttGuard({
    auth: { apiKeys, nodes },
    limiter: new TenantLimiter({ maxMessageBytes: 1024 }),
    now: () => clock,
    onDenied: (e) => denials.push(`${e.action}:${e.reason}`),
  });
  keys.userA = apiKeys.issue({ tenant: 'A', roles: ['user'] }).secret;
  keys.userB = apiKeys.issue({ tenant: 'B', roles: ['user'] }).secret;
  keys.admin = apiKeys.issue({ tenant: undefined, roles: ['admin'] }).secret;
  keys.agent = nodes.issue('gw-1', 'A').secret;
  keys.shortLived = apiKeys.issue({ tenant: 'A', roles: ['user'], expiresAt: clock + 1500 }).secret;
  broker = await Aedes.createBroker({
    authenticate: guard.authenticate,
    authorizePublish: guard.authorizePublish,
    authorizeSubscribe: guard.authorizeSubscribe,
  });
  server = createServer(broker.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => broker.close(() => r(undefined)));
  await new Promise((r) => server.close(r));
});

// MQTT 3.1.1 sends a password only with a username; users put anything there, agents their node id
const connect = (password: string | undefined, username = 'ars') => {
  const port = Number(new URL(url).port);
  return mqtt.connectAsync({
    host: '127.0.0.1',
    port,
    protocol: 'mqtt',
    username,
    password,
    reconnectPeriod: 0,
    connectTimeout: 5000,
  });
};

/** True when the broker grants the subscription; mqtt.js rejects on a negative SUBACK (0x80). */
async function subscribeGranted(client: mqtt.MqttClient, topic: string): Promise<boolean> {
  try {
    const granted = await client.subscribeAsync(topic, { qos: 0 });
    return granted[0]!.qos !== 128;
  } catch (e) {
    if (/Subscribe error/.test(String(e))) return false;
    throw e;
  }
}

describe('MQTT guard on an embedded broker', () => {
  it('refuses a connection without or with bad credentials', async () => {
    await expect(connect(undefined)).rejects.toThrow(/Bad username or password|Not authorized/i);
    await expect(connect(`ars_0123456789abcdef_${'A'.repeat(43)}`)).rejects.toThrow(
      /Bad username or password/i,
    );
  });

  it('lets a tenant subscribe to its own topics only, never by wildcard across tenants', async () => {
    const a = await connect(keys.userA);
    expect(await subscribeGranted(a, 'ars/A/things/bed-7/events')).toBe(true);
    expect(await subscribeGranted(a, 'ars/A/#')).toBe(true);
    expect(await subscribeGranted(a, 'ars/B/things/x/events')).toBe(false);
    expect(await subscribeGranted(a, '#')).toBe(false);
    expect(await subscribeGranted(a, 'ars/+/things/#')).toBe(false);
    expect(await subscribeGranted(a, '$SYS/#')).toBe(false);
    expect(a.connected).toBe(true);
    await a.endAsync();
  });

  it('delivers an agent’s telemetry to its tenant and not to another tenant', async () => {
    const a = await connect(keys.userA);
    const b = await connect(keys.userB);
    const got: Record<string, string[]> = { a: [], b: [] };
    a.on('message', (t) => got.a!.push(t));
    b.on('message', (t) => got.b!.push(t));
    await a.subscribeAsync('ars/A/#');
    await b.subscribeAsync('ars/B/#');
    const agent = await connect(keys.agent, 'gw-1');
    await agent.publishAsync('ars/A/nodes/gw-1/telemetry', JSON.stringify({ heartRate: 71 }), { qos: 1 });
    await new Promise((r) => setTimeout(r, 200));
    expect(got.a).toEqual(['ars/A/nodes/gw-1/telemetry']);
    expect(got.b).toEqual([]);
    await Promise.all([a.endAsync(), b.endAsync(), agent.endAsync()]);
  });

  it('disconnects an agent that publishes as another node, and refuses a mismatched username', async () => {
    await expect(connect(keys.agent, 'gw-2')).rejects.toThrow(/Not authorized/i);
    const agent = await connect(keys.agent, 'gw-1');
    const closed = new Promise((r) => agent.once('close', r));
    agent.publish('ars/A/nodes/gw-2/telemetry', '{}', { qos: 1 });
    await closed;
    expect(denials).toContain('publish:not this agent’s node');
    agent.end(true);
  });

  it('disconnects a publisher over the tenant’s message size', async () => {
    const a = await connect(keys.userA);
    const closed = new Promise((r) => a.once('close', r));
    a.publish('ars/A/things/bed-7/commands', 'x'.repeat(2048), { qos: 1 });
    await closed;
    expect(denials.some((d) => d.startsWith('publish:message of 2048 bytes'))).toBe(true);
    a.end(true);
  });

  it('a platform admin may subscribe everywhere', async () => {
    const admin = await connect(keys.admin);
    expect(await subscribeGranted(admin, '#')).toBe(true);
    await admin.endAsync();
  });

  it('closes a session when its credential expires', async () => {
    const c = await connect(keys.shortLived);
    const closed = new Promise((r) => c.once('close', r));
    clock += 2000; // the guard re-checks on its timer with the injected clock
    await closed;
    c.end(true);
  }, 10_000);
});
