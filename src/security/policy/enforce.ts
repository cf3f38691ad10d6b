/**
 * Enforcement helpers over a `PermissionView`: reads, merge patches, search, check-permissions, and the
 * rule that a policy change must leave someone able to manage the policy.
 */
import { SecurityError } from '../errors.js';
import { PERMISSIONS, type Permission, type PolicyDocument, parseResource } from './document.js';
import { CompiledPolicy, type PermissionView } from './evaluator.js';
import { fieldsOf, parseRql, parseSort, type RqlNode } from './rql.js';

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

const toResource = (path: readonly string[]) => `thing:/${path.join('/')}`;

/**
 * Checks a JSON Merge Patch (RFC 7386) applied at `basePath` of a thing. Every member whose value is not
 * a non-empty object replaces or deletes the subtree at its path, so it needs WRITE there and on
 * everything below. A patch with any such path unwritable is refused whole: `paths` lists them.
 */
export function checkMergePatch(
  view: PermissionView,
  patch: unknown,
  basePath: readonly string[] = [],
): { ok: true } | { ok: false; paths: string[] } {
  const denied: string[] = [];
  const visit = (value: unknown, path: string[]) => {
    if (isObject(value) && Object.keys(value).length > 0) {
      for (const key of Object.keys(value)) visit(value[key], [...path, key]);
      return;
    }
    if (!view.hasOnSubtree('thing', path, 'WRITE')) denied.push(toResource(path));
  };
  visit(patch, [...basePath]);
  return denied.length === 0 ? { ok: true } : { ok: false, paths: denied };
}

/** Throws `ARS_E_FORBIDDEN` naming the paths when the patch is not wholly writable. */
export function assertMergePatch(
  view: PermissionView,
  patch: unknown,
  basePath: readonly string[] = [],
): void {
  const r = checkMergePatch(view, patch, basePath);
  if (!r.ok)
    throw new SecurityError('ARS_E_FORBIDDEN', 'the patch writes fields you may not write', {
      paths: r.paths,
    });
}

/** An RQL field (`attributes/room`, `features/vitals/properties/heartRate`, `thingId`) as a thing path. */
export const fieldPath = (field: string): string[] => field.split('/').filter((s) => s !== '');

export interface SearchCheck {
  readonly filter: RqlNode | undefined;
  readonly sort: readonly { field: string; descending: boolean }[];
}

/**
 * Parses a search's filter and sort and refuses (`ARS_E_FORBIDDEN`, naming the fields) when any field is
 * not wholly readable: filtering or sorting on a field one may not read would reveal its value by which
 * things match or in which order they come (an oracle). The error names only fields the caller wrote.
 */
export function checkSearch(
  view: PermissionView,
  filter: string | undefined,
  sort: string | undefined,
): SearchCheck {
  const ast = filter ? parseRql(filter) : undefined;
  const order = sort ? parseSort(sort) : [];
  const fields = [...(ast ? fieldsOf(ast) : []), ...order.map((o) => o.field)];
  const hidden = [...new Set(fields.filter((f) => !view.hasOnSubtree('thing', fieldPath(f), 'READ')))];
  if (hidden.length > 0) {
    throw new SecurityError('ARS_E_FORBIDDEN', `search on fields you may not read: ${hidden.join(', ')}`, {
      fields: hidden,
    });
  }
  return { filter: ast, sort: order };
}

export interface PermissionQuestion {
  readonly resource: string;
  readonly hasPermissions: readonly Permission[];
}

/**
 * `POST /api/v1/check-permissions`: for each labelled question, whether the subject holds every listed
 * permission on the resource. Malformed questions are an input error naming the label.
 */
export function checkPermissions(
  view: PermissionView,
  questions: Readonly<Record<string, PermissionQuestion>>,
): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  for (const [label, q] of Object.entries(questions)) {
    if (!q || typeof q.resource !== 'string' || !Array.isArray(q.hasPermissions)) {
      throw new SecurityError('ARS_E_POLICY_INVALID', `${label}: expected { resource, hasPermissions }`, {
        label,
      });
    }
    for (const p of q.hasPermissions) {
      if (!(PERMISSIONS as readonly string[]).includes(p)) {
        throw new SecurityError('ARS_E_POLICY_INVALID', `${label}: unknown permission ${JSON.stringify(p)}`, {
          label,
          expected: PERMISSIONS.join(', '),
        });
      }
    }
    parseResource(q.resource);
    out[label] = q.hasPermissions.every((p) => view.has(q.resource, p));
  }
  return out;
}

/**
 * The subjects that can manage the whole policy (WRITE on `policy:/` with nothing revoked below),
 * each judged on its own.
 */
export function policyManagers(doc: PolicyDocument): string[] {
  const compiled = new CompiledPolicy(doc);
  return compiled.subjects().filter((s) => compiled.forSubjects([s]).hasOnSubtree('policy', [], 'WRITE'));
}

/**
 * Refuses (`ARS_E_POLICY_INVALID`) a new policy version under which no subject could manage the policy
 * any more: it would lock every administrator out, with no way back but the database.
 */
export function assertKeepsAdministrators(next: PolicyDocument): void {
  if (policyManagers(next).length === 0) {
    throw new SecurityError(
      'ARS_E_POLICY_INVALID',
      'the change would leave no subject with WRITE on policy:/ (every administrator would be locked out)',
      { expected: 'at least one entry granting WRITE on policy:/ that nothing revokes' },
    );
  }
}
