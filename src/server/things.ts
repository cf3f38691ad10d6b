/**
 * The twin registry over HTTP, shaped like Eclipse Ditto's things API:
 *
 *   GET    /api/v1/things?filter=&tenant=&limit=&cursor=     list, RQL filter, keyset paging
 *   POST   /api/v1/things                                    create (409 when the id is taken)
 *   GET    /api/v1/things/{thingId}                          read (ETag; If-None-Match → 304)
 *   PUT    /api/v1/things/{thingId}                          create or replace (If-Match, If-None-Match: *)
 *   PATCH  /api/v1/things/{thingId}                          JSON Merge Patch (application/merge-patch+json)
 *   DELETE /api/v1/things/{thingId}                          delete (If-Match)
 *   GET    /api/v1/things/{thingId}/samples                  raw telemetry history
 *
 * The ETag is `"rev:N"` (N the thing's revision). A stale If-Match answers 412 with the current revision.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Compile } from 'typebox/compile';
import { InvalidCursorError } from '../store/cursor.js';
import { parseRql, RqlSyntaxError } from '../store/rql.js';
import type {
  Feature,
  JsonObject,
  Thing,
  ThingFilter,
  ThingInput,
  ThingWrite,
  WriteCondition,
} from '../store/store.js';
import { HttpError, schemaIssues } from './errors.js';
import { mergePatch } from './merge-patch.js';
import {
  ListQuery,
  NewThingBody,
  SamplesQuery,
  ThingBody,
  ThingIdParams,
  ThingPatch,
  toMillis,
} from './schemas.js';

export const DEFAULT_TENANT = 'default';

const iso = (ms: number) => new Date(ms).toISOString();

/** The JSON a client sees for a thing. */
export function thingView(t: Thing) {
  return {
    thingId: t.thingId,
    tenant: t.tenant,
    ...(t.policyId !== undefined ? { policyId: t.policyId } : {}),
    attributes: t.attributes,
    features: t.features,
    revision: t.revision,
    created: iso(t.createdAt),
    modified: iso(t.modifiedAt),
    sourceTime: t.sourceTime === null ? null : iso(t.sourceTime),
  };
}

export const etag = (revision: number) => `"rev:${revision}"`;

/** The write condition from `If-Match` and `If-None-Match` (RFC 9110). */
export function preconditions(request: FastifyRequest): WriteCondition {
  const condition: WriteCondition = {};
  const ifMatch = request.headers['if-match'];
  if (ifMatch !== undefined) {
    const value = ifMatch.trim();
    if (value === '*') condition.mustExist = true;
    else {
      const m = /^(?:W\/)?"rev:(\d{1,15})"$/.exec(value);
      if (!m) {
        throw new HttpError('ARS_E_INPUT_HEADER', 'If-Match must be * or an ETag such as "rev:3"', {
          in: 'headers',
          pointer: '/if-match',
        });
      }
      condition.expectedRevision = Number(m[1]);
    }
  }
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifNoneMatch !== undefined && request.method !== 'GET' && request.method !== 'HEAD') {
    if (ifNoneMatch.trim() !== '*') {
      throw new HttpError('ARS_E_INPUT_HEADER', 'If-None-Match on a write must be *', {
        in: 'headers',
        pointer: '/if-none-match',
      });
    }
    condition.mustNotExist = true;
  }
  return condition;
}

function notFound(thingId: string): HttpError {
  return new HttpError('ARS_E_THING_NOT_FOUND', `no thing ${thingId}`, { in: 'params', pointer: '/thingId' });
}

/** A refused write as the HTTP error it means. `conditional`: the refusal came from a client precondition. */
function refused(write: Exclude<ThingWrite, { ok: true }>, thingId: string, conditional: boolean): HttpError {
  if (write.reason === 'not-found') {
    return conditional
      ? new HttpError('ARS_E_PRECONDITION_FAILED', `no thing ${thingId} to match If-Match`, {
          in: 'headers',
          pointer: '/if-match',
        })
      : notFound(thingId);
  }
  if (write.reason === 'exists' && !conditional) {
    return new HttpError('ARS_E_THING_EXISTS', `thing ${thingId} already exists`, {
      in: 'body',
      pointer: '/thingId',
    });
  }
  const header = write.reason === 'exists' ? '/if-none-match' : '/if-match';
  return new HttpError(
    'ARS_E_PRECONDITION_FAILED',
    write.reason === 'exists'
      ? `thing ${thingId} already exists (If-None-Match: *)`
      : `thing ${thingId} is at revision ${write.current.revision}, not the one in If-Match`,
    { in: 'headers', pointer: header, extra: { revision: write.current.revision } },
  );
}

const thingBodyCheck = Compile(ThingBody);

/** A client document as the store's input: defaults filled in. */
function toInput(thingId: string, body: ThingBody, tenant: string): ThingInput {
  const input: ThingInput = {
    thingId,
    tenant,
    attributes: (body.attributes ?? {}) as JsonObject,
    features: (body.features ?? {}) as Record<string, Feature>,
  };
  if (body.policyId !== undefined) input.policyId = body.policyId;
  return input;
}

function checkTenant(current: Thing | undefined, requested: string | undefined): string {
  if (current && requested !== undefined && requested !== current.tenant) {
    throw new HttpError(
      'ARS_E_TENANT_MISMATCH',
      `thing ${current.thingId} belongs to tenant ${current.tenant}`,
      {
        status: 409,
        in: 'body',
        pointer: '/tenant',
      },
    );
  }
  return current?.tenant ?? requested ?? DEFAULT_TENANT;
}

function sendThing(reply: FastifyReply, thing: Thing, status = 200) {
  return reply.code(status).header('etag', etag(thing.revision)).send(thingView(thing));
}

export const thingRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { store, events } = app.ars;
  const announce = (thing: Thing, action: 'created' | 'modified' | 'deleted') =>
    events.emit({
      type: 'twin',
      action,
      thingId: thing.thingId,
      tenant: thing.tenant,
      revision: thing.revision,
      time: Date.now(),
    });

  app.get(
    '/things',
    { schema: { tags: ['things'], summary: 'List things', querystring: ListQuery } },
    async (request) => {
      const { filter, tenant, limit, cursor } = request.query;
      let parsed: ThingFilter | undefined;
      if (filter !== undefined) {
        try {
          parsed = parseRql(filter);
        } catch (e) {
          if (!(e instanceof RqlSyntaxError)) throw e;
          throw new HttpError('ARS_E_INPUT_FILTER', e.message, {
            in: 'query',
            pointer: '/filter',
            extra: { column: e.column },
          });
        }
      }
      try {
        const page = await store.listThings({
          limit,
          ...(tenant !== undefined ? { tenant } : {}),
          ...(parsed ? { filter: parsed } : {}),
          ...(cursor !== undefined ? { after: cursor } : {}),
        });
        return { items: page.items.map(thingView), ...(page.next ? { next: page.next } : {}) };
      } catch (e) {
        if (e instanceof InvalidCursorError)
          throw new HttpError('ARS_E_INPUT_CURSOR', e.message, { in: 'query', pointer: '/cursor' });
        throw e;
      }
    },
  );

  app.post(
    '/things',
    { schema: { tags: ['things'], summary: 'Create a thing', body: NewThingBody } },
    async (request, reply) => {
      const body = request.body;
      const write = await store.putThing(toInput(body.thingId, body, body.tenant ?? DEFAULT_TENANT), {
        mustNotExist: true,
      });
      if (!write.ok) throw refused(write, body.thingId, false);
      announce(write.thing, 'created');
      reply.header('location', `/api/v1/things/${encodeURIComponent(body.thingId)}`);
      return sendThing(reply, write.thing, 201);
    },
  );

  app.get(
    '/things/:thingId',
    { schema: { tags: ['things'], summary: 'Read a thing', params: ThingIdParams } },
    async (request, reply) => {
      const thing = await store.getThing(request.params.thingId);
      if (!thing) throw notFound(request.params.thingId);
      const tags = (request.headers['if-none-match'] ?? '')
        .split(',')
        .map((t) => t.trim().replace(/^W\//, ''));
      if (tags.includes(etag(thing.revision)) || tags.includes('*')) {
        return reply.code(304).header('etag', etag(thing.revision)).send();
      }
      return sendThing(reply, thing);
    },
  );

  app.put(
    '/things/:thingId',
    {
      schema: {
        tags: ['things'],
        summary: 'Create or replace a thing',
        params: ThingIdParams,
        body: ThingBody,
      },
    },
    async (request, reply) => {
      const { thingId } = request.params;
      const body = request.body;
      if (body.thingId !== undefined && body.thingId !== thingId) {
        throw new HttpError(
          'ARS_E_INPUT_ID_MISMATCH',
          `body thingId ${body.thingId} differs from the path ${thingId}`,
          {
            in: 'body',
            pointer: '/thingId',
          },
        );
      }
      const condition = preconditions(request);
      const tenant = checkTenant(await store.getThing(thingId), body.tenant);
      const write = await store.putThing(toInput(thingId, body, tenant), condition);
      if (!write.ok) throw refused(write, thingId, true);
      announce(write.thing, write.created ? 'created' : 'modified');
      if (write.created) reply.header('location', `/api/v1/things/${encodeURIComponent(thingId)}`);
      return sendThing(reply, write.thing, write.created ? 201 : 200);
    },
  );

  app.patch(
    '/things/:thingId',
    {
      schema: {
        tags: ['things'],
        summary: 'Merge-patch a thing (RFC 7396)',
        params: ThingIdParams,
        body: ThingPatch,
      },
      config: { contentType: 'application/merge-patch+json' },
    },
    async (request, reply) => {
      const { thingId } = request.params;
      const condition = preconditions(request);
      const write = await store.updateThing(
        thingId,
        (current) => {
          const { revision: _r, createdAt: _c, modifiedAt: _m, sourceTime: _s, ...doc } = current;
          const patched = mergePatch(doc, request.body) as ThingBody;
          if (!thingBodyCheck.Check(patched)) {
            const errors = schemaIssues([...thingBodyCheck.Errors(patched)], 'body');
            throw new HttpError(
              'ARS_E_INPUT_VALIDATION',
              `the patched thing ${errors[0]?.pointer ?? ''} ${errors[0]?.detail ?? 'is invalid'}`,
              {
                in: 'body',
                pointer: errors[0]?.pointer ?? '',
                errors,
              },
            );
          }
          if (patched.thingId !== thingId) {
            throw new HttpError('ARS_E_INPUT_ID_MISMATCH', 'a patch cannot change thingId', {
              in: 'body',
              pointer: '/thingId',
            });
          }
          return toInput(thingId, patched, checkTenant(current, patched.tenant));
        },
        condition,
      );
      if (!write.ok) throw refused(write, thingId, write.reason !== 'not-found');
      announce(write.thing, 'modified');
      return sendThing(reply, write.thing);
    },
  );

  app.delete(
    '/things/:thingId',
    { schema: { tags: ['things'], summary: 'Delete a thing', params: ThingIdParams } },
    async (request, reply) => {
      const { thingId } = request.params;
      const write = await store.deleteThing(thingId, preconditions(request));
      if (!write.ok) throw refused(write, thingId, write.reason !== 'not-found');
      announce(write.thing, 'deleted');
      return reply.code(204).send();
    },
  );

  app.get(
    '/things/:thingId/samples',
    {
      schema: {
        tags: ['things'],
        summary: 'Raw telemetry of a thing',
        params: ThingIdParams,
        querystring: SamplesQuery,
      },
    },
    async (request) => {
      const { thingId } = request.params;
      if (!(await store.getThing(thingId))) throw notFound(thingId);
      const q = request.query;
      const samples = await store.listSamples({
        thingId,
        limit: q.limit,
        newestFirst: q.order === 'desc',
        ...(q.since !== undefined ? { since: toMillis(q.since) } : {}),
        ...(q.until !== undefined ? { until: toMillis(q.until) } : {}),
        ...(q.feature !== undefined ? { feature: q.feature } : {}),
      });
      return {
        items: samples.map((s) => ({
          seq: s.seq,
          thingId: s.thingId,
          time: iso(s.time),
          received: iso(s.receivedAt),
          features: s.features,
        })),
      };
    },
  );
};
