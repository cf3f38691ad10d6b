/**
 * API keys and node credentials at rest: one JSON file holding only salted hashes (never a secret), written
 * with mode 0600 through a temporary file and a rename, so a reader never sees half a file.
 *
 *   { "version": 1, "apiKeys": [StoredKey…], "nodeKeys": [StoredKey…] }
 *
 * `ars keys create|list|revoke` edit it; the server reads it through a `KeyFileSource`, which re-reads the
 * file when it changes (checked at most once a second), so a revocation takes effect on a running server
 * within a second, without a restart.
 */
import { chmodSync, existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { ApiKeys, NodeCredentials, type StoredKey } from './api-keys.js';
import type { AuthConfig } from './authenticate.js';
import { SecurityError } from './errors.js';
import type { OidcVerifier } from './oidc.js';

const storedKey = z.strictObject({
  id: z.string().regex(/^[0-9a-f]{16}$/),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  salt: z.string().regex(/^[0-9a-f]{32}$/),
  subject: z.string().min(1),
  tenant: z.string().optional(),
  roles: z.array(z.string()),
  nodeId: z.string().optional(),
  label: z.string().optional(),
  createdAt: z.number(),
  expiresAt: z.number().optional(),
  revokedAt: z.number().optional(),
});

const keyFileSchema = z.strictObject({
  version: z.literal(1),
  apiKeys: z.array(storedKey).default([]),
  nodeKeys: z.array(storedKey).default([]),
});

export interface KeyFileContents {
  readonly apiKeys: StoredKey[];
  readonly nodeKeys: StoredKey[];
}

/** Reads a key file; a missing file is an empty one. Throws `ARS_E_POLICY_INVALID` naming the problem. */
export function readKeyFile(file: string): KeyFileContents {
  if (!existsSync(file)) return { apiKeys: [], nodeKeys: [] };
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new SecurityError('ARS_E_POLICY_INVALID', `${file}: not JSON (${(e as Error).message})`, { file });
  }
  const r = keyFileSchema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new SecurityError(
      'ARS_E_POLICY_INVALID',
      `${file}: ${issue.path.join('.') || '(root)'}: ${issue.message}`,
      { file, path: issue.path.join('.') },
    );
  }
  const strip = (k: z.infer<typeof storedKey>): StoredKey => k as StoredKey;
  return { apiKeys: r.data.apiKeys.map(strip), nodeKeys: r.data.nodeKeys.map(strip) };
}

export function writeKeyFile(file: string, contents: KeyFileContents): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ version: 1, ...contents }, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

/** The tables of a key file. */
export function keyTables(contents: KeyFileContents, now?: () => number) {
  return {
    apiKeys: new ApiKeys({ records: contents.apiKeys, ...(now ? { now } : {}) }),
    nodes: new NodeCredentials({ records: contents.nodeKeys, ...(now ? { now } : {}) }),
  };
}

/**
 * An `AuthConfig` whose key tables follow a key file: re-read when its modification time or size changes,
 * looked at no more than once per `checkEveryMs` (default 1000). A file that became unreadable keeps the
 * last good tables (and `lastError` says why) rather than locking everyone out or letting everyone in.
 */
export class KeyFileSource implements AuthConfig {
  readonly file: string;
  readonly oidc: OidcVerifier | undefined;
  readonly allowAnonymous = false;
  lastError: string | undefined;
  #tables: ReturnType<typeof keyTables>;
  #stamp = '';
  #checkedAt = 0;
  readonly #checkEveryMs: number;
  readonly #now: () => number;

  constructor(
    file: string,
    options: { oidc?: OidcVerifier; checkEveryMs?: number; now?: () => number } = {},
  ) {
    this.file = file;
    this.oidc = options.oidc;
    this.#checkEveryMs = options.checkEveryMs ?? 1000;
    this.#now = options.now ?? Date.now;
    this.#tables = keyTables(readKeyFile(file), options.now);
    this.#stamp = this.#stampOf();
    this.#checkedAt = this.#now();
  }

  #stampOf(): string {
    try {
      const s = statSync(this.file);
      return `${s.mtimeMs}:${s.size}:${s.ino}`;
    } catch {
      return 'absent';
    }
  }

  #refresh(): void {
    const now = this.#now();
    if (now - this.#checkedAt < this.#checkEveryMs) return;
    this.#checkedAt = now;
    const stamp = this.#stampOf();
    if (stamp === this.#stamp) return;
    try {
      this.#tables = keyTables(readKeyFile(this.file), this.#now);
      this.#stamp = stamp;
      this.lastError = undefined;
    } catch (e) {
      this.lastError = (e as Error).message;
    }
  }

  /** Re-reads the file now (tests, and the CLI after a change). */
  reload(): void {
    this.#checkedAt = Number.NEGATIVE_INFINITY;
    this.#stamp = '';
    this.#refresh();
  }

  get apiKeys(): ApiKeys {
    this.#refresh();
    return this.#tables.apiKeys;
  }

  get nodes(): NodeCredentials {
    this.#refresh();
    return this.#tables.nodes;
  }
}
