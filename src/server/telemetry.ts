/**
 * `POST /api/v1/telemetry` (one sample or a batch, stored durably before the answer) and
 * `GET /api/v1/decisions?subject=&kind=&after=&limit=` (the scheduler's decision trace).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { JsonObject, SampleInput } from '../store/store.js';
import { HttpError } from './errors.js';
import { ingestSamples } from './ingest.js';
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
    async (request) => {
      const receivedAt = Date.now();
      const batch = Array.isArray(request.body) ? request.body : [request.body];
      const samples = batch.map((s) => toSample(s, s.thingId, receivedAt));
      const tenant = request.query.tenant;
      const result = await ingestSamples(ctx, samples, {
        transport: 'http',
        receivedAt,
        ...(tenant ? { tenant } : {}),
      });
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
      const items = await ctx.store.listDecisions({
        limit: q.limit,
        ...(q.subject !== undefined ? { subject: q.subject } : {}),
        ...(q.kind !== undefined ? { kind: q.kind } : {}),
        ...(q.after !== undefined ? { afterSeq: q.after } : {}),
      });
      const last = items[items.length - 1];
      return {
        items: items.map((d) => ({ ...d, time: new Date(d.time).toISOString() })),
        // the decisions as the scheduler explained them (`ars explain`'s fields), for the live dashboard
        decisions: items.map((d) => d.detail),
        ...(items.length === q.limit && last ? { next: last.seq } : {}),
      };
    },
  );
};
