/**
 * `ars serve --auth FILE`: the server's security configuration as one YAML or JSON file. Paths inside are
 * relative to the file. Every part is optional; a file that configures no credential source (no `keys`, no
 * `oidc`) leaves the server in local dev mode.
 *
 * ```yaml
 * keys: keys.json                  # API keys and node credentials (hashes only), `ars keys create`
 * oidc:
 *   issuer: https://login.example.org/realms/ars
 *   audience: ars
 *   jwksUri: https://login.example.org/realms/ars/protocol/openid-connect/certs   # or jwks: { keys: [...] }
 *   tenantClaim: tenant            # default tenant
 *   rolesClaim: realm_access.roles # default roles
 * tenants:
 *   icu: { policy: icu-policy, limits: { requestsPerSecond: 20, maxThings: 500 } }
 * policies:
 *   icu-policy: { entries: { … } } # Ditto-shaped; a policy named by a tenant belongs to it
 * limits: { requestsPerSecond: 50, samplesPerSecond: 1000, maxMessageBytes: 262144 }
 * audit: audit.db                  # hash-chained audit log (SQLite); `ars audit verify audit.db`
 * k: 5                             # k-anonymity threshold of aggregates
 * loginFailures: { max: 10, windowSeconds: 60 }   # per client address, HTTP and MQTT; max: 0 = no limit
 * sensitive:
 *   fields: [heartRate, attributes/identity]
 *   atRest: encrypt                # or drop
 *   keyFile: field-keys.json       # else $ARS_FIELD_KEYS
 * ```
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { ArsError } from '../errors.js';
import {
  AuditLog,
  createOidcVerifier,
  FieldCipher,
  KeyFileSource,
  LoginThrottle,
  loadKeyring,
  PolicySet,
  SecurityError,
  SensitiveFields,
  SqliteAuditStore,
  TenantLimiter,
} from '../security/index.js';
import { ServerGuard } from './guard.js';
import type { SensitiveOptions } from './sensitive-store.js';

const limits = z
  .strictObject({
    requestsPerSecond: z.number().positive(),
    requestBurst: z.number().positive(),
    samplesPerSecond: z.number().positive(),
    sampleBurst: z.number().positive(),
    maxMessageBytes: z.number().int().positive(),
    maxThings: z.number().int().nonnegative(),
  })
  .partial();

export const authFileSchema = z.strictObject({
  keys: z.string().min(1).optional(),
  oidc: z
    .strictObject({
      issuer: z.string().url(),
      audience: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
      jwksUri: z.string().url().optional(),
      jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }).optional(),
      algorithms: z.array(z.string()).optional(),
      tenantClaim: z.string().optional(),
      rolesClaim: z.string().optional(),
      clockToleranceSec: z.number().nonnegative().optional(),
    })
    .optional(),
  tenants: z
    .record(
      z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a tenant id'),
      z.strictObject({ policy: z.string().optional(), limits: limits.optional() }),
    )
    .default({}),
  policies: z.record(z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'a policy id'), z.unknown()).default({}),
  limits: limits.optional(),
  audit: z.string().min(1).optional(),
  k: z.number().int().min(1).optional(),
  loginFailures: z
    .strictObject({ max: z.number().int().nonnegative(), windowSeconds: z.number().positive() })
    .partial()
    .optional(),
  sensitive: z
    .strictObject({
      fields: z.array(z.string().min(1)).min(1),
      atRest: z.enum(['encrypt', 'drop']).default('encrypt'),
      keyFile: z.string().optional(),
    })
    .optional(),
});

export type AuthFile = z.infer<typeof authFileSchema>;

/** What `createServer` takes from an auth file. */
export interface ServerSecurity {
  auth: ServerGuard;
  sensitive?: SensitiveOptions;
  redactKeys: string[];
  /** closes the audit database */
  close(): void;
}

function fail(file: string, where: string, what: string): never {
  throw new ArsError('ARS_E_INPUT_SCHEMA', `${file}: ${where}: ${what}`);
}

/** Reads and validates an auth file; every problem is an `ArsError` naming the file and the key path. */
export function loadAuthFile(file: string, env: NodeJS.ProcessEnv = process.env): ServerSecurity {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ArsError(
      'ARS_E_INPUT_FILE',
      `${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw new ArsError('ARS_E_INPUT_SYNTAX', `${file}: ${(e as Error).message.split('\n')[0]}`);
  }
  const r = authFileSchema.safeParse(doc ?? {});
  if (!r.success) {
    const issue = r.error.issues[0]!;
    fail(file, issue.path.join('.') || '(root)', issue.message);
  }
  return buildSecurity(r.data, dirname(resolve(file)), file, env);
}

export function buildSecurity(
  cfg: AuthFile,
  base: string,
  file = 'auth config',
  env: NodeJS.ProcessEnv = process.env,
): ServerSecurity {
  const at = (p: string) => resolve(base, p);
  const wrap = <T>(where: string, fn: () => T): T => {
    try {
      return fn();
    } catch (e) {
      if (e instanceof SecurityError || e instanceof TypeError) fail(file, where, e.message);
      throw e;
    }
  };
  const oidcCfg = cfg.oidc;
  if (oidcCfg && (oidcCfg.jwksUri === undefined) === (oidcCfg.jwks === undefined))
    fail(file, 'oidc', 'give exactly one of jwksUri or jwks');
  const oidc = oidcCfg
    ? wrap('oidc', () =>
        createOidcVerifier({
          issuer: oidcCfg.issuer,
          audience: oidcCfg.audience,
          ...(oidcCfg.jwksUri ? { jwksUri: oidcCfg.jwksUri } : {}),
          ...(oidcCfg.jwks ? { jwks: oidcCfg.jwks as never } : {}),
          ...(oidcCfg.algorithms ? { algorithms: oidcCfg.algorithms } : {}),
          ...(oidcCfg.tenantClaim ? { tenantClaim: oidcCfg.tenantClaim } : {}),
          ...(oidcCfg.rolesClaim ? { rolesClaim: oidcCfg.rolesClaim } : {}),
          ...(oidcCfg.clockToleranceSec !== undefined
            ? { clockToleranceSec: oidcCfg.clockToleranceSec }
            : {}),
        }),
      )
    : undefined;
  const auth =
    cfg.keys !== undefined
      ? wrap('keys', () => new KeyFileSource(at(cfg.keys!), oidc ? { oidc } : {}))
      : oidc
        ? { oidc }
        : undefined;

  const policies = new PolicySet();
  for (const [id, doc] of Object.entries(cfg.policies)) wrap(`policies.${id}`, () => policies.put(id, doc));
  const tenantPolicies: Record<string, string> = {};
  const policyTenants: Record<string, string> = {};
  for (const [tenant, t] of Object.entries(cfg.tenants)) {
    if (t.policy === undefined) continue;
    if (!(t.policy in cfg.policies))
      fail(file, `tenants.${tenant}.policy`, `no policy ${t.policy} under policies`);
    if (policyTenants[t.policy] !== undefined && policyTenants[t.policy] !== tenant)
      fail(
        file,
        `tenants.${tenant}.policy`,
        `policy ${t.policy} already belongs to tenant ${policyTenants[t.policy]}`,
      );
    tenantPolicies[tenant] = t.policy;
    policyTenants[t.policy] = tenant;
  }
  const limiter = new TenantLimiter((tenant) => ({ ...cfg.limits, ...cfg.tenants[tenant]?.limits }));
  const auditStore =
    cfg.audit !== undefined ? wrap('audit', () => new SqliteAuditStore(at(cfg.audit!))) : undefined;
  const guard = new ServerGuard({
    ...(auth ? { auth } : {}),
    policies,
    tenantPolicies,
    policyTenants,
    limiter,
    ...(auditStore ? { audit: new AuditLog(auditStore) } : {}),
    ...(cfg.k !== undefined ? { k: cfg.k } : {}),
    ...(cfg.loginFailures?.max !== 0
      ? {
          loginThrottle: new LoginThrottle({
            maxFailures: cfg.loginFailures?.max ?? 10,
            windowMs: (cfg.loginFailures?.windowSeconds ?? 60) * 1000,
          }),
        }
      : {}),
  });
  let sensitive: SensitiveOptions | undefined;
  if (cfg.sensitive) {
    const s = cfg.sensitive;
    const fields = new SensitiveFields(s.fields);
    if (s.atRest === 'encrypt') {
      const ring = wrap('sensitive.keyFile', () =>
        loadKeyring({ ...(s.keyFile !== undefined ? { file: at(s.keyFile) } : {}), env }),
      );
      if (!ring)
        fail(file, 'sensitive', 'atRest: encrypt needs keyFile or the ARS_FIELD_KEYS environment variable');
      sensitive = { fields, atRest: 'encrypt', cipher: new FieldCipher(ring) };
    } else sensitive = { fields, atRest: 'drop' };
  }
  return {
    auth: guard,
    ...(sensitive ? { sensitive } : {}),
    redactKeys: cfg.sensitive ? [...cfg.sensitive.fields.map((f) => f.split('/').pop()!)] : [],
    close: () => auditStore?.close(),
  };
}
