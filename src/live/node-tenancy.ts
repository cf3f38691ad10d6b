/**
 * Tenant-bound nodes: an agent whose node credential names a tenant (`ars keys create --node <id> --tenant
 * <t>`) runs that tenant's work only, task or twin refresh, since the work carries the tenant's twin states
 * and samples. A node whose credential names no tenant (a platform node), or an agent that registered
 * without authentication, runs every tenant's work. The rule is a feasibility filter of the live runtime's
 * profile, so it holds for every policy (planned work included: the framework checks filters on the planned
 * node), and an explained placement lists the refused nodes under {@link NODE_TENANCY} (`refused` in the
 * trace). The refusal does not name the node's tenant: a tenant reading its decisions learns only that the
 * node is another's.
 */
import type { Filter } from '../scheduler/plugins.js';
import { OK, type Status } from '../scheduler/types.js';
import type { LiveItem } from './model.js';

export const NODE_TENANCY = 'node-tenancy';

const REFUSED: Status = Object.freeze({
  ok: false as const,
  reason: "the node's credential is bound to another tenant",
});

/** The tenant an item's data belongs to: its request's (an authenticated tenant's), else its twin's. */
export const itemTenant = (item: LiveItem): string => item.req?.tenantId ?? item.tenantId;

export class NodeTenancy {
  readonly #bound = new Map<string, string>();

  /** Binds node `nodeId` to `tenant` (the tenant of the credential it registered with); undefined unbinds. */
  bind(nodeId: string, tenant: string | undefined): void {
    if (tenant === undefined) this.#bound.delete(nodeId);
    else this.#bound.set(nodeId, tenant);
  }

  /** The tenant node `nodeId` is bound to, undefined for a platform node. */
  tenantOf(nodeId: string): string | undefined {
    return this.#bound.get(nodeId);
  }

  /** The runtime's filter: work of tenant X never goes to a node bound to another tenant. */
  readonly filter: Filter = {
    name: NODE_TENANCY,
    explainRefusals: true,
    filter: (item, node) => {
      const bound = this.#bound.get(node.id);
      return bound === undefined || bound === itemTenant(item as LiveItem) ? OK : REFUSED;
    },
  };
}
