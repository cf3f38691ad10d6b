import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type AuditEntry,
  AuditLog,
  type AuditStore,
  canonicalJson,
  MemoryAuditStore,
  recordHash,
  verifyChain,
} from './chain.js';
import { SqliteAuditStore } from './sqlite-store.js';

const entry = (i: number): AuditEntry => ({
  actor: i % 3 === 0 ? 'anonymous' : `oidc:user${i}`,
  tenant: i % 2 === 0 ? 'icu' : undefined,
  action: ['thing.write', 'policy.update', 'login', 'permission.denied'][i % 4]!,
  resource: `thing:bed-${i}`,
  outcome: i % 4 === 2 ? 'failed' : i % 4 === 3 ? 'denied' : 'allowed',
  source: '127.0.0.1',
  ...(i % 2 === 0 ? { detail: { z: i, a: { y: [1, 2], x: null } } } : {}),
});

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'ars-audit-'));
  dirs.push(d);
  return d;
};

const stores: Record<string, () => AuditStore> = {
  memory: () => new MemoryAuditStore(),
  sqlite: () => new SqliteAuditStore(join(tmp(), 'audit.db')),
};

// One conformance suite for every store.
for (const [name, make] of Object.entries(stores)) {
  describe(`audit log on the ${name} store`, () => {
    let store: AuditStore;
    afterEach(() => store.close());

    it('chains records: each names the previous hash and verifies', () => {
      store = make();
      let t = Date.UTC(2026, 10, 30);
      const log = new AuditLog(store, () => (t += 1000));
      const recs = Array.from({ length: 20 }, (_, i) => log.append(entry(i)));
      expect(recs[0]!.seq).toBe(1);
      expect(recs[0]!.prevHash).toBe('0'.repeat(64));
      for (let i = 1; i < recs.length; i++) expect(recs[i]!.prevHash).toBe(recs[i - 1]!.hash);
      expect(log.verify()).toEqual({ ok: true, count: 20, head: recs[19]!.hash });
      expect(recs[1]!.time).toBe('2026-11-30T00:00:02.000Z');
    });

    it('pages in order for the API', () => {
      store = make();
      const log = new AuditLog(store);
      for (let i = 0; i < 5; i++) log.append(entry(i));
      expect(log.page(2, 2).map((r) => r.seq)).toEqual([2, 3]);
      expect(log.page(6).length).toBe(0);
    });

    it('reads back exactly what it wrote', () => {
      store = make();
      const log = new AuditLog(store);
      const written = [log.append(entry(0)), log.append(entry(1))];
      expect([...store.all()]).toEqual(written);
    });
  });
}

describe('tamper detection', () => {
  function build(n: number): { file: string; log: AuditLog; store: SqliteAuditStore } {
    const file = join(tmp(), 'audit.db');
    const store = new SqliteAuditStore(file);
    const log = new AuditLog(store);
    for (let i = 0; i < n; i++) log.append(entry(i));
    return { file, log, store };
  }

  it('the database refuses UPDATE and DELETE', () => {
    const { store } = build(3);
    expect(() => store.db.prepare("UPDATE audit_log SET actor = 'x' WHERE seq = 2").run()).toThrow(
      /append-only/,
    );
    expect(() => store.db.prepare('DELETE FROM audit_log WHERE seq = 3').run()).toThrow(/append-only/);
    store.close();
  });

  const edits: [string, string, string][] = [
    ['an edited actor', "UPDATE audit_log SET actor = 'oidc:someone-else' WHERE seq = 5", 'hash mismatch'],
    ['an edited outcome', "UPDATE audit_log SET outcome = 'denied' WHERE seq = 5", 'hash mismatch'],
    ['an edited detail', `UPDATE audit_log SET detail = '{"z":0}' WHERE seq = 5`, 'hash mismatch'],
    ['a recomputed row', 'RECOMPUTE', 'broken link'],
    ['a deleted row', 'DELETE FROM audit_log WHERE seq = 5', 'sequence gap'],
  ];
  it.each(edits)('names the first bad row after %s', (_what, sql, problem) => {
    const { file, store } = build(10);
    const recs = [...store.all()];
    store.close();
    const db = new Database(file);
    db.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;');
    if (sql === 'RECOMPUTE') {
      // an attacker who edits row 5 and recomputes its own hash still breaks row 6's link
      const edited = { ...recs[4]!, actor: 'oidc:forger' };
      const { hash: _h, ...rest } = edited;
      db.prepare('UPDATE audit_log SET actor = ?, hash = ? WHERE seq = 5').run(
        'oidc:forger',
        recordHash(rest),
      );
    } else db.exec(sql);
    db.close();
    const again = new SqliteAuditStore(file, { readonly: true });
    const check = verifyChain(again.all());
    again.close();
    const seq = problem === 'broken link' ? 6 : problem === 'sequence gap' ? 6 : 5;
    expect(check).toMatchObject({ ok: false, firstBad: { seq, problem } });
  });

  it('canonical JSON ignores key order', () => {
    expect(canonicalJson({ b: 1, a: { d: 2, c: [3, { f: 4, e: 5 }] } })).toBe(
      '{"a":{"c":[3,{"e":5,"f":4}],"d":2},"b":1}',
    );
  });

  it('a non-database file is refused by the store', () => {
    const file = join(tmp(), 'not.db');
    writeFileSync(file, 'hello, this is not sqlite at all, not even close');
    expect(() => [...new SqliteAuditStore(file, { readonly: true }).all()]).toThrow();
  });
});
