// Tenant-bound nodes on a real live service behind an auth file, with real `ars agent` processes: a node
// whose credential names tenant acme runs acme's work only (tasks and the refreshes of acme's twins), one
// bound to globex-corp globex's only; a tenant's work waits while only another tenant's node is up, and its
// placement decisions name the refused node and why (without naming that node's tenant).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NODE_TENANCY } from '../src/live/node-tenancy.js';
import { loadScenario } from '../src/model/index.js';
import { keyTables } from '../src/security/index.js';
import type { ServerSecurity } from '../src/server/auth-config.js';
import { agentProcess, serve, until, writeAuth } from './live-helpers.js';
import { root } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'ars-tenant-nodes-'));
let security: ServerSecurity;
const keys: Record<string, string> = {};

beforeAll(() => {
  const tables = keyTables({ apiKeys: [], nodeKeys: [] });
  keys.acme = tables.apiKeys.issue({ tenant: 'acme', roles: ['user'], label: 'acme user' }).secret;
  keys.globex = tables.apiKeys.issue({ tenant: 'globex-corp', roles: ['user'], label: 'globex' }).secret;
  keys.nodeA = tables.nodes.issue('edge-a', 'acme').secret;
  keys.nodeB = tables.nodes.issue('edge-b', 'globex-corp').secret;
  security = writeAuth(dir, tables, { k: 1 });
});

afterAll(() => {
  security?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('nodes bound to a tenant by their credential', () => {
  it("run their tenant's tasks and refreshes only; other tenants' work waits, refused with a reason", async () => {
    const s = await serve({
      scenario: loadScenario(join(root, 'test/fixtures/live/k-groups.yaml')),
      security,
      data: join(dir, 'data'),
    });
    const submit = async (who: 'acme' | 'globex', body: unknown) => {
      const res = await fetch(`${s.url}/api/v1/requests`, {
        method: 'POST',
        headers: { authorization: `Bearer ${keys[who]}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const text = await res.text();
      expect(res.status, text).toBe(202);
      return (JSON.parse(text) as { id: string }).id;
    };
    const agentArgs = ['--kind', 'edge', '--compute', '4', '--attention', '2'];
    await agentProcess(s, 'edge-b', agentArgs, { ARS_TOKEN: keys.nodeB! });

    // acme's twin query (its twin refreshed first): only globex's node is up, so it waits
    const a = await submit('acme', {
      tasks: [{ id: 'q', kind: 'twin-query', work: 0.01, twins: ['acme:acme-sensor-0'], maxAge: 0.001 }],
    });
    const refusedOnB = (d: { subject: string; refused?: Record<string, string[]> }) =>
      d.subject.includes('acme') &&
      Object.entries(d.refused ?? {}).some(
        ([why, nodes]) => why.startsWith(NODE_TENANCY) && nodes.includes('edge-b'),
      );
    await until(
      () => s.runtime.decisionLog.some((d) => refusedOnB(d as never)),
      'a placement of acme work refusing edge-b',
    );
    expect(s.runtime.requests.get(a)!.status).not.toBe('completed');
    const reason = Object.keys(
      (s.runtime.decisionLog.find((d) => refusedOnB(d as never)) as { refused: Record<string, string[]> })
        .refused,
    ).find((why) => why.startsWith(NODE_TENANCY))!;
    expect(reason).toBe(`${NODE_TENANCY}: the node's credential is bound to another tenant`);

    // globex's work runs on globex's node meanwhile
    const b = await submit('globex', {
      tasks: [{ id: 'w', work: 0.01, twins: ['globex_corp:globex-sensor-0'] }],
    });
    await until(() => s.runtime.requests.get(b)?.status === 'completed', "globex's request");
    expect(s.runtime.requests.get(b)!.taskNodes).toEqual(['edge-b']);

    // acme's node comes: acme's refresh and task run there
    await agentProcess(s, 'edge-a', agentArgs, { ARS_TOKEN: keys.nodeA! });
    await until(() => s.runtime.requests.get(a)?.status === 'completed', "acme's request");
    expect(s.runtime.requests.get(a)!.taskNodes).toEqual(['edge-a']);

    // no work of one tenant was ever placed on the other's node
    const owner = (subject: string) =>
      s.runtime.requests.get(subject.split('/')[0]!)?.tenantId ??
      s.runtime.twinByName(subject.replace(/^refresh:/, ''))?.tenantId;
    const bound: Record<string, string> = { 'edge-a': 'acme', 'edge-b': 'globex-corp' };
    const placed = s.runtime.decisionLog.filter((d) => typeof d.chosen === 'string' && d.chosen in bound);
    expect(placed.length).toBeGreaterThanOrEqual(3);
    for (const d of placed) expect(owner(d.subject), JSON.stringify(d)).toBe(bound[d.chosen as string]);
    expect(placed.some((d) => d.chosen === 'edge-a' && d.subject === 'refresh:acme-sensor-0')).toBe(true);

    // the tenant reads why in its explanation (the other node's tenant is not named)
    const res = await fetch(`${s.url}/api/v1/requests/${a}/explanation`, {
      headers: { authorization: `Bearer ${keys.acme}` },
    });
    const text = await res.text();
    expect(res.status, text).toBe(200);
    expect(text).toContain(NODE_TENANCY);
    expect(text).not.toContain('globex');
  }, 180_000);
});
