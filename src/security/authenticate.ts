/**
 * One entry point for every surface: turn presented credentials (an `Authorization` header, an MQTT
 * username/password, a WebSocket query token) into a `Principal`, or a stable failure code.
 * `ars_…` is an API key, `arsn_…` an agent's node credential, anything else is tried as an OIDC JWT.
 */
import type { ApiKeys, NodeCredentials } from './api-keys.js';
import type { SecurityCode } from './errors.js';
import type { OidcVerifier } from './oidc.js';
import { ANONYMOUS, type Principal } from './principal.js';

export interface AuthConfig {
  readonly apiKeys?: ApiKeys;
  readonly nodes?: NodeCredentials;
  readonly oidc?: OidcVerifier;
  /** serve unauthenticated requests as `ANONYMOUS` (only sensible on loopback); default false */
  readonly allowAnonymous?: boolean;
}

export type AuthResult =
  | { readonly ok: true; readonly principal: Principal }
  | {
      readonly ok: false;
      readonly code: Extract<SecurityCode, 'ARS_E_AUTH_REQUIRED' | 'ARS_E_AUTH_INVALID'>;
      /** for the audit log only: never sent to the client (it would help guessing) */
      readonly reason: string;
    };

/** True when at least one way to authenticate is configured (what the bind guard asks). */
export function authConfigured(c: AuthConfig): boolean {
  return c.apiKeys !== undefined || c.nodes !== undefined || c.oidc !== undefined;
}

/** The token of `Bearer <token>`, or undefined. The scheme is case-insensitive (RFC 7235). */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer[ \t]+([^\s]+)[ \t]*$/i.exec(header);
  return m?.[1];
}

export async function authenticate(c: AuthConfig, token: string | undefined): Promise<AuthResult> {
  if (token === undefined || token === '') {
    return c.allowAnonymous
      ? { ok: true, principal: ANONYMOUS }
      : { ok: false, code: 'ARS_E_AUTH_REQUIRED', reason: 'no credentials' };
  }
  for (const table of [c.nodes?.keys, c.apiKeys]) {
    if (table?.recognises(token)) {
      const r = table.verify(token);
      return r.ok
        ? { ok: true, principal: r.principal }
        : { ok: false, code: 'ARS_E_AUTH_INVALID', reason: `key ${r.reason}` };
    }
  }
  if (c.oidc) {
    const r = await c.oidc(token);
    return r.ok
      ? { ok: true, principal: r.principal }
      : { ok: false, code: 'ARS_E_AUTH_INVALID', reason: `token ${r.reason}` };
  }
  return { ok: false, code: 'ARS_E_AUTH_INVALID', reason: 'unrecognised credential' };
}
