/** What only the SQLite store does: its file, its pragmas and its migrations. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from './sqlite.js';
import { MIGRATIONS } from './sqlite-schema.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ars-sqlite-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('SqliteStore', () => {
  it('creates its file in WAL mode with full synchronous commits, migrated to the latest version', async () => {
    const path = join(dir, 'a', 'b', 'ars.db');
    const store = openSqliteStore({ path });
    expect(await store.schemaVersion()).toBe(MIGRATIONS.length);
    await store.close();
    const db = new Database(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    db.close();
  });

  it('refuses a file written by a newer ARS', () => {
    const path = join(dir, 'ars.db');
    const db = new Database(path);
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    expect(() => openSqliteStore({ path })).toThrow(/newer than this ARS/);
  });

  it('refuses writes after close', async () => {
    const store = openSqliteStore({ path: ':memory:' });
    await store.close();
    await expect(store.appendSamples([])).rejects.toThrow(/closed/);
    await expect(store.ping()).rejects.toThrow(/closed/);
  });
});
