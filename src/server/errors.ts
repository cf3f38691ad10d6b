/**
 * One error shape for every 4xx and 5xx of the live API (RFC 9457 problem details, `application/problem+json`):
 *
 *   { "status": 400, "code": "ARS_E_INPUT_VALIDATION", "title": "...", "detail": "...",
 *     "in": "body", "pointer": "/features/temp/properties", "errors": [{ "in", "pointer", "detail" }] }
 *
 * `code` is stable and documented (docs/live-api.md, "Errors"); clients branch on it, never on `detail`.
 * `pointer` is a JSON Pointer (RFC 6901) into the part named by `in` (`body`, `query`, `params`, `headers`).
 * A 5xx never carries a stack trace or an internal message.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SecurityError } from '../security/errors.js';
import { isStoreUnavailable } from '../store/unavailable.js';

export const ERROR_CODES = {
  ARS_E_INPUT_JSON: { status: 400, title: 'malformed JSON' },
  ARS_E_INPUT_VALIDATION: { status: 400, title: 'the input does not match the schema' },
  ARS_E_INPUT_FILTER: { status: 400, title: 'malformed RQL filter' },
  ARS_E_INPUT_CURSOR: { status: 400, title: 'invalid paging cursor' },
  ARS_E_INPUT_HEADER: { status: 400, title: 'malformed header' },
  ARS_E_INPUT_ID_MISMATCH: { status: 400, title: 'the id in the body differs from the id in the path' },
  ARS_E_NOT_FOUND: { status: 404, title: 'no such route' },
  ARS_E_THING_NOT_FOUND: { status: 404, title: 'no such thing' },
  ARS_E_METHOD_NOT_ALLOWED: { status: 405, title: 'method not allowed' },
  ARS_E_THING_EXISTS: { status: 409, title: 'the thing already exists' },
  ARS_E_TENANT_MISMATCH: { status: 409, title: 'the thing belongs to another tenant' },
  ARS_E_PRECONDITION_FAILED: { status: 412, title: 'precondition failed (stale revision)' },
  ARS_E_BODY_TOO_LARGE: { status: 413, title: 'request body too large' },
  ARS_E_URI_TOO_LONG: { status: 414, title: 'a path segment is too long' },
  ARS_E_MEDIA_TYPE: { status: 415, title: 'unsupported content type' },
  ARS_E_AUTH_REQUIRED: { status: 401, title: 'authentication required' },
  ARS_E_AUTH_INVALID: { status: 401, title: 'invalid credentials' },
  ARS_E_FORBIDDEN: { status: 403, title: 'not allowed' },
  ARS_E_POLICY_INVALID: { status: 400, title: 'invalid policy or permission question' },
  ARS_E_QUERY_INVALID: { status: 400, title: 'invalid query' },
  ARS_E_PAYLOAD_TOO_LARGE: { status: 413, title: 'message over the tenant limit' },
  ARS_E_RATE_LIMITED: { status: 429, title: 'rate limit exceeded' },
  ARS_E_QUOTA: { status: 429, title: 'tenant quota exceeded' },
  ARS_E_WHATIF_UNAVAILABLE: { status: 409, title: 'the live state cannot be simulated now' },
  ARS_E_INTERNAL: { status: 500, title: 'internal error' },
  ARS_E_NOT_READY: { status: 503, title: 'not ready' },
  ARS_E_STORE_UNAVAILABLE: {
    status: 503,
    title: 'the store is unavailable; retry after Retry-After seconds',
  },
} as const satisfies Record<string, { status: number; title: string }>;

/** Stable codes; part B adds its own with {@link HttpError} (the status travels with the error). */
export type HttpErrorCode = keyof typeof ERROR_CODES | (string & {});
export type Part = 'body' | 'query' | 'params' | 'headers';

export interface ProblemItem {
  in?: Part;
  pointer?: string;
  detail: string;
}

export class HttpError extends Error {
  readonly status: number;
  readonly code: HttpErrorCode;
  readonly in: Part | undefined;
  readonly pointer: string | undefined;
  readonly errors: ProblemItem[] | undefined;
  /** Extra members of the problem document, e.g. the current revision on a 412. */
  readonly extra: Record<string, unknown> | undefined;
  constructor(
    code: HttpErrorCode,
    detail: string,
    where: {
      in?: Part;
      pointer?: string;
      status?: number;
      errors?: ProblemItem[];
      extra?: Record<string, unknown>;
    } = {},
  ) {
    super(detail);
    this.name = 'HttpError';
    this.code = code;
    this.status = where.status ?? ERROR_CODES[code as keyof typeof ERROR_CODES]?.status ?? 400;
    this.in = where.in;
    this.pointer = where.pointer;
    this.errors = where.errors;
    this.extra = where.extra;
  }
}

/** Escape one key for a JSON Pointer (RFC 6901: `~` → `~0`, `/` → `~1`). */
export const pointerSegment = (key: string | number): string =>
  String(key).replaceAll('~', '~0').replaceAll('/', '~1');
export const pointer = (...keys: (string | number)[]): string =>
  keys.map((k) => `/${pointerSegment(k)}`).join('');

interface SchemaIssue {
  keyword?: string;
  instancePath?: string;
  message?: string;
  params?: object;
}

/** The validation errors of TypeBox (or Ajv) as problem items pointing at the offending field. */
export function schemaIssues(issues: SchemaIssue[], part: Part): ProblemItem[] {
  const items: ProblemItem[] = [];
  for (const issue of issues) {
    const base = issue.instancePath ?? '';
    // A `false` subschema repeats what the additionalProperties issue says better.
    if (issue.keyword === 'boolean') continue;
    const params = (issue.params ?? {}) as { requiredProperties?: string[]; additionalProperties?: string[] };
    const missing = params.requiredProperties ?? [];
    if (issue.keyword === 'required' && missing.length > 0) {
      for (const p of missing)
        items.push({ in: part, pointer: `${base}/${pointerSegment(p)}`, detail: 'is required' });
      continue;
    }
    if (issue.keyword === 'additionalProperties' && params.additionalProperties) {
      for (const p of params.additionalProperties) {
        items.push({
          in: part,
          pointer: `${base}/${pointerSegment(p)}`,
          detail: 'is not an allowed property',
        });
      }
      continue;
    }
    items.push({ in: part, pointer: base, detail: issue.message ?? 'is invalid' });
  }
  return items;
}

function problem(error: HttpError): Record<string, unknown> {
  const known = ERROR_CODES[error.code as keyof typeof ERROR_CODES];
  const body: Record<string, unknown> = {
    status: error.status,
    code: error.code,
    title: known?.title ?? error.code,
    detail: error.message,
  };
  if (error.in) body.in = error.in;
  if (error.pointer !== undefined) body.pointer = error.pointer;
  if (error.errors) body.errors = error.errors;
  return { ...body, ...error.extra };
}

export function sendProblem(reply: FastifyReply, error: HttpError): FastifyReply {
  return reply.code(error.status).type('application/problem+json').send(problem(error));
}

/** Fastify's own errors and validation failures, translated to stable codes. */
function translate(
  error: FastifyError & { validation?: SchemaIssue[]; validationContext?: string },
): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof SecurityError) return fromSecurityError(error);
  if (error.validation) {
    const part = (error.validationContext ?? 'body') as Part;
    const errors = schemaIssues(error.validation, part);
    const first = errors[0];
    const where = first?.pointer ? `${part} ${first.pointer || '(root)'}` : part;
    return new HttpError('ARS_E_INPUT_VALIDATION', `${where}: ${first?.detail ?? 'is invalid'}`, {
      in: part,
      pointer: first?.pointer ?? '',
      errors,
    });
  }
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new HttpError('ARS_E_INPUT_JSON', error.message, { in: 'body', pointer: '' });
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new HttpError('ARS_E_BODY_TOO_LARGE', error.message, { in: 'body' });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_TYPE':
      return new HttpError('ARS_E_MEDIA_TYPE', 'unsupported content type: send application/json', {
        in: 'headers',
        pointer: '/content-type',
      });
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new HttpError('ARS_E_INPUT_HEADER', error.message, {
        in: 'headers',
        pointer: '/content-length',
      });
  }
  if (isStoreUnavailable(error)) {
    // The write rolled back: nothing was half-written, and the same request can be sent again.
    return new HttpError('ARS_E_STORE_UNAVAILABLE', 'the store is unavailable; nothing was written', {
      status: 503,
    });
  }
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    return new HttpError('ARS_E_INPUT_VALIDATION', error.message, { status: error.statusCode });
  }
  return new HttpError('ARS_E_INTERNAL', 'internal error; the server log has the details', { status: 500 });
}

/** The longest path segment (as sent, percent-encoded) the router takes. */
export const MAX_PATH_PARAM_LENGTH = 4096;

/** The router's refusals, before any route runs: a segment too long (414) or a URL it cannot decode (400). */
export function frameworkError(error: FastifyError): HttpError {
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    return new HttpError(
      'ARS_E_URI_TOO_LONG',
      `a path segment is longer than ${MAX_PATH_PARAM_LENGTH} characters`,
      {
        in: 'params',
      },
    );
  }
  return new HttpError('ARS_E_INPUT_VALIDATION', 'malformed URL: a path segment cannot be decoded', {
    in: 'params',
  });
}

/** The `Retry-After` of a 503 `ARS_E_STORE_UNAVAILABLE`, in seconds. */
export const STORE_RETRY_AFTER_SECONDS = 1;

/**
 * A security refusal as a problem document. A 5xx security code (bad key ring, insecure bind) is internal;
 * the `detail` facts are safe to show by construction (see SecurityError), `retryAfterMs` becomes a header.
 */
export function fromSecurityError(error: SecurityError): HttpError {
  if (error.status >= 500)
    return new HttpError('ARS_E_INTERNAL', 'internal error; the server log has the details', { status: 500 });
  const { retryAfterMs: _r, ...extra } = error.detail as Record<string, unknown>;
  return new HttpError(error.code, error.message, {
    status: error.status,
    ...(Object.keys(extra).length > 0 ? { extra } : {}),
  });
}

/** Installs the one error handler and the 404 handler. `onRefused` hears every 401/403/413/429 refusal. */
export function installErrorHandling(
  app: FastifyInstance,
  onRefused?: (request: FastifyRequest, error: SecurityError) => void,
): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const http = translate(error);
    if (http.code === 'ARS_E_STORE_UNAVAILABLE') {
      request.log.warn({ err: error }, 'store unavailable');
      reply.header('retry-after', String(STORE_RETRY_AFTER_SECONDS));
    } else if (http.status >= 500) request.log.error({ err: error }, 'request failed');
    if (error instanceof SecurityError) {
      const retry = (error.detail as { retryAfterMs?: unknown }).retryAfterMs;
      if (typeof retry === 'number')
        reply.header('retry-after', String(Math.max(1, Math.ceil(retry / 1000))));
      if (error.code === 'ARS_E_AUTH_REQUIRED' || error.code === 'ARS_E_AUTH_INVALID')
        reply.header('www-authenticate', 'Bearer realm="ars"');
      else onRefused?.(request, error);
    }
    return sendProblem(reply, http);
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      reply,
      new HttpError('ARS_E_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`),
    ),
  );
}

function refusePoisonedKeys(key: string, value: unknown): unknown {
  if (
    key === '__proto__' ||
    (key === 'constructor' && value && typeof value === 'object' && 'prototype' in value)
  ) {
    throw new SyntaxError(`forbidden key "${key}"`);
  }
  return value;
}

/**
 * The JSON Pointer of the first string or key holding U+0000, or undefined. Such text cannot be stored in
 * PostgreSQL and no twin needs it, so every store refuses it the same way (400), at the edge.
 */
export function nulPointer(value: unknown, at = ''): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? at : undefined;
  if (!value || typeof value !== 'object') return undefined;
  for (const [key, item] of Object.entries(value)) {
    const here = `${at}/${pointerSegment(key)}`;
    if (key.includes('\u0000')) return here;
    const found = nulPointer(item, here);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * Parses a JSON body with the position of a syntax error in the detail, and refuses `__proto__` and
 * `constructor.prototype` keys (prototype poisoning) as Fastify's own parser does.
 */
export function parseJsonBody(
  _request: FastifyRequest,
  body: string,
  done: (err: Error | null, body?: unknown) => void,
) {
  if (body.length === 0) {
    done(new HttpError('ARS_E_INPUT_JSON', 'empty body: send a JSON document', { in: 'body', pointer: '' }));
    return;
  }
  try {
    // The reviver is slow; only bodies that mention a dangerous key pay for it.
    const suspicious = body.includes('"__proto__"') || body.includes('"constructor"');
    const value: unknown = suspicious ? JSON.parse(body, refusePoisonedKeys) : JSON.parse(body);
    const nul = body.includes('\\u0000') ? nulPointer(value) : undefined;
    if (nul !== undefined) {
      done(
        new HttpError('ARS_E_INPUT_VALIDATION', `body ${nul || '(root)'}: a string may not contain U+0000`, {
          in: 'body',
          pointer: nul,
        }),
      );
      return;
    }
    done(null, value);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const at = /position (\d+)/.exec(message);
    let where = '';
    if (at) {
      const offset = Number(at[1]);
      const before = body.slice(0, offset).split('\n');
      where = ` at line ${before.length} column ${before[before.length - 1]!.length + 1}`;
    }
    done(
      new HttpError('ARS_E_INPUT_JSON', `malformed JSON${where}: ${message}`, { in: 'body', pointer: '' }),
    );
  }
}
