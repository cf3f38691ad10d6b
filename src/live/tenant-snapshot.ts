/**
 * The snapshot a node reads for a what-if task it runs: the live state written as a scenario, cut to the
 * tenant of the task's request, since a node may see only the data of the work it runs. It keeps that
 * tenant's entry, assets (twins) and workloads, and the nodes that may run its work (up, and not bound to
 * another tenant: src/live/node-tenancy.ts); other tenants' twins, workloads and load are not in it, so the
 * simulation answers "this tenant's load on the nodes it may use". The header comment lists the tenant's own
 * oldest twins only. (A platform administrator's `GET /snapshot` is the whole platform: src/live/snapshot.ts.)
 */
import { stringify } from 'yaml';
import type { LiveRuntime } from './runtime.js';
import { snapshotSpec } from './snapshot.js';

type Entry = Record<string, unknown>;

/** A scenario document of `spec` (from `snapshotSpec`) with only `tenant`'s part and the nodes it may use. */
export function tenantSpec(
  spec: Entry,
  tenant: string,
  boundTo: (nodeId: string) => string | undefined,
): Entry {
  const own = (e: Entry) => e.tenant === tenant;
  const tenants = ((spec.tenants as Entry[] | undefined) ?? []).filter((t) => t.id === tenant);
  const nodes = ((spec.nodes as Entry[] | undefined) ?? []).filter((n) => {
    const bound = boundTo(String(n.id));
    return bound === undefined || bound === tenant;
  });
  return {
    ...spec,
    tenants: tenants.length > 0 ? tenants : [{ id: tenant, weight: 1 }],
    nodes:
      nodes.length > 0 ? nodes : [{ id: 'no-agent-connected', tier: 'edge', compute: 1e-9, attention: 0 }],
    assets: ((spec.assets as Entry[] | undefined) ?? []).filter(own),
    workloads: ((spec.workloads as Entry[] | undefined) ?? []).filter(own),
  };
}

/** The YAML a node gets for a what-if task of `tenant`'s request. */
export function tenantSnapshotYaml(
  rt: LiveRuntime,
  source: Record<string, unknown> | undefined,
  tenant: string,
  options: { minutes?: number; loadFactor?: number; seed?: number },
): string {
  const { spec } = snapshotSpec(rt, source, options);
  const scoped = tenantSpec(spec, tenant, (id) => rt.nodeTenancy.tenantOf(id));
  const oldest = rt.twins
    .filter((t) => t.tenantId === tenant)
    .map((t) => [t.id, rt.now - t.lastSample] as const)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 10);
  const head = [
    `# ARS live snapshot of tenant ${tenant}: ${String(spec.description)}`,
    ...(oldest.length > 0
      ? [
          '# its oldest twins now (age of information, s):',
          ...oldest.map(([id, a]) => `#   ${id}: ${a.toFixed(2)}`),
        ]
      : []),
  ];
  return `${head.join('\n')}\n${stringify(scoped)}`;
}
