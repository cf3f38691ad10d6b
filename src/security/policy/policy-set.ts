/**
 * The live set of policies by id, each compiled once per version. Streams and handlers ask for a view
 * at the moment they need it (per request, per event), so a policy change takes effect on the next
 * event of every open stream without reconnecting.
 */
import { SecurityError } from '../errors.js';
import type { Principal } from '../principal.js';
import { type PolicyDocument, parsePolicy } from './document.js';
import { assertKeepsAdministrators } from './enforce.js';
import { CompiledPolicy, type PermissionView } from './evaluator.js';

export interface PolicyVersion {
  readonly id: string;
  readonly version: number;
  readonly compiled: CompiledPolicy;
}

export class PolicySet {
  readonly #byId = new Map<string, PolicyVersion>();
  readonly #listeners = new Set<(v: PolicyVersion) => void>();

  /**
   * Validates and installs a policy version (the first, or a change). Refuses, leaving the current
   * version in place, a document that does not parse or that would lock every administrator out.
   */
  put(id: string, input: unknown, version?: number): PolicyVersion {
    const v = this.check(id, input, version);
    this.#byId.set(id, v);
    for (const l of this.#listeners) l(v);
    return v;
  }

  /**
   * What {@link put} would install, without installing it: the next version (or `version`, a revision read
   * back from a store), or the same refusal.
   */
  check(id: string, input: unknown, version?: number): PolicyVersion {
    const doc: PolicyDocument = parsePolicy(input);
    assertKeepsAdministrators(doc);
    return Object.freeze({
      id,
      version: version ?? (this.#byId.get(id)?.version ?? 0) + 1,
      compiled: new CompiledPolicy(doc),
    });
  }

  get(id: string): PolicyVersion | undefined {
    return this.#byId.get(id);
  }

  /** The principal's view under the current version; `ARS_E_NOT_FOUND` for an unknown policy. */
  viewFor(id: string, p: Principal): PermissionView {
    const v = this.#byId.get(id);
    if (!v) throw new SecurityError('ARS_E_NOT_FOUND', `policy ${id} not found`, { kind: 'policy', id });
    return v.compiled.viewFor(p);
  }

  /** Told of every installed version (e.g. to re-check open subscriptions); returns an unsubscribe. */
  onChange(listener: (v: PolicyVersion) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
