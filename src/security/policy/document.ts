/**
 * A policy document in the shape of Eclipse Ditto's: labelled entries, each naming subjects and the
 * resources they are granted or revoked permissions on.
 *
 * ```json
 * { "entries": {
 *     "owner":  { "subjects": ["role:admin"], "resources": { "thing:/": { "grant": ["READ", "WRITE"] },
 *                                                           "policy:/": { "grant": ["READ", "WRITE"] } } },
 *     "nurses": { "subjects": ["tenant:icu/role:nurse"],
 *                 "resources": { "thing:/": { "grant": ["READ"] },
 *                                "thing:/features/identity": { "revoke": ["READ"] } } } } }
 * ```
 *
 * Resources are `thing:/<path>`, `policy:/<path>` and `message:/<path>`; a path's segments are JSON
 * object keys. Subjects are the ids `subjectIds(principal)` yields: a subject (`oidc:alice`,
 * `apikey:…`, `node:gw-1`), `role:<r>`, `tenant:<t>` or `tenant:<t>/role:<r>`.
 */
import { z } from 'zod';
import { SecurityError } from '../errors.js';

export const PERMISSIONS = ['READ', 'WRITE', 'EXECUTE'] as const;
export type Permission = (typeof PERMISSIONS)[number];
export const RESOURCE_TYPES = ['thing', 'policy', 'message'] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

/** Permissions as bits, so that a path's effective set is two ORs and an AND-NOT. */
export const BIT: Readonly<Record<Permission, number>> = { READ: 1, WRITE: 2, EXECUTE: 4 };

const permissionList = z.array(z.enum(PERMISSIONS)).default([]);
const resourceKey = z
  .string()
  .regex(/^(thing|policy|message):\/(?:[^/]+(?:\/[^/]+)*)?\/?$/, 'a resource such as thing:/features/vitals');

export const policyDocumentSchema = z.strictObject({
  policyId: z.string().optional(),
  entries: z.record(
    z.string().regex(/^[A-Za-z0-9_.-]+$/, 'an entry label of letters, digits, _ . -'),
    z.strictObject({
      subjects: z.union([
        z.array(z.string().min(1)).min(1),
        // Ditto's form: { "<subject id>": { "type": "…" } }
        z.record(z.string().min(1), z.object({ type: z.string().optional() }).loose()),
      ]),
      resources: z.record(resourceKey, z.strictObject({ grant: permissionList, revoke: permissionList })),
    }),
  ),
});

export type PolicyDocumentInput = z.input<typeof policyDocumentSchema>;

export interface PolicyResourceRule {
  readonly type: ResourceType;
  readonly path: readonly string[];
  readonly grant: number;
  readonly revoke: number;
}

export interface PolicyEntry {
  readonly label: string;
  readonly subjects: readonly string[];
  readonly resources: readonly PolicyResourceRule[];
}

export interface PolicyDocument {
  readonly policyId: string | undefined;
  readonly entries: readonly PolicyEntry[];
}

/** `thing:/features/vitals` → type `thing`, path `['features', 'vitals']`. */
export function parseResource(resource: string): { type: ResourceType; path: string[] } {
  const m = /^(thing|policy|message):(\/.*)$/.exec(resource);
  if (!m) {
    throw new SecurityError('ARS_E_POLICY_INVALID', `not a resource: ${JSON.stringify(resource)}`, {
      expected: 'thing:/…, policy:/… or message:/…',
    });
  }
  return { type: m[1] as ResourceType, path: m[2]!.split('/').filter((s) => s !== '') };
}

export const bitsOf = (perms: readonly Permission[]): number => perms.reduce((b, p) => b | BIT[p], 0);

export function permissionsOf(bits: number): Permission[] {
  return PERMISSIONS.filter((p) => (bits & BIT[p]) !== 0);
}

/** Validates a document (throws `ARS_E_POLICY_INVALID` with the JSON path of the first problem). */
export function parsePolicy(input: unknown): PolicyDocument {
  const r = policyDocumentSchema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
    throw new SecurityError('ARS_E_POLICY_INVALID', `policy${path}: ${issue.message}`, {
      path: `policy${path}`,
    });
  }
  const entries = Object.entries(r.data.entries).map(([label, e]) => ({
    label,
    subjects: Array.isArray(e.subjects) ? [...e.subjects] : Object.keys(e.subjects),
    resources: Object.entries(e.resources).map(([key, rule]) => ({
      ...parseResource(key),
      grant: bitsOf(rule.grant),
      revoke: bitsOf(rule.revoke),
    })),
  }));
  return { policyId: r.data.policyId, entries };
}
