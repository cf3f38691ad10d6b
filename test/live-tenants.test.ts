// The tenant hook of the live routes: when the security layer puts a principal with a tenant on the request,
// submitted requests are that tenant's and only its requests and twins are visible; another tenant's are
// 404 ARS_E_NOT_FOUND. The principal is set here by a test hook standing in for authentication.
import { join } from 'node:path';
import type { FastifyRequest } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { livePlugin } from '../src/live/plugin.js';
import { LiveRuntime } from '../src/live/runtime.js';
import { loadScenario } from '../src/model/index.js';
import type { Principal } from '../src/security/principal.js';
import { createServer } from '../src/server/server.js';
import { openSqliteStore } from '../src/store/index.js';
import { root } from './run-cli.js';

// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field, as JSON
type Body = Record<string, any>;

const scenario = loadScenario(join(root, 'test/fixtures/live/two-tenants.yaml'));

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup() {
  const store = openSqliteStore({ path: ':memory:' });
  const runtime = new LiveRuntime({ scenario });
  const app = await createServer({
    store,
    plugins: [
      async (api) => {
        // stands in for authentication: `x-tenant` names the principal's tenant
        api.addHook('onRequest', async (req) => {
          const tenant = req.headers['x-tenant'];
          if (typeof tenant === 'string') {
            const principal: Principal = {
              kind: 'api-key',
              subject: `apikey:${tenant}`,
              tenant,
              roles: ['user'],
            };
            (req as FastifyRequest & { principal?: Principal }).principal = principal;
          }
        });
        await api.register(livePlugin, { runtime });
      },
    ],
  });
  cleanups.push(async () => {
    runtime.stop();
    await app.close();
    await store.close();
  });
  const call = async (method: 'GET' | 'POST', url: string, tenant?: string, body?: unknown) => {
    const res = await app.inject({
      method,
      url: `/api/v1${url}`,
      headers: {
        ...(tenant ? { 'x-tenant': tenant } : {}),
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { payload: JSON.stringify(body) } : {}),
    });
    return { status: res.statusCode, body: res.json() as Body };
  };
  return { runtime, call };
}

describe('live routes with a tenant principal', () => {
  it('tags submissions with the principal’s tenant and refuses another tenant’s name or twins', async () => {
    const { runtime, call } = await setup();
    const own = await call('POST', '/requests', 'acme', {
      tasks: [{ id: 'a', work: 1, twins: ['acme:acme-sensor-0'] }],
    });
    expect(own.status).toBe(202);
    expect(own.body.tenant).toBe('acme');
    expect(runtime.requests.get(own.body.id)!.tenantId).toBe('acme');
    const byName = await call('POST', '/requests', 'acme', { workload: 'acme-query' });
    expect(byName.status).toBe(202);
    expect(byName.body.tenant).toBe('acme');
    const foreignWorkload = await call('POST', '/requests', 'globex-corp', { workload: 'acme-query' });
    expect(foreignWorkload.status).toBe(404);
    expect(foreignWorkload.body.pointer).toBe('/workload');
    const other = await call('POST', '/requests', 'acme', {
      tenant: 'globex-corp',
      tasks: [{ id: 'a', work: 1 }],
    });
    expect(other.status).toBe(404);
    expect(other.body.code).toBe('ARS_E_NOT_FOUND');
    expect(other.body.pointer).toBe('/tenant');
    const foreignTwin = await call('POST', '/requests', 'acme', {
      tasks: [{ id: 'a', work: 1, twins: ['globex_corp:globex-sensor-0'] }],
    });
    // answered exactly as a twin that does not exist, so that another tenant's twin ids cannot be probed
    const ghost = await call('POST', '/requests', 'acme', {
      tasks: [{ id: 'a', work: 1, twins: ['globex_corp:ghost'] }],
    });
    expect(foreignTwin.status).toBe(400);
    expect(foreignTwin.body.pointer).toBe('/tasks/0/twins/0');
    expect(JSON.stringify(foreignTwin.body).replaceAll('globex-sensor-0', 'ghost')).toBe(
      JSON.stringify(ghost.body),
    );
  });

  it('lists and returns only the principal’s requests and twins; everything without a principal', async () => {
    const { call } = await setup();
    const a = (await call('POST', '/requests', 'acme', { tasks: [{ id: 'x', work: 1 }] })).body.id as string;
    const g = (await call('POST', '/requests', 'globex-corp', { tasks: [{ id: 'y', work: 1 }] })).body
      .id as string;
    const ids = (r: { body: Body }) => r.body.requests.map((x: { id: string }) => x.id);
    expect(ids(await call('GET', '/requests', 'acme'))).toEqual([a]);
    expect(ids(await call('GET', '/requests', 'globex-corp'))).toEqual([g]);
    expect(ids(await call('GET', '/requests'))).toEqual([a, g]);
    for (const path of [`/requests/${g}`, `/requests/${g}/result`, `/requests/${g}/explanation`]) {
      const r = await call('GET', path, 'acme');
      expect(r.status).toBe(404);
      expect(r.body.code).toBe('ARS_E_NOT_FOUND');
    }
    expect((await call('GET', `/requests/${a}`, 'acme')).status).toBe(200);
    const twins = await call('GET', '/live/twins', 'globex-corp');
    expect(twins.body.twins.map((t: { thingId: string }) => t.thingId)).toEqual([
      'globex_corp:globex-sensor-0',
      'globex_corp:globex-sensor-1',
      'globex_corp:globex-sensor-2',
      'globex_corp:globex-sensor-3',
    ]);
    expect((await call('GET', '/live/twins')).body.twins).toHaveLength(8);
    const subjects = (r: { body: Body }) => r.body.decisions.map((d: { subject: string }) => d.subject);
    // the placements run in a scheduling cycle after the submission: wait for it, however busy the machine
    for (let i = 0; i < 2000 && !subjects(await call('GET', '/live/decisions')).includes(`${g}/y`); i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(subjects(await call('GET', '/live/decisions', 'acme'))).toContain(`${a}/x`);
    expect(subjects(await call('GET', '/live/decisions', 'acme'))).not.toContain(`${g}/y`);
    expect(subjects(await call('GET', `/live/decisions?subject=${g}`))).toEqual([`${g}/y`]);
    expect((await call('GET', '/live/decisions?limit=0')).status).toBe(400);
  });
});
