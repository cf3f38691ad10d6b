// The server's enforcement point without sockets: which policy governs a thing, who may change or read a
// policy, agents acting as their node, and the per-tenant view of /metrics.
import { describe, expect, it } from 'vitest';
import { ApiKeys, type Principal } from '../security/index.js';
import { authorizeAgent, DEFAULT_POLICY_ID, LOCAL_ADMIN, ServerGuard } from './guard.js';
import { metricsFor } from './metrics.js';

const who = (
  subject: string,
  tenant: string | undefined,
  roles: string[],
  kind: Principal['kind'] = 'user',
) => ({ kind, subject, tenant, roles }) as Principal;
const admin = who('oidc:root', undefined, ['admin']);
const icuAdmin = who('oidc:ines', 'icu', ['policy-admin']);
const nurse = who('oidc:nina', 'icu', ['nurse']);
const other = who('oidc:olaf', 'grid', ['user']);

const icuPolicy = {
  entries: {
    admins: {
      subjects: ['role:admin', 'tenant:icu/role:policy-admin'],
      resources: { 'thing:/': { grant: ['READ', 'WRITE'] }, 'policy:/': { grant: ['READ', 'WRITE'] } },
    },
    nurses: {
      subjects: ['tenant:icu/role:nurse'],
      resources: { 'thing:/': { grant: ['READ'] }, 'thing:/attributes/identity': { revoke: ['READ'] } },
    },
  },
};

function guard() {
  const g = new ServerGuard({ auth: { apiKeys: new ApiKeys() } });
  g.putPolicy(admin, 'icu', icuPolicy);
  return g;
}

describe('ServerGuard', () => {
  it('without credential sources it is local dev mode: everyone is the local administrator', async () => {
    const g = new ServerGuard();
    expect(g.devMode).toBe(true);
    expect(await g.authenticate(undefined)).toEqual({ ok: true, principal: LOCAL_ADMIN });
    expect(g.view(LOCAL_ADMIN, { tenant: 'any' }).hasOnSubtree('thing', [], 'WRITE')).toBe(true);
    const secured = new ServerGuard({ auth: { apiKeys: new ApiKeys() } });
    expect(secured.devMode).toBe(false);
    expect(await secured.authenticate(undefined)).toMatchObject({ ok: false, code: 'ARS_E_AUTH_REQUIRED' });
  });

  it('a thing is governed by a policy of its own tenant, else its tenant’s, else the default', () => {
    const g = guard();
    // created by a platform admin, the policy belongs to no tenant until assigned
    expect(g.policyIdFor({ tenant: 'icu' })).toBe(DEFAULT_POLICY_ID);
    g.setTenantPolicy('icu', 'icu');
    expect(g.policyIdFor({ tenant: 'icu' })).toBe('icu');
    // a tenant's subject creates a policy for its tenant
    g.putPolicy(icuAdmin, 'icu-strict', icuPolicy);
    expect(g.policyTenant('icu-strict')).toBe('icu');
    expect(g.policyIdFor({ tenant: 'icu', policyId: 'icu-strict' })).toBe('icu-strict');
    // a platform policy or another tenant's policy does not govern a thing that names it
    expect(g.policyIdFor({ tenant: 'icu', policyId: DEFAULT_POLICY_ID })).toBe('icu');
    expect(g.policyIdFor({ tenant: 'grid', policyId: 'icu-strict' })).toBe(DEFAULT_POLICY_ID);
  });

  it('policy changes: owners and platform admins only; foreign tenants get 404; lock-outs are refused', () => {
    const g = guard();
    g.setTenantPolicy('icu', 'icu');
    g.putPolicy(icuAdmin, 'icu-2', icuPolicy);
    expect(() => g.putPolicy(nurse, 'icu-2', icuPolicy)).toThrow(
      expect.objectContaining({ code: 'ARS_E_FORBIDDEN' }),
    );
    expect(() => g.putPolicy(other, 'icu-2', icuPolicy)).toThrow(
      expect.objectContaining({ code: 'ARS_E_NOT_FOUND' }),
    );
    expect(() => g.readPolicy(other, 'icu-2')).toThrow(expect.objectContaining({ code: 'ARS_E_NOT_FOUND' }));
    expect(() => g.readPolicy(nurse, 'icu-2')).toThrow(expect.objectContaining({ code: 'ARS_E_FORBIDDEN' }));
    expect(g.readPolicy(icuAdmin, 'icu-2')).toMatchObject({ policyId: 'icu-2', tenant: 'icu', version: 1 });
    expect(() => g.putPolicy(icuAdmin, 'icu-2', { entries: { n: icuPolicy.entries.nurses } })).toThrow(
      expect.objectContaining({ code: 'ARS_E_POLICY_INVALID' }),
    );
    expect(g.putPolicy(icuAdmin, 'icu-2', icuPolicy)).toEqual({ version: 2, tenant: 'icu' });
    // naming a policy is a policy change
    expect(() =>
      g.assertPolicyChange(nurse, { tenant: 'icu' }, { tenant: 'icu', policyId: 'icu-2' }),
    ).toThrow(expect.objectContaining({ code: 'ARS_E_FORBIDDEN' }));
    expect(() =>
      g.assertPolicyChange(icuAdmin, { tenant: 'icu' }, { tenant: 'icu', policyId: 'icu-2' }),
    ).not.toThrow();
  });

  it('an agent acts only as its own node', () => {
    const agent = { ...who('node:gw-1', 'icu', ['agent'], 'agent'), nodeId: 'gw-1' };
    expect(authorizeAgent(agent, 'gw-1')).toBe(true);
    expect(authorizeAgent(agent, 'gw-2')).toBe(false);
    expect(authorizeAgent(admin, 'gw-1')).toBe(false);
    expect(authorizeAgent(LOCAL_ADMIN, 'gw-1')).toBe(true);
  });
});

describe('metricsFor', () => {
  const text = [
    '# HELP ars_requests_finished_total Requests by final state',
    '# TYPE ars_requests_finished_total counter',
    'ars_requests_finished_total{tenant="a",state="done"} 1',
    'ars_requests_finished_total{tenant="ab",state="done"} 2',
    'ars_requests_finished_total{state="done",tenant="a"} 3',
    'ars_queue_length 4',
    'ars_node_utilisation_ratio{node="n1",resource="compute"} 0.5',
  ].join('\n');

  it('keeps only samples labelled with the tenant itself', () => {
    const a = metricsFor(text, 'a');
    expect(a).toContain('{tenant="a",state="done"} 1');
    expect(a).toContain('{state="done",tenant="a"} 3');
    expect(a).not.toContain('tenant="ab"');
    expect(a).not.toContain('ars_queue_length 4');
    expect(a).not.toContain('node="n1"');
    expect(a).toContain('# HELP');
    expect(metricsFor(text, undefined)).toBe('');
  });
});
