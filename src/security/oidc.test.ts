import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticate } from './authenticate.js';
import { createOidcVerifier, type OidcVerifier } from './oidc.js';

const ISSUER = 'https://idp.test/realms/ars';
const AUDIENCE = 'ars-api';
const NOW = Date.UTC(2026, 0, 1);
const nowSec = NOW / 1000;

let server: Server;
let jwksUri: string;
let jwksHits = 0;
const published: JWK[] = [];
let rsa: Awaited<ReturnType<typeof generateKeyPair>>;
let ec: Awaited<ReturnType<typeof generateKeyPair>>;
let attacker: Awaited<ReturnType<typeof generateKeyPair>>;
let verify: OidcVerifier;

beforeAll(async () => {
  rsa = await generateKeyPair('RS256');
  ec = await generateKeyPair('ES256');
  attacker = await generateKeyPair('RS256');
  published.push({ ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' });
  server = createServer((req, res) => {
    jwksHits++;
    if (req.url !== '/jwks') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: published }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  jwksUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
  verify = createOidcVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUri, now: () => NOW });
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

interface Make {
  key?: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
  alg?: string;
  kid?: string;
  claims?: Record<string, unknown>;
  iss?: string;
  aud?: string;
  exp?: number;
  nbf?: number;
}

function token(m: Make = {}): Promise<string> {
  const jwt = new SignJWT({ tenant: 'acme', roles: ['reader'], ...m.claims })
    .setProtectedHeader({ alg: m.alg ?? 'RS256', kid: m.kid ?? 'rsa-1' })
    .setSubject('alice')
    .setIssuer(m.iss ?? ISSUER)
    .setAudience(m.aud ?? AUDIENCE)
    .setIssuedAt(nowSec - 10)
    .setExpirationTime(m.exp ?? nowSec + 300);
  if (m.nbf !== undefined) jwt.setNotBefore(m.nbf);
  return jwt.sign(m.key ?? rsa.privateKey);
}

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('OIDC verification against a JWKS served on loopback', () => {
  it('accepts a valid token and maps subject, tenant, roles and expiry', async () => {
    const r = await verify(await token());
    expect(r).toMatchObject({
      ok: true,
      principal: {
        kind: 'user',
        subject: 'oidc:alice',
        tenant: 'acme',
        roles: ['reader'],
        expiresAt: (nowSec + 300) * 1000,
      },
    });
  });

  it('refuses alg none, even with a valid-looking payload', async () => {
    const claims = {
      sub: 'alice',
      iss: ISSUER,
      aud: AUDIENCE,
      exp: nowSec + 300,
      tenant: 'acme',
      roles: ['admin'],
    };
    const unsigned = `${b64({ alg: 'none', kid: 'rsa-1' })}.${b64(claims)}.`;
    expect(await verify(unsigned)).toEqual({ ok: false, reason: 'algorithm' });
  });

  it('refuses HS256 signed with the public key as the secret (algorithm confusion)', async () => {
    const pem = Buffer.from(JSON.stringify(published[0]));
    const forged = await new SignJWT({ tenant: 'acme', roles: ['admin'] })
      .setProtectedHeader({ alg: 'HS256', kid: 'rsa-1' })
      .setSubject('mallory')
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime(nowSec + 300)
      .sign(new Uint8Array(pem));
    expect(await verify(forged)).toEqual({ ok: false, reason: 'algorithm' });
  });

  it('refuses a token signed by another key under a published kid (forged)', async () => {
    expect(await verify(await token({ key: attacker.privateKey }))).toEqual({
      ok: false,
      reason: 'signature',
    });
  });

  it('refuses a token whose payload was edited after signing', async () => {
    const [h, , s] = (await token()).split('.');
    const edited = `${h}.${b64({ sub: 'alice', iss: ISSUER, aud: AUDIENCE, exp: nowSec + 300, tenant: 'other' })}.${s}`;
    expect(await verify(edited)).toEqual({ ok: false, reason: 'signature' });
  });

  it('checks issuer, audience, expiry and not-before', async () => {
    expect(await verify(await token({ iss: 'https://evil.test' }))).toEqual({ ok: false, reason: 'claims' });
    expect(await verify(await token({ aud: 'another-api' }))).toEqual({ ok: false, reason: 'claims' });
    expect(await verify(await token({ exp: nowSec - 60 }))).toEqual({ ok: false, reason: 'expired' });
    expect(await verify(await token({ nbf: nowSec + 600 }))).toEqual({ ok: false, reason: 'not-yet-valid' });
    // within the 30 s clock tolerance
    expect((await verify(await token({ exp: nowSec - 5 }))).ok).toBe(true);
  });

  it('refuses a token without a tenant unless it is an administrator', async () => {
    expect(await verify(await token({ claims: { tenant: undefined } }))).toEqual({
      ok: false,
      reason: 'no-tenant',
    });
    const admin = await verify(await token({ claims: { tenant: undefined, roles: ['admin'] } }));
    expect(admin).toMatchObject({ ok: true, principal: { tenant: undefined, roles: ['admin'] } });
  });

  it('finds a key rotated in later by kid (the key set is refetched)', async () => {
    const before = jwksHits;
    published.push({ ...(await exportJWK(ec.publicKey)), kid: 'ec-2', alg: 'ES256', use: 'sig' });
    // a fresh verifier so the cool-down of the shared one does not apply
    const v = createOidcVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUri, now: () => NOW });
    expect((await v(await token({ key: ec.privateKey, alg: 'ES256', kid: 'ec-2' }))).ok).toBe(true);
    expect(jwksHits).toBeGreaterThan(before);
    expect(await v(await token({ kid: 'nobody' }))).toEqual({ ok: false, reason: 'unknown-key' });
  });

  it('reads roles and tenant from nested claims (Keycloak style)', async () => {
    const v = createOidcVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      jwksUri,
      now: () => NOW,
      rolesClaim: 'realm_access.roles',
      tenantClaim: 'ext.tenant',
    });
    const r = await v(
      await token({ claims: { realm_access: { roles: ['writer'] }, ext: { tenant: 'grid' } } }),
    );
    expect(r).toMatchObject({ ok: true, principal: { tenant: 'grid', roles: ['writer'] } });
  });

  it('says the JWKS is unavailable rather than blaming the token when the endpoint is down', async () => {
    const v = createOidcVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      jwksUri: `${jwksUri}-missing`,
      now: () => NOW,
    });
    expect(await v(await token())).toEqual({ ok: false, reason: 'jwks-unavailable' });
  });

  it('refuses symmetric or none algorithms in its configuration', () => {
    expect(() =>
      createOidcVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUri, algorithms: ['HS256'] }),
    ).toThrow(/not allowed/);
    expect(() =>
      createOidcVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUri, algorithms: ['none'] }),
    ).toThrow();
  });

  it('is reached through authenticate for anything that is not an ARS key', async () => {
    expect(await authenticate({ oidc: verify }, await token())).toMatchObject({ ok: true });
    expect(await authenticate({ oidc: verify }, 'garbage')).toMatchObject({
      ok: false,
      code: 'ARS_E_AUTH_INVALID',
    });
  });
});
