/**
 * Authentication of the live server: an `onRequest` hook on every `/api/v1` route (part B's plugins
 * included, and unknown routes under it, so routes cannot be probed) and on `/metrics` turns the presented
 * credential into `request.principal`, then applies the tenant's request-rate and message-size limits.
 *
 * Credentials: `Authorization: Bearer <token>` (an API key `ars_…`, a node credential `arsn_…` or an OIDC
 * JWT), or `X-API-Key: <key>`. A GET may carry `?access_token=` instead, for browsers' WebSocket and
 * EventSource, which cannot set headers. `/healthz`, `/readyz` and `/openapi.json` stay open.
 *
 * Failed logins are limited per client address (the guard's `loginThrottle`, shared with the MQTT connect
 * hook): over the limit, every credential from that address answers 429 `ARS_E_RATE_LIMITED` with
 * `Retry-After` until the window has passed.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ANONYMOUS, bearerToken, type Principal, SecurityError } from '../security/index.js';
import type { ServerGuard } from './guard.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is asking: set by the authentication hook on `/api/v1/*` and `/metrics`; anonymous elsewhere. */
    principal: Principal;
  }
}

/** Where the client is, for the audit log. */
export const sourceOf = (request: FastifyRequest) => `http:${request.ip}`;

function presentedToken(request: FastifyRequest): string | undefined {
  const fromHeader = bearerToken(request.headers.authorization);
  if (fromHeader !== undefined) return fromHeader;
  const key = request.headers['x-api-key'];
  if (typeof key === 'string' && key !== '') return key.trim();
  if (request.method === 'GET') {
    const q = request.url.indexOf('?');
    if (q >= 0) {
      const t = new URLSearchParams(request.url.slice(q + 1)).get('access_token');
      if (t) return t;
    }
  }
  return undefined;
}

export function needsAuthentication(path: string, prefix: string): boolean {
  return path === '/metrics' || path === prefix || path.startsWith(`${prefix}/`);
}

export function installAuthentication(app: FastifyInstance, guard: ServerGuard, prefix: string): void {
  app.decorateRequest('principal', null as unknown as Principal);
  app.addHook('onRequest', async (request) => {
    const path = request.url.split('?')[0]!;
    // judged on the route that matched (the router decodes %61pi into api) and on the decoded path (for
    // 404s), never on the raw URL alone: `/%61pi/v1/things` must not slip past as "not under /api/v1"
    let decoded = path;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      // a malformed escape: judge the raw path and the route
    }
    const route = request.routeOptions.url;
    if (
      !needsAuthentication(path, prefix) &&
      !needsAuthentication(decoded, prefix) &&
      (route === undefined || !needsAuthentication(route, prefix))
    ) {
      request.principal = ANONYMOUS;
      return;
    }
    // an address over its failed-login limit is refused before any credential is checked (a valid one too:
    // no oracle); the error handler audits the refusal and sends Retry-After
    const throttle = guard.loginThrottle;
    if (throttle) {
      request.principal = ANONYMOUS;
      throttle.assertAllowed(request.ip, guard.now());
    }
    const result = await guard.authenticate(presentedToken(request));
    if (!result.ok) {
      request.principal = ANONYMOUS;
      // only presented credentials count: a request without any is no guess
      if (result.code === 'ARS_E_AUTH_INVALID') throttle?.fail(request.ip, guard.now());
      guard.record({
        actor: 'anonymous',
        tenant: undefined,
        action: 'login',
        resource: `http:${request.method} ${path}`,
        outcome: 'failed',
        source: sourceOf(request),
        detail: { reason: result.reason },
      });
      throw new SecurityError(
        result.code,
        result.code === 'ARS_E_AUTH_REQUIRED' ? 'authentication required' : 'invalid credentials',
      );
    }
    const p = result.principal;
    request.principal = p;
    if (guard.limiter && p.tenant !== undefined) {
      guard.limiter.request(p.tenant, guard.now());
      const length = Number(request.headers['content-length'] ?? 0);
      if (length > 0) guard.limiter.messageSize(p.tenant, length);
    }
  });
}
