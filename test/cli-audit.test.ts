// `ars audit verify`: exit 0 on an intact chain, 2 with the first bad row on a broken one or a bad file.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { AuditLog, SqliteAuditStore } from '../src/security/audit/index.js';
import { ars } from './run-cli.js';

function auditFile(n: number): { file: string; head: string } {
  const file = join(mkdtempSync(join(tmpdir(), 'ars-cli-audit-')), 'audit.db');
  const store = new SqliteAuditStore(file);
  const log = new AuditLog(store);
  let head = '';
  for (let i = 0; i < n; i++)
    head = log.append({
      actor: `oidc:u${i}`,
      tenant: 'icu',
      action: 'thing.write',
      resource: `thing:bed-${i}`,
      outcome: 'allowed',
      source: '127.0.0.1',
    }).hash;
  store.close();
  return { file, head };
}

describe('ars audit verify', () => {
  it('accepts an intact chain and prints its head', async () => {
    const { file, head } = auditFile(12);
    const r = await ars('audit', 'verify', file);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`ok, 12 records, head ${head}`);
    const j = await ars('audit', 'verify', file, '--json');
    expect(JSON.parse(j.stdout)).toMatchObject({ ok: true, count: 12, head });
  });

  it('names the first bad row of an edited log and exits 2', async () => {
    const { file } = auditFile(12);
    const db = new Database(file);
    db.exec("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET resource = 'thing:other' WHERE seq = 7");
    db.close();
    const r = await ars('audit', 'verify', file);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('chain broken at row seq 7: hash mismatch');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const j = await ars('audit', 'verify', file, '--json');
    expect(j.code).toBe(2);
    expect(JSON.parse(j.stdout)).toMatchObject({ ok: false, firstBad: { seq: 7, problem: 'hash mismatch' } });
  });

  it('detects rows cut off the end against an expected head', async () => {
    const { file, head } = auditFile(5);
    expect((await ars('audit', 'verify', file, '--expect-head', head)).code).toBe(0);
    const r = await ars('audit', 'verify', file, '--expect-head', 'f'.repeat(64));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('expected ffff');
  });

  it('refuses a missing file, a file that is not SQLite and a database without the table, with exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ars-cli-audit-'));
    const missing = await ars('audit', 'verify', join(dir, 'nope.db'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/ARS_E_INPUT_FILE.*no such file/);
    const text = join(dir, 'text.db');
    writeFileSync(text, 'not a database, just words that go on for a while and a while');
    const notDb = await ars('audit', 'verify', text);
    expect(notDb.code).toBe(2);
    expect(notDb.stderr).toMatch(/not an ARS audit database/);
    const empty = join(dir, 'empty.db');
    new Database(empty).exec('CREATE TABLE other (x)');
    const noTable = await ars('audit', 'verify', empty);
    expect(noTable.code).toBe(2);
    expect(noTable.stderr).toMatch(/no audit_log table/);
    for (const r of [missing, notDb, noTable]) expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
