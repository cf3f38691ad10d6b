// The attack matrix over the real surfaces of the live server: subjects (platform admin, tenant A user,
// tenant A read-only, tenant B user, agent, anonymous, expired token, forged token) × resources (thing,
// sensitive field, sample, request, decision, explanation, what-if, metrics, audit) × surfaces (REST, search,
// WebSocket, SSE, MQTT publish/subscribe on the embedded broker over TCP). OIDC tokens are verified against
// a JWKS served over HTTP by this test; API keys and node credentials come from a key file; the whole
// configuration goes through the auth-file loader. Every cell asserts the outcome and that no value the
// subject may not read appears in the bytes it got.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import {
  createServer as createHttpServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  generateKey,
  type KeyFileSource,
  keyTables,
  SqliteAuditStore,
  verifyChain,
  writeKeyFile,
} from '../src/security/index.js';
import { buildSecurity, type ServerSecurity } from '../src/server/auth-config.js';
import { type MqttIngest, startMqttIngest } from '../src/server/mqtt.js';
import { createServer, type LiveServer } from '../src/server/server.js';
import { openSqliteStore, type SqliteStore } from '../src/store/sqlite.js';

const SECRET_NAME = 'Jane Roe';
const SECRET_HR = 173.25813;
const HR = String(SECRET_HR);
const B_SECRET = 'B-SECRET-42';
const A = 'a:bed-7';
const B = 'b:meter-1';

type Subject = 'admin' | 'userA' | 'readerA' | 'userB' | 'agent' | 'anonymous' | 'expired' | 'forged';
const SUBJECTS: Subject[] = ['admin', 'userA', 'readerA', 'userB', 'agent', 'anonymous', 'expired', 'forged'];
const AUTHENTICATED: Subject[] = ['admin', 'userA', 'readerA', 'userB', 'agent'];
const REFUSED: Subject[] = ['anonymous', 'expired', 'forged'];

/** What each subject may never see, anywhere. */
const FORBIDDEN: Record<Subject, string[]> = {
  admin: [],
  userA: [SECRET_NAME, B_SECRET],
  readerA: [SECRET_NAME, HR, B_SECRET],
  userB: [SECRET_NAME, HR],
  agent: [SECRET_NAME, B_SECRET],
  anonymous: [SECRET_NAME, HR, B_SECRET],
  expired: [SECRET_NAME, HR, B_SECRET],
  forged: [SECRET_NAME, HR, B_SECRET],
};

const policyA = (extraUserRevokes: string[] = []) => ({
  entries: {
    admins: {
      subjects: ['role:admin'],
      resources: { 'thing:/': { grant: ['READ', 'WRITE'] }, 'policy:/': { grant: ['READ', 'WRITE'] } },
    },
    users: {
      subjects: ['tenant:A/role:user'],
      resources: {
        'thing:/': { grant: ['READ', 'WRITE'] },
        'thing:/attributes/identity': { revoke: ['READ'] },
        ...Object.fromEntries(extraUserRevokes.map((r) => [r, { revoke: ['READ'] }])),
      },
    },
    readers: {
      subjects: ['tenant:A/role:reader'],
      resources: {
        'thing:/': { grant: ['READ'] },
        'thing:/attributes/identity': { revoke: ['READ'] },
        'thing:/features/vitals/properties/heartRate': { revoke: ['READ'] },
      },
    },
    agents: {
      subjects: ['tenant:A/role:agent'],
      resources: { 'thing:/features': { grant: ['READ', 'WRITE'] } },
    },
  },
});

let dir: string;
let jwksServer: Server;
let store: SqliteStore;
let app: LiveServer;
let security: ServerSecurity;
let broker: MqttIngest;
let base: string;
let logText = '';
const tokens: Partial<Record<Subject, string>> = {};
let signToken: (claims: Record<string, unknown>, expSec: number) => Promise<string>;
let keyFile: string;
let userAKeyId: string;

async function call(
  who: Subject,
  method: string,
  url: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<{ status: number; text: string; json: () => unknown; headers: Headers }> {
  const headers: Record<string, string> = {};
  const token = tokens[who];
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = contentType;
  const res = await fetch(`http://${base}${url}`, {
    method,
    headers,
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, text, json: () => JSON.parse(text), headers: res.headers };
}

function expectClean(who: Subject, text: string, where: string) {
  for (const secret of FORBIDDEN[who]) {
    expect(text.includes(secret), `${who} saw ${secret} in ${where}`).toBe(false);
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ars-surfaces-'));
  // the issuer: a real JWKS over HTTP; the forger signs with another key under the same kid
  const issuerKeys = await generateKeyPair('RS256');
  const forgerKeys = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(issuerKeys.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  jwksServer = createHttpServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((r) => jwksServer.listen(0, '127.0.0.1', r));
  const issuer = 'https://idp.test/realms/ars';
  const jwksUri = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks`;
  const sign = (key: CryptoKey, claims: Record<string, unknown>, expSec: number) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(issuer)
      .setAudience('ars')
      .setIssuedAt()
      .setExpirationTime(expSec)
      .sign(key);
  signToken = (claims, expSec) => sign(issuerKeys.privateKey, claims, expSec);
  const now = Math.floor(Date.now() / 1000);
  tokens.admin = await signToken({ sub: 'root', roles: ['admin'] }, now + 3600);
  tokens.readerA = await signToken({ sub: 'rita', tenant: 'A', roles: ['reader'] }, now + 3600);
  tokens.userB = await signToken({ sub: 'bob', tenant: 'B', roles: ['user'] }, now + 3600);
  tokens.expired = await signToken({ sub: 'old', tenant: 'A', roles: ['user'] }, now - 3600);
  tokens.forged = await sign(forgerKeys.privateKey, { sub: 'mallory', roles: ['admin'] }, now + 3600);

  // API keys and node credentials: hashes in a key file
  keyFile = join(dir, 'keys.json');
  const tables = keyTables({ apiKeys: [], nodeKeys: [] });
  const userA = tables.apiKeys.issue({ tenant: 'A', roles: ['user'], label: 'alice' });
  const userC = tables.apiKeys.issue({ tenant: 'C', roles: ['user'], label: 'carol' });
  const agent = tables.nodes.issue('gw-1', 'A');
  tokens.userA = userA.secret;
  tokens.agent = agent.secret;
  userAKeyId = userA.info.id;
  (tokens as Record<string, string>).userC = userC.secret;
  writeKeyFile(keyFile, { apiKeys: tables.apiKeys.records(), nodeKeys: tables.nodes.keys.records() });

  const fieldKeys = join(dir, 'field-keys.json');
  writeFileSync(fieldKeys, JSON.stringify({ active: 'k2026', keys: { k2026: generateKey() } }), {
    mode: 0o600,
  });
  security = buildSecurity(
    {
      keys: 'keys.json',
      oidc: { issuer, audience: 'ars', jwksUri },
      tenants: {
        A: { policy: 'policy-A' },
        C: { limits: { requestBurst: 3, requestsPerSecond: 0.01, maxThings: 1, maxMessageBytes: 300 } },
      },
      policies: { 'policy-A': policyA() },
      audit: 'audit.db',
      sensitive: { fields: ['heartRate', 'identity'], atRest: 'encrypt', keyFile: 'field-keys.json' },
      // every refused cell comes from 127.0.0.1: the failed-login limit has its own test (login-limit.test.ts)
      loginFailures: { max: 10_000 },
    },
    dir,
  );
  const logs = new Writable({
    write(chunk, _enc, done) {
      logText += String(chunk);
      done();
    },
  });
  store = openSqliteStore({ path: join(dir, 'ars.db') });
  const probe = async (api: import('fastify').FastifyInstance) => {
    // stand-ins for part B's routes: they get authentication from the hook and read req.principal
    const who = async (request: import('fastify').FastifyRequest) => ({
      subject: request.principal.subject,
      tenant: request.principal.tenant ?? null,
    });
    api.post('/requests', who);
    api.get('/decisions/:seq/explanation', who);
    api.post('/what-if', who);
  };
  app = await createServer({
    store,
    auth: security.auth,
    ...(security.sensitive ? { sensitive: security.sensitive } : {}),
    redactKeys: security.redactKeys,
    logger: { level: 'info', stream: logs },
    plugins: [probe],
    retentionSweepMs: 0,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  broker = await startMqttIngest({ context: app.ars, port: 0, guard: security.auth });

  // the world: one thing per tenant, samples, decisions, tenant-labelled metrics
  const a = await call('admin', 'PUT', `/api/v1/things/${A}`, {
    tenant: 'A',
    attributes: { ward: 'icu', identity: { name: SECRET_NAME } },
    features: { vitals: { properties: { heartRate: SECRET_HR, spo2: 96 } } },
  });
  expect(a.status).toBe(201);
  const b = await call('admin', 'PUT', `/api/v1/things/${B}`, {
    tenant: 'B',
    attributes: { ward: 'icu', secret: B_SECRET },
    features: { power: { properties: { kw: 3.5 } } },
  });
  expect(b.status).toBe(201);
  const t = await call('agent', 'POST', '/api/v1/telemetry', {
    thingId: A,
    features: { vitals: { heartRate: SECRET_HR, spo2: 95 } },
  });
  expect(t.status, t.text).toBe(200);
  await store.appendDecisions([
    { time: Date.now(), kind: 'refresh', subject: A, node: 'gw-1', detail: { score: 1 } },
    { time: Date.now(), kind: 'refresh', subject: B, node: 'gw-9', detail: { note: B_SECRET } },
  ]);
  app.ars.metrics.requestsFinished.inc({ tenant: 'A', state: 'done' });
  app.ars.metrics.requestsFinished.inc({ tenant: 'B', state: 'done' });
}, 30_000);

afterAll(async () => {
  await broker?.close();
  await app?.close();
  await store?.close();
  security?.close();
  jwksServer?.closeAllConnections();
  await new Promise<void>((r) => (jwksServer ? jwksServer.close(() => r()) : r()));
  rmSync(dir, { recursive: true, force: true });
});

describe('REST: subjects × resources', () => {
  const table: Record<
    string,
    { url: string; method?: string; body?: unknown; expect: Record<Subject, number> }
  > = {
    thing: {
      url: `/api/v1/things/${A}`,
      expect: {
        admin: 200,
        userA: 200,
        readerA: 200,
        userB: 404,
        agent: 200,
        anonymous: 401,
        expired: 401,
        forged: 401,
      },
    },
    sample: {
      url: `/api/v1/things/${A}/samples`,
      expect: {
        admin: 200,
        userA: 200,
        readerA: 200,
        userB: 404,
        agent: 200,
        anonymous: 401,
        expired: 401,
        forged: 401,
      },
    },
    request: {
      url: '/api/v1/requests',
      method: 'POST',
      body: { workload: 'x' },
      expect: {
        admin: 200,
        userA: 200,
        readerA: 200,
        userB: 200,
        agent: 200,
        anonymous: 401,
        expired: 401,
        forged: 401,
      },
    },
    decision: {
      url: `/api/v1/decisions?subject=${A}`,
      expect: {
        admin: 200,
        userA: 200,
        readerA: 200,
        userB: 200,
        agent: 200,
        anonymous: 401,
        expired: 401,
        forged: 401,
      },
    },
    explanation: {
      url: '/api/v1/decisions/1/explanation',
      expect: {
        admin: 200,
        userA: 200,
        readerA: 200,
        userB: 200,
        agent: 200,
        anonymous: 401,
        expired: 401,
        forged: 401,
      },
    },
    'what-if': {
      url: '/api/v1/what-if',
      method: 'POST',
      body: {},
      expect: {
        admin: 200,
        userA: 200,
        readerA: 200,
        userB: 200,
        agent: 200,
        anonymous: 401,
        expired: 401,
        forged: 401,
      },
    },
    metrics: {
      url: '/metrics',
      expect: {
        admin: 200,
        userA: 200,
        readerA: 200,
        userB: 200,
        agent: 200,
        anonymous: 401,
        expired: 401,
        forged: 401,
      },
    },
    audit: {
      url: '/api/v1/audit',
      expect: {
        admin: 200,
        userA: 403,
        readerA: 403,
        userB: 403,
        agent: 403,
        anonymous: 401,
        expired: 401,
        forged: 401,
      },
    },
  };
  for (const [resource, spec] of Object.entries(table)) {
    for (const who of SUBJECTS) {
      it(`${resource} × ${who} → ${spec.expect[who]}`, async () => {
        const r = await call(who, spec.method ?? 'GET', spec.url, spec.body);
        expect(r.status, r.text).toBe(spec.expect[who]);
        expectClean(who, r.text, `${resource} ${r.text.slice(0, 200)}`);
        if (r.status === 401) expect(r.json()).toMatchObject({ code: expect.stringMatching(/^ARS_E_AUTH_/) });
        if (r.status === 404) expect(r.json()).toMatchObject({ code: 'ARS_E_THING_NOT_FOUND' });
      });
    }
  }

  it('sensitive field: each subject sees exactly the fields its policy lets it read', async () => {
    const seen = async (who: Subject) => (await call(who, 'GET', `/api/v1/things/${A}`)).text;
    expect(await seen('admin')).toContain(SECRET_NAME);
    expect(await seen('admin')).toContain(HR);
    expect(await seen('userA')).toContain(HR);
    expect(await seen('agent')).toContain(HR);
    const reader = JSON.parse(await seen('readerA'));
    expect(reader.features.vitals.properties).toEqual({ spo2: 96 });
    expect(reader.attributes).toEqual({ ward: 'icu' });
    const samples = JSON.parse((await call('readerA', 'GET', `/api/v1/things/${A}/samples`)).text);
    expect(samples.items[0].features).toEqual({ vitals: { spo2: 95 } });
  });

  it('decisions: a foreign subject’s decisions are withheld; part-B routes read req.principal', async () => {
    const b = (await call('userB', 'GET', `/api/v1/decisions?subject=${A}`)).json() as { items: unknown[] };
    expect(b.items).toEqual([]);
    const all = (await call('userB', 'GET', '/api/v1/decisions')).json() as { items: { subject: string }[] };
    expect(all.items.map((d) => d.subject)).toEqual([B]);
    const a = (await call('readerA', 'GET', '/api/v1/decisions')).json() as { items: { subject: string }[] };
    expect(a.items.map((d) => d.subject)).toEqual([A]);
    expect((await call('userA', 'POST', '/api/v1/what-if', {})).json()).toEqual({
      subject: `apikey:${userAKeyId}`,
      tenant: 'A',
    });
  });

  it('metrics: a tenant sees its own series only, the admin all', async () => {
    const admin = (await call('admin', 'GET', '/metrics')).text;
    expect(admin).toContain('tenant="A"');
    expect(admin).toContain('tenant="B"');
    const a = (await call('userA', 'GET', '/metrics')).text;
    expect(a).toContain('ars_requests_finished_total{tenant="A",state="done"} 1');
    expect(a).not.toContain('tenant="B"');
    const b = (await call('userB', 'GET', '/metrics')).text;
    expect(b).not.toContain('tenant="A"');
  });

  it('writes: foreign tenant 404, unwritable merge patch refused whole, reader cannot write', async () => {
    const merge = 'application/merge-patch+json';
    const foreign = await call('userB', 'PATCH', `/api/v1/things/${A}`, { attributes: { ward: 'x' } }, merge);
    expect(foreign.status).toBe(404);
    const reader = await call(
      'readerA',
      'PATCH',
      `/api/v1/things/${A}`,
      { attributes: { ward: 'x' } },
      merge,
    );
    expect(reader.status).toBe(403);
    // the agent may write features but not attributes: the whole patch is refused, nothing changes
    const mixed = await call(
      'agent',
      'PATCH',
      `/api/v1/things/${A}`,
      { attributes: { ward: 'hacked' }, features: { vitals: { properties: { spo2: 90 } } } },
      merge,
    );
    expect(mixed.status).toBe(403);
    expect(mixed.json()).toMatchObject({ code: 'ARS_E_FORBIDDEN', paths: ['thing:/attributes/ward'] });
    const after = (await call('admin', 'GET', `/api/v1/things/${A}`)).json() as {
      attributes: { ward: string };
      features: { vitals: { properties: { spo2: number } } };
    };
    expect(after.attributes.ward).toBe('icu');
    expect(after.features.vitals.properties.spo2).toBe(96);
    // naming a looser policy is a policy change: a user without WRITE on policy:/ cannot escape its revokes
    const looser = await call('userA', 'PATCH', `/api/v1/things/${A}`, { policyId: 'ars:default' }, merge);
    expect(looser.status).toBe(403);
    expectClean('userA', looser.text, 'policy escape');
    // a tenant user cannot create in another tenant; creating in its own is fine
    expect((await call('userB', 'POST', '/api/v1/things', { thingId: 'b:x', tenant: 'A' })).status).toBe(403);
    expect((await call('userB', 'POST', '/api/v1/things', { thingId: 'b:x' })).status).toBe(201);
    // ingest remembers things between batches; a deleted thing is forgotten at once
    const bx = { thingId: 'b:x', features: { f: { v: 1 } } };
    expect((await call('userB', 'POST', '/api/v1/telemetry', bx)).status).toBe(200);
    expect((await call('userB', 'DELETE', '/api/v1/things/b:x')).status).toBe(204);
    expect((await call('userB', 'POST', '/api/v1/telemetry', bx)).status).toBe(404);
    expect((await call('userB', 'POST', '/api/v1/things', { thingId: 'b:x' })).status).toBe(201);
    // the foreign tenant's telemetry is as unknown as an absent thing's
    const tel = await call('userB', 'POST', '/api/v1/telemetry', {
      thingId: A,
      features: { vitals: { spo2: 1 } },
    });
    expect(tel.status).toBe(404);
    expect(
      (await call('readerA', 'POST', '/api/v1/telemetry', { thingId: A, features: { vitals: { spo2: 1 } } }))
        .status,
    ).toBe(403);
  });

  it('check-permissions answers per subject and never reveals a foreign thing', async () => {
    const q = {
      hr: { resource: 'thing:/features/vitals/properties/heartRate', entityId: A, hasPermissions: ['READ'] },
      ward: { resource: 'thing:/attributes/ward', entityId: A, hasPermissions: ['READ', 'WRITE'] },
    };
    expect((await call('userA', 'POST', '/api/v1/check-permissions', q)).json()).toEqual({
      hr: true,
      ward: true,
    });
    expect((await call('readerA', 'POST', '/api/v1/check-permissions', q)).json()).toEqual({
      hr: false,
      ward: false,
    });
    expect((await call('userB', 'POST', '/api/v1/check-permissions', q)).json()).toEqual({
      hr: false,
      ward: false,
    });
    expect((await call('anonymous', 'POST', '/api/v1/check-permissions', q)).status).toBe(401);
    const bad = await call('userA', 'POST', '/api/v1/check-permissions', {
      x: { resource: 'thing:/', hasPermissions: ['FLY'] },
    });
    expect(bad.status).toBe(400);
  });
});

describe('search', () => {
  const search = (who: Subject, filter: string) =>
    call(who, 'GET', `/api/v1/things?filter=${encodeURIComponent(filter)}`);
  const ids = (r: { json: () => unknown }) =>
    (r.json() as { items: { thingId: string }[] }).items.map((t) => t.thingId);

  it('each subject finds its own tenant’s things only, filtered field by field', async () => {
    const f = 'eq(attributes/ward,"icu")';
    expect(ids(await search('admin', f))).toEqual([A, B]);
    expect(ids(await search('userA', f))).toEqual([A]);
    expect(ids(await search('readerA', f))).toEqual([A]);
    expect(ids(await search('userB', f))).toEqual([B]);
    for (const who of SUBJECTS) {
      const r = await search(who, f);
      expectClean(who, r.text, 'search');
      if (REFUSED.includes(who)) expect(r.status).toBe(401);
    }
    // the agent may not read attributes: filtering on one would be an oracle
    expect((await search('agent', f)).status).toBe(403);
    // naming another tenant finds nothing
    expect(ids(await call('userB', 'GET', '/api/v1/things?tenant=A'))).toEqual([]);
  });

  it('no filter or sort on a field the subject may not read', async () => {
    expect((await search('readerA', 'gt(features/vitals/properties/heartRate,100)')).status).toBe(403);
    expect((await search('userA', 'exists(attributes/identity/name)')).status).toBe(403);
    expect((await search('readerA', 'eq(attributes/identity/name,"Jane Roe")')).status).toBe(403);
    // sealed at rest: even a subject who may read it cannot match on its plaintext
    expect(ids(await search('admin', `eq(features/vitals/properties/heartRate,${HR})`))).toEqual([]);
  });

  it('a revoked field is not searchable (the policy change applies at once)', async () => {
    const f = 'eq(attributes/ward,"icu")';
    expect(ids(await search('userA', f))).toEqual([A]);
    const put = await call('admin', 'PUT', '/api/v1/policies/policy-A', policyA(['thing:/attributes/ward']));
    expect(put.status, put.text).toBe(200);
    try {
      const r = await search('userA', f);
      expect(r.status).toBe(403);
      expect(r.json()).toMatchObject({ code: 'ARS_E_FORBIDDEN', fields: ['attributes/ward'] });
      const thing = (await call('userA', 'GET', `/api/v1/things/${A}`)).json() as { attributes: object };
      expect(thing.attributes).toEqual({});
    } finally {
      expect((await call('admin', 'PUT', '/api/v1/policies/policy-A', policyA())).status).toBe(200);
    }
  });

  it('a policy change that would lock every administrator out is refused', async () => {
    const r = await call('admin', 'PUT', '/api/v1/policies/policy-A', {
      entries: { users: { subjects: ['tenant:A/role:user'], resources: { 'thing:/': { grant: ['READ'] } } } },
    });
    expect(r.status).toBe(400);
    expect(r.json()).toMatchObject({ code: 'ARS_E_POLICY_INVALID' });
    // and a tenant user without WRITE on policy:/ cannot change it at all; tenant B cannot even see it
    expect((await call('userA', 'PUT', '/api/v1/policies/policy-A', policyA())).status).toBe(403);
    expect((await call('userB', 'GET', '/api/v1/policies/policy-A')).status).toBe(404);
  });
});

/** Opens a WebSocket on the event stream as `who`; resolves once subscribed (or with the refusal status). */
async function openStream(who: Subject, query = '?types=twin,telemetry') {
  const token = tokens[who];
  const socket = new WebSocket(`ws://${base}/api/v1/events${query}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  const messages: string[] = [];
  socket.on('message', (data) => messages.push(String(data)));
  const status = await new Promise<number>((resolve) => {
    socket.once('open', () => resolve(101));
    socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    socket.once('error', () => resolve(0));
  });
  if (status === 101) {
    await new Promise<void>((resolve) => {
      socket.once('pong', () => resolve());
      socket.ping();
    });
  }
  return { socket, messages, status };
}

/** Sends a marker event every subscriber sees (a twin change of a thing of each tenant) and waits for it. */
async function settle(streams: { messages: string[]; status: number }[], marker: string) {
  for (let i = 0; i < 300; i++) {
    if (streams.every((s) => s.status !== 101 || s.messages.some((m) => m.includes(marker)))) return;
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('WebSocket and SSE streams', () => {
  it('each subscriber gets only its tenant’s events, with unreadable fields removed', async () => {
    const streams = Object.fromEntries(
      await Promise.all(SUBJECTS.map(async (w) => [w, await openStream(w)] as const)),
    );
    try {
      for (const w of REFUSED) expect(streams[w]!.status).toBe(401);
      for (const w of AUTHENTICATED) expect(streams[w]!.status).toBe(101);
      await call('agent', 'POST', '/api/v1/telemetry', {
        thingId: A,
        features: { vitals: { heartRate: SECRET_HR, spo2: 94 } },
      });
      await call('admin', 'POST', '/api/v1/telemetry', { thingId: B, features: { power: { kw: 4 } } });
      // markers: a twin change in each tenant
      await call(
        'admin',
        'PATCH',
        `/api/v1/things/${A}`,
        { attributes: { marker: 'mA' } },
        'application/merge-patch+json',
      );
      await call(
        'admin',
        'PATCH',
        `/api/v1/things/${B}`,
        { attributes: { marker: 'mB' } },
        'application/merge-patch+json',
      );
      await settle(
        AUTHENTICATED.filter((w) => w !== 'userB').map((w) => streams[w]!),
        `"thingId":"${A}"`,
      );
      await settle([streams.userB!, streams.admin!], `"thingId":"${B}"`);
      const about = (w: Subject, id: string) =>
        streams[w]!.messages.filter((m) => m.includes(`"thingId":"${id}"`));
      for (const w of AUTHENTICATED) expectClean(w, streams[w]!.messages.join('\n'), 'stream');
      expect(about('userB', A)).toEqual([]);
      expect(about('userA', B)).toEqual([]);
      expect(about('readerA', B)).toEqual([]);
      expect(about('admin', A).length).toBeGreaterThan(0);
      expect(about('admin', B).length).toBeGreaterThan(0);
      const readerTelemetry = about('readerA', A)
        .map((m) => JSON.parse(m))
        .filter((e) => e.type === 'telemetry');
      expect(readerTelemetry[0].latest).toEqual({ vitals: { spo2: 94 } });
      const userTelemetry = about('userA', A)
        .map((m) => JSON.parse(m))
        .filter((e) => e.type === 'telemetry');
      expect(userTelemetry[0].latest.vitals.heartRate).toBe(SECRET_HR);
    } finally {
      for (const s of Object.values(streams)) s.socket.terminate();
    }
  });

  it('a policy change takes effect on an open stream', async () => {
    const s = await openStream('userA', '?types=telemetry');
    try {
      await call('agent', 'POST', '/api/v1/telemetry', {
        thingId: A,
        features: { vitals: { heartRate: SECRET_HR, spo2: 93 } },
      });
      await settle([s], '"spo2":93');
      expect(s.messages.join()).toContain(HR);
      const put = await call(
        'admin',
        'PUT',
        '/api/v1/policies/policy-A',
        policyA(['thing:/features/vitals/properties/heartRate']),
      );
      expect(put.status).toBe(200);
      await call('agent', 'POST', '/api/v1/telemetry', {
        thingId: A,
        features: { vitals: { heartRate: SECRET_HR, spo2: 92 } },
      });
      await settle([s], '"spo2":92');
      const last = JSON.parse(s.messages[s.messages.length - 1]!);
      expect(last.latest).toEqual({ vitals: { spo2: 92 } });
    } finally {
      s.socket.terminate();
      await call('admin', 'PUT', '/api/v1/policies/policy-A', policyA());
    }
  });

  it('a stream closes when its token expires', async () => {
    tokens.expired = await signToken(
      { sub: 'brief', tenant: 'A', roles: ['user'] },
      Math.floor(Date.now() / 1000) + 2,
    );
    const s = await openStream('expired');
    expect(s.status).toBe(101);
    const code = await new Promise<number>((resolve) => s.socket.once('close', (c) => resolve(c)));
    expect(code).toBe(1008);
    tokens.expired = await signToken(
      { sub: 'old', tenant: 'A', roles: ['user'] },
      Math.floor(Date.now() / 1000) - 3600,
    );
  }, 30_000);

  it('SSE: refused without credentials; filtered per subject with ?access_token=', async () => {
    const refused = await fetch(`http://${base}/api/v1/events`);
    expect(refused.status).toBe(401);
    await refused.text();
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = httpRequest(
        `http://${base}/api/v1/events?types=telemetry&access_token=${tokens.readerA}`,
        resolve,
      );
      req.on('error', reject);
      req.end();
    });
    expect(response.statusCode).toBe(200);
    let text = '';
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => (text += chunk));
    for (let i = 0; i < 100 && app.ars.events.size === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await call('agent', 'POST', '/api/v1/telemetry', {
      thingId: A,
      features: { vitals: { heartRate: SECRET_HR, spo2: 91 } },
    });
    await call('admin', 'POST', '/api/v1/telemetry', { thingId: B, features: { power: { kw: 9 } } });
    for (let i = 0; i < 300 && !text.includes('"spo2":91'); i++) await new Promise((r) => setTimeout(r, 10));
    response.destroy();
    expect(text).toContain('"spo2":91');
    expectClean('readerA', text, 'sse');
    expect(text).not.toContain(B);
    // the token in the URL never reaches the log
    expect(logText).not.toContain(tokens.readerA!);
  });
});

describe('MQTT on the embedded broker (TCP)', () => {
  const connect = (who: Subject, clientId: string) =>
    mqtt.connectAsync(broker.url, {
      clientId,
      reconnectPeriod: 0,
      connectTimeout: 5000,
      // MQTT 3.1.1 sends a password only with a user name; an agent's must be its node id
      username: who === 'agent' ? 'gw-1' : who,
      ...(tokens[who] ? { password: tokens[who] } : {}),
    });

  it('CONNECT: refused for anonymous, expired and forged credentials', async () => {
    for (const who of REFUSED) {
      await expect(connect(who, `c-${who}`), who).rejects.toThrow();
    }
  });

  it('subscribe: only within the subject’s tenant, and only when it may read every feature', async () => {
    const granted: Record<string, number> = {};
    for (const who of AUTHENTICATED) {
      const c = await connect(who, `s-${who}`);
      // a refused subscription is a SUBACK with 128, which mqtt.js reports as an error
      granted[who] = await c.subscribeAsync('telemetry/A/#', { qos: 1 }).then(
        (r) => r[0]!.qos,
        (e: { packet?: { granted?: number[] } }) => e.packet?.granted?.[0] ?? -1,
      );
      await c.endAsync();
    }
    expect(granted).toEqual({ admin: 1, userA: 1, readerA: 128, userB: 128, agent: 128 });
  });

  /** A refused QoS 1 publish: the broker closes the connection instead of acknowledging. */
  const refusedPublish = async (c: mqtt.MqttClient, topic: string, payload: string) => {
    const closed = new Promise<void>((resolve) => c.once('close', () => resolve()));
    c.publish(topic, payload, { qos: 1 }, () => {});
    await closed;
    c.end(true);
  };

  it('publish: stored and delivered for a permitted subject; refused, unstored and undelivered otherwise', async () => {
    const sub = await connect('userA', 'sub-userA');
    const got: string[] = [];
    sub.on('message', (_t, payload) => got.push(payload.toString()));
    await sub.subscribeAsync('telemetry/A/#', { qos: 1 });
    const before = await store.countSamples(A);
    // tenant B publishing into tenant A: refused (the broker drops the connection), nothing stored
    const b = await connect('userB', 'pub-userB');
    b.on('error', () => {});
    await refusedPublish(b, `telemetry/A/${A}`, JSON.stringify({ features: { vitals: { spo2: 11 } } }));
    // the reader may not write: refused whole
    const r = await connect('readerA', 'pub-readerA');
    r.on('error', () => {});
    await refusedPublish(r, `telemetry/A/${A}`, JSON.stringify({ features: { vitals: { spo2: 12 } } }));
    // the agent may write features of its tenant's things
    const a = await connect('agent', 'pub-agent');
    await a.publishAsync(`telemetry/A/${A}`, JSON.stringify({ features: { vitals: { spo2: 13 } } }), {
      qos: 1,
    });
    await a.endAsync();
    for (let i = 0; i < 300 && !got.some((m) => m.includes('13')); i++)
      await new Promise((res) => setTimeout(res, 10));
    await sub.endAsync();
    expect(got.some((m) => m.includes('"spo2":13'))).toBe(true);
    expect(got.some((m) => m.includes('"spo2":11') || m.includes('"spo2":12'))).toBe(false);
    expect(await store.countSamples(A)).toBe(before + 1);
  });
});

describe('limits, keys, audit, storage', () => {
  it('per-tenant limits: message size 413, things count and request rate 429 with Retry-After', async () => {
    const c = (tokens as Record<string, string>).userC!;
    const req = (method: string, url: string, body?: unknown) =>
      fetch(`http://${base}${url}`, {
        method,
        headers: { authorization: `Bearer ${c}`, 'content-type': 'application/json' },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    const big = await req('POST', '/api/v1/things', {
      thingId: 'c:big',
      attributes: { pad: 'x'.repeat(400) },
    });
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ code: 'ARS_E_PAYLOAD_TOO_LARGE' });
    expect((await req('POST', '/api/v1/things', { thingId: 'c:one' })).status).toBe(201);
    const second = await req('POST', '/api/v1/things', { thingId: 'c:two' });
    expect(second.status).toBe(429);
    expect(await second.json()).toMatchObject({ code: 'ARS_E_QUOTA' });
    // the burst of 3 is spent (3 requests above); the next waits
    const limited = await req('GET', '/api/v1/things');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited.json()).toMatchObject({ code: 'ARS_E_RATE_LIMITED' });
  });

  it('a revoked API key stops working on the running server', async () => {
    const tables = keyTables(JSON.parse(readFileSync(keyFile, 'utf8')));
    const extra = tables.apiKeys.issue({ tenant: 'A', roles: ['reader'] });
    writeKeyFile(keyFile, { apiKeys: tables.apiKeys.records(), nodeKeys: tables.nodes.keys.records() });
    const source = security.auth.authConfig as KeyFileSource;
    source.reload();
    const use = () =>
      fetch(`http://${base}/api/v1/things`, { headers: { authorization: `Bearer ${extra.secret}` } });
    expect((await use()).status).toBe(200);
    tables.apiKeys.revoke(extra.info.id);
    writeKeyFile(keyFile, { apiKeys: tables.apiKeys.records(), nodeKeys: tables.nodes.keys.records() });
    source.reload();
    expect((await use()).status).toBe(401);
    // the key file holds hashes, never a secret
    const text = readFileSync(keyFile, 'utf8');
    expect(text).not.toContain(extra.secret.split('_').slice(2).join('_'));
    expect(text).not.toContain(tokens.userA!.split('_').slice(2).join('_'));
  });

  it('the audit log holds writes, policy changes, login failures and denials, and its chain verifies', async () => {
    const r = await call('admin', 'GET', '/api/v1/audit?limit=1000');
    const items = (r.json() as { items: { action: string; outcome: string }[] }).items;
    const actions = new Set(items.map((i) => `${i.action}:${i.outcome}`));
    for (const a of [
      'thing.create:allowed',
      'thing.patch:allowed',
      'telemetry.write:allowed',
      'policy.update:allowed',
      'login:failed',
      'permission.denied:denied',
    ])
      expect(actions, a).toContain(a);
    const store = new SqliteAuditStore(join(dir, 'audit.db'), { readonly: true });
    try {
      expect(verifyChain(store.all())).toMatchObject({ ok: true });
    } finally {
      store.close();
    }
    const bytes = readFileSync(join(dir, 'audit.db')).toString('latin1');
    expect(bytes).not.toContain(SECRET_NAME);
    expect(bytes).not.toContain(HR);
  });

  it('the database file holds no plaintext sensitive value; the log holds no secret', async () => {
    const files = ['ars.db', 'ars.db-wal'].map((f) => join(dir, f));
    let text = '';
    for (const f of files) {
      try {
        text += readFileSync(f).toString('latin1');
      } catch {
        // no WAL after a checkpoint
      }
    }
    expect(text.length).toBeGreaterThan(0);
    expect(text).toContain('ars:enc:v1:k2026:');
    expect(text).not.toContain(SECRET_NAME);
    expect(text).not.toContain(HR);
    expect(logText.length).toBeGreaterThan(0);
    for (const secret of [SECRET_NAME, HR, tokens.userA!, tokens.agent!, tokens.admin!])
      expect(logText).not.toContain(secret);
  });
});

describe('hardening', () => {
  it('refuses malformed Content-Type before parsing and sets security headers', async () => {
    for (const type of [
      'application/json\t',
      ' application/json',
      'application/json;',
      'application/json; ',
    ]) {
      // inject sends the header byte for byte (fetch would trim the whitespace)
      const r = await app.inject({
        method: 'POST',
        url: '/api/v1/things',
        headers: { authorization: `Bearer ${tokens.admin}`, 'content-type': type },
        payload: JSON.stringify({ thingId: 'a:ct' }),
      });
      expect(r.statusCode, JSON.stringify(type)).toBe(415);
    }
    const ok = await call('userA', 'GET', `/api/v1/things/${A}`);
    expect(ok.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(ok.headers.get('x-content-type-options')).toBe('nosniff');
    // percent-encoded spellings of protected paths reach the same routes and need the same credentials
    for (const url of ['/%61pi/v1/things', '/api/%761/things', '/%6detrics', '/api/v1/../v1/things']) {
      const r = await app.inject({ method: 'GET', url });
      expect(r.statusCode, url).toBe(401);
      expect(r.body, url).not.toContain(A);
    }
    const health = await fetch(`http://${base}/healthz`);
    expect(health.status).toBe(200);
    expect((await fetch(`http://${base}/openapi.json`)).status).toBe(200);
  });
});
