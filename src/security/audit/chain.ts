/**
 * The audit log: append-only records of who did what, when, from where, with what outcome, each carrying
 * the SHA-256 of the previous record's hash and its own fields. Editing, deleting or reordering any row
 * breaks every hash after it; `verifyChain` names the first bad row. (Cutting rows off the end leaves a
 * valid shorter chain: keep the head hash somewhere else — a ticket, a second log — and compare it with
 * `ars audit verify --expect-head`.)
 */
import { createHash } from 'node:crypto';

export type AuditOutcome = 'allowed' | 'denied' | 'failed';

/** What a caller appends. */
export interface AuditEntry {
  /** the principal's subject, or `anonymous`, or the presented identity on a login failure */
  readonly actor: string;
  readonly tenant: string | undefined;
  /** e.g. `thing.write`, `policy.update`, `login`, `permission.denied`, `key.revoke` */
  readonly action: string;
  /** e.g. `thing:press-3`, `policy:icu`, `key:4f2a…` */
  readonly resource: string;
  readonly outcome: AuditOutcome;
  /** where from: client address, `mqtt:<client id>`, `cli` */
  readonly source: string;
  /** small, non-sensitive facts (redact before passing); canonicalised before hashing */
  readonly detail?: Readonly<Record<string, unknown>>;
}

export interface AuditRecord extends AuditEntry {
  readonly seq: number;
  /** ISO 8601, UTC, milliseconds */
  readonly time: string;
  readonly prevHash: string;
  readonly hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted at every level: one byte string per value, whatever the key order. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(v)
    .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
}

export function recordHash(r: Omit<AuditRecord, 'hash'>): string {
  const body = canonicalJson({
    seq: r.seq,
    time: r.time,
    actor: r.actor,
    tenant: r.tenant ?? null,
    action: r.action,
    resource: r.resource,
    outcome: r.outcome,
    source: r.source,
    detail: r.detail ?? null,
    prevHash: r.prevHash,
  });
  return createHash('sha256').update(body).digest('hex');
}

/** Where records live. `append` must be atomic with reading the head (one writer at a time). */
export interface AuditStore {
  /** runs `fn` so that no other append interleaves (a transaction in SQL stores) */
  exclusive<T>(fn: () => T): T;
  head(): AuditRecord | undefined;
  insert(r: AuditRecord): void;
  /** records with seq ≥ `fromSeq`, ascending, at most `limit` */
  read(fromSeq: number, limit: number): AuditRecord[];
  /** every record, ascending (verification) */
  all(): Iterable<AuditRecord>;
  close(): void;
}

export class AuditLog {
  constructor(
    readonly store: AuditStore,
    readonly now: () => number = Date.now,
  ) {}

  append(entry: AuditEntry): AuditRecord {
    return this.store.exclusive(() => {
      const head = this.store.head();
      const base = {
        seq: head ? head.seq + 1 : 1,
        time: new Date(this.now()).toISOString(),
        actor: entry.actor,
        tenant: entry.tenant,
        action: entry.action,
        resource: entry.resource,
        outcome: entry.outcome,
        source: entry.source,
        ...(entry.detail !== undefined ? { detail: JSON.parse(canonicalJson(entry.detail)) } : {}),
        prevHash: head ? head.hash : GENESIS_HASH,
      };
      const record: AuditRecord = Object.freeze({ ...base, hash: recordHash(base) });
      this.store.insert(record);
      return record;
    });
  }

  /** A page for `GET /api/v1/audit` (administrators only; the caller checks). */
  page(fromSeq = 1, limit = 100): AuditRecord[] {
    return this.store.read(fromSeq, Math.max(1, Math.min(limit, 1000)));
  }

  verify(): ChainCheck {
    return verifyChain(this.store.all());
  }
}

export type ChainProblem = 'hash mismatch' | 'broken link' | 'sequence gap';

export type ChainCheck =
  | { readonly ok: true; readonly count: number; readonly head: string }
  | {
      readonly ok: false;
      readonly count: number;
      readonly firstBad: {
        readonly seq: number;
        readonly problem: ChainProblem;
        readonly expectedSeq: number;
      };
    };

/** Walks the chain from the start; stops at the first row whose link, sequence or hash is wrong. */
export function verifyChain(records: Iterable<AuditRecord>): ChainCheck {
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  let count = 0;
  for (const r of records) {
    const bad = (problem: ChainProblem): ChainCheck => ({
      ok: false,
      count,
      firstBad: { seq: r.seq, problem, expectedSeq },
    });
    if (r.seq !== expectedSeq) return bad('sequence gap');
    if (r.prevHash !== prev) return bad('broken link');
    const { hash, ...rest } = r;
    if (recordHash(rest) !== hash) return bad('hash mismatch');
    prev = hash;
    expectedSeq++;
    count++;
  }
  return { ok: true, count, head: prev };
}

/** The in-memory store: tests, and a server run without a database. */
export class MemoryAuditStore implements AuditStore {
  readonly #rows: AuditRecord[] = [];
  exclusive<T>(fn: () => T): T {
    return fn();
  }
  head(): AuditRecord | undefined {
    return this.#rows[this.#rows.length - 1];
  }
  insert(r: AuditRecord): void {
    this.#rows.push(r);
  }
  read(fromSeq: number, limit: number): AuditRecord[] {
    return this.#rows.filter((r) => r.seq >= fromSeq).slice(0, limit);
  }
  all(): Iterable<AuditRecord> {
    return this.#rows;
  }
  close(): void {}
}
