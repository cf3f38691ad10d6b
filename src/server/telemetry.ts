/**
 * `POST /api/v1/telemetry` (one sample or a batch, stored durably before the answer; with an
 * `Idempotency-Key` header a retry of the same batch is answered as the first time and not stored again) and
 * `GET /api/v1/decisions?subject=&kind=&after=&limit=` (the scheduler's decision trace).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { decisionForTenant, runnerUpTwin } from '../live/decision-view.js';
import type { DecisionRecord, JsonObject, SampleInput, Store } from '../store/store.js';
import { sourceOf } from './auth.js';
import { HttpError } from './errors.js';
import type { EventBus } from './events.js';
import { isPlatformAdmin, type ServerGuard } from './guard.js';
import { batchDigest, ingestSamples } from './ingest.js';
import { authorizeIngest, ingestRefusal } from './ingest-guard.js';
import { DecisionsQuery, type SampleBody, TelemetryBody, TelemetryQuery, toMillis } from './schemas.js';

export function toSample(
  body: Omit<SampleBody, 'thingId'>,
  thingId: string,
  receivedAt: number,
): SampleInput {
  return {
    thingId,
    time: body.time === undefined ? receivedAt : toMillis(body.time),
    features: body.features as Record<string, JsonObject>,
  };
}

/** `Idempotency-Key`: 1 to 255 visible ASCII characters (a UUID, a counter, a hash). */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

function rejectReason(error: unknown): string | undefined {
  const e = error as { validation?: unknown; code?: string };
  if (e.validation) return 'schema';
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return 'too-large';
  if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || e.code === 'ARS_E_MEDIA_TYPE') return 'media-type';
  if (e.code === 'ARS_E_INPUT_JSON') return 'malformed-json';
  return undefined;
}

export const telemetryRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const ctx = app.ars;
  const guard = app.arsGuard;

  app.post(
    '/telemetry',
    {
      schema: {
        tags: ['telemetry'],
        summary: 'Store telemetry samples',
        body: TelemetryBody,
        querystring: TelemetryQuery,
      },
      // Refusals before the handler (body, schema, content type) are counted here; the handler's own by ingest.
      onError: async (_request, _reply, error) => {
        const reason = rejectReason(error);
        if (reason) ctx.metrics.ingestRejects.inc({ transport: 'http', reason });
      },
    },
    async (request, reply) => {
      const receivedAt = Date.now();
      const rawKey = request.headers['idempotency-key'];
      if (rawKey !== undefined && (typeof rawKey !== 'string' || !IDEMPOTENCY_KEY.test(rawKey)))
        throw new HttpError(
          'ARS_E_INPUT_HEADER',
          'Idempotency-Key must be 1 to 255 visible ASCII characters',
          {
            in: 'headers',
            pointer: '/idempotency-key',
          },
        );
      const batch = Array.isArray(request.body) ? request.body : [request.body];
      const samples = batch.map((s) => toSample(s, s.thingId, receivedAt));
      const p = request.principal;
      const verdict = await authorizeIngest(guard, ctx.store, p, samples, ctx.events);
      if (!verdict.ok) {
        ctx.metrics.ingestRejects.inc({ transport: 'http', reason: verdict.reason }, samples.length);
        const thingId = samples[verdict.index]!.thingId;
        if (verdict.reason === 'forbidden') throw ingestRefusal(verdict, thingId);
        throw new HttpError('ARS_E_THING_NOT_FOUND', `no thing ${thingId}; nothing of the batch was stored`, {
          in: 'body',
          pointer: Array.isArray(request.body) ? `/${verdict.index}/thingId` : '/thingId',
        });
      }
      const tenant = p.tenant ?? request.query.tenant;
      const result = await ingestSamples(ctx, samples, {
        transport: 'http',
        receivedAt,
        ...(tenant ? { tenant } : {}),
        // a key is the client's own: scoped by who sends it; the same key for another body is refused
        ...(rawKey !== undefined
          ? {
              key: {
                key: `http:${p.subject}:${rawKey}`,
                digest: batchDigest(JSON.stringify(request.body), tenant ?? ''),
                retry: true,
                reuse: 'refuse' as const,
              },
            }
          : {}),
      });
      if (!result.ok && result.reason === 'key-reused')
        throw new HttpError(
          'ARS_E_IDEMPOTENCY_KEY_REUSED',
          'this Idempotency-Key was used for another batch; nothing was stored',
          { status: 422, in: 'headers', pointer: '/idempotency-key' },
        );
      if (result.ok && result.duplicate) {
        reply.header('idempotent-replayed', 'true');
        return { stored: result.stored, firstSeq: result.firstSeq, duplicate: true };
      }
      if (!result.ok) {
        const where = Array.isArray(request.body) ? `/${result.index}/thingId` : '/thingId';
        const thingId = samples[result.index]!.thingId;
        throw result.reason === 'unknown-thing'
          ? new HttpError('ARS_E_THING_NOT_FOUND', `no thing ${thingId}; nothing of the batch was stored`, {
              in: 'body',
              pointer: where,
            })
          : new HttpError(
              'ARS_E_TENANT_MISMATCH',
              `thing ${thingId} is not of tenant ${tenant}; nothing was stored`,
              {
                in: 'body',
                pointer: where,
              },
            );
      }
      guard.record({
        actor: p.subject,
        tenant: result.tenants[samples[0]!.thingId],
        action: 'telemetry.write',
        resource: `thing:${samples[0]!.thingId}`,
        outcome: 'allowed',
        source: sourceOf(request),
        detail: { samples: result.stored, things: new Set(samples.map((x) => x.thingId)).size },
      });
      return { stored: result.stored, firstSeq: result.firstSeq };
    },
  );

  app.get(
    '/decisions',
    {
      schema: {
        tags: ['decisions'],
        summary: 'The decision trace, oldest first',
        querystring: DecisionsQuery,
      },
    },
    async (request) => {
      const q = request.query;
      const p = request.principal;
      const raw = await ctx.store.listDecisions({
        limit: q.limit,
        ...(q.subject !== undefined ? { subject: q.subject } : {}),
        ...(q.kind !== undefined ? { kind: q.kind } : {}),
        ...(q.after !== undefined ? { afterSeq: q.after } : {}),
      });
      // paging follows the raw page, so a client never misses a visible decision behind hidden ones
      const last = raw[raw.length - 1];
      const items = isPlatformAdmin(p) ? raw : await visibleDecisions(guard, ctx.store, p, raw, ctx.events);
      return {
        items: items.map((d) => ({ ...d, time: new Date(d.time).toISOString() })),
        // the decisions as the scheduler explained them (`ars explain`'s fields), for the live dashboard
        decisions: items.map((d) => d.detail),
        ...(raw.length === q.limit && last ? { next: last.seq } : {}),
      };
    },
  );
};

/**
 * The tenant owning what a decision is about: a twin (`thingId`), a request (`requestId`) or a task
 * (`requestId/taskId`); undefined when it names nothing stored (such a decision is shown to admins only).
 */
export async function decisionTenant(store: Store, subject: string): Promise<string | undefined> {
  const thing = await store.getThing(subject).catch(() => undefined);
  if (thing) return thing.tenant;
  const request = await store.getRequest(subject.split('/')[0]!).catch(() => undefined);
  return request?.tenant;
}

/**
 * Who a decision's subject (or a twin it names) belongs to, each answer kept for the resolver's life. A live
 * twin's decisions name it by its scheduler id (`refresh:` for its refreshes), which the live plugin resolves
 * through the bus's `twinTenant`; any other subject is looked up in the store.
 */
export function decisionOwners(
  store: Store,
  events?: Pick<EventBus, 'twinTenant'>,
): (subject: string) => Promise<string | undefined> {
  const owner = new Map<string, string | undefined>();
  return async (subject) => {
    if (!owner.has(subject))
      owner.set(
        subject,
        events?.twinTenant?.(subject.replace(/^refresh:/, '')) ?? (await decisionTenant(store, subject)),
      );
    return owner.get(subject);
  };
}

/**
 * `decision` (about `subject`) as the principal may read it: undefined unless the subject is of a tenant it
 * sees and may READ `thing:/` of; else cleaned as the live routes clean it (src/live/decision-view.ts:
 * another tenant's runner-up twin and the forecasters' switches go), `decision` itself when nothing goes.
 */
export async function decisionForPrincipal<D extends { kind: string; detail?: unknown }>(
  guard: ServerGuard,
  p: Parameters<ServerGuard['visible']>[0],
  subject: string,
  decision: D,
  ownerOf: (subject: string) => Promise<string | undefined>,
): Promise<D | undefined> {
  const tenant = await ownerOf(subject);
  if (tenant === undefined || !guard.visible(p, tenant)) return undefined;
  if (!guard.tenantView(p, tenant).has('thing:/', 'READ')) return undefined;
  const twin = runnerUpTwin(decision);
  const runnerUpOwner = twin === undefined ? undefined : await ownerOf(twin);
  return decisionForTenant(decision, tenant, () => runnerUpOwner);
}

/** The stored decisions the principal may read, each cleaned by {@link decisionForPrincipal}. */
export async function visibleDecisions(
  guard: ServerGuard,
  store: Store,
  p: Parameters<ServerGuard['visible']>[0],
  decisions: readonly DecisionRecord[],
  events?: Pick<EventBus, 'twinTenant'>,
): Promise<DecisionRecord[]> {
  const ownerOf = decisionOwners(store, events);
  const out: DecisionRecord[] = [];
  for (const d of decisions) {
    // the stored detail is the decision as the scheduler explained it (`kind`, `detail`, …)
    const decision = d.detail as { kind: string; detail?: unknown };
    const shown = await decisionForPrincipal(guard, p, d.subject, decision, ownerOf);
    if (shown !== undefined)
      out.push(shown === decision ? d : { ...d, detail: shown as unknown as JsonObject });
  }
  return out;
}
