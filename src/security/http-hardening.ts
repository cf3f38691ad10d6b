/**
 * HTTP hardening the server applies to every response and request: security headers with a strict
 * content security policy for the pages it serves (the dashboard loads only its own scripts and styles
 * and talks only to its own origin), and a strict Content-Type check that closes the family of
 * validation bypasses Fastify has had (tab, leading space, trailing `;` — see docs/security.md).
 */
import { SecurityError } from './errors.js';

export interface CspOptions {
  /** extra origins the page may connect to (e.g. a separate WebSocket host); the page's own origin is always allowed */
  readonly connectSrc?: readonly string[];
  /** extra script origins; none by default (no CDN, no inline script) */
  readonly scriptSrc?: readonly string[];
}

/** `default-src 'none'` and only what the dashboard needs, each from its own origin. */
export function contentSecurityPolicy(options: CspOptions = {}): string {
  const directives: [string, readonly string[]][] = [
    ['default-src', ["'none'"]],
    ['script-src', ["'self'", ...(options.scriptSrc ?? [])]],
    ['style-src', ["'self'"]],
    ['img-src', ["'self'", 'data:']],
    ['font-src', ["'self'"]],
    ['connect-src', ["'self'", ...(options.connectSrc ?? [])]],
    ['base-uri', ["'none'"]],
    ['form-action', ["'self'"]],
    ['frame-ancestors', ["'none'"]],
  ];
  return directives.map(([k, v]) => `${k} ${v.join(' ')}`).join('; ');
}

/** Headers for every response; `Content-Security-Policy` only matters on HTML but costs nothing elsewhere. */
export function securityHeaders(
  options: CspOptions & { readonly https?: boolean } = {},
): Record<string, string> {
  return {
    'content-security-policy': contentSecurityPolicy(options),
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=()',
    'cache-control': 'no-store',
    ...(options.https ? { 'strict-transport-security': 'max-age=31536000; includeSubDomains' } : {}),
  };
}

// RFC 9110 media type: type "/" subtype *( OWS ";" OWS parameter ), tokens of tchar, no control characters
const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const PARAM = `${TOKEN}=(?:${TOKEN}|"(?:[^"\\\\\\x00-\\x1f\\x7f]|\\\\[^\\x00-\\x1f\\x7f])*")`;
const MEDIA_TYPE = new RegExp(`^(${TOKEN})/(${TOKEN})((?: *; *${PARAM})*)$`);

/**
 * Parses a Content-Type strictly: no leading or trailing whitespace, no control characters (tab
 * included), no empty parameter. Returns the lower-cased essence (`application/json`) or throws
 * `ARS_E_QUERY_INVALID` (400). Use it in an `onRequest` hook before any body parser runs, and accept only
 * the essences a route declares.
 */
export function strictContentType(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const m = MEDIA_TYPE.exec(header);
  if (!m) {
    throw new SecurityError('ARS_E_QUERY_INVALID', 'malformed Content-Type header', {
      expected: 'type/subtype with optional ; name=value parameters, no control characters',
    });
  }
  return `${m[1]!}/${m[2]!}`.toLowerCase();
}
