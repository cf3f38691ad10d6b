/**
 * The audit log in a SQLite file (better-sqlite3 12). Triggers refuse UPDATE and DELETE, so the
 * application cannot rewrite history by mistake; someone with the file can still edit it, which is what
 * the hash chain catches.
 */
import Database from 'better-sqlite3';
import type { AuditRecord, AuditStore } from './chain.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS audit_log (
  seq       INTEGER PRIMARY KEY,
  time      TEXT NOT NULL,
  actor     TEXT NOT NULL,
  tenant    TEXT,
  action    TEXT NOT NULL,
  resource  TEXT NOT NULL,
  outcome   TEXT NOT NULL,
  source    TEXT NOT NULL,
  detail    TEXT,
  prev_hash TEXT NOT NULL,
  hash      TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
`;

interface Row {
  seq: number;
  time: string;
  actor: string;
  tenant: string | null;
  action: string;
  resource: string;
  outcome: string;
  source: string;
  detail: string | null;
  prev_hash: string;
  hash: string;
}

/** A row as stored; `detail` that is not JSON is kept as text so verification reports a mismatch, not a crash. */
export function fromRow(r: Row): AuditRecord {
  let detail: Record<string, unknown> | undefined;
  if (r.detail !== null) {
    try {
      detail = JSON.parse(r.detail);
    } catch {
      detail = { unparsable: r.detail };
    }
  }
  return {
    seq: r.seq,
    time: r.time,
    actor: r.actor,
    tenant: r.tenant ?? undefined,
    action: r.action,
    resource: r.resource,
    outcome: r.outcome as AuditRecord['outcome'],
    source: r.source,
    ...(detail !== undefined ? { detail } : {}),
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

export class SqliteAuditStore implements AuditStore {
  readonly db: Database.Database;
  readonly #insert: Database.Statement;
  readonly #head: Database.Statement;
  readonly #read: Database.Statement;
  readonly #all: Database.Statement;

  constructor(file: string, options: { readonly?: boolean } = {}) {
    this.db = new Database(file, options.readonly ? { readonly: true, fileMustExist: true } : {});
    if (!options.readonly) {
      this.db.pragma('journal_mode = WAL');
      this.db.exec(SCHEMA);
    }
    this.#insert = options.readonly
      ? this.db.prepare('SELECT 1')
      : this.db.prepare(
          'INSERT INTO audit_log (seq, time, actor, tenant, action, resource, outcome, source, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        );
    this.#head = this.db.prepare('SELECT * FROM audit_log ORDER BY seq DESC LIMIT 1');
    this.#read = this.db.prepare('SELECT * FROM audit_log WHERE seq >= ? ORDER BY seq LIMIT ?');
    this.#all = this.db.prepare('SELECT * FROM audit_log ORDER BY seq');
  }

  exclusive<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  head(): AuditRecord | undefined {
    const r = this.#head.get() as Row | undefined;
    return r ? fromRow(r) : undefined;
  }

  insert(r: AuditRecord): void {
    this.#insert.run(
      r.seq,
      r.time,
      r.actor,
      r.tenant ?? null,
      r.action,
      r.resource,
      r.outcome,
      r.source,
      r.detail !== undefined ? JSON.stringify(r.detail) : null,
      r.prevHash,
      r.hash,
    );
  }

  read(fromSeq: number, limit: number): AuditRecord[] {
    return (this.#read.all(fromSeq, limit) as Row[]).map(fromRow);
  }

  *all(): Iterable<AuditRecord> {
    for (const r of this.#all.iterate() as Iterable<Row>) yield fromRow(r);
  }

  close(): void {
    this.db.close();
  }
}
