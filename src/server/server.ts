/**
 * `createServer`: the live service's HTTP side as a Fastify 5 instance, not yet listening.
 *
 *   const app = await createServer({ store: openSqliteStore({ path: 'data/ars.db' }) });
 *   await app.listen({ host: '127.0.0.1', port: 8080 });
 *
 * Routes: things and samples (things.ts), telemetry and decisions (telemetry.ts), the event stream
 * (stream.ts), `/healthz`, `/readyz`, `/metrics`, `/openapi.json`. Part B adds its routes as plain Fastify
 * plugins through `plugins`; they find the store, the event bus and the metrics on `app.ars`.
 */
import swagger from '@fastify/swagger';
import websocket from '@fastify/websocket';
import type { FastifyPluginAsync, FastifySchemaCompiler, FastifyServerOptions } from 'fastify';
import Fastify from 'fastify';
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { Value } from 'typebox/value';
import { createRedactor, securityHeaders, strictContentType } from '../security/index.js';
import type { Store } from '../store/store.js';
import { installAuthentication, sourceOf } from './auth.js';
import {
  frameworkError,
  HttpError,
  installErrorHandling,
  MAX_PATH_PARAM_LENGTH,
  nulPointer,
  parseJsonBody,
  sendProblem,
} from './errors.js';
import { EventBus } from './events.js';
import { type GuardOptions, isPlatformAdmin, ServerGuard } from './guard.js';
import type { LiveContext } from './ingest.js';
import { createLiveMetrics, type LiveMetrics, metricsFor } from './metrics.js';
import { securityRoutes } from './security-routes.js';
import { protectStore, type SensitiveOptions } from './sensitive-store.js';
import { eventRoutes } from './stream.js';
import { telemetryRoutes } from './telemetry.js';
import { thingRoutes } from './things.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The live service's shared parts, for routes and plugins. */
    ars: LiveContext;
    /** The enforcement point: authentication, policies, tenancy, limits, audit (guard.ts). */
    arsGuard: ServerGuard;
  }
  interface FastifyContextConfig {
    /** The content type a route's body must have; `application/json` when absent. */
    contentType?: string;
  }
}

export interface ServerOptions {
  store: Store;
  /** Fastify's logger option: false (default) for none, true or pino options for JSON logs. */
  logger?: FastifyServerOptions['logger'];
  /** Largest request body in bytes; larger answers 413. Default 4 MiB (a 10,000-sample batch fits). */
  bodyLimit?: number;
  events?: EventBus;
  metrics?: LiveMetrics;
  /** Extra readiness checks (broker connected, runtime started); `/readyz` answers 503 until all pass. */
  ready?: () => boolean | Promise<boolean>;
  /** Part B's routes: plain Fastify plugins, registered under `/api/v1` after the built-in routes. */
  plugins?: FastifyPluginAsync[];
  /** How often samples past the store's retention window are dropped; 0 never. Default every 10 minutes. */
  retentionSweepMs?: number;
  /** The version reported by `/openapi.json`. */
  version?: string;
  /**
   * Authentication, policies, tenants, limits and audit. Absent (or without any credential source): local
   * dev mode, every request acts as the administrator `local` (docs/security.md, "Local dev mode").
   */
  auth?: GuardOptions | ServerGuard;
  /** Sensitive fields sealed or dropped before storage (the store is wrapped; see sensitive-store.ts). */
  sensitive?: SensitiveOptions;
  /** Field names whose values never reach the log (with credentials, which are always redacted). */
  redactKeys?: readonly string[];
  /** Largest WebSocket message taken, in bytes (agents' results can be large). Default 1 MiB. */
  websocketMaxPayload?: number;
}

export const API_PREFIX = '/api/v1';

/**
 * Validation with the TypeBox compiler. Bodies are checked as sent (a string is never taken for a number);
 * query strings, path parameters and headers get their defaults and are converted from text first.
 */
const validatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const check = Compile(schema);
  return (value: unknown) => {
    const input =
      httpPart === 'body' ? value : Value.Convert(schema, Value.Default(schema, Value.Clone(value)));
    if (check.Check(input)) return { value: input };
    const error = Object.assign(new Error('validation failed'), {
      validation: [...check.Errors(input)],
      validationContext: httpPart,
    });
    return { error };
  };
};

/** Fastify's logger option with every logged object passed through the redactor. */
function redactingLogger(
  logger: FastifyServerOptions['logger'],
  keys: readonly string[],
): FastifyServerOptions['logger'] {
  if (!logger) return false;
  const redact = createRedactor(keys);
  const base = logger === true ? {} : (logger as Record<string, unknown>);
  return {
    ...base,
    formatters: { log: (obj: Record<string, unknown>) => redact(obj) as Record<string, unknown> },
    serializers: {
      // the URL may carry ?access_token=; headers are never logged
      req: (req: { method: string; url: string; ip?: string }) =>
        redact({ method: req.method, url: req.url, ip: req.ip }),
    },
  } as FastifyServerOptions['logger'];
}

export async function createServer(options: ServerOptions) {
  const sensitiveKeys = [...(options.redactKeys ?? [])];
  const app = Fastify({
    logger: redactingLogger(options.logger ?? false, sensitiveKeys),
    bodyLimit: options.bodyLimit ?? 4 * 1024 * 1024,
    // A thing id may be 256 characters, percent-encoded up to 12 bytes each; longer segments answer 414.
    routerOptions: { maxParamLength: MAX_PATH_PARAM_LENGTH },
    // The router's own refusals (a segment too long, a malformed URL) in the same problem+json shape.
    frameworkErrors: (error, _request, reply) => sendProblem(reply, frameworkError(error)),
  });
  const events =
    options.events ?? new EventBus((error) => app.log.error({ err: error }, 'event listener failed'));
  const metrics = options.metrics ?? createLiveMetrics();
  const store = options.sensitive ? protectStore(options.store, options.sensitive) : options.store;
  const guard = options.auth instanceof ServerGuard ? options.auth : new ServerGuard(options.auth ?? {});
  app.decorate('ars', { store, events, metrics } satisfies LiveContext);
  app.decorate('arsGuard', guard);
  app.setValidatorCompiler(validatorCompiler);
  installErrorHandling(app, (request, error) =>
    guard.record({
      actor: request.principal?.subject ?? 'anonymous',
      tenant: request.principal?.tenant,
      action: 'permission.denied',
      resource: `http:${request.method} ${request.url.split('?')[0]}`,
      outcome: 'denied',
      source: sourceOf(request),
      detail: { code: error.code },
    }),
  );
  const headers = securityHeaders();
  app.addHook('onSend', async (_request, reply, payload) => {
    for (const [name, value] of Object.entries(headers))
      if (!reply.hasHeader(name)) reply.header(name, value);
    return payload;
  });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    ['application/json', 'application/merge-patch+json'],
    { parseAs: 'string' },
    parseJsonBody,
  );
  // Before any body parser: a Content-Type with a tab, leading or trailing space or an empty parameter is
  // the shape of Fastify's published validation bypasses (docs/security.md), refused outright.
  app.addHook('onRequest', async (request) => {
    try {
      strictContentType(request.headers['content-type']);
    } catch {
      throw new HttpError('ARS_E_MEDIA_TYPE', 'malformed Content-Type header', {
        in: 'headers',
        pointer: '/content-type',
      });
    }
  });
  app.addHook('preValidation', async (request) => {
    if (request.body === undefined) return;
    const expected = request.routeOptions.config.contentType ?? 'application/json';
    const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== expected) {
      throw new HttpError('ARS_E_MEDIA_TYPE', `send ${expected}, not ${type}`, {
        in: 'headers',
        pointer: '/content-type',
      });
    }
  });

  // U+0000 in a path or query parameter: refused here for every store alike (PostgreSQL text cannot hold it).
  app.addHook('preValidation', async (request) => {
    for (const [part, value] of [
      ['query', request.query],
      ['params', request.params],
    ] as const) {
      const at = nulPointer(value);
      if (at !== undefined) {
        throw new HttpError('ARS_E_INPUT_VALIDATION', `${part} ${at}: may not contain U+0000`, {
          in: part,
          pointer: at,
        });
      }
    }
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'ARS live service',
        version: options.version ?? '0.1.0',
        description:
          'Twin registry, telemetry ingest, requests and decisions of `ars serve`. Errors: docs/live-api.md.',
      },
      tags: [
        { name: 'things', description: 'the twin registry (Eclipse Ditto shaped)' },
        { name: 'telemetry', description: 'raw samples from devices' },
        { name: 'decisions', description: 'the scheduler decision trace' },
        { name: 'events', description: 'WebSocket and SSE stream of changes' },
        { name: 'service', description: 'health, readiness, metrics' },
      ],
    },
  });
  await app.register(websocket, { options: { maxPayload: options.websocketMaxPayload ?? 1024 * 1024 } });
  // after the WebSocket plugin's own onRequest hook, so that a refused upgrade's socket is destroyed with it
  installAuthentication(app, guard, API_PREFIX);

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/healthz', { schema: { tags: ['service'], summary: 'The process is up' } }, async () => ({
    status: 'ok',
  }));
  app.get(
    '/readyz',
    { schema: { tags: ['service'], summary: 'The service can take work' } },
    async (_request, reply) => {
      const checks: Record<string, string> = {};
      try {
        await options.store.ping();
        checks.store = 'ok';
      } catch (e) {
        checks.store = e instanceof Error ? e.message : 'failed';
      }
      let ready = checks.store === 'ok';
      if (options.ready) {
        const extra = await Promise.resolve()
          .then(options.ready)
          .catch(() => false);
        checks.runtime = extra ? 'ok' : 'not ready';
        ready &&= extra;
      }
      if (!ready) {
        throw new HttpError('ARS_E_NOT_READY', 'not ready', { status: 503, extra: { checks } });
      }
      return reply.send({ status: 'ready', checks });
    },
  );
  app.get(
    '/metrics',
    { schema: { tags: ['service'], summary: 'Prometheus metrics' } },
    async (request, reply) => {
      const text = await metrics.registry.metrics();
      const p = request.principal;
      return reply
        .type(metrics.registry.contentType)
        .send(isPlatformAdmin(p) ? text : metricsFor(text, p.tenant));
    },
  );

  const sweepMs = options.retentionSweepMs ?? 10 * 60_000;
  if (sweepMs > 0) {
    const sweep = setInterval(() => {
      options.store.pruneSamples().then(
        (r) => r.samples > 0 && app.log.info({ samples: r.samples }, 'samples past retention dropped'),
        (err: unknown) => app.log.error({ err }, 'retention sweep failed'),
      );
    }, sweepMs);
    sweep.unref();
    app.addHook('onClose', async () => clearInterval(sweep));
  }

  await app.register(
    async (api) => {
      await api.register(thingRoutes);
      await api.register(telemetryRoutes);
      await api.register(eventRoutes);
      await api.register(securityRoutes);
      for (const plugin of options.plugins ?? []) await api.register(plugin);
    },
    { prefix: API_PREFIX },
  );
  return app;
}

export type LiveServer = Awaited<ReturnType<typeof createServer>>;
