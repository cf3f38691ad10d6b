// Policies changed through the API outlive the process: a change is stored (SQLite, and PostgreSQL when
// reachable) before it takes effect, a restarted server on the same store serves the stored revision over
// the auth file's bootstrap, If-Match answers 412 on a stale revision (also across two servers sharing one
// store), the lock-out rule still holds, and every change and refusal is audited.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerSecurity } from '../src/server/auth-config.js';
import { createServer, type LiveServer } from '../src/server/server.js';
import { openPostgresStore, openSqliteStore, type Store } from '../src/store/index.js';
import { type AuthFixture, authFixture, POLICY_A } from './auth-fixture.js';
import { dropSchemas, PG_URL, postgresReachable } from './pg-probe.js';

const pgReachable = await postgresReachable('policy-persistence');
const pgSchema = `ars_pol_${process.pid}_${Date.now().toString(36)}`;

interface Backend {
  name: string;
  open(fx: AuthFixture): Promise<Store>;
}
const backends: Backend[] = [
  { name: 'sqlite', open: async (fx) => openSqliteStore({ path: join(fx.dir, 'ars.db') }) },
];
if (pgReachable) {
  backends.push({
    name: 'postgres',
    open: (_fx) => openPostgresStore({ url: PG_URL, schema: pgSchema, poolSize: 2 }),
  });
  afterAll(() => dropSchemas([pgSchema]));
}

/** The revoke the tests add: tenant A's users may no longer read `attributes/secret`. */
const REVISED = {
  entries: {
    ...POLICY_A.entries,
    users: {
      subjects: ['tenant:A/role:user'],
      resources: {
        'thing:/': { grant: ['READ', 'WRITE'] },
        'thing:/attributes/secret': { revoke: ['READ'] },
      },
    },
  },
};
const LOCKOUT = { entries: { users: POLICY_A.entries.users } };

interface Running {
  app: LiveServer;
  store: Store;
  security: ServerSecurity;
  stop(): Promise<void>;
}

async function start(fx: AuthFixture, backend: Backend): Promise<Running> {
  const store = await backend.open(fx);
  const security = fx.security();
  const app = await createServer({ store, auth: security.auth, retentionSweepMs: 0 });
  await app.ready();
  return {
    app,
    store,
    security,
    stop: async () => {
      await app.close();
      await store.close();
      security.close();
    },
  };
}

const call = (
  app: LiveServer,
  token: string,
  method: 'GET' | 'PUT',
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
) =>
  app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${token}`, ...headers },
    ...(body !== undefined ? { payload: body as object } : {}),
  });

describe.each(backends)('policies changed through the API ($name)', (backend) => {
  let fx: AuthFixture;
  beforeAll(() => {
    fx = authFixture(`ars-policy-${backend.name}-`);
    return () => fx.remove();
  });

  it('are stored, survive a restart over the auth file, and answer 412 on a stale revision', async () => {
    let s = await start(fx, backend);
    const { root, adminA, userA } = fx.tokens;
    let r = await call(s.app, adminA, 'GET', '/api/v1/policies/policy-A');
    expect(r.statusCode, r.body).toBe(200);
    expect(r.headers.etag).toBe('"rev:1"');

    // a tenant administrator revises the tenant's policy, conditionally
    r = await call(s.app, adminA, 'PUT', '/api/v1/policies/policy-A', REVISED, { 'if-match': '"rev:1"' });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.headers.etag).toBe('"rev:2"');
    expect(r.json()).toEqual({ policyId: 'policy-A', version: 2, tenant: 'A' });
    r = await call(s.app, adminA, 'PUT', '/api/v1/policies/policy-A', POLICY_A, { 'if-match': '"rev:1"' });
    expect(r.statusCode).toBe(412);
    expect(r.json()).toMatchObject({ code: 'ARS_E_PRECONDITION_FAILED', revision: 2 });
    // a user without WRITE on policy:/ is refused; a document locking every administrator out is refused
    expect((await call(s.app, userA, 'PUT', '/api/v1/policies/policy-A', REVISED)).statusCode).toBe(403);
    r = await call(s.app, adminA, 'PUT', '/api/v1/policies/policy-A', LOCKOUT);
    expect(r.statusCode).toBe(400);
    expect(r.json().code).toBe('ARS_E_POLICY_INVALID');
    // a new platform policy, made the policy of tenant B
    r = await call(s.app, root, 'PUT', '/api/v1/policies/plant', POLICY_A, { 'if-none-match': '*' });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.headers.etag).toBe('"rev:1"');
    r = await call(s.app, root, 'PUT', '/api/v1/tenants/B/policy', { policyId: 'plant' });
    expect(r.statusCode, r.body).toBe(200);

    // audited: both changes, the assignment, and the refusals
    const audit = (await call(s.app, root, 'GET', '/api/v1/audit?limit=1000')).json().items as {
      action: string;
      resource: string;
      outcome: string;
      detail?: { code?: string };
    }[];
    expect(audit.filter((e) => e.action === 'policy.update').map((e) => e.resource)).toEqual([
      'policy:policy-A',
      'policy:plant',
    ]);
    expect(audit.some((e) => e.action === 'policy.assign' && e.resource === 'tenant:B')).toBe(true);
    expect(audit.filter((e) => e.outcome === 'denied').map((e) => e.detail?.code)).toEqual(
      expect.arrayContaining(['ARS_E_FORBIDDEN', 'ARS_E_POLICY_INVALID']),
    );
    expect(s.app.arsGuard.policies.get('policy-A')?.version).toBe(2);
    await s.stop();

    // a restart on the same store with the same auth file: the stored revisions win
    s = await start(fx, backend);
    r = await call(s.app, adminA, 'GET', '/api/v1/policies/policy-A');
    expect(r.statusCode).toBe(200);
    expect(r.headers.etag).toBe('"rev:2"');
    expect(r.json().entries.users.resources['thing:/attributes/secret']).toEqual({
      grant: [],
      revoke: ['READ'],
    });
    expect(s.app.arsGuard.policyIdFor({ tenant: 'B' })).toBe('plant');
    expect(s.app.arsGuard.policyTenant('policy-A')).toBe('A');
    r = await call(s.app, adminA, 'GET', '/api/v1/policies/policy-A/revisions');
    expect(r.json()).toMatchObject({
      policyId: 'policy-A',
      revision: 2,
      items: [{ revision: 2, changedBy: expect.stringMatching(/^apikey:/) }],
    });
    // still conditional after the restart, and still no lock-out
    r = await call(s.app, adminA, 'PUT', '/api/v1/policies/policy-A', POLICY_A, { 'if-match': '"rev:1"' });
    expect(r.statusCode).toBe(412);
    expect((await call(s.app, adminA, 'PUT', '/api/v1/policies/policy-A', LOCKOUT)).statusCode).toBe(400);
    r = await call(s.app, adminA, 'PUT', '/api/v1/policies/policy-A', POLICY_A, { 'if-match': '"rev:2"' });
    expect(r.statusCode).toBe(200);
    expect(r.headers.etag).toBe('"rev:3"');
    await s.stop();
  });

  it('lets one of two servers sharing the store win a change; the other answers 412 and catches up', async () => {
    const x = await start(fx, backend);
    const y = await start(fx, backend);
    try {
      const { adminA } = fx.tokens;
      const before = x.app.arsGuard.policies.get('policy-A')!.version;
      expect(y.app.arsGuard.policies.get('policy-A')!.version).toBe(before);
      let r = await call(x.app, adminA, 'PUT', '/api/v1/policies/policy-A', REVISED);
      expect(r.statusCode, r.body).toBe(200);
      // y still holds the older revision in memory: its unconditional change loses to the stored one
      r = await call(y.app, adminA, 'PUT', '/api/v1/policies/policy-A', POLICY_A);
      expect(r.statusCode, r.body).toBe(412);
      expect(r.json().revision).toBe(before + 1);
      expect(y.app.arsGuard.policies.get('policy-A')!.version).toBe(before + 1);
      r = await call(y.app, adminA, 'PUT', '/api/v1/policies/policy-A', POLICY_A, {
        'if-match': `"rev:${before + 1}"`,
      });
      expect(r.statusCode, r.body).toBe(200);
      expect((await x.store.policyHistory('policy-A')).map((h) => h.revision)).toContain(before + 2);
    } finally {
      await x.stop();
      await y.stop();
    }
  });
});
