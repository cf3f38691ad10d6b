// The attack matrix at library level: subjects (admin, tenant A user, tenant A read-only, tenant B user,
// agent, anonymous, expired token, forged token) × resources (thing, sensitive field, search on it, patch,
// check-permissions, audit) through one gate built from the security library as a server would build it.
// Every cell asserts the outcome code and that no forbidden value appears anywhere in the answer.
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ApiKeys,
  AuditLog,
  authenticate,
  CompiledPolicy,
  checkMergePatch,
  checkPermissions,
  checkSearch,
  createOidcVerifier,
  isAdmin,
  MemoryAuditStore,
  NodeCredentials,
  ownedOrNotFound,
  type Principal,
  parsePolicy,
  SecurityError,
} from '../src/security/index.js';

const NOW = Date.UTC(2026, 10, 30, 1, 0, 0);
const SECRET_NAME = 'Jane Roe';
const SECRET_HR = 187;
const thingA = {
  tenant: 'A',
  doc: {
    thingId: 'bed-7',
    attributes: { ward: 'icu', identity: { name: SECRET_NAME } },
    features: { vitals: { properties: { heartRate: SECRET_HR, spo2: 96 } } },
  },
};
const policy = new CompiledPolicy(
  parsePolicy({
    entries: {
      admin: {
        subjects: ['role:admin'],
        resources: { 'thing:/': { grant: ['READ', 'WRITE'] }, 'policy:/': { grant: ['READ', 'WRITE'] } },
      },
      users: {
        subjects: ['tenant:A/role:user'],
        resources: {
          'thing:/': { grant: ['READ', 'WRITE'] },
          'thing:/attributes/identity': { revoke: ['READ', 'WRITE'] },
        },
      },
      readers: {
        subjects: ['tenant:A/role:reader'],
        resources: {
          'thing:/': { grant: ['READ'] },
          'thing:/attributes/identity': { revoke: ['READ'] },
          'thing:/features/vitals': { revoke: ['READ'] },
        },
      },
      agent: {
        subjects: ['node:gw-1'],
        resources: { 'thing:/features/vitals/properties': { grant: ['WRITE'] } },
      },
    },
  }),
);

type Outcome = { status: number; code?: string; body?: unknown };

const audit = new AuditLog(new MemoryAuditStore(), () => NOW);
let gate: (token: string | undefined, action: Action) => Promise<Outcome>;
type Action =
  | { kind: 'read' }
  | { kind: 'read-field'; path: string[] }
  | { kind: 'search'; filter: string }
  | { kind: 'patch'; patch: unknown }
  | { kind: 'check'; resource: string }
  | { kind: 'audit' };

const tokens: Record<string, string | undefined> = {};

beforeAll(async () => {
  const idp = await generateKeyPair('RS256');
  const attacker = await generateKeyPair('RS256');
  const jwks = { keys: [{ ...(await exportJWK(idp.publicKey)), kid: 'k1', alg: 'RS256' }] };
  const oidc = createOidcVerifier({ issuer: 'https://idp.test', audience: 'ars', jwks, now: () => NOW });
  const jwt = (sub: string, claims: Record<string, unknown>, key = idp.privateKey, exp = NOW / 1000 + 600) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setSubject(sub)
      .setIssuer('https://idp.test')
      .setAudience('ars')
      .setExpirationTime(exp)
      .sign(key);
  const apiKeys = new ApiKeys({ now: () => NOW });
  const nodes = new NodeCredentials({ now: () => NOW });
  tokens.admin = await jwt('root', { roles: ['admin'] });
  tokens.userA = await jwt('alice', { tenant: 'A', roles: ['user'] });
  tokens.readerA = apiKeys.issue({ tenant: 'A', roles: ['reader'] }).secret;
  tokens.userB = await jwt('bob', { tenant: 'B', roles: ['user'] });
  tokens.agent = nodes.issue('gw-1', 'A').secret;
  tokens.anonymous = undefined;
  tokens.expired = await jwt('alice', { tenant: 'A', roles: ['user'] }, idp.privateKey, NOW / 1000 - 3600);
  tokens.forged = await jwt('mallory', { tenant: 'A', roles: ['admin'] }, attacker.privateKey);

  gate = async (token, action) => {
    const auth = await authenticate({ apiKeys, nodes, oidc }, token);
    const fail = (e: SecurityError): Outcome => ({ status: e.status, code: e.code });
    if (!auth.ok) {
      audit.append({
        actor: 'unknown',
        tenant: undefined,
        action: 'login',
        resource: 'api',
        outcome: 'failed',
        source: '127.0.0.1',
        detail: { reason: auth.reason },
      });
      return { status: 401, code: auth.code };
    }
    const p: Principal = auth.principal;
    try {
      if (action.kind === 'audit') {
        if (!isAdmin(p)) throw new SecurityError('ARS_E_NOT_FOUND', 'not found');
        return {
          status: 200,
          body: audit.page(1, 1000).map((r) => ({ action: r.action, outcome: r.outcome })),
        };
      }
      const thing = ownedOrNotFound(p, thingA, 'thing', 'bed-7');
      const view = policy.viewFor(p);
      switch (action.kind) {
        case 'read': {
          const body = view.filter(thing.doc);
          if (body === undefined) throw new SecurityError('ARS_E_FORBIDDEN', 'nothing readable');
          return { status: 200, body };
        }
        case 'read-field': {
          const body = view.filter(valueAt(thing.doc, action.path), action.path);
          if (body === undefined) throw new SecurityError('ARS_E_FORBIDDEN', 'not readable');
          return { status: 200, body };
        }
        case 'search': {
          const q = checkSearch(view, action.filter, undefined);
          return { status: 200, body: { matched: q.filter ? 1 : 0 } };
        }
        case 'patch': {
          const r = checkMergePatch(view, action.patch);
          if (!r.ok) throw new SecurityError('ARS_E_FORBIDDEN', 'patch refused', { paths: r.paths });
          return { status: 204 };
        }
        case 'check':
          return {
            status: 200,
            body: checkPermissions(view, { q: { resource: action.resource, hasPermissions: ['READ'] } }),
          };
      }
    } catch (e) {
      if (e instanceof SecurityError) {
        audit.append({
          actor: p.subject,
          tenant: p.tenant,
          action: action.kind,
          resource: 'thing:bed-7',
          outcome: 'denied',
          source: '127.0.0.1',
        });
        return fail(e);
      }
      throw e;
    }
  };
});

function valueAt(doc: unknown, path: string[]): unknown {
  return path.reduce<unknown>(
    (v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined),
    doc,
  );
}

const hr = ['features', 'vitals', 'properties', 'heartRate'];
const actions: Record<string, Action> = {
  thing: { kind: 'read' },
  sensitiveField: { kind: 'read-field', path: ['attributes', 'identity'] },
  vitals: { kind: 'read-field', path: hr },
  searchSensitive: { kind: 'search', filter: 'eq(attributes/identity/name,"Jane Roe")' },
  patchVitals: { kind: 'patch', patch: { features: { vitals: { properties: { heartRate: 60 } } } } },
  patchIdentity: { kind: 'patch', patch: { attributes: { identity: null } } },
  checkIdentity: { kind: 'check', resource: 'thing:/attributes/identity' },
  audit: { kind: 'audit' },
};

// expected status per subject, one per action in the order of `actions`
const row = (...statuses: number[]) =>
  Object.fromEntries(Object.keys(actions).map((a, k) => [a, statuses[k]!]));
const everywhere = (status: number) => row(...Object.keys(actions).map(() => status));
const expected: Record<string, Record<string, number>> = {
  //         thing sensitive vitals search patchVitals patchIdentity check audit
  admin: row(200, 200, 200, 200, 204, 204, 200, 200),
  userA: row(200, 403, 200, 403, 204, 403, 200, 404),
  readerA: row(200, 403, 403, 403, 403, 403, 200, 404),
  userB: everywhere(404),
  agent: row(403, 403, 403, 403, 204, 403, 200, 404),
  anonymous: everywhere(401),
  expired: everywhere(401),
  forged: everywhere(401),
};

/** Values each subject must never see anywhere in an answer. */
const forbidden: Record<string, string[]> = {
  admin: [],
  userA: [SECRET_NAME],
  readerA: [SECRET_NAME, String(SECRET_HR)],
  userB: [SECRET_NAME, String(SECRET_HR), 'icu', 'bed-7'],
  agent: [SECRET_NAME, String(SECRET_HR)],
  anonymous: [SECRET_NAME, String(SECRET_HR), 'icu'],
  expired: [SECRET_NAME, String(SECRET_HR), 'icu'],
  forged: [SECRET_NAME, String(SECRET_HR), 'icu'],
};

describe('security matrix (library level)', () => {
  for (const subject of Object.keys(expected)) {
    for (const action of Object.keys(actions)) {
      it(`${subject} × ${action} → ${expected[subject]![action]}`, async () => {
        const out = await gate(tokens[subject], actions[action]!);
        expect(out.status).toBe(expected[subject]![action]);
        const text = JSON.stringify(out);
        for (const v of forbidden[subject]!) expect(text).not.toContain(v);
      });
    }
  }

  it('a foreign tenant’s 404 is byte-identical to an absent thing’s', async () => {
    const foreign = await gate(tokens.userB, { kind: 'read' });
    expect(foreign).toEqual({ status: 404, code: 'ARS_E_NOT_FOUND' });
  });

  it('login failures and denials were audited, and the chain verifies', () => {
    const outcomes = audit.page(1, 1000).map((r) => r.outcome);
    expect(outcomes).toContain('failed');
    expect(outcomes).toContain('denied');
    expect(audit.verify().ok).toBe(true);
  });
});
