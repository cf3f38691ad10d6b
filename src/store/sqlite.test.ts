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

  it('with full sync, acknowledges sample batches after the WAL sync and syncs pending ones before it closes', async () => {
    const path = join(dir, 'ars.db');
    const store = openSqliteStore({ path });
    await store.putThing({ thingId: 'ns:t', tenant: 'x', attributes: {}, features: {} });
    // many batches in one loop turn: group-committed, each promise settles once the WAL is on disk
    const pending = Array.from({ length: 50 }, (_, i) =>
      store.appendSamples([{ thingId: 'ns:t', time: i, features: { f: { v: i } } }]),
    );
    const unknown = store.appendSamples([{ thingId: 'ns:ghost', time: 0, features: {} }]);
    const results = await Promise.all(pending);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(await unknown).toMatchObject({ ok: false, reason: 'unknown-thing' });
    expect(await store.countSamples('ns:t')).toBe(50);
    // writes still pending when the store closes are committed and synced before it closes
    const late = store.appendSamples([{ thingId: 'ns:t', time: 99, features: { f: { v: 99 } } }]);
    await store.close();
    expect(await late).toMatchObject({ ok: true, stored: 1 });
    const db = new Database(path, { readonly: true });
    expect(db.prepare('SELECT count(*) FROM samples').pluck().get()).toBe(51);
    db.close();
  });

  it('refuses writes after close', async () => {
    const store = openSqliteStore({ path: ':memory:' });
    await store.close();
    await expect(store.appendSamples([])).rejects.toThrow(/closed/);
    await expect(store.ping()).rejects.toThrow(/closed/);
  });
});
