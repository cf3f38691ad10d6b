/**
 * Sensitive fields of a twin, before storage and after: seal them with a `FieldCipher` or drop them,
 * as the deployment's policy says, and open them again on the way out.
 *
 * A sensitive field is named as in the scenario's `twin.sensitive`: a bare name (`heartRate`) matches a
 * key of that name at any depth; a slash path (`features/vitals/properties/ecg`) matches that path only.
 */
import { type FieldCipher, isEnvelope } from './field-crypto.js';

export type AtRest = 'encrypt' | 'drop';

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

export class SensitiveFields {
  readonly #names: ReadonlySet<string>;
  readonly #paths: ReadonlySet<string>;

  constructor(fields: readonly string[]) {
    this.#names = new Set(fields.filter((f) => !f.includes('/')));
    this.#paths = new Set(fields.filter((f) => f.includes('/')).map((f) => f.replace(/^\/+|\/+$/g, '')));
  }

  get empty(): boolean {
    return this.#names.size === 0 && this.#paths.size === 0;
  }

  matches(path: readonly string[]): boolean {
    const last = path[path.length - 1];
    return (last !== undefined && this.#names.has(last)) || this.#paths.has(path.join('/'));
  }

  /** The slash paths of the sensitive fields present in a document. */
  find(doc: unknown): string[] {
    const out: string[] = [];
    const walk = (v: unknown, path: string[]) => {
      if (!isObject(v)) return;
      for (const [k, c] of Object.entries(v)) {
        const p = [...path, k];
        if (this.matches(p)) out.push(p.join('/'));
        else walk(c, p);
      }
    };
    walk(doc, []);
    return out;
  }
}

/**
 * A copy of `doc` fit for storage: each sensitive field sealed (context `<owner>/<path>`) or removed.
 * Values already sealed are kept as they are.
 */
export function protect(
  doc: unknown,
  fields: SensitiveFields,
  mode: AtRest,
  owner: string,
  cipher?: FieldCipher,
): unknown {
  if (fields.empty) return doc;
  if (mode === 'encrypt' && !cipher) throw new TypeError('protect: encrypt mode needs a FieldCipher');
  const walk = (v: unknown, path: string[]): unknown => {
    if (!isObject(v)) return v;
    const out: Record<string, unknown> = {};
    for (const [k, c] of Object.entries(v)) {
      const p = [...path, k];
      if (!fields.matches(p)) out[k] = walk(c, p);
      else if (mode === 'encrypt') out[k] = isEnvelope(c) ? c : cipher!.seal(c, `${owner}/${p.join('/')}`);
    }
    return out;
  };
  return walk(doc, []);
}

/** Opens every sealed value of a stored document (the inverse of `protect` in encrypt mode). */
export function reveal(doc: unknown, owner: string, cipher: FieldCipher): unknown {
  const walk = (v: unknown, path: string[]): unknown => {
    if (isEnvelope(v)) return cipher.open(v, `${owner}/${path.join('/')}`);
    if (!isObject(v)) return v;
    const out: Record<string, unknown> = {};
    for (const [k, c] of Object.entries(v)) out[k] = walk(c, [...path, k]);
    return out;
  };
  return walk(doc, []);
}
