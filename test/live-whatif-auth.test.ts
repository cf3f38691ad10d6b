// The what-if task on an agent with authentication on: the `ars agent` process reads the snapshot with its
// own node credential, and gets the part of it that its task's tenant owns (that tenant's twins and
// workloads, the nodes it may use); a node credential reads no snapshot outside a what-if task it runs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenario } from '../src/model/index.js';
import { keyTables } from '../src/security/index.js';
import type { ServerSecurity } from '../src/server/auth-config.js';
import { agentProcess, serve, until, writeAuth } from './live-helpers.js';
import { root } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'ars-whatif-auth-'));
let security: ServerSecurity;
const keys: Record<string, string> = {};

beforeAll(() => {
  const tables = keyTables({ apiKeys: [], nodeKeys: [] });
  keys.acme = tables.apiKeys.issue({ tenant: 'acme', roles: ['user'], label: 'acme user' }).secret;
  keys.node = tables.nodes.issue('edge-0', undefined).secret;
  security = writeAuth(dir, tables, { k: 1 });
});

afterAll(() => {
  security?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the what-if task under --auth', () => {
  it("runs on the agent with its node credential, over its tenant's part of the snapshot", async () => {
    const s = await serve({
      scenario: loadScenario(join(root, 'test/fixtures/live/k-groups.yaml')),
      security,
      data: join(dir, 'data'),
    });
    await agentProcess(s, 'edge-0', ['--kind', 'edge', '--compute', '4', '--attention', '2'], {
      ARS_TOKEN: keys.node!,
    });
    const call = async (token: string, method: string, path: string, body?: unknown) => {
      const res = await fetch(`${s.url}/api/v1${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      return { status: res.status, text: await res.text() };
    };
    const submitted = await call(keys.acme!, 'POST', '/requests', {
      tasks: [{ id: 'fork', kind: 'what-if', work: 0.1 }],
      params: { minutes: 0.5, policies: ['fifo'], replications: 2 },
    });
    expect(submitted.status, submitted.text).toBe(202);
    const id = (JSON.parse(submitted.text) as { id: string }).id;
    const fork = s.runtime.requests.get(id)!;
    await until(
      () => fork.status === 'completed' || fork.status === 'failed',
      `the what-if task (${fork.status})`,
    );
    expect(fork.error).toBeUndefined();
    const result = await call(keys.acme!, 'GET', `/requests/${id}/result`);
    expect(result.status, result.text).toBe(200);
    const answer = (JSON.parse(result.text) as { outputs: { fork: { results: { policy: string }[] } } })
      .outputs.fork;
    expect(answer.results.map((r) => r.policy)).toEqual(['fifo']);
    expect(result.text).not.toContain('globex');

    // the node's credential reads no snapshot outside a what-if task it runs
    for (const path of ['/snapshot', `/snapshot?request=${id}`]) {
      const r = await call(keys.node!, 'GET', path);
      expect(r.status, r.text).toBe(403);
      expect(JSON.parse(r.text).code).toBe('ARS_E_FORBIDDEN');
    }
  }, 180_000);
});
