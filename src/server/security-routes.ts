/**
 * The security model's own routes, under `/api/v1` (so behind the authentication hook):
 *
 *   POST /check-permissions        what the caller may do (Ditto's shape, answered per label)
 *   GET  /policies/{policyId}      a policy document (its tenant's policy managers, platform admins)
 *   PUT  /policies/{policyId}      install or change a policy (refused if it locks every admin out)
 *   PUT  /tenants/{tenant}/policy  make a policy the default of a tenant's things (platform admins)
 *   GET  /audit?from=&limit=       the hash-chained audit log (platform admins)
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { checkPermissions, type PermissionQuestion, SecurityError } from '../security/index.js';
import { sourceOf } from './auth.js';
import { isPlatformAdmin } from './guard.js';
import { Tenant } from './schemas.js';

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
    from: Type.Integer({ minimum: 1, default: 1 }),
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  },
  { additionalProperties: false },
);

export const securityRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const guard = app.arsGuard;
  const { store } = app.ars;

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
    async (request) => guard.readPolicy(request.principal, request.params.policyId),
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
    async (request) => {
      const p = request.principal;
      const { policyId } = request.params;
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
      return { policyId, version: r.version, ...(r.tenant !== undefined ? { tenant: r.tenant } : {}) };
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
