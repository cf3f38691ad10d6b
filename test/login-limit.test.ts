// Failed logins are limited per client address (auth file `loginFailures`): over the limit, every
// credential from that address — a valid one too, so the limit is no oracle — answers 429
// ARS_E_RATE_LIMITED with Retry-After, and the refusal is audited; other addresses are unaffected; MQTT
// CONNECT failures count toward the same limit, and a limited address cannot connect either.
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerSecurity } from '../src/server/auth-config.js';
import { type MqttIngest, startMqttIngest } from '../src/server/mqtt.js';
import { createServer, type LiveServer } from '../src/server/server.js';
import { openSqliteStore, type Store } from '../src/store/index.js';
import { type AuthFixture, authFixture } from './auth-fixture.js';

let fx: AuthFixture;
let security: ServerSecurity;
let store: Store;
let app: LiveServer;
let broker: MqttIngest;

beforeAll(async () => {
  fx = authFixture('ars-login-limit-');
  // a long window, so that the test never depends on how fast the machine is
  security = fx.security({ loginFailures: { max: 3, windowSeconds: 3600 } });
  store = openSqliteStore({ path: ':memory:' });
  app = await createServer({ store, auth: security.auth, retentionSweepMs: 0 });
  await app.ready();
  broker = await startMqttIngest({ context: app.ars, port: 0, guard: security.auth });
});

afterAll(async () => {
  await broker?.close();
  await app?.close();
  await store?.close();
  security?.close();
  fx?.remove();
});

const get = (address: string, token?: string) =>
  app.inject({
    method: 'GET',
    url: '/api/v1/things',
    remoteAddress: address,
    ...(token !== undefined ? { headers: { authorization: `Bearer ${token}` } } : {}),
  });

describe('failed logins per client address', () => {
  it('HTTP: 429 with Retry-After after the limit, valid keys included; other addresses unaffected', async () => {
    const { userA, root } = fx.tokens;
    // requests without any credential are no guesses: they do not count
    for (let i = 0; i < 5; i++) expect((await get('198.51.100.7')).statusCode).toBe(401);
    expect((await get('198.51.100.7', userA)).statusCode).toBe(200);
    for (let i = 0; i < 3; i++) {
      const r = await get('198.51.100.7', `ars_wrong${i}_${'x'.repeat(20)}`);
      expect(r.statusCode).toBe(401);
    }
    for (const token of [userA, 'ars_wrong_again_xxxxxxxxxxxxxxxxxx', undefined]) {
      const r = await get('198.51.100.7', token);
      expect(r.statusCode).toBe(429);
      expect(r.json().code).toBe('ARS_E_RATE_LIMITED');
      expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
      expect(r.body).not.toContain(userA);
    }
    // another address, with a valid key: served
    expect((await get('198.51.100.8', userA)).statusCode).toBe(200);
    // audited: the failures and the refusals, with the address
    const audit = await auditItems(root);
    const from7 = audit.filter((e) => e.source === 'http:198.51.100.7');
    expect(from7.filter((e) => e.action === 'login' && e.outcome === 'failed').length).toBeGreaterThanOrEqual(
      3,
    );
    expect(from7.filter((e) => e.detail?.code === 'ARS_E_RATE_LIMITED')).toHaveLength(3);
  });

  it('MQTT: CONNECT failures count, and a limited address cannot connect even with a valid key', async () => {
    const connect = (password: string) =>
      mqtt.connectAsync(broker.url, { username: 'u', password, reconnectPeriod: 0, connectTimeout: 10_000 });
    const ok = await connect(fx.tokens.userA);
    await ok.endAsync();
    for (let i = 0; i < 3; i++) await expect(connect(`ars_bad${i}_${'y'.repeat(20)}`)).rejects.toThrow();
    await expect(connect(fx.tokens.userA)).rejects.toThrow(/authori[sz]ed|refused/i);
    // the limit is per address across surfaces: HTTP from the same address is refused too
    const r = await get('127.0.0.1', fx.tokens.userA);
    expect(r.statusCode).toBe(429);
    const audit = await auditItems(fx.tokens.root, '198.51.100.10');
    expect(audit.some((e) => e.resource === 'mqtt:connect' && e.detail?.code === 'ARS_E_RATE_LIMITED')).toBe(
      true,
    );
  });
});

async function auditItems(token: string, address = '198.51.100.9') {
  const r = await app.inject({
    method: 'GET',
    url: '/api/v1/audit?limit=1000',
    remoteAddress: address,
    headers: { authorization: `Bearer ${token}` },
  });
  expect(r.statusCode, r.body).toBe(200);
  return r.json().items as {
    action: string;
    resource: string;
    outcome: string;
    source: string;
    detail?: { code?: string };
  }[];
}
