// The access matrix over the real live routes: `startService` (createServer with the live plugin, a SQLite
// store) behind an auth file (API keys and node credentials from a key file, a policy for tenant acme, k = 5).
// Subjects: platform admin, acme user, acme read-only, globex user, acme agent (node credential), anonymous,
// expired key, forged key. Resources: request, request list, result, explanation, decisions, what-if, summary,
// metrics, nodes, twins, submission, snapshot. Each cell asserts the status the model gives (401 without
// valid credentials, 404 for another tenant's resource, 403 for a missing permission in one's own tenant)
// and that no value the subject may not see (the other tenant's name and twin ids, its request id, the
// sensitive reading in an acme twin's state) is anywhere in the bytes. Then: what the aggregates withhold
// (k = 5), and a policy change reaching an open decision stream.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Agent } from '../src/live/agent.js';
import { type Service, startService } from '../src/live/service.js';
import { loadScenario } from '../src/model/index.js';
import { keyTables } from '../src/security/index.js';
import type { ServerSecurity } from '../src/server/auth-config.js';
import { DEFAULT_POLICY } from '../src/server/guard.js';
import { until, writeAuth } from './live-helpers.js';
import { root } from './run-cli.js';

type Subject = 'admin' | 'userA' | 'readerA' | 'userB' | 'agent' | 'anonymous' | 'expired' | 'forged';
const SUBJECTS: Subject[] = ['admin', 'userA', 'readerA', 'userB', 'agent', 'anonymous', 'expired', 'forged'];

/** A reading only acme's users, agents and administrators may see (the state of twin acme-sensor-0). */
const SECRET = 173.25813;

const ACME_POLICY = (usersRead = true) => ({
  entries: {
    admins: DEFAULT_POLICY.entries.admins,
    users: {
      subjects: ['tenant:acme/role:user'],
      resources: {
        'thing:/': { grant: usersRead ? ['READ', 'WRITE'] : ['WRITE'] },
        'message:/': { grant: ['READ', 'WRITE', 'EXECUTE'] },
      },
    },
    readers: {
      subjects: ['tenant:acme/role:reader'],
      resources: {
        'thing:/': { grant: ['READ'] },
        'thing:/features': { revoke: ['READ'] },
        'message:/': { grant: ['READ'] },
      },
    },
    agents: {
      subjects: ['tenant:acme/role:agent'],
      resources: { 'thing:/': { grant: ['READ'] }, 'thing:/features': { grant: ['WRITE'] } },
    },
  },
});

const dir = mkdtempSync(join(tmpdir(), 'ars-live-matrix-'));
let service: Service;
let security: ServerSecurity;
let worker: Agent;
/** the platform node's credential (no tenant) */
let workerKey = '';
const tokens: Partial<Record<Subject, string>> = {};
/** userA's and userB's requests: a twin query on acme-sensor-0 (refreshed first) and plain work */
let idA = '';
let idB = '';

async function call(who: Subject, method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown) {
  const token = tokens[who];
  const res = await fetch(`${service.url}${path.startsWith('/metrics') ? '' : '/api/v1'}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, text, json: () => JSON.parse(text) as Record<string, unknown> };
}

beforeAll(async () => {
  // issued "at the epoch" so that a key already expired can be written (the table refuses a past expiry)
  const tables = keyTables({ apiKeys: [], nodeKeys: [] }, () => 0);
  tokens.admin = tables.apiKeys.issue({ tenant: undefined, roles: ['admin'], label: 'platform' }).secret;
  tokens.userA = tables.apiKeys.issue({ tenant: 'acme', roles: ['user'], label: 'acme user' }).secret;
  tokens.readerA = tables.apiKeys.issue({ tenant: 'acme', roles: ['reader'], label: 'acme reader' }).secret;
  tokens.userB = tables.apiKeys.issue({ tenant: 'globex-corp', roles: ['user'], label: 'globex' }).secret;
  tokens.expired = tables.apiKeys.issue({
    tenant: 'acme',
    roles: ['user'],
    label: 'old',
    expiresAt: 1000,
  }).secret;
  // the same key id as acme's user, another secret
  tokens.forged = `${tokens.userA.slice(0, tokens.userA.lastIndexOf('_') + 1)}${'Q'.repeat(43)}`;
  tokens.agent = tables.nodes.issue('edge-7', 'acme').secret;
  // the node that does the work is the platform's (no tenant): it runs both tenants' tasks
  workerKey = tables.nodes.issue('edge-0', undefined).secret;
  security = writeAuth(dir, tables, {
    k: 5,
    // the matrix itself sends many forged and expired credentials from one address: the failed-login limit
    // (test/login-limit.test.ts) would refuse every later cell
    loginFailures: { max: 100_000 },
    tenants: { acme: { policy: 'acme-policy' } },
    policies: { 'acme-policy': ACME_POLICY() },
  });
  service = await startService({
    scenario: loadScenario(join(root, 'test/fixtures/live/k-groups.yaml')),
    security,
    port: 0,
    data: join(dir, 'data'),
  });
  worker = new Agent({
    server: service.url,
    id: 'edge-0',
    kind: 'edge',
    compute: 4,
    attention: 2,
    token: workerKey,
    reconnect: false,
  });
  await worker.start();

  const reading = await call('agent', 'POST', '/telemetry', {
    thingId: 'acme:acme-sensor-0',
    features: { vitals: { heartRate: SECRET } },
  });
  expect(reading.status, reading.text).toBeLessThan(300);
  const a = await call('userA', 'POST', '/requests', {
    tasks: [{ id: 'q', kind: 'twin-query', work: 0.01, twins: ['acme:acme-sensor-0'], maxAge: 0.001 }],
  });
  expect(a.status, a.text).toBe(202);
  idA = a.json().id as string;
  const b = await call('userB', 'POST', '/requests', {
    tasks: [{ id: 'w', work: 0.01, twins: ['globex_corp:globex-sensor-0'] }],
  });
  expect(b.status, b.text).toBe(202);
  idB = b.json().id as string;
  await until(
    () => service.runtime.requests.get(idA)?.status === 'completed',
    `acme's request (${service.runtime.requests.get(idA)?.status})`,
  );
  await until(() => service.runtime.requests.get(idB)?.status === 'completed', "globex's request");
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  await service?.close();
  security?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** What each subject may never see, anywhere. */
const forbidden = (who: Subject): string[] => {
  const secret = String(SECRET);
  const b = ['globex', `"${idB}"`, `${idB}/`];
  const a = ['acme', `"${idA}"`, `${idA}/`, secret];
  switch (who) {
    case 'admin':
      return [];
    case 'userA':
    case 'agent':
      return b;
    case 'readerA':
      return [...b, secret];
    case 'userB':
      return a;
    default:
      return [...a, ...b, 'edge-0'];
  }
};

interface Cell {
  readonly method: 'GET' | 'POST';
  readonly path: () => string;
  readonly body?: unknown;
  /** status per authenticated subject; anonymous, expired and forged always get 401 */
  readonly status: Record<'admin' | 'userA' | 'readerA' | 'userB' | 'agent', number>;
}

const MATRIX: Record<string, Cell> = {
  request: {
    method: 'GET',
    path: () => `/requests/${idA}`,
    status: { admin: 200, userA: 200, readerA: 200, userB: 404, agent: 403 },
  },
  'request list': {
    method: 'GET',
    path: () => '/requests',
    status: { admin: 200, userA: 200, readerA: 200, userB: 200, agent: 403 },
  },
  // the twin query's output holds acme-sensor-0's state: not for a reader without its features
  result: {
    method: 'GET',
    path: () => `/requests/${idA}/result`,
    status: { admin: 200, userA: 200, readerA: 403, userB: 404, agent: 403 },
  },
  explanation: {
    method: 'GET',
    path: () => `/requests/${idA}/explanation`,
    status: { admin: 200, userA: 200, readerA: 200, userB: 404, agent: 403 },
  },
  decisions: {
    method: 'GET',
    path: () => '/live/decisions',
    status: { admin: 200, userA: 200, readerA: 200, userB: 200, agent: 200 },
  },
  "decisions about another's request": {
    method: 'GET',
    path: () => `/live/decisions?subject=${idA}`,
    status: { admin: 200, userA: 200, readerA: 200, userB: 200, agent: 200 },
  },
  // the stored trace (src/server/telemetry.ts), as the live decisions
  'decision trace': {
    method: 'GET',
    path: () => '/decisions?limit=1000',
    status: { admin: 200, userA: 200, readerA: 200, userB: 200, agent: 200 },
  },
  'what-if': {
    method: 'POST',
    path: () => '/what-if',
    body: { minutes: 0.2, replications: 2 },
    status: { admin: 200, userA: 200, readerA: 403, userB: 200, agent: 403 },
  },
  'summary (dashboard)': {
    method: 'GET',
    path: () => '/live/summary',
    status: { admin: 200, userA: 200, readerA: 200, userB: 200, agent: 200 },
  },
  metrics: {
    method: 'GET',
    path: () => '/metrics',
    status: { admin: 200, userA: 200, readerA: 200, userB: 200, agent: 200 },
  },
  nodes: {
    method: 'GET',
    path: () => '/nodes',
    status: { admin: 200, userA: 200, readerA: 200, userB: 200, agent: 200 },
  },
  twins: {
    method: 'GET',
    path: () => '/live/twins',
    status: { admin: 200, userA: 200, readerA: 200, userB: 200, agent: 200 },
  },
  submission: {
    method: 'POST',
    path: () => '/requests',
    body: { tasks: [{ id: 'm', work: 0.001 }] },
    status: { admin: 202, userA: 202, readerA: 403, userB: 202, agent: 403 },
  },
  "submission naming another's tenant": {
    method: 'POST',
    path: () => '/requests',
    body: { tenant: 'globex-corp', tasks: [{ id: 'm', work: 0.001 }] },
    status: { admin: 202, userA: 404, readerA: 403, userB: 202, agent: 403 },
  },
  snapshot: {
    method: 'GET',
    path: () => '/snapshot?minutes=1',
    status: { admin: 200, userA: 403, readerA: 403, userB: 403, agent: 403 },
  },
};

describe('the live routes under --auth: subjects × resources', () => {
  for (const [resource, cell] of Object.entries(MATRIX)) {
    it(`${resource}`, async () => {
      for (const who of SUBJECTS) {
        const r = await call(who, cell.method, cell.path(), cell.body);
        const expected = who in cell.status ? cell.status[who as keyof Cell['status']] : 401;
        expect(r.status, `${who} ${cell.method} ${cell.path()}: ${r.text.slice(0, 300)}`).toBe(expected);
        if (expected >= 400 && !cell.path().startsWith('/metrics'))
          expect(r.json().code, `${who} ${resource}`).toBe(
            {
              401: who === 'anonymous' ? 'ARS_E_AUTH_REQUIRED' : 'ARS_E_AUTH_INVALID',
              403: 'ARS_E_FORBIDDEN',
              404: 'ARS_E_NOT_FOUND',
            }[expected],
          );
        // the caller's own input echoed in an error (an unknown tenant's name) is not a leak
        const own = JSON.stringify(cell.body ?? null);
        for (const secret of forbidden(who).filter((x) => !own.includes(x)))
          expect(
            r.text.includes(secret),
            `${who} saw ${secret} in ${resource}: ${r.text.slice(0, 400)}`,
          ).toBe(false);
      }
    }, 120_000);
  }

  it('shows what each may see: own requests and twins, the state only with every feature readable', async () => {
    const ids = async (who: Subject) =>
      ((await call(who, 'GET', '/requests')).json().requests as { id: string }[]).map((r) => r.id);
    expect(await ids('admin')).toEqual(expect.arrayContaining([idA, idB]));
    expect(await ids('userA')).toContain(idA);
    expect(await ids('readerA')).toContain(idA);
    expect(await ids('userB')).toContain(idB);
    const result = (await call('userA', 'GET', `/requests/${idA}/result`)).text;
    expect(result).toContain(String(SECRET)); // so that "not seen" elsewhere means something
    const twins = async (who: Subject) =>
      (await call(who, 'GET', '/live/twins')).json().twins as { thingId: string; state?: unknown }[];
    const userTwins = await twins('userA');
    expect(userTwins).toHaveLength(8);
    expect(userTwins.every((t) => 'state' in t)).toBe(true);
    const readerTwins = await twins('readerA');
    expect(readerTwins).toHaveLength(8);
    expect(readerTwins.some((t) => 'state' in t)).toBe(false);
    expect((await twins('userB')).map((t) => t.thingId)).toEqual([
      'globex_corp:globex-sensor-0',
      'globex_corp:globex-sensor-1',
      'globex_corp:globex-sensor-2',
      'globex_corp:globex-sensor-3',
    ]);
    expect(await twins('admin')).toHaveLength(12);
    const metricsA = (await call('userA', 'GET', '/metrics')).text;
    expect(metricsA).toMatch(/ars_twin_aoi_seconds\{tenant="acme",criticality="1"\}/);
  });
});

describe('probing another tenant through the submission', () => {
  it('answers its twins and workloads exactly as ones that do not exist', async () => {
    const twin = (name: string) =>
      call('userB', 'POST', '/requests', { tasks: [{ id: 't', work: 0.001, twins: [name] }] });
    const real = await twin('acme:acme-sensor-0');
    const ghost = await twin('acme:no-such-twin');
    expect(real.status).toBe(400);
    expect(real.text.replaceAll('acme-sensor-0', 'no-such-twin')).toBe(ghost.text);
    const workload = (id: string) => call('userB', 'POST', '/requests', { workload: id });
    const theirs = await workload('acme-query');
    const none = await workload('no-such-query');
    expect(theirs.status).toBe(404);
    expect(theirs.text.replaceAll('acme-query', 'no-such-query')).toBe(none.text);
    expect(none.text).not.toContain('acme');
  });
});

describe('k-anonymity of the live aggregates (k = 5)', () => {
  const REASON = 'fewer than k=5 twins';

  it('the summary releases groups of at least five twins and names the others, without their size', async () => {
    const admin = (await call('admin', 'GET', '/live/summary')).json();
    expect(admin.k).toBe(5);
    expect(admin.tenant).toBeNull();
    expect((admin.groups as { group: string; twins: number }[]).map((g) => [g.group, g.twins])).toEqual([
      ['acme/criticality 1', 6],
    ]);
    expect(admin.withheld).toEqual([
      { group: 'acme/criticality 3', reason: REASON },
      { group: 'globex-corp/criticality 1', reason: REASON },
    ]);
    // totals over released groups only: the withheld twins cannot be recovered by subtracting
    expect((admin.twins as { count: number }).count).toBe(6);

    const userA = (await call('userA', 'GET', '/live/summary')).json();
    expect(userA.tenant).toBe('acme');
    expect(userA.withheld).toEqual([{ group: 'acme/criticality 3', reason: REASON }]);
    expect((userA.twins as { count: number }).count).toBe(6);
    expect(userA.jain).toBeNull();
    expect((userA.requests as { arrived: number }).arrived).toBeGreaterThanOrEqual(1);

    const userB = (await call('userB', 'GET', '/live/summary')).json();
    expect(userB.groups).toEqual([]);
    expect(userB.withheld).toEqual([{ group: 'globex-corp/criticality 1', reason: REASON }]);
    expect(userB.twins).toMatchObject({ count: 0, meanAoI: null, maxAoI: null });
    for (const s of [admin, userA, userB])
      for (const w of s.withheld as object[]) expect(Object.keys(w).sort()).toEqual(['group', 'reason']);
  });

  it('/metrics has no age series for a withheld group, and counts the withheld groups per tenant', async () => {
    const text = (await call('admin', 'GET', '/metrics')).text;
    expect(text).toMatch(/ars_twin_aoi_seconds\{tenant="acme",criticality="1"\} \d/);
    expect(text).not.toMatch(/ars_twin_aoi_seconds\{tenant="acme",criticality="3"\}/);
    expect(text).not.toMatch(/ars_twin_aoi_seconds\{tenant="globex-corp"/);
    expect(text).toMatch(/ars_twin_groups_withheld\{tenant="acme"\} 1/);
    expect(text).toMatch(/ars_twin_groups_withheld\{tenant="globex-corp"\} 1/);
  });

  it('a what-if gives a tenant its own request figures and withholds the twin aggregates of every tenant', async () => {
    const a = (await call('userA', 'POST', '/what-if', { minutes: 0.2, replications: 2 })).json();
    expect(a.k).toBe(5);
    expect(a.withheld).toEqual([{ group: 'twins of every tenant', reason: 'covers other tenants’ twins' }]);
    const [r] = a.results as { weightedAoI: unknown; metrics: Record<string, unknown> }[];
    expect(r!.weightedAoI).toBeNull();
    expect(Object.keys(r!.metrics).sort()).toEqual(['dominantShare', 'resources', 'tenant']);
    const admin = (await call('admin', 'POST', '/what-if', { minutes: 0.2, replications: 2 })).json();
    expect(admin.withheld).toEqual([]);
    expect((admin.results as { metrics: Record<string, unknown> }[])[0]!.metrics.twins).toBeDefined();
  }, 120_000);
});

describe('request metrics and platform gauges on /metrics', () => {
  it("count each tenant's finished requests, their response times and deadline misses, for that tenant", async () => {
    const late = await call('userA', 'POST', '/requests', {
      deadline: 1e-6,
      tasks: [{ id: 'l', work: 0.01 }],
    });
    expect(late.status, late.text).toBe(202);
    const id = late.json().id as string;
    await until(() => service.runtime.requests.get(id)?.status === 'completed', 'the late request');
    const value = (text: string, series: string) => {
      const line = text.split('\n').find((l) => l.startsWith(`${series} `));
      return line === undefined ? undefined : Number(line.slice(series.length + 1));
    };
    const admin = (await call('admin', 'GET', '/metrics')).text;
    expect(value(admin, 'ars_requests_finished_total{tenant="acme",state="done"}')).toBeGreaterThanOrEqual(2);
    expect(
      value(admin, 'ars_requests_finished_total{tenant="globex-corp",state="done"}'),
    ).toBeGreaterThanOrEqual(1);
    expect(value(admin, 'ars_request_deadline_misses_total{tenant="acme"}')).toBeGreaterThanOrEqual(1);
    expect(value(admin, 'ars_request_latency_seconds_count{tenant="acme"}')).toBeGreaterThanOrEqual(2);
    expect(value(admin, 'ars_request_latency_seconds_sum{tenant="acme"}')).toBeGreaterThan(0);

    // the platform's gauges, for administrators only (no tenant label)
    expect(value(admin, 'ars_agents_connected')).toBeGreaterThanOrEqual(1);
    expect(value(admin, 'ars_queue_length')).toBeGreaterThanOrEqual(0);
    // the scheduler's decisions and how long a ready task waited for its assignment (platform series)
    expect(value(admin, 'ars_decisions_total{kind="place"}')).toBeGreaterThanOrEqual(3);
    expect(value(admin, 'ars_decision_latency_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(value(admin, 'ars_decision_latency_seconds_sum')).toBeGreaterThanOrEqual(0);
    const busy = value(admin, 'ars_node_utilisation_ratio{node="edge-0",resource="compute"}');
    expect(busy).toBeGreaterThanOrEqual(0);
    expect(busy).toBeLessThanOrEqual(1);

    const userA = (await call('userA', 'GET', '/metrics')).text;
    expect(value(userA, 'ars_agents_connected')).toBeUndefined();
    expect(value(userA, 'ars_decisions_total{kind="place"}')).toBeUndefined();
    expect(value(userA, 'ars_decision_latency_seconds_count')).toBeUndefined();
    expect(userA).not.toContain('edge-0');
    expect(value(userA, 'ars_requests_finished_total{tenant="acme",state="done"}')).toBeGreaterThanOrEqual(2);
    expect(value(userA, 'ars_request_deadline_misses_total{tenant="acme"}')).toBeGreaterThanOrEqual(1);
    expect(userA).not.toContain('globex');
    const userB = (await call('userB', 'GET', '/metrics')).text;
    expect(
      value(userB, 'ars_requests_finished_total{tenant="globex-corp",state="done"}'),
    ).toBeGreaterThanOrEqual(1);
    expect(userB).not.toContain('acme');
  }, 120_000);
});

describe('a policy change on an open decision stream', () => {
  it('stops the decisions of a subject whose READ on thing:/ is revoked, at once', async () => {
    const url = `${service.url.replace('http', 'ws')}/api/v1/events?types=decision,request`;
    const socket = new WebSocket(url, { headers: { authorization: `Bearer ${tokens.userA}` } });
    const events: { type: string; subject?: string; requestId?: string; state?: string; taskId?: string }[] =
      [];
    socket.on('message', (m) => events.push(JSON.parse(String(m))));
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    const doneSeen = (id: string) => () =>
      events.some((e) => e.type === 'request' && e.requestId === id && e.state === 'done');
    try {
      const before = (await call('userA', 'POST', '/requests', { tasks: [{ id: 's', work: 0.001 }] })).json()
        .id as string;
      await until(doneSeen(before), `the stream to show ${before} done`);
      expect(events.some((e) => e.type === 'decision' && e.subject === `${before}/s`)).toBe(true);

      expect((await call('admin', 'PUT', '/policies/acme-policy', ACME_POLICY(false))).status).toBe(200);
      const after = (await call('userA', 'POST', '/requests', { tasks: [{ id: 's', work: 0.001 }] })).json()
        .id as string;
      // request events follow the decisions of the same request through the stream's one queue: once the
      // task's "done" is here, its placement decision has been judged, under the new policy
      await until(doneSeen(after), `the stream to show ${after} done`);
      expect(events.some((e) => e.type === 'decision' && e.subject?.startsWith(`${after}/`))).toBe(false);
    } finally {
      socket.terminate();
      await call('admin', 'PUT', '/policies/acme-policy', ACME_POLICY());
    }
  }, 120_000);
});

/** A WebSocket on `/events` for one subject; `events` fills as frames arrive. */
async function openStream(base: string, who: Subject, types: string) {
  const socket = new WebSocket(`${base.replace('http', 'ws')}/api/v1/events?types=${types}`, {
    headers: { authorization: `Bearer ${tokens[who]}` },
  });
  const frames: string[] = [];
  socket.on('message', (m) => frames.push(String(m)));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const events = () => frames.map((f) => JSON.parse(f) as Record<string, unknown>);
  return { socket, frames, events };
}

describe('the event stream under --auth, with ARS (attention decisions name a runner-up twin)', () => {
  it("never shows a tenant the other tenant's twins or the forecasters' switches", async () => {
    const ars = await startService({
      scenario: loadScenario(join(root, 'test/fixtures/live/k-groups.yaml')),
      policy: { name: 'ars', params: {} },
      security,
      port: 0,
      data: join(dir, 'data-ars'),
    });
    const agent = new Agent({
      server: ars.url,
      id: 'edge-0',
      kind: 'edge',
      compute: 4,
      attention: 2,
      token: workerKey,
      reconnect: false,
    });
    const streams: Awaited<ReturnType<typeof openStream>>[] = [];
    const stops: (() => Promise<void>)[] = [];
    try {
      const admin = await openStream(ars.url, 'admin', 'decision');
      const a = await openStream(ars.url, 'userA', 'decision,request');
      const b = await openStream(ars.url, 'userB', 'decision,request');
      streams.push(admin, a, b);
      await agent.start();
      // ARS refreshes twins with new samples: readings keep arriving for every twin while the test looks
      let pumping = true;
      const pump = (async () => {
        for (let v = 0; pumping; v++) {
          for (const t of ars.runtime.twins)
            await fetch(`${ars.url}/api/v1/telemetry`, {
              method: 'POST',
              headers: { authorization: `Bearer ${tokens.admin}`, 'content-type': 'application/json' },
              body: JSON.stringify({ thingId: t.thingId, features: { vitals: { heartRate: 60 + (v % 7) } } }),
            });
          await new Promise((r) => setTimeout(r, 200));
        }
      })();
      stops.push(async () => {
        pumping = false;
        await pump;
      });
      // the leak the stream must close: ARS names a runner-up twin of the other tenant (admin sees it)
      const crossed = (mine: string, other: string) => () =>
        admin.events().some((e) => {
          const d = e.data as { kind?: string; detail?: { runnerUp?: { twin?: string } } } | undefined;
          return (
            d?.kind === 'attention' &&
            String(e.subject).includes(mine) &&
            String(d.detail?.runnerUp?.twin).includes(other)
          );
        });
      await until(crossed('acme', 'globex'), 'an acme twin refreshed ahead of a globex twin', 90_000);
      await until(crossed('globex', 'acme'), 'a globex twin refreshed ahead of an acme twin', 90_000);
      await until(crossed('acme', 'acme'), 'an acme twin refreshed ahead of another acme twin', 90_000);
      // a request's "done" on a stream comes after every decision emitted before it has been judged
      for (const [who, stream] of [
        ['userA', a],
        ['userB', b],
      ] as const) {
        const res = await fetch(`${ars.url}/api/v1/requests`, {
          method: 'POST',
          headers: { authorization: `Bearer ${tokens[who]}`, 'content-type': 'application/json' },
          body: JSON.stringify({ tasks: [{ id: 'f', work: 0.001 }] }),
        });
        const id = ((await res.json()) as { id: string }).id;
        await until(
          () => stream.events().some((e) => e.requestId === id && e.state === 'done'),
          `${who}'s stream to show ${id} done`,
        );
      }
      const attention = (s: typeof a, tenant: string) =>
        s
          .events()
          .filter(
            (e) =>
              (e.data as { kind?: string } | undefined)?.kind === 'attention' &&
              String(e.subject).includes(tenant),
          );
      expect(attention(a, 'acme').length).toBeGreaterThan(0);
      expect(attention(b, 'globex').length).toBeGreaterThan(0);
      for (const frame of a.frames) {
        expect(frame.includes('globex'), `acme's stream: ${frame.slice(0, 300)}`).toBe(false);
        expect(frame.includes('forecastSwitches')).toBe(false);
      }
      for (const frame of b.frames) {
        expect(frame.includes('acme'), `globex's stream: ${frame.slice(0, 300)}`).toBe(false);
        expect(frame.includes('forecastSwitches')).toBe(false);
      }
      // a runner-up of the tenant's own stays
      const ownRunnerUp = attention(a, 'acme').some((e) =>
        String((e.data as { detail?: { runnerUp?: { twin?: string } } }).detail?.runnerUp?.twin).includes(
          'acme',
        ),
      );
      expect(ownRunnerUp).toBe(true);

      // the stored trace (GET /decisions) names live twins by their scheduler ids, as the stream does: each
      // tenant sees its own twins' attention decisions there, cleaned the same way
      const trace = async (who: 'userA' | 'userB') => {
        const res = await fetch(`${ars.url}/api/v1/decisions?kind=attention&limit=1000`, {
          headers: { authorization: `Bearer ${tokens[who]}` },
        });
        expect(res.status).toBe(200);
        const text = await res.text();
        return { text, items: (JSON.parse(text) as { items: { subject: string }[] }).items };
      };
      for (const [who, mine, other] of [
        ['userA', 'acme', 'globex'],
        ['userB', 'globex', 'acme'],
      ] as const) {
        // the trace is stored in batches behind the runtime: poll for the first of the tenant's own
        let page = await trace(who);
        for (const end = Date.now() + 60_000; !page.items.some((d) => d.subject.includes(mine)); ) {
          if (Date.now() > end)
            throw new Error(`timed out waiting for ${who}'s attention decisions in GET /decisions`);
          await new Promise((r) => setTimeout(r, 100));
          page = await trace(who);
        }
        expect(page.items.every((d) => d.subject.includes(mine))).toBe(true);
        expect(page.text.includes(other), `${who}'s trace: ${page.text.slice(0, 300)}`).toBe(false);
        expect(page.text.includes('forecastSwitches')).toBe(false);
      }
    } finally {
      for (const stop of stops) await stop();
      for (const s of streams) s.socket.terminate();
      await agent.stop();
      await ars.close();
    }
  }, 240_000);
});
