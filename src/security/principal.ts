/**
 * Who is asking. Every surface (REST, search, WebSocket/SSE, MQTT, dashboard data) authenticates to one
 * `Principal` and decides with it; nothing downstream looks at raw tokens.
 */

/** How the principal proved who it is. */
export type PrincipalKind = 'user' | 'api-key' | 'agent' | 'anonymous';

/** The platform-wide administrator role: may manage tenants, policies and read the audit log. */
export const ADMIN_ROLE = 'admin';

export interface Principal {
  readonly kind: PrincipalKind;
  /** stable, issuer-qualified id: `oidc:<iss>#<sub>`, `apikey:<id>`, `node:<node id>`, `anonymous` */
  readonly subject: string;
  /** the tenant the principal acts for; undefined only for anonymous and platform administrators */
  readonly tenant: string | undefined;
  readonly roles: readonly string[];
  /** for agents: the one node the credential is bound to */
  readonly nodeId?: string | undefined;
  /** ms since the epoch after which the credential is no longer valid; undefined = does not expire */
  readonly expiresAt?: number | undefined;
}

export const ANONYMOUS: Principal = Object.freeze({
  kind: 'anonymous',
  subject: 'anonymous',
  tenant: undefined,
  roles: Object.freeze([]) as readonly string[],
});

export function isAdmin(p: Principal): boolean {
  return p.roles.includes(ADMIN_ROLE);
}

/**
 * The subject ids a policy entry may name to match this principal, most specific first:
 * the subject itself, each role as `role:<r>`, the tenant as `tenant:<t>`, and `tenant:<t>/role:<r>`.
 */
export function subjectIds(p: Principal): string[] {
  const ids = [p.subject];
  for (const r of p.roles) ids.push(`role:${r}`);
  if (p.tenant !== undefined) {
    ids.push(`tenant:${p.tenant}`);
    for (const r of p.roles) ids.push(`tenant:${p.tenant}/role:${r}`);
  }
  return ids;
}

/** True while the principal's credential is valid at `nowMs`. */
export function isCurrent(p: Principal, nowMs: number): boolean {
  return p.expiresAt === undefined || nowMs < p.expiresAt;
}

/**
 * What an open stream (WebSocket, SSE, MQTT session) should do about its principal's expiry:
 * close now, or check again after `checkInMs` (a timer the transport arms; capped so a clock jump or a
 * long-lived token is still re-checked).
 */
export type StreamVerdict =
  | { readonly close: true; readonly reason: 'expired' }
  | { readonly close: false; readonly checkInMs: number };

export const STREAM_RECHECK_MAX_MS = 60_000;

export function streamVerdict(
  p: Principal,
  nowMs: number,
  maxCheckMs = STREAM_RECHECK_MAX_MS,
): StreamVerdict {
  if (p.expiresAt === undefined) return { close: false, checkInMs: maxCheckMs };
  const left = p.expiresAt - nowMs;
  if (left <= 0) return { close: true, reason: 'expired' };
  return { close: false, checkInMs: Math.min(left, maxCheckMs) };
}
