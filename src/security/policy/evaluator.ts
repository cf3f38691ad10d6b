/**
 * Policy evaluation, indexed by path. Rules (Ditto's):
 * - a permission granted on a path holds on every path below it;
 * - a revoke holds on its path and everything below, and beats any grant, higher or deeper;
 * - WRITE does not imply READ; nothing implies anything;
 * - a subject with no matching entry has no permission (deny by default).
 *
 * A `CompiledPolicy` keeps one trie per resource type. `forSubjects(ids)` collapses it to the entries
 * naming any of those ids (cached per id set), so a check walks one path of a small trie: O(depth).
 */
import type { Principal } from '../principal.js';
import { subjectIds } from '../principal.js';
import {
  BIT,
  type Permission,
  type PolicyDocument,
  parseResource,
  permissionsOf,
  RESOURCE_TYPES,
  type ResourceType,
} from './document.js';

export interface TrieNode {
  readonly children: Map<string, TrieNode>;
  grant: number;
  revoke: number;
  /** union of grants, and of revokes, strictly below this node: lets a walk stop early */
  below: { grant: number; revoke: number };
}

const node = (): TrieNode => ({ children: new Map(), grant: 0, revoke: 0, below: { grant: 0, revoke: 0 } });

function summarise(n: TrieNode): { grant: number; revoke: number } {
  let grant = 0;
  let revoke = 0;
  for (const c of n.children.values()) {
    const b = summarise(c);
    grant |= c.grant | b.grant;
    revoke |= c.revoke | b.revoke;
  }
  n.below = { grant, revoke };
  return n.below;
}

const ALL = BIT.READ | BIT.WRITE | BIT.EXECUTE;

export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** What one principal (or subject-id set) may do under one policy. Immutable; share freely. */
export class PermissionView {
  readonly #roots: Readonly<Record<ResourceType, TrieNode>>;

  constructor(roots: Record<ResourceType, TrieNode>) {
    this.#roots = roots;
  }

  /** Effective permission bits at a path (grants along the path, minus revokes along it). */
  bits(type: ResourceType, path: readonly string[]): number {
    let n: TrieNode | undefined = this.#roots[type];
    let g = n.grant;
    let r = n.revoke;
    for (let i = 0; i < path.length; i++) {
      n = n.children.get(path[i]!);
      if (n === undefined) break;
      g |= n.grant;
      r |= n.revoke;
    }
    return g & ~r & ALL;
  }

  /** `has('thing:/features/vitals', 'READ')` */
  has(resource: string, permission: Permission): boolean {
    const { type, path } = parseResource(resource);
    return (this.bits(type, path) & BIT[permission]) !== 0;
  }

  permissions(resource: string): Permission[] {
    const { type, path } = parseResource(resource);
    return permissionsOf(this.bits(type, path));
  }

  /**
   * True when the permission holds on the path and on everything below it: what replacing or deleting
   * a subtree needs for WRITE, and what filtering or sorting on a field needs for READ.
   */
  hasOnSubtree(type: ResourceType, path: readonly string[], permission: Permission): boolean {
    const bit = BIT[permission];
    let n: TrieNode | undefined = this.#roots[type];
    let g = n.grant;
    let r = n.revoke;
    for (let i = 0; i < path.length && n !== undefined; i++) {
      n = n.children.get(path[i]!);
      if (n !== undefined) {
        g |= n.grant;
        r |= n.revoke;
      }
    }
    if ((g & ~r & bit) === 0) return false;
    return n === undefined || (n.below.revoke & bit) === 0;
  }

  /**
   * The readable part of a JSON value that sits at `basePath` under `type` (a thing, a feature, an event
   * payload): unreadable fields are removed, objects left with nothing readable are removed. Returns
   * undefined when nothing is readable. Arrays are values, as in Ditto: readable whole or not at all.
   */
  filter(value: unknown, basePath: readonly string[] = [], type: ResourceType = 'thing'): unknown {
    let n: TrieNode | undefined = this.#roots[type];
    let g = n.grant;
    let r = n.revoke;
    for (let i = 0; i < basePath.length && n !== undefined; i++) {
      n = n.children.get(basePath[i]!);
      if (n !== undefined) {
        g |= n.grant;
        r |= n.revoke;
      }
    }
    return filterAt(value, n, g, r);
  }
}

function filterAt(value: unknown, n: TrieNode | undefined, g: number, r: number): unknown {
  const readable = (g & ~r & BIT.READ) !== 0;
  if (n === undefined) return readable ? value : undefined;
  if (readable && (n.below.revoke & BIT.READ) === 0) return value;
  if (!readable && (n.below.grant & BIT.READ) === 0) return undefined;
  // a scalar has nothing below it to hide; an array with a revoke below its path is withheld whole
  if (!isObject(value)) return readable && !Array.isArray(value) ? value : undefined;
  let out: Record<string, unknown> | undefined;
  for (const key of Object.keys(value)) {
    const c = n.children.get(key);
    const v =
      c === undefined
        ? readable
          ? value[key]
          : undefined
        : filterAt(value[key], c, g | c.grant, r | c.revoke);
    if (v !== undefined) (out ??= {})[key] = v;
  }
  // an object emptied by filtering goes; one that was empty and is readable stays
  return out ?? (readable && Object.keys(value).length === 0 ? value : undefined);
}

/** A policy compiled for evaluation. Build once per policy version; `viewFor` is cached. */
export class CompiledPolicy {
  readonly document: PolicyDocument;
  readonly #views = new Map<string, PermissionView>();
  readonly #byPrincipal = new WeakMap<Principal, PermissionView>();
  /** subject id → the entries that name it, for collapsing */
  readonly #bySubject = new Map<string, number[]>();

  constructor(document: PolicyDocument) {
    this.document = document;
    document.entries.forEach((e, i) => {
      for (const s of e.subjects) {
        const list = this.#bySubject.get(s) ?? [];
        list.push(i);
        this.#bySubject.set(s, list);
      }
    });
  }

  /** Every subject id that appears in the policy. */
  subjects(): string[] {
    return [...this.#bySubject.keys()];
  }

  viewFor(p: Principal): PermissionView {
    // principals are immutable and live for a connection or request: remember their view by identity
    let view = this.#byPrincipal.get(p);
    if (view === undefined) this.#byPrincipal.set(p, (view = this.forSubjects(subjectIds(p))));
    return view;
  }

  forSubjects(ids: readonly string[]): PermissionView {
    const entries = new Set<number>();
    for (const id of ids) for (const e of this.#bySubject.get(id) ?? []) entries.add(e);
    const key = [...entries].sort((a, b) => a - b).join(',');
    let view = this.#views.get(key);
    if (view === undefined) {
      view = new PermissionView(this.#build(entries));
      if (this.#views.size > 10_000) this.#views.clear(); // bound memory under many distinct subjects
      this.#views.set(key, view);
    }
    return view;
  }

  #build(entries: Set<number>): Record<ResourceType, TrieNode> {
    const roots = Object.fromEntries(RESOURCE_TYPES.map((t) => [t, node()])) as Record<
      ResourceType,
      TrieNode
    >;
    for (const i of entries) {
      for (const rule of this.document.entries[i]!.resources) {
        let n = roots[rule.type];
        for (const seg of rule.path) {
          let c = n.children.get(seg);
          if (c === undefined) n.children.set(seg, (c = node()));
          n = c;
        }
        n.grant |= rule.grant;
        n.revoke |= rule.revoke;
      }
    }
    for (const t of RESOURCE_TYPES) summarise(roots[t]);
    return roots;
  }
}
