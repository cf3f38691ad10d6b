import { describe, expect, it } from 'vitest';
import { ApiKeys, assertActsAs, NodeCredentials } from './api-keys.js';
import { authConfigured, authenticate, bearerToken } from './authenticate.js';
import { SecurityError } from './errors.js';

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('API keys', () => {
  it('authenticates an issued key as its subject, tenant and roles', () => {
    const keys = new ApiKeys();
    const { secret, info } = keys.issue({ tenant: 'acme', roles: ['writer'], label: 'ci' });
    expect(secret).toMatch(/^ars_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    const r = keys.verify(secret);
    expect(r.ok && r.principal).toMatchObject({ kind: 'api-key', tenant: 'acme', roles: ['writer'] });
    expect(r.ok && r.key.id).toBe(info.id);
  });

  it('stores only a salted hash: the secret appears in no record', () => {
    const keys = new ApiKeys();
    const a = keys.issue({ tenant: 't' });
    const b = keys.issue({ tenant: 't' });
    const stored = JSON.stringify(keys.records());
    expect(stored).not.toContain(a.secret.slice(21));
    expect(stored).not.toContain(b.secret.slice(21));
    const [ra, rb] = keys.records();
    expect(ra!.salt).not.toBe(rb!.salt);
    expect(JSON.stringify(keys.list())).not.toMatch(/hash|salt/);
  });

  it('refuses a key with one character changed, a made-up id and a malformed token', () => {
    const keys = new ApiKeys();
    const { secret } = keys.issue({ tenant: 't' });
    const last = secret.at(-1) === 'A' ? 'B' : 'A';
    expect(keys.verify(secret.slice(0, -1) + last)).toEqual({ ok: false, reason: 'unknown' });
    expect(keys.verify(`ars_0123456789abcdef_${secret.slice(21)}`)).toEqual({
      ok: false,
      reason: 'unknown',
    });
    expect(keys.verify('ars_nope')).toEqual({ ok: false, reason: 'malformed' });
    expect(keys.verify(`${secret}x`)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses a revoked key; revoking twice is harmless', () => {
    const keys = new ApiKeys();
    const { secret, info } = keys.issue({ tenant: 't' });
    expect(keys.revoke(info.id)).toBe(true);
    expect(keys.revoke(info.id)).toBe(false);
    expect(keys.verify(secret)).toEqual({ ok: false, reason: 'revoked' });
  });

  it('refuses a key from its expiry on, and refuses issuing one already expired', () => {
    const c = clock();
    const keys = new ApiKeys({ now: c.now });
    const { secret } = keys.issue({ tenant: 't', expiresAt: c.now() + 1000 });
    expect(keys.verify(secret).ok).toBe(true);
    c.advance(1000);
    expect(keys.verify(secret)).toEqual({ ok: false, reason: 'expired' });
    expect(() => keys.issue({ tenant: 't', expiresAt: c.now() })).toThrow(SecurityError);
  });

  it('a table rebuilt from persisted records authenticates the same keys', () => {
    const keys = new ApiKeys();
    const { secret } = keys.issue({ tenant: 't', roles: ['reader'] });
    const again = new ApiKeys({ records: JSON.parse(JSON.stringify(keys.records())) });
    expect(again.verify(secret).ok).toBe(true);
  });
});

describe('node credentials', () => {
  it('bind an agent to its node: it may act as that node and no other', () => {
    const nodes = new NodeCredentials();
    const { secret } = nodes.issue('gw-1', 'acme');
    const r = nodes.verify(secret);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.principal).toMatchObject({
      kind: 'agent',
      nodeId: 'gw-1',
      subject: 'node:gw-1',
      tenant: 'acme',
    });
    expect(() => assertActsAs(r.principal, 'gw-1')).not.toThrow();
    expect(() => assertActsAs(r.principal, 'gw-2')).toThrow(
      expect.objectContaining({ code: 'ARS_E_FORBIDDEN' }),
    );
  });

  it('a user API key is never an agent, whatever its label', () => {
    const keys = new ApiKeys();
    const { secret } = keys.issue({ tenant: 'acme', label: 'node gw-1' });
    const r = keys.verify(secret);
    expect(r.ok).toBe(true);
    if (r.ok) expect(() => assertActsAs(r.principal, 'gw-1')).toThrow(SecurityError);
  });
});

describe('authenticate', () => {
  it('routes by prefix and never lets a node credential pass as an API key or back', async () => {
    const apiKeys = new ApiKeys();
    const nodes = new NodeCredentials();
    const user = apiKeys.issue({ tenant: 'a' }).secret;
    const agent = nodes.issue('n1', 'a').secret;
    const cfg = { apiKeys, nodes };
    expect(authConfigured(cfg)).toBe(true);
    expect(await authenticate(cfg, user)).toMatchObject({ ok: true, principal: { kind: 'api-key' } });
    expect(await authenticate(cfg, agent)).toMatchObject({
      ok: true,
      principal: { kind: 'agent', nodeId: 'n1' },
    });
    expect(await authenticate({ apiKeys }, agent)).toMatchObject({ ok: false, code: 'ARS_E_AUTH_INVALID' });
    expect(await authenticate({ nodes }, user)).toMatchObject({ ok: false, code: 'ARS_E_AUTH_INVALID' });
  });

  it('answers AUTH_REQUIRED without a token unless anonymous access is on', async () => {
    expect(await authenticate({ apiKeys: new ApiKeys() }, undefined)).toMatchObject({
      ok: false,
      code: 'ARS_E_AUTH_REQUIRED',
    });
    expect(await authenticate({ allowAnonymous: true }, undefined)).toMatchObject({
      ok: true,
      principal: { kind: 'anonymous' },
    });
    expect(authConfigured({ allowAnonymous: true })).toBe(false);
  });

  it('reads Bearer tokens case-insensitively and nothing else', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer abc')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken('Bearer a b')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});
