/**
 * Tenancy: every resource belongs to one tenant, and a subject of another tenant gets "not found", never
 * "forbidden", so it cannot tell a resource that exists from one that does not (Azure Digital Twins and
 * Eclipse Hono behave the same). Platform administrators (role `admin`, no tenant) see every tenant.
 */
import { SecurityError } from './errors.js';
import { isAdmin, type Principal } from './principal.js';

export interface Owned {
  readonly tenant: string;
}

/** True when the principal may see resources of `tenant` at all (permissions are decided after this). */
export function canSeeTenant(p: Principal, tenant: string): boolean {
  return (p.tenant === undefined && isAdmin(p)) || p.tenant === tenant;
}

/**
 * Returns the resource when the principal's tenant owns it; otherwise throws `ARS_E_NOT_FOUND` with the
 * same message an absent resource gets. Pass `undefined` for a lookup that found nothing.
 */
export function ownedOrNotFound<T extends Owned>(
  p: Principal,
  resource: T | undefined,
  kind: string,
  id: string,
): T {
  if (resource === undefined || !canSeeTenant(p, resource.tenant)) {
    throw new SecurityError('ARS_E_NOT_FOUND', `${kind} ${id} not found`, { kind, id });
  }
  return resource;
}

/**
 * Decides between 404 and 403 for a denied action on an existing resource: a subject that may not even
 * see the tenant gets 404, a subject of the same tenant lacking a permission gets 403.
 */
export function denial(
  p: Principal,
  resource: Owned,
  kind: string,
  id: string,
  action: string,
): SecurityError {
  return canSeeTenant(p, resource.tenant)
    ? new SecurityError('ARS_E_FORBIDDEN', `not allowed to ${action} ${kind} ${id}`, { kind, id, action })
    : new SecurityError('ARS_E_NOT_FOUND', `${kind} ${id} not found`, { kind, id });
}

/** Keeps the items of the principal's tenant (listings, streams, dashboard series). */
export function visibleTo<T extends Owned>(p: Principal, items: Iterable<T>): T[] {
  const out: T[] = [];
  for (const it of items) if (canSeeTenant(p, it.tenant)) out.push(it);
  return out;
}
