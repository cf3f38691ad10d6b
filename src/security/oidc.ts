/**
 * OpenID Connect access tokens (JWTs) verified with `jose`: the signing key is picked by `kid` from the
 * issuer's JWKS (fetched, cached, refetched on an unknown `kid` with a cool-down), only the configured
 * asymmetric algorithms are accepted (so `alg: none` and HS256-with-the-public-key tricks fail), and
 * issuer, audience, expiry and not-before are checked with a small clock tolerance.
 */
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeProtectedHeader,
  errors,
  type JSONWebKeySet,
  type JWTPayload,
  jwtVerify,
} from 'jose';
import type { Principal } from './principal.js';

export interface OidcOptions {
  readonly issuer: string;
  readonly audience: string | readonly string[];
  /** the issuer's JWKS endpoint; or `jwks` for a fixed key set */
  readonly jwksUri?: string;
  readonly jwks?: JSONWebKeySet;
  /** default RS256, PS256, ES256, EdDSA: asymmetric only */
  readonly algorithms?: readonly string[];
  /** seconds of clock skew allowed on exp and nbf; default 30 */
  readonly clockToleranceSec?: number;
  /** claim holding the tenant; default `tenant` (a dotted path such as `ext.tenant` reads nested claims) */
  readonly tenantClaim?: string;
  /** claim holding the roles (array of strings, or one string); default `roles`, e.g. `realm_access.roles` */
  readonly rolesClaim?: string;
  /** ms to wait for the JWKS endpoint; default 5000 */
  readonly jwksTimeoutMs?: number;
  /** injected clock (ms since the epoch) for tests; default Date.now */
  readonly now?: () => number;
}

export type TokenFailure =
  | 'malformed'
  | 'algorithm'
  | 'signature'
  | 'unknown-key'
  | 'expired'
  | 'not-yet-valid'
  | 'claims'
  | 'no-tenant'
  | 'jwks-unavailable';

export type TokenCheck =
  | { readonly ok: true; readonly principal: Principal; readonly claims: JWTPayload }
  | { readonly ok: false; readonly reason: TokenFailure };

export const DEFAULT_ALGORITHMS = Object.freeze(['RS256', 'PS256', 'ES256', 'EdDSA']);

const SYMMETRIC = /^HS\d+$/;

function claimAt(payload: JWTPayload, path: string): unknown {
  let v: unknown = payload;
  for (const part of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

export type OidcVerifier = (token: string) => Promise<TokenCheck>;

export function createOidcVerifier(options: OidcOptions): OidcVerifier {
  const algorithms = [...(options.algorithms ?? DEFAULT_ALGORITHMS)];
  for (const a of algorithms) {
    if (a === 'none' || SYMMETRIC.test(a)) {
      throw new TypeError(`OIDC: algorithm ${a} is not allowed for tokens verified with a public key set`);
    }
  }
  if ((options.jwksUri === undefined) === (options.jwks === undefined)) {
    throw new TypeError('OIDC: give exactly one of jwksUri or jwks');
  }
  const keys = options.jwks
    ? createLocalJWKSet(options.jwks)
    : createRemoteJWKSet(new URL(options.jwksUri!), {
        timeoutDuration: options.jwksTimeoutMs ?? 5000,
        cooldownDuration: 30_000,
        cacheMaxAge: 600_000,
      });
  const now = options.now ?? Date.now;
  const tenantClaim = options.tenantClaim ?? 'tenant';
  const rolesClaim = options.rolesClaim ?? 'roles';

  return async (token) => {
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    // jose refuses these too; checking first gives a precise reason and never touches the key set
    if (typeof header.alg !== 'string' || !algorithms.includes(header.alg))
      return { ok: false, reason: 'algorithm' };
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: options.issuer,
        audience: typeof options.audience === 'string' ? options.audience : [...options.audience],
        algorithms,
        clockTolerance: options.clockToleranceSec ?? 30,
        currentDate: new Date(now()),
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (err) {
      return { ok: false, reason: failureOf(err) };
    }
    const tenant = claimAt(payload, tenantClaim);
    const rawRoles = claimAt(payload, rolesClaim);
    const roles = Array.isArray(rawRoles)
      ? rawRoles.filter((r): r is string => typeof r === 'string')
      : typeof rawRoles === 'string'
        ? [rawRoles]
        : [];
    if (typeof tenant !== 'string' && !roles.includes('admin')) return { ok: false, reason: 'no-tenant' };
    return {
      ok: true,
      claims: payload,
      principal: Object.freeze({
        kind: 'user',
        subject: `oidc:${payload.sub}`,
        tenant: typeof tenant === 'string' ? tenant : undefined,
        roles: Object.freeze(roles),
        expiresAt: payload.exp! * 1000,
      }),
    };
  };
}

function failureOf(err: unknown): TokenFailure {
  if (err instanceof errors.JWTExpired) return 'expired';
  if (err instanceof errors.JWTClaimValidationFailed) return err.claim === 'nbf' ? 'not-yet-valid' : 'claims';
  if (err instanceof errors.JOSEAlgNotAllowed) return 'algorithm';
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'signature';
  if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys)
    return 'unknown-key';
  if (err instanceof errors.JWKSTimeout) return 'jwks-unavailable';
  if (
    err instanceof errors.JWSInvalid ||
    err instanceof errors.JWTInvalid ||
    err instanceof errors.JOSENotSupported
  )
    return 'malformed';
  // a non-200 or non-JSON key set answer is the issuer's problem, not the token's
  if (
    err instanceof errors.JWKSInvalid ||
    (err instanceof errors.JOSEError && err.code === 'ERR_JOSE_GENERIC')
  )
    return 'jwks-unavailable';
  if (err instanceof errors.JOSEError) return 'malformed';
  // network failures fetching the JWKS are not the token's fault
  return 'jwks-unavailable';
}
