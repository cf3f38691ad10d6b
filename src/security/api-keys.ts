/**
 * API keys and agent node credentials: random 256-bit secrets, shown once, stored only as a salted
 * SHA-256, compared in constant time, revocable, with an optional expiry.
 *
 * A key reads `<prefix>_<id>_<secret>`: the id (public, 16 hex digits) finds the record without a scan,
 * the secret (43 base64url characters) is what is hashed. SHA-256 rather than a slow KDF is right here:
 * the secret has 256 bits of entropy, so there is nothing to brute-force, and verification stays cheap
 * on every request.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { SecurityError } from './errors.js';
import type { Principal, PrincipalKind } from './principal.js';

export interface StoredKey {
  readonly id: string;
  /** hex SHA-256 of salt ‖ secret */
  readonly hash: string;
  /** hex, 16 random bytes */
  readonly salt: string;
  readonly subject: string;
  readonly tenant: string | undefined;
  readonly roles: readonly string[];
  /** set for node credentials: the only node the key may act as */
  readonly nodeId?: string | undefined;
  readonly label?: string | undefined;
  readonly createdAt: number;
  readonly expiresAt?: number | undefined;
  readonly revokedAt?: number | undefined;
}

/** A key's record without its hash and salt: what listings show. */
export type KeyInfo = Omit<StoredKey, 'hash' | 'salt'>;

export interface IssueOptions {
  readonly subject?: string;
  readonly tenant: string | undefined;
  readonly roles?: readonly string[];
  readonly label?: string;
  /** ms since the epoch */
  readonly expiresAt?: number;
  readonly nodeId?: string;
}

export interface IssuedKey {
  /** the full key: returned once, never stored, never shown again */
  readonly secret: string;
  readonly info: KeyInfo;
}

export type KeyFailure = 'malformed' | 'unknown' | 'revoked' | 'expired';

export type KeyCheck =
  | { readonly ok: true; readonly principal: Principal; readonly key: KeyInfo }
  | { readonly ok: false; readonly reason: KeyFailure };

const ID_HEX = 16;
const SECRET_BYTES = 32;

function hashSecret(salt: string, secret: string): Buffer {
  return createHash('sha256').update(Buffer.from(salt, 'hex')).update(secret, 'utf8').digest();
}

const info = ({ hash: _h, salt: _s, ...rest }: StoredKey): KeyInfo => rest;

/**
 * An in-process key table. `records()` gives what a store persists; a new instance built from them
 * authenticates the same keys. The clock is injected so expiry is testable without sleeping.
 */
export class ApiKeys {
  readonly #byId = new Map<string, StoredKey>();
  readonly #prefix: string;
  readonly #kind: PrincipalKind;
  readonly #now: () => number;
  readonly #pattern: RegExp;

  constructor(
    options: {
      prefix?: string;
      kind?: PrincipalKind;
      records?: readonly StoredKey[];
      now?: () => number;
    } = {},
  ) {
    this.#prefix = options.prefix ?? 'ars';
    this.#kind = options.kind ?? 'api-key';
    this.#now = options.now ?? Date.now;
    this.#pattern = new RegExp(`^${this.#prefix}_([0-9a-f]{${ID_HEX}})_([A-Za-z0-9_-]{43})$`);
    for (const r of options.records ?? []) this.#byId.set(r.id, r);
  }

  /** True when `token` has this table's shape (cheap routing between key kinds and JWTs). */
  recognises(token: string): boolean {
    return token.startsWith(`${this.#prefix}_`);
  }

  issue(options: IssueOptions): IssuedKey {
    if (options.expiresAt !== undefined && !(options.expiresAt > this.#now())) {
      throw new SecurityError('ARS_E_POLICY_INVALID', 'a key must expire in the future', {
        expiresAt: options.expiresAt,
      });
    }
    let id: string;
    do id = randomBytes(ID_HEX / 2).toString('hex');
    while (this.#byId.has(id));
    const secretPart = randomBytes(SECRET_BYTES).toString('base64url');
    const salt = randomBytes(16).toString('hex');
    const record: StoredKey = Object.freeze({
      id,
      hash: hashSecret(salt, secretPart).toString('hex'),
      salt,
      subject: options.subject ?? `${this.#kind === 'agent' ? 'node' : 'apikey'}:${options.nodeId ?? id}`,
      tenant: options.tenant,
      roles: Object.freeze([...(options.roles ?? [])]),
      ...(options.nodeId !== undefined ? { nodeId: options.nodeId } : {}),
      ...(options.label !== undefined ? { label: options.label } : {}),
      createdAt: this.#now(),
      ...(options.expiresAt !== undefined ? { expiresAt: options.expiresAt } : {}),
    });
    this.#byId.set(id, record);
    return { secret: `${this.#prefix}_${id}_${secretPart}`, info: info(record) };
  }

  /** Revokes a key; true when it existed and was not already revoked. Idempotent. */
  revoke(id: string): boolean {
    const r = this.#byId.get(id);
    if (!r || r.revokedAt !== undefined) return false;
    this.#byId.set(id, Object.freeze({ ...r, revokedAt: this.#now() }));
    return true;
  }

  verify(token: string): KeyCheck {
    const m = this.#pattern.exec(token);
    if (!m) return { ok: false, reason: 'malformed' };
    const record = this.#byId.get(m[1]!);
    // hash even when the id is unknown, so timing does not tell which ids exist
    const presented = hashSecret(record?.salt ?? '00', m[2]!);
    if (!record) return { ok: false, reason: 'unknown' };
    const stored = Buffer.from(record.hash, 'hex');
    if (stored.length !== presented.length || !timingSafeEqual(stored, presented)) {
      return { ok: false, reason: 'unknown' };
    }
    if (record.revokedAt !== undefined) return { ok: false, reason: 'revoked' };
    if (record.expiresAt !== undefined && this.#now() >= record.expiresAt)
      return { ok: false, reason: 'expired' };
    return {
      ok: true,
      key: info(record),
      principal: Object.freeze({
        kind: this.#kind,
        subject: record.subject,
        tenant: record.tenant,
        roles: record.roles,
        ...(record.nodeId !== undefined ? { nodeId: record.nodeId } : {}),
        ...(record.expiresAt !== undefined ? { expiresAt: record.expiresAt } : {}),
      }),
    };
  }

  list(): KeyInfo[] {
    return [...this.#byId.values()]
      .map(info)
      .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  }

  /** Every record including hashes and salts, for a store to persist (never for a response). */
  records(): StoredKey[] {
    return [...this.#byId.values()];
  }
}

/**
 * Agent credentials: an `ApiKeys` table whose keys are bound to one node id. `actAs` is the check every
 * agent message passes: the credential's node must be the node the message claims to come from.
 */
export class NodeCredentials {
  readonly keys: ApiKeys;

  constructor(options: { records?: readonly StoredKey[]; now?: () => number } = {}) {
    this.keys = new ApiKeys({ ...options, prefix: 'arsn', kind: 'agent' });
  }

  issue(nodeId: string, tenant: string | undefined, expiresAt?: number): IssuedKey {
    return this.keys.issue({
      nodeId,
      tenant,
      roles: ['agent'],
      label: `node ${nodeId}`,
      ...(expiresAt !== undefined ? { expiresAt } : {}),
    });
  }

  verify(token: string): KeyCheck {
    return this.keys.verify(token);
  }

  revoke(id: string): boolean {
    return this.keys.revoke(id);
  }
}

/** Throws `ARS_E_FORBIDDEN` unless the principal is an agent bound to `nodeId`. */
export function assertActsAs(p: Principal, nodeId: string): void {
  if (p.kind !== 'agent' || p.nodeId !== nodeId) {
    throw new SecurityError('ARS_E_FORBIDDEN', `credential may not act as node ${nodeId}`, { nodeId });
  }
}
