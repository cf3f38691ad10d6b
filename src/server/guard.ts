/**
 * The live server's enforcement point: one `ServerGuard` per server holds how principals authenticate, the
 * policies by id, which policy governs which tenant's things, the per-tenant limits and the audit log. Every
 * surface (REST, search, WebSocket/SSE, MQTT, `/metrics`) asks it, never the raw security library, so the
 * rules cannot drift between surfaces.
 *
 * Without `auth` the guard is in **local dev mode**: every request acts as the platform administrator
 * `local` (no tenant, role `admin`), nothing is rate-limited, and `ars serve` refuses to bind anything but
 * loopback (bind-guard). Writes are still audited when an audit log is configured.
 */
import {
  ANONYMOUS,
  type AuditEntry,
  type AuditLog,
  type AuthConfig,
  type AuthResult,
  authConfigured,
  authenticate,
  canSeeTenant,
  isAdmin,
  type LoginThrottle,
  type PermissionView,
  PolicySet,
  type Principal,
  SecurityError,
  type TenantLimiter,
} from '../security/index.js';

/** The principal of every request in local dev mode. */
export const LOCAL_ADMIN: Principal = Object.freeze({
  kind: 'user',
  subject: 'local',
  tenant: undefined,
  roles: Object.freeze(['admin']) as readonly string[],
});

export const DEFAULT_POLICY_ID = 'ars:default';

/**
 * The policy of a tenant that has none of its own: administrators everything; `user`/`editor` read and
 * write things; `reader`/`viewer` read them; `device` writes features (telemetry); agents read things
 * and write their features.
 */
export const DEFAULT_POLICY = Object.freeze({
  entries: {
    admins: {
      subjects: ['role:admin'],
      resources: {
        'thing:/': { grant: ['READ', 'WRITE'] },
        'policy:/': { grant: ['READ', 'WRITE'] },
        'message:/': { grant: ['READ', 'WRITE', 'EXECUTE'] },
      },
    },
    writers: {
      subjects: ['role:user', 'role:editor'],
      resources: {
        'thing:/': { grant: ['READ', 'WRITE'] },
        'message:/': { grant: ['READ', 'WRITE', 'EXECUTE'] },
      },
    },
    readers: {
      subjects: ['role:reader', 'role:viewer'],
      resources: { 'thing:/': { grant: ['READ'] }, 'message:/': { grant: ['READ'] } },
    },
    devices: {
      subjects: ['role:device'],
      resources: { 'thing:/features': { grant: ['WRITE'] } },
    },
    agents: {
      subjects: ['role:agent'],
      resources: { 'thing:/': { grant: ['READ'] }, 'thing:/features': { grant: ['WRITE'] } },
    },
  },
});

export interface GuardOptions {
  /** How principals authenticate; absent = local dev mode (see the module comment). */
  auth?: AuthConfig;
  /** Policies by id; the guard installs {@link DEFAULT_POLICY} as `ars:default` when it is missing. */
  policies?: PolicySet;
  /** tenant → id of the policy that governs its things unless a thing names a known policy of its own */
  tenantPolicies?: Readonly<Record<string, string>>;
  /** policy id → the tenant that owns it (policies not listed are platform policies: admins manage them) */
  policyTenants?: Readonly<Record<string, string>>;
  limiter?: TenantLimiter;
  audit?: AuditLog;
  /** k of k-anonymity for aggregates the server serves; default 5 */
  k?: number;
  now?: () => number;
  /** Failed logins per client address (HTTP and MQTT); absent = not limited. */
  loginThrottle?: LoginThrottle;
}

/** What a thing-like resource needs for its policy to be found. */
export interface Governed {
  readonly tenant: string;
  readonly policyId?: string | undefined;
}

export class ServerGuard {
  readonly devMode: boolean;
  readonly policies: PolicySet;
  readonly limiter: TenantLimiter | undefined;
  readonly audit: AuditLog | undefined;
  readonly k: number;
  readonly now: () => number;
  readonly loginThrottle: LoginThrottle | undefined;
  readonly #auth: AuthConfig | undefined;
  readonly #tenantPolicies: Map<string, string>;
  readonly #policyTenants: Map<string, string>;

  constructor(options: GuardOptions = {}) {
    this.#auth = options.auth;
    this.devMode = options.auth === undefined || !authConfigured(options.auth);
    this.policies = options.policies ?? new PolicySet();
    if (!this.policies.get(DEFAULT_POLICY_ID)) this.policies.put(DEFAULT_POLICY_ID, DEFAULT_POLICY);
    this.#tenantPolicies = new Map(Object.entries(options.tenantPolicies ?? {}));
    this.#policyTenants = new Map(Object.entries(options.policyTenants ?? {}));
    this.limiter = options.limiter;
    this.audit = options.audit;
    this.k = options.k ?? 5;
    this.now = options.now ?? Date.now;
    this.loginThrottle = options.loginThrottle;
  }

  /** The credential sources (for the MQTT broker's connect hook); undefined in dev mode. */
  get authConfig(): AuthConfig | undefined {
    return this.devMode ? undefined : this.#auth;
  }

  /** Turns a presented token into a principal; in dev mode everyone is {@link LOCAL_ADMIN}. */
  async authenticate(token: string | undefined): Promise<AuthResult> {
    if (this.devMode) return { ok: true, principal: LOCAL_ADMIN };
    return authenticate(this.#auth!, token);
  }

  /** The id of the policy that governs a thing: its own when known, else its tenant's, else the default. */
  policyIdFor(r: Governed): string {
    // a thing may name only a policy of its own tenant: a platform policy (such as the default) could be
    // looser than the tenant's, and naming it would escape the tenant's revokes
    if (
      r.policyId !== undefined &&
      this.#policyTenants.get(r.policyId) === r.tenant &&
      this.policies.get(r.policyId)
    )
      return r.policyId;
    const own = this.#tenantPolicies.get(r.tenant);
    return own !== undefined && this.policies.get(own) ? own : DEFAULT_POLICY_ID;
  }

  /** The principal's permissions on a thing (tenancy is checked separately: see {@link visible}). */
  view(p: Principal, r: Governed): PermissionView {
    return this.policies.viewFor(this.policyIdFor(r), p);
  }

  /**
   * Moving a thing under another policy (setting or changing its `policyId`) is a policy change: it needs
   * WRITE on `policy:/` under the thing's current policy, and the new policy must be of the thing's tenant.
   */
  assertPolicyChange(p: Principal, current: Governed, next: Governed): void {
    if (next.policyId === current.policyId) return;
    if (!this.view(p, current).has('policy:/', 'WRITE'))
      throw new SecurityError('ARS_E_FORBIDDEN', 'changing policyId needs WRITE on policy:/', {
        pointer: '/policyId',
      });
    // a platform administrator may record any id (an import from Ditto); only a tenant's own policy governs
    if (isAdmin(p) && p.tenant === undefined) return;
    if (next.policyId !== undefined && this.#policyTenants.get(next.policyId) !== next.tenant)
      throw new SecurityError('ARS_E_NOT_FOUND', `policy ${next.policyId} not found`, {
        kind: 'policy',
        id: next.policyId,
      });
  }

  /** The principal's permissions under a tenant's policy (searches, subscriptions spanning things). */
  tenantView(p: Principal, tenant: string): PermissionView {
    return this.view(p, { tenant });
  }

  visible(p: Principal, tenant: string): boolean {
    return canSeeTenant(p, tenant);
  }

  /** The tenant a principal's new resources go to; a tenant principal cannot create for another. */
  tenantForWrite(p: Principal, requested: string | undefined, fallback: string): string {
    if (p.tenant === undefined) return requested ?? fallback;
    if (requested !== undefined && requested !== p.tenant) {
      throw new SecurityError('ARS_E_FORBIDDEN', `you act for tenant ${p.tenant}, not ${requested}`, {
        tenant: p.tenant,
      });
    }
    return p.tenant;
  }

  /** The tenant owning a policy id (undefined: a platform policy). */
  policyTenant(id: string): string | undefined {
    return this.#policyTenants.get(id);
  }

  /**
   * Installs or changes a policy. Allowed for platform administrators, and for a subject of the owning
   * tenant holding WRITE on `policy:/` under the current version. A new policy is owned by the caller's
   * tenant. Refuses a change that would lock every administrator out (`ARS_E_POLICY_INVALID`).
   */
  putPolicy(
    p: Principal,
    id: string,
    doc: unknown,
    options: { dryRun?: boolean } = {},
  ): { version: number; tenant: string | undefined } {
    const current = this.policies.get(id);
    const owner = current ? this.#policyTenants.get(id) : p.tenant;
    const platformAdmin = isAdmin(p) && p.tenant === undefined;
    if (!platformAdmin) {
      if (current === undefined) {
        if (p.tenant === undefined || !this.tenantView(p, p.tenant).has('policy:/', 'WRITE'))
          throw new SecurityError('ARS_E_FORBIDDEN', `not allowed to create policy ${id}`, { id });
      } else {
        if (owner === undefined || owner !== p.tenant)
          throw new SecurityError('ARS_E_NOT_FOUND', `policy ${id} not found`, { kind: 'policy', id });
        if (!current.compiled.viewFor(p).has('policy:/', 'WRITE'))
          throw new SecurityError('ARS_E_FORBIDDEN', `not allowed to change policy ${id}`, { id });
      }
    }
    // a dry run authorizes and validates only (the caller stores the revision, then installs it)
    if (options.dryRun) return { version: this.policies.check(id, doc).version, tenant: owner };
    const v = this.policies.put(id, doc);
    if (owner !== undefined) this.#policyTenants.set(id, owner);
    return { version: v.version, tenant: owner };
  }

  /** Installs a policy revision read back from the store (it overrides the auth file's document). */
  restorePolicy(r: { policyId: string; revision: number; tenant?: string; doc: unknown }): void {
    this.policies.put(r.policyId, r.doc, r.revision);
    if (r.tenant !== undefined) this.#policyTenants.set(r.policyId, r.tenant);
  }

  /** Makes `policyId` the policy of `tenant`'s things (platform administrators). */
  setTenantPolicy(tenant: string, policyId: string): void {
    this.#tenantPolicies.set(tenant, policyId);
  }

  /** A policy document as its manager may read it; 404 for a foreign or unknown one. */
  readPolicy(
    p: Principal,
    id: string,
  ): { policyId: string; version: number; tenant?: string; entries: unknown } {
    const v = this.policies.get(id);
    const owner = this.#policyTenants.get(id);
    const platformAdmin = isAdmin(p) && p.tenant === undefined;
    if (!v || (!platformAdmin && (owner === undefined || owner !== p.tenant)))
      throw new SecurityError('ARS_E_NOT_FOUND', `policy ${id} not found`, { kind: 'policy', id });
    if (!platformAdmin && !v.compiled.viewFor(p).has('policy:/', 'READ'))
      throw new SecurityError('ARS_E_FORBIDDEN', `not allowed to read policy ${id}`, { id });
    const entries = Object.fromEntries(
      v.compiled.document.entries.map((e) => [
        e.label,
        {
          subjects: e.subjects,
          resources: Object.fromEntries(
            e.resources.map((r) => [
              `${r.type}:/${r.path.join('/')}`,
              { grant: bitsToList(r.grant), revoke: bitsToList(r.revoke) },
            ]),
          ),
        },
      ]),
    );
    return { policyId: id, version: v.version, ...(owner !== undefined ? { tenant: owner } : {}), entries };
  }

  /** Appends to the audit log when one is configured; never throws into the caller's request. */
  record(entry: AuditEntry): void {
    if (!this.audit) return;
    try {
      this.audit.append(entry);
    } catch {
      // an audit failure must not turn a served request into a 500; the store logs its own errors
    }
  }
}

const bitsToList = (bits: number) =>
  (['READ', 'WRITE', 'EXECUTE'] as const).filter((_, i) => (bits & (1 << i)) !== 0);

/** True for the platform administrator (role admin, no tenant), who sees every tenant. */
export const isPlatformAdmin = (p: Principal) => isAdmin(p) && p.tenant === undefined;

/**
 * Whether a principal may act as the agent of `nodeId`: an agent (node) credential bound to that node, or
 * anyone in local dev mode ({@link LOCAL_ADMIN}). The agent WebSocket calls this with `req.principal`
 * and the node id the agent registers as; false must close the connection (or answer 403).
 */
export function authorizeAgent(p: Principal, nodeId: string): boolean {
  return p === LOCAL_ADMIN || (p.kind === 'agent' && p.nodeId === nodeId);
}

export { ANONYMOUS };
