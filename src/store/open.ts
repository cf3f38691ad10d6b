/**
 * `openStore(spec)`: the store a `--store` option names.
 *
 * - `postgres://…` or `postgresql://…` — the PostgreSQL store (a `?schema=name` parameter picks the
 *   PostgreSQL schema of the tables; the rest of the URL goes to the `pg` driver as is);
 * - a path ending in `.db`, `.sqlite` or `.sqlite3` — that SQLite file;
 * - any other path — a directory holding `ars.db`;
 * - `:memory:` — a throw-away SQLite store (tests).
 */
import { join } from 'node:path';
import { openPostgresStore } from './postgres.js';
import { openSqliteStore } from './sqlite.js';
import type { Store, StoreOptions } from './store.js';

export const SQLITE_FILE_NAME = 'ars.db';

export interface OpenStoreOptions extends StoreOptions {
  /** SQLite only: `full` (default) or `normal`; see docs/reliability.md. */
  synchronous?: 'full' | 'normal';
  /** PostgreSQL only: largest number of pooled connections. */
  poolSize?: number;
}

export function isPostgresUrl(spec: string): boolean {
  return /^postgres(ql)?:\/\//i.test(spec);
}

/** Where the SQLite file of `spec` lives (undefined for PostgreSQL). */
export function sqlitePath(spec: string): string | undefined {
  if (isPostgresUrl(spec)) return undefined;
  if (spec === ':memory:' || /\.(db|sqlite3?)$/i.test(spec)) return spec;
  return join(spec, SQLITE_FILE_NAME);
}

export async function openStore(spec: string, options: OpenStoreOptions = {}): Promise<Store> {
  if (isPostgresUrl(spec)) {
    const url = new URL(spec);
    const schema = url.searchParams.get('schema') ?? undefined;
    url.searchParams.delete('schema');
    return openPostgresStore({
      url: url.toString(),
      ...(schema !== undefined ? { schema } : {}),
      ...(options.retentionMs !== undefined ? { retentionMs: options.retentionMs } : {}),
      ...(options.poolSize !== undefined ? { poolSize: options.poolSize } : {}),
    });
  }
  return openSqliteStore({
    path: sqlitePath(spec)!,
    ...(options.retentionMs !== undefined ? { retentionMs: options.retentionMs } : {}),
    ...(options.synchronous !== undefined ? { synchronous: options.synchronous } : {}),
  });
}
