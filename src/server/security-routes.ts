/**
 * The security model's own routes, under `/api/v1` (so behind the authentication hook):
 *
 *   POST /check-permissions        what the caller may do (Ditto's shape, answered per label)
 *   GET  /policies/{policyId}      a policy document (its tenant's policy managers, platform admins)
 *   GET  /policies/{policyId}/revisions   the stored revisions of a policy (same readers)
 *   PUT  /policies/{policyId}      install or change a policy (refused if it locks every admin out)
 *   PUT  /tenants/{tenant}/policy  make a policy the default of a tenant's things (platform admins)
 *   GET  /audit?from=&limit=       the hash-chained audit log (platform admins)
 *
 * Durability: the auth file is the bootstrap; every change made here is stored (the store's `policies` and
 * `tenant_policies`) before it takes effect, and on start the store's newest revisions override the auth
 * file's documents. A policy's revision is its `ETag` (`"rev:N"`); `If-Match` on PUT answers 412 when the
 * policy moved on (here or on another replica sharing the store).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { checkPermissions, type PermissionQuestion, SecurityError } from '../security/index.js';
import type { JsonObject, Store, WriteCondition } from '../store/index.js';
import { sourceOf } from './auth.js';
import { HttpError } from './errors.js';
import { isPlatformAdmin, type ServerGuard } from './guard.js';
import { Tenant } from './schemas.js';
import { etag, preconditions } from './things.js';

const Question = Type.Object(
  {
    resource: Type.String({ maxLength: 1024, description: 'thing:/…, policy:/… or message:/…' }),
    entityId: Type.Optional(Type.String({ maxLength: 256, description: 'the thing asked about' })),
    hasPermissions: Type.Array(Type.String({ maxLength: 16 }), { maxItems: 3 }),
  },
  { additionalProperties: false },
);
const Questions = Type.Record(Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$' }), Question, {
  maxProperties: 100,
});
const PolicyParams = Type.Object({ policyId: Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,128}$' }) });
const TenantParams = Type.Object({ tenant: Tenant });
const AuditQuery = Type.Object(
  {
    from: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, default: 1 }),
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  },
  { additionalProperties: false },
);

/** Installs the store's policies over the auth file's (on start, and after losing a race to another replica). */
export async function restorePolicies(guard: ServerGuard, store: Store, policyId?: string): Promise<void> {
  const revisions =
    policyId === undefined ? await store.listPolicies() : (await store.policyHistory(policyId)).slice(-1);
  for (const r of revisions) {
    try {
      guard.restorePolicy(r);
    } catch (e) {
      // refusing to start beats falling back to an older, perhaps looser, document
      throw new Error(
        `stored policy ${r.policyId} revision ${r.revision} is not valid: ${(e as Error).message}`,
      );
    }
  }
  if (policyId === undefined)
    for (const t of await store.listTenantPolicies()) guard.setTenantPolicy(t.tenant, t.policyId);
}

/** 412 when `If-Match` / `If-None-Match` does not hold for a policy at `revision` (undefined: absent). */
function checkPolicyCondition(c: WriteCondition, policyId: string, revision: number | undefined): void {
  const stale =
    (c.expectedRevision !== undefined && c.expectedRevision !== revision) ||
    (c.mustExist === true && revision === undefined) ||
    (c.mustNotExist === true && revision !== undefined);
  if (stale) throw staleRevision(policyId, revision, c.mustNotExist ? '/if-none-match' : '/if-match');
}

const staleRevision = (policyId: string, revision: number | undefined, pointer = '/if-match') =>
  new HttpError(
    'ARS_E_PRECONDITION_FAILED',
    revision === undefined
      ? `no policy ${policyId} to match If-Match`
      : `policy ${policyId} is at revision ${revision}, not the one in the precondition`,
    { in: 'headers', pointer, ...(revision !== undefined ? { extra: { revision } } : {}) },
  );

export const securityRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const guard = app.arsGuard;
  const { store } = app.ars;
  await restorePolicies(guard, store);
  // one change of a policy at a time in this process (the store arbitrates between replicas)
  const queues = new Map<string, Promise<unknown>>();
  const oneAtATime = <T>(id: string, work: () => Promise<T>): Promise<T> => {
    const next = (queues.get(id) ?? Promise.resolve()).then(work, work);
    const tail = next.catch(() => {});
    queues.set(id, tail);
    void tail.then(() => {
      if (queues.get(id) === tail) queues.delete(id);
    });
    return next;
  };

  app.post(
    '/check-permissions',
    { schema: { tags: ['security'], summary: 'What may the caller do?', body: Questions } },
    async (request) => {
      const p = request.principal;
      const out: Record<string, boolean> = {};
      for (const [label, q] of Object.entries(request.body)) {
        const question: PermissionQuestion = {
          resource: q.resource,
          hasPermissions: q.hasPermissions as PermissionQuestion['hasPermissions'],
        };
        let view: ReturnType<typeof guard.view> | undefined;
        if (q.entityId !== undefined) {
          const thing = await store.getThing(q.entityId);
          // an absent and a foreign thing answer the same: false
          view = thing && guard.visible(p, thing.tenant) ? guard.view(p, thing) : undefined;
        } else view = guard.tenantView(p, p.tenant ?? 'default');
        const answer = view ? checkPermissions(view, { [label]: question }) : undefined;
        if (!view) checkPermissionsShape(label, question);
        out[label] = answer?.[label] ?? false;
      }
      return out;
    },
  );

  app.get(
    '/policies/:policyId',
    { schema: { tags: ['security'], summary: 'Read a policy', params: PolicyParams } },
    async (request, reply) => {
      const doc = guard.readPolicy(request.principal, request.params.policyId);
      reply.header('etag', etag(doc.version));
      return doc;
    },
  );

  app.get(
    '/policies/:policyId/revisions',
    { schema: { tags: ['security'], summary: 'The stored revisions of a policy', params: PolicyParams } },
    async (request) => {
      const { policyId } = request.params;
      const current = guard.readPolicy(request.principal, policyId); // 404 / 403 as for the policy
      const items = (await store.policyHistory(policyId)).map((r) => ({
        revision: r.revision,
        changedAt: new Date(r.changedAt).toISOString(),
        changedBy: r.changedBy,
        entries: r.doc.entries ?? {},
      }));
      // revision 1 of a policy from the auth file is that file's document, never copied to the store
      return { policyId, revision: current.version, items };
    },
  );

  app.put(
    '/policies/:policyId',
    {
      schema: {
        tags: ['security'],
        summary: 'Create or change a policy',
        params: PolicyParams,
        body: Type.Object({}, { additionalProperties: true }),
      },
    },
    async (request, reply) => {
      const p = request.principal;
      const { policyId } = request.params;
      const condition = preconditions(request);
      return oneAtATime(policyId, async () => {
        // authorized and validated first (a foreign policy answers 404 whatever the precondition says)
        const planned = guard.putPolicy(p, policyId, request.body, { dryRun: true });
        checkPolicyCondition(condition, policyId, guard.policies.get(policyId)?.version);
        const stored = await store.appendPolicyRevision({
          policyId,
          revision: planned.version,
          ...(planned.tenant !== undefined ? { tenant: planned.tenant } : {}),
          doc: request.body as JsonObject,
          changedAt: guard.now(),
          changedBy: p.subject,
        });
        if (!stored.ok) {
          // another replica changed it first: take its revision, and let the client decide again
          await restorePolicies(guard, store, policyId);
          throw staleRevision(policyId, guard.policies.get(policyId)?.version);
        }
        const r = guard.putPolicy(p, policyId, request.body);
        guard.record({
          actor: p.subject,
          tenant: r.tenant,
          action: 'policy.update',
          resource: `policy:${policyId}`,
          outcome: 'allowed',
          source: sourceOf(request),
          detail: { version: r.version },
        });
        reply.header('etag', etag(r.version));
        return { policyId, version: r.version, ...(r.tenant !== undefined ? { tenant: r.tenant } : {}) };
      });
    },
  );

  app.put(
    '/tenants/:tenant/policy',
    {
      schema: {
        tags: ['security'],
        summary: 'Set the default policy of a tenant’s things',
        params: TenantParams,
        body: Type.Object({ policyId: Type.String({ maxLength: 128 }) }, { additionalProperties: false }),
      },
    },
    async (request) => {
      const p = request.principal;
      if (!isPlatformAdmin(p)) throw new SecurityError('ARS_E_FORBIDDEN', 'platform administrators only');
      const { tenant } = request.params;
      const owner = guard.policyTenant(request.body.policyId);
      if (!guard.policies.get(request.body.policyId) || (owner !== undefined && owner !== tenant))
        throw new SecurityError('ARS_E_NOT_FOUND', `policy ${request.body.policyId} not found`);
      await store.putTenantPolicy({
        tenant,
        policyId: request.body.policyId,
        changedAt: guard.now(),
        changedBy: p.subject,
      });
      guard.setTenantPolicy(tenant, request.body.policyId);
      guard.record({
        actor: p.subject,
        tenant,
        action: 'policy.assign',
        resource: `tenant:${tenant}`,
        outcome: 'allowed',
        source: sourceOf(request),
        detail: { policyId: request.body.policyId },
      });
      return { tenant, policyId: request.body.policyId };
    },
  );

  app.get(
    '/audit',
    { schema: { tags: ['security'], summary: 'The audit log (administrators)', querystring: AuditQuery } },
    async (request) => {
      if (!isPlatformAdmin(request.principal))
        throw new SecurityError('ARS_E_FORBIDDEN', 'the audit log is for platform administrators');
      if (!guard.audit) return { enabled: false, items: [] };
      const items = guard.audit.page(request.query.from, request.query.limit);
      const last = items[items.length - 1];
      return {
        enabled: true,
        items,
        ...(items.length === request.query.limit && last ? { next: last.seq + 1 } : {}),
      };
    },
  );
};

/** Validates a question that is answered false without a view (absent thing), so bad input still fails. */
function checkPermissionsShape(label: string, q: PermissionQuestion): void {
  const none = {
    has: () => false,
  } as unknown as Parameters<typeof checkPermissions>[0];
  checkPermissions(none, { [label]: q });
}
