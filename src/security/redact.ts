/**
 * Keeps sensitive values and secrets out of logs and traces. A redactor copies a value, replacing the
 * values of sensitive keys (the scenario's sensitive field names plus credential-like keys) and scrubbing
 * credentials that appear inside strings (Bearer tokens, ARS keys, JWTs, sealed envelopes' payloads).
 */

export const REDACTED = '[REDACTED]';

/** Keys whose values are secrets wherever they appear (compared case-insensitively, ignoring - and _). */
export const SECRET_KEYS = Object.freeze([
  'authorization',
  'cookie',
  'setcookie',
  'password',
  'passwd',
  'secret',
  'clientsecret',
  'token',
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'apikey',
  'xapikey',
  'privatekey',
  'key',
  'keys',
]);

const SECRET_PATTERNS: readonly RegExp[] = [
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi,
  /\barsn?_[0-9a-f]{16}_[A-Za-z0-9_-]{43}\b/g,
  /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g,
];

const norm = (k: string) => k.toLowerCase().replace(/[-_]/g, '');

export type Redactor = (value: unknown) => unknown;

/**
 * `sensitiveKeys`: field names whose values must never be logged (e.g. every twin's `sensitive` list).
 * Cycles are cut and depth is bounded so a redactor never throws on what it is given to log.
 */
export function createRedactor(sensitiveKeys: Iterable<string> = [], maxDepth = 32): Redactor {
  const keys = new Set([...SECRET_KEYS, ...[...sensitiveKeys].map(norm)]);
  const walk = (v: unknown, depth: number, seen: WeakSet<object>): unknown => {
    if (typeof v === 'string') return scrub(v);
    if (v === null || typeof v !== 'object') return v;
    if (seen.has(v)) return '[Circular]';
    if (depth >= maxDepth) return '[Truncated]';
    seen.add(v);
    if (v instanceof Error) return { name: v.name, message: scrub(v.message) };
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1, seen));
    const out: Record<string, unknown> = {};
    for (const [k, c] of Object.entries(v)) out[k] = keys.has(norm(k)) ? REDACTED : walk(c, depth + 1, seen);
    return out;
  };
  return (value) => walk(value, 0, new WeakSet());
}

/** Replaces credentials inside free text. */
export function scrub(text: string): string {
  let out = text;
  for (const p of SECRET_PATTERNS) out = out.replace(p, REDACTED);
  return out;
}
