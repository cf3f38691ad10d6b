import { describe, expect, it } from 'vitest';
import { tenantSpec } from './tenant-snapshot.js';

const spec = {
  name: 'shared-snapshot',
  tenants: [
    { id: 'acme', weight: 1 },
    { id: 'globex-corp', weight: 2 },
  ],
  nodes: [{ id: 'edge-0' }, { id: 'edge-a' }, { id: 'edge-b' }],
  assets: [
    { id: 'acme-sensor', tenant: 'acme' },
    { id: 'globex-sensor', tenant: 'globex-corp' },
  ],
  workloads: [
    { id: 'acme-query', tenant: 'acme' },
    { id: 'globex-query', tenant: 'globex-corp' },
  ],
};
const bound: Record<string, string> = { 'edge-a': 'acme', 'edge-b': 'globex-corp' };

describe('tenantSpec', () => {
  it("keeps one tenant's entry, assets and workloads, and the nodes it may use", () => {
    const acme = tenantSpec(spec, 'acme', (id) => bound[id]);
    expect(acme).toEqual({
      name: 'shared-snapshot',
      tenants: [{ id: 'acme', weight: 1 }],
      nodes: [{ id: 'edge-0' }, { id: 'edge-a' }],
      assets: [{ id: 'acme-sensor', tenant: 'acme' }],
      workloads: [{ id: 'acme-query', tenant: 'acme' }],
    });
    expect(JSON.stringify(acme)).not.toContain('globex');
  });

  it('names a tenant the scenario lacks, and an idle placeholder when no node may run its work', () => {
    const other = tenantSpec({ ...spec, nodes: [{ id: 'edge-a' }] }, 'initech', (id) => bound[id]);
    expect(other.tenants).toEqual([{ id: 'initech', weight: 1 }]);
    expect(other.assets).toEqual([]);
    expect(other.workloads).toEqual([]);
    expect((other.nodes as { id: string }[]).map((n) => n.id)).toEqual(['no-agent-connected']);
  });
});
