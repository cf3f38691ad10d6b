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
import { assertMergePatch, type PermissionView, type Principal, SecurityError } from '../security/index.js';
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
import { sourceOf } from './auth.js';
import { HttpError, schemaIssues } from './errors.js';
import type { ServerGuard } from './guard.js';
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

/**
 * The readable part of a thing for one principal, or undefined when nothing of it is readable (the caller
 * answers 404 then, as for an absent thing). Unreadable attributes and features are left out.
 */
export function readableThing(view: PermissionView, t: Thing) {
  const part = view.filter({ attributes: t.attributes, features: t.features }) as
    | { attributes?: JsonObject; features?: Record<string, Feature> }
    | undefined;
  if (part === undefined && !view.has('thing:/', 'READ')) return undefined;
  return { ...thingView(t), attributes: part?.attributes ?? {}, features: part?.features ?? {} };
}

/** The slash paths a store filter reads (what search must be allowed to read: no oracle). */
export function filterPaths(f: ThingFilter, out: string[] = []): string[] {
  if (f.op === 'and' || f.op === 'or') for (const g of f.filters) filterPaths(g, out);
  else if (f.op === 'not') filterPaths(f.filter, out);
  else if ('path' in f) out.push(f.path);
  return out;
}

const pathOf = (field: string) => field.split('/').filter((s) => s !== '');

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
  const view = reply.server.arsGuard.view(reply.request.principal, thing);
  return reply
    .code(status)
    .header('etag', etag(thing.revision))
    .send(readableThing(view, thing) ?? { thingId: thing.thingId, revision: thing.revision });
}

/** The thing when the principal's tenant owns it; otherwise the same 404 as an absent thing (audited). */
export function ownedThing(
  guard: ServerGuard,
  request: FastifyRequest,
  thing: Thing | undefined,
  thingId: string,
): Thing {
  if (thing && guard.visible(request.principal, thing.tenant)) return thing;
  if (thing) {
    guard.record({
      actor: request.principal.subject,
      tenant: request.principal.tenant,
      action: 'permission.denied',
      resource: `thing:${thingId}`,
      outcome: 'denied',
      source: sourceOf(request),
      detail: { reason: 'another tenant' },
    });
  }
  throw notFound(thingId);
}

/** WRITE on the whole thing (replace, delete), else 403 naming nothing of the document. */
function assertWholeWrite(view: PermissionView, thingId: string): void {
  if (!view.hasOnSubtree('thing', [], 'WRITE'))
    throw new SecurityError('ARS_E_FORBIDDEN', `not allowed to write all of thing ${thingId}`, { thingId });
}

/** Creating: WRITE on the thing and on every field the new document sets. */
function assertCreate(view: PermissionView, input: ThingInput): void {
  if (!view.has('thing:/', 'WRITE'))
    throw new SecurityError('ARS_E_FORBIDDEN', `not allowed to create thing ${input.thingId}`, {
      thingId: input.thingId,
    });
  assertMergePatch(view, {
    attributes: input.attributes,
    features: input.features,
    ...(input.policyId !== undefined ? { policyId: input.policyId } : {}),
  });
}

export const thingRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { store, events } = app.ars;
  const guard = app.arsGuard;
  const audited = (request: FastifyRequest, action: string, thing: Thing) =>
    guard.record({
      actor: request.principal.subject,
      tenant: thing.tenant,
      action,
      resource: `thing:${thing.thingId}`,
      outcome: 'allowed',
      source: sourceOf(request),
      detail: { revision: thing.revision },
    });
  const quota = async (tenant: string) => {
    if (guard.limiter) guard.limiter.thingCount(tenant, await store.countThings(tenant));
  };
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
      const p: Principal = request.principal;
      // a tenant's subject searches its own tenant only; naming another finds nothing (no probing)
      if (p.tenant !== undefined && tenant !== undefined && tenant !== p.tenant) return { items: [] };
      const scope = p.tenant ?? tenant;
      const fields = parsed ? [...new Set(filterPaths(parsed))] : [];
      if (fields.length > 0) {
        const view = scope !== undefined ? guard.tenantView(p, scope) : guard.tenantView(p, DEFAULT_TENANT);
        const hidden = fields.filter((f) => !view.hasOnSubtree('thing', pathOf(f), 'READ'));
        if (hidden.length > 0) {
          throw new SecurityError(
            'ARS_E_FORBIDDEN',
            `search on fields you may not read: ${hidden.join(', ')}`,
            {
              fields: hidden,
            },
          );
        }
      }
      try {
        const page = await store.listThings({
          limit,
          ...(scope !== undefined ? { tenant: scope } : {}),
          ...(parsed ? { filter: parsed } : {}),
          ...(cursor !== undefined ? { after: cursor } : {}),
        });
        const items = [];
        for (const t of page.items) {
          const view = guard.view(p, t);
          // a thing under a stricter policy of its own must not match on a field hidden there either
          if (!fields.every((f) => view.hasOnSubtree('thing', pathOf(f), 'READ'))) continue;
          const shown = readableThing(view, t);
          if (shown) items.push(shown);
        }
        return { items, ...(page.next ? { next: page.next } : {}) };
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
      const tenant = guard.tenantForWrite(request.principal, body.tenant, DEFAULT_TENANT);
      const input = toInput(body.thingId, body, tenant);
      guard.assertPolicyChange(request.principal, { tenant }, input);
      assertCreate(guard.view(request.principal, input), input);
      await quota(tenant);
      const write = await store.putThing(input, { mustNotExist: true });
      if (!write.ok) {
        // another tenant's thing of that id is "not found" to us, never "exists"
        if (write.reason === 'exists' && !guard.visible(request.principal, write.current.tenant))
          throw new HttpError('ARS_E_TENANT_MISMATCH', `thing id ${body.thingId} cannot be used`, {
            status: 409,
            in: 'body',
            pointer: '/thingId',
          });
        throw refused(write, body.thingId, false);
      }
      audited(request, 'thing.create', write.thing);
      announce(write.thing, 'created');
      reply.header('location', `/api/v1/things/${encodeURIComponent(body.thingId)}`);
      return sendThing(reply, write.thing, 201);
    },
  );

  app.get(
    '/things/:thingId',
    { schema: { tags: ['things'], summary: 'Read a thing', params: ThingIdParams } },
    async (request, reply) => {
      const thing = ownedThing(
        guard,
        request,
        await store.getThing(request.params.thingId),
        request.params.thingId,
      );
      if (readableThing(guard.view(request.principal, thing), thing) === undefined)
        throw notFound(request.params.thingId);
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
      const p = request.principal;
      const existing = await store.getThing(thingId);
      if (existing && !guard.visible(p, existing.tenant)) {
        // the id is another tenant's: answer as if it were free but unusable, never reveal the owner
        ownedThing(guard, request, existing, thingId);
      }
      const tenant = existing
        ? checkTenant(existing, body.tenant)
        : guard.tenantForWrite(p, body.tenant, DEFAULT_TENANT);
      const input = toInput(thingId, body, tenant);
      guard.assertPolicyChange(p, existing ?? { tenant }, input);
      if (existing) {
        assertWholeWrite(guard.view(p, existing), thingId);
        // moving the thing under another policy needs WRITE on the whole thing under that one too
        if (input.policyId !== existing.policyId) assertWholeWrite(guard.view(p, input), thingId);
      } else {
        assertCreate(guard.view(p, input), input);
        await quota(tenant);
      }
      const write = await store.putThing(input, condition);
      if (!write.ok) throw refused(write, thingId, true);
      audited(request, write.created ? 'thing.create' : 'thing.replace', write.thing);
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
          ownedThing(guard, request, current, thingId);
          const view = guard.view(request.principal, current);
          assertMergePatch(view, request.body);
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
          const next = toInput(thingId, patched, checkTenant(current, patched.tenant));
          guard.assertPolicyChange(request.principal, current, next);
          return next;
        },
        condition,
      );
      if (!write.ok) throw refused(write, thingId, write.reason !== 'not-found');
      audited(request, 'thing.patch', write.thing);
      announce(write.thing, 'modified');
      return sendThing(reply, write.thing);
    },
  );

  app.delete(
    '/things/:thingId',
    { schema: { tags: ['things'], summary: 'Delete a thing', params: ThingIdParams } },
    async (request, reply) => {
      const { thingId } = request.params;
      const condition = preconditions(request);
      const current = ownedThing(guard, request, await store.getThing(thingId), thingId);
      assertWholeWrite(guard.view(request.principal, current), thingId);
      const write = await store.deleteThing(thingId, condition);
      if (!write.ok) throw refused(write, thingId, write.reason !== 'not-found');
      audited(request, 'thing.delete', write.thing);
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
      const thing = ownedThing(guard, request, await store.getThing(thingId), thingId);
      const view = guard.view(request.principal, thing);
      const q = request.query;
      const samples = await store.listSamples({
        thingId,
        limit: q.limit,
        newestFirst: q.order === 'desc',
        ...(q.since !== undefined ? { since: toMillis(q.since) } : {}),
        ...(q.until !== undefined ? { until: toMillis(q.until) } : {}),
        ...(q.feature !== undefined ? { feature: q.feature } : {}),
      });
      const items = [];
      for (const s of samples) {
        const features = readableSample(view, s.features);
        if (features === undefined) continue;
        items.push({
          seq: s.seq,
          thingId: s.thingId,
          time: iso(s.time),
          received: iso(s.receivedAt),
          features,
        });
      }
      return { items };
    },
  );
};

/**
 * The readable values of a sample (`{ feature: { property: value } }`), judged at the thing paths
 * `features/<feature>/properties/<property>`; undefined when none is readable.
 */
export function readableSample(
  view: PermissionView,
  features: Record<string, JsonObject>,
): Record<string, JsonObject> | undefined {
  const shaped: Record<string, { properties: JsonObject }> = {};
  for (const [f, props] of Object.entries(features)) shaped[f] = { properties: props };
  const part = view.filter(shaped, ['features']) as Record<string, { properties?: JsonObject }> | undefined;
  if (part === undefined) return undefined;
  const out: Record<string, JsonObject> = {};
  for (const [f, v] of Object.entries(part)) if (v.properties) out[f] = v.properties;
  return Object.keys(out).length > 0 ? out : undefined;
}
