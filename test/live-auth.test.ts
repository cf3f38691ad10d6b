// `ars serve --auth` end to end: the real live service (startService: createServer with the live routes,
// a SQLite store in a temporary directory) with API keys and node credentials from a key file. Anonymous
// callers get 401 on the live routes; a node credential registers its own node only; a tenant's request is
// invisible (404) to another tenant and visible to its own and to nobody anonymous.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from '../src/live/agent.js';
import { type Service, startService } from '../src/live/service.js';
import { loadScenario } from '../src/model/index.js';
import { keyTables, writeKeyFile } from '../src/security/index.js';
import { loadAuthFile, type ServerSecurity } from '../src/server/auth-config.js';
import { root } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'ars-live-auth-'));
let service: Service;
let security: ServerSecurity;
const secrets: Record<string, string> = {};
const agents: Agent[] = [];

beforeAll(async () => {
  const tables = keyTables({ apiKeys: [], nodeKeys: [] });
  secrets.acme = tables.apiKeys.issue({ tenant: 'acme', roles: ['user'], label: 'acme user' }).secret;
  secrets.globex = tables.apiKeys.issue({ tenant: 'globex-corp', roles: ['user'], label: 'globex' }).secret;
  secrets.edge = tables.nodes.issue('edge-0', undefined).secret;
  writeKeyFile(join(dir, 'keys.json'), {
    apiKeys: tables.apiKeys.records(),
    nodeKeys: tables.nodes.keys.records(),
  });
  writeFileSync(join(dir, 'auth.yaml'), 'keys: keys.json\n');
  security = loadAuthFile(join(dir, 'auth.yaml'));
  service = await startService({
    scenario: loadScenario(join(root, 'test/fixtures/live/two-tenants.yaml')),
    security,
    port: 0,
    data: join(dir, 'data'),
  });
}, 60_000);

afterAll(async () => {
  for (const a of agents) await a.stop();
  await service?.close();
  security?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function call(method: 'GET' | 'POST', path: string, key?: string, body?: unknown) {
  const res = await fetch(`${service.url}/api/v1${path}`, {
    method,
    headers: {
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

describe('ars serve with --auth', () => {
  it('answers 401 to anonymous callers and a forged key on the live routes', async () => {
    for (const path of ['/requests', '/nodes', '/live/twins', '/live/summary', '/live/decisions']) {
      const anonymous = await call('GET', path);
      expect(anonymous.status, path).toBe(401);
      expect(anonymous.body.code).toBe('ARS_E_AUTH_REQUIRED');
      const forged = await call('GET', path, 'ars_not-a-real-key');
      expect(forged.status, path).toBe(401);
    }
    expect((await call('POST', '/what-if', undefined, { minutes: 1 })).status).toBe(401);
  });

  it('lets a node credential register its own node and no other', async () => {
    const wrong = new Agent({
      server: service.url,
      id: 'edge-9',
      kind: 'edge',
      compute: 1,
      attention: 1,
      token: secrets.edge!,
      reconnect: false,
    });
    await expect(wrong.start()).rejects.toThrow(/ARS_E_FORBIDDEN/);
    await wrong.stop();
    const none = new Agent({
      server: service.url,
      id: 'edge-0',
      kind: 'edge',
      compute: 1,
      attention: 1,
      reconnect: false,
    });
    await expect(none.start()).rejects.toThrow();
    await none.stop();
    const right = new Agent({
      server: service.url,
      id: 'edge-0',
      kind: 'edge',
      compute: 4,
      attention: 2,
      token: secrets.edge!,
      reconnect: false,
    });
    agents.push(right);
    await right.start();
    const nodes = await call('GET', '/nodes', secrets.acme);
    expect(nodes.status).toBe(200);
    expect(JSON.stringify(nodes.body)).toContain('edge-0');
    expect(JSON.stringify(nodes.body)).not.toContain('edge-9');
  });

  it('keeps one tenant’s request from another (404, never 403)', async () => {
    const submitted = await call('POST', '/requests', secrets.acme, { tasks: [{ id: 'a', work: 0.01 }] });
    expect(submitted.status).toBe(202);
    expect(submitted.body.tenant).toBe('acme');
    const id = submitted.body.id as string;
    expect((await call('GET', `/requests/${id}`, secrets.acme)).status).toBe(200);
    const foreign = await call('GET', `/requests/${id}`, secrets.globex);
    expect(foreign.status).toBe(404);
    expect(foreign.body.code).toBe('ARS_E_NOT_FOUND');
    expect(JSON.stringify(foreign.body)).not.toContain('acme');
    const listed = await call('GET', '/requests', secrets.globex);
    expect(JSON.stringify(listed.body)).not.toContain(id);
    expect((await call('GET', `/requests/${id}`)).status).toBe(401);
  });
});
