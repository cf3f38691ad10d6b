/**
 * What only the PostgreSQL store does: its migrations table, replicas migrating one schema at once, refusing a
 * schema from a newer ARS, `openStore` picking the store from its spec. Skips with a message when PostgreSQL
 * (ARS_TEST_PG_URL) is unreachable; each test uses its own schema, dropped afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore, sqlitePath } from './open.js';
import { openPostgresStore } from './postgres.js';
import { PG_MIGRATIONS } from './postgres-schema.js';

const PG_URL = process.env.ARS_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const admin = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 10_000 });
const reachable = await admin.connect().then(
  () => true,
  (error: Error) => {
    console.warn(`PostgreSQL store tests skipped: ${PG_URL} unreachable (${error.message})`);
    return false;
  },
);
const schemas: string[] = [];
const fresh = () => {
  const schema = `ars_pgt_${process.pid}_${Date.now().toString(36)}_${schemas.length}`;
  schemas.push(schema);
  return schema;
};
afterAll(async () => {
  if (!reachable) return;
  for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.end();
});

describe('openStore', () => {
  it('maps a directory, a .db file and :memory: to SQLite', async () => {
    expect(sqlitePath('data')).toBe(join('data', 'ars.db'));
    expect(sqlitePath('x/y.sqlite')).toBe('x/y.sqlite');
    expect(sqlitePath('postgres://h/db')).toBeUndefined();
    const dir = mkdtempSync(join(tmpdir(), 'ars-open-'));
    const store = await openStore(dir);
    expect(store.kind).toBe('sqlite');
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
});

describe.skipIf(!reachable)('PostgresStore', () => {
  it('records each migration once, even when replicas open a fresh schema at the same moment', async () => {
    const schema = fresh();
    const stores = await Promise.all(
      Array.from({ length: 3 }, () => openPostgresStore({ url: PG_URL, schema, poolSize: 2 })),
    );
    for (const s of stores) expect(await s.schemaVersion()).toBe(PG_MIGRATIONS.length);
    const rows = await admin.query(`SELECT version FROM ${schema}.ars_schema_migrations ORDER BY version`);
    expect(rows.rows.map((r) => r.version)).toEqual(PG_MIGRATIONS.map((_, i) => i + 1));
    for (const s of stores) await s.close();
  });

  it('refuses a schema written by a newer ARS and an unsafe schema name', async () => {
    const schema = fresh();
    await (await openPostgresStore({ url: PG_URL, schema })).close();
    await admin.query(`INSERT INTO ${schema}.ars_schema_migrations VALUES ($1, 0)`, [
      PG_MIGRATIONS.length + 1,
    ]);
    await expect(openPostgresStore({ url: PG_URL, schema })).rejects.toThrow(/newer than this ARS/);
    await expect(openPostgresStore({ url: PG_URL, schema: 'x; DROP TABLE y' })).rejects.toThrow(
      /schema name/,
    );
  });

  it('openStore takes a postgres:// URL with ?schema=', async () => {
    const schema = fresh();
    const url = `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}schema=${schema}`;
    const store = await openStore(url);
    expect(store.kind).toBe('postgres');
    await store.putThing({ thingId: 'plant:o', tenant: 'acme', attributes: {}, features: {} });
    const rows = await admin.query(`SELECT thing_id FROM ${schema}.things`);
    expect(rows.rows).toEqual([{ thing_id: 'plant:o' }]);
    await store.close();
  });
});
