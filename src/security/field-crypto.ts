/**
 * Field encryption at rest: AES-256-GCM from node:crypto. Each value is sealed as
 * `ars:enc:v1:<key id>:<iv>:<ciphertext>:<tag>` (base64url parts), with a fresh 96-bit IV and, as
 * additional authenticated data, the context it belongs to (thing id and field path), so a ciphertext
 * copied to another field or thing does not open.
 *
 * Keys come from a key file or an environment variable holding the same JSON:
 * `{ "active": "2026-11", "keys": { "2026-11": "<base64, 32 bytes>", "2026-05": "<…>" } }`.
 * The key id travels in every envelope, so rotation is: add a new key, make it active (new writes use it,
 * old values still open), re-seal old values with `reseal`, then drop the old key.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { SecurityError } from './errors.js';

export const ENVELOPE_PREFIX = 'ars:enc:v1:';
const IV_BYTES = 12;
const KEY_BYTES = 32;

export interface Keyring {
  readonly active: string;
  readonly keys: ReadonlyMap<string, Buffer>;
}

/** A key's id when none is given: the first 8 hex digits of its SHA-256 (not secret, not reversible). */
export const fingerprint = (key: Buffer) => createHash('sha256').update(key).digest('hex').slice(0, 8);

function decodeKey(kid: string, text: unknown): Buffer {
  const key = typeof text === 'string' ? Buffer.from(text, 'base64') : Buffer.alloc(0);
  if (key.length !== KEY_BYTES) {
    throw new SecurityError(
      'ARS_E_CRYPTO',
      `key ${kid}: expected ${KEY_BYTES} bytes in base64, found ${key.length}`,
      {
        kid,
      },
    );
  }
  return key;
}

/** Parses a keyring document (JSON as above, or one bare base64 key). */
export function parseKeyring(text: string, source: string): Keyring {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) {
    const key = decodeKey(source, trimmed);
    const kid = fingerprint(key);
    return { active: kid, keys: new Map([[kid, key]]) };
  }
  let doc: unknown;
  try {
    doc = JSON.parse(trimmed);
  } catch {
    throw new SecurityError('ARS_E_CRYPTO', `${source}: not JSON`, { source });
  }
  const d = doc as { active?: unknown; keys?: unknown };
  if (typeof d.active !== 'string' || d.keys === null || typeof d.keys !== 'object') {
    throw new SecurityError(
      'ARS_E_CRYPTO',
      `${source}: expected { "active": "<id>", "keys": { "<id>": "<base64>" } }`,
      {
        source,
      },
    );
  }
  const keys = new Map<string, Buffer>();
  for (const [kid, v] of Object.entries(d.keys as Record<string, unknown>)) {
    if (!/^[A-Za-z0-9._-]+$/.test(kid))
      throw new SecurityError('ARS_E_CRYPTO', `${source}: bad key id ${JSON.stringify(kid)}`);
    keys.set(kid, decodeKey(kid, v));
  }
  if (!keys.has(d.active)) {
    throw new SecurityError('ARS_E_CRYPTO', `${source}: active key ${d.active} is not among the keys`, {
      source,
    });
  }
  return { active: d.active, keys };
}

/**
 * Loads the keyring from `file` (which must not be readable by group or others) or else from the
 * environment variable (default `ARS_FIELD_KEYS`). Returns undefined when neither is set.
 */
export function loadKeyring(
  options: { file?: string; env?: Readonly<Record<string, string | undefined>>; envVar?: string } = {},
): Keyring | undefined {
  if (options.file !== undefined) {
    let mode: number;
    let text: string;
    try {
      mode = statSync(options.file).mode;
      text = readFileSync(options.file, 'utf8');
    } catch (err) {
      throw new SecurityError(
        'ARS_E_CRYPTO',
        `key file ${options.file}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`,
      );
    }
    if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
      throw new SecurityError(
        'ARS_E_CRYPTO',
        `key file ${options.file} is readable by group or others (mode ${(mode & 0o777).toString(8)}); chmod 600 it`,
      );
    }
    return parseKeyring(text, options.file);
  }
  const name = options.envVar ?? 'ARS_FIELD_KEYS';
  const value = (options.env ?? process.env)[name];
  return value === undefined || value === '' ? undefined : parseKeyring(value, `$${name}`);
}

/** A new random 256-bit key in base64, for key files. */
export const generateKey = () => randomBytes(KEY_BYTES).toString('base64');

export const isEnvelope = (v: unknown): v is string => typeof v === 'string' && v.startsWith(ENVELOPE_PREFIX);

export class FieldCipher {
  readonly #ring: Keyring;
  constructor(ring: Keyring) {
    this.#ring = ring;
  }

  get activeKeyId(): string {
    return this.#ring.active;
  }

  /** Seals any JSON value; `context` (e.g. `press-3/features/vitals/properties/heartRate`) is authenticated. */
  seal(value: unknown, context: string): string {
    const kid = this.#ring.active;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#ring.keys.get(kid)!, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ct = Buffer.concat([cipher.update(JSON.stringify(value) ?? 'null', 'utf8'), cipher.final()]);
    return `${ENVELOPE_PREFIX}${kid}:${iv.toString('base64url')}:${ct.toString('base64url')}:${cipher.getAuthTag().toString('base64url')}`;
  }

  /** Opens an envelope; throws `ARS_E_CRYPTO` for an unknown key id, a wrong context or any tampering. */
  open(envelope: string, context: string): unknown {
    if (!isEnvelope(envelope)) throw new SecurityError('ARS_E_CRYPTO', 'not an ARS ciphertext envelope');
    const parts = envelope.slice(ENVELOPE_PREFIX.length).split(':');
    if (parts.length !== 4) throw new SecurityError('ARS_E_CRYPTO', 'malformed ciphertext envelope');
    const [kid, iv, ct, tag] = parts as [string, string, string, string];
    const key = this.#ring.keys.get(kid);
    if (!key) throw new SecurityError('ARS_E_CRYPTO', `ciphertext sealed with unknown key ${kid}`, { kid });
    try {
      const d = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      d.setAAD(Buffer.from(context, 'utf8'));
      d.setAuthTag(Buffer.from(tag, 'base64url'));
      const text = Buffer.concat([d.update(Buffer.from(ct, 'base64url')), d.final()]).toString('utf8');
      return JSON.parse(text);
    } catch {
      throw new SecurityError(
        'ARS_E_CRYPTO',
        'ciphertext does not open (tampered, or sealed for another field)',
        { kid },
      );
    }
  }

  /** The key id an envelope was sealed with. */
  static keyIdOf(envelope: string): string | undefined {
    return isEnvelope(envelope) ? envelope.slice(ENVELOPE_PREFIX.length).split(':')[0] : undefined;
  }

  /** Re-seals under the active key (rotation); an envelope already under it is returned as is. */
  reseal(envelope: string, context: string): string {
    if (FieldCipher.keyIdOf(envelope) === this.#ring.active) return envelope;
    return this.seal(this.open(envelope, context), context);
  }
}
