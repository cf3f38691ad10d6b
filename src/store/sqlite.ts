/**
 * The default store: one SQLite file (better-sqlite3, WAL) in the service's data directory.
 *
 * Durability: `synchronous = FULL` by default, so a committed write survives a power cut, not only a crash of
 * the process. One fsync per commit costs milliseconds, so samples are **group-committed**: batches that arrive
 * while the event loop is busy are written in one transaction and each caller's promise resolves after that
 * commit. Each batch stays all-or-nothing on its own: it is checked before any of its rows is inserted.
 */
import { closeSync, fdatasync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { decodeCursor, encodeCursor, InvalidCursorError } from './cursor.js';
import { GroupCommit } from './group-commit.js';
import { compileFilter } from './sqlite-filter.js';
import {
  agentFromRow,
  conditions,
  docOf,
  LATEST_POLICIES,
  policyFromRow,
  REQUEST_COLUMNS,
  type Row,
  requestFromRow,
  setClause,
  TASK_COLUMNS,
  taskFromRow,
  tenantPolicyFromRow,
  text,
  thingFromRow,
} from './sqlite-rows.js';
import { MIGRATIONS } from './sqlite-schema.js';
import { prepareStatements, type Statements } from './sqlite-statements.js';
import {
  type AgentRecord,
  type AgentStatus,
  type AppendOptions,
  DEFAULT_KEY_TTL_MS,
  DEFAULT_RETENTION_MS,
  type DecisionInput,
  type DecisionQuery,
  type DecisionRecord,
  type IdempotencyKey,
  type Json,
  type JsonObject,
  keptVerdict,
  type LeaseRecord,
  leaseFromRow,
  type Page,
  type PolicyRevision,
  type PruneResult,
  type RequestQuery,
  type RequestRecord,
  type RequestUpdate,
  type Sample,
  type SampleAppend,
  type SampleInput,
  type SampleQuery,
  type Store,
  type StoreOptions,
  type TaskRecord,
  type TaskState,
  type TaskUpdate,
  type TenantPolicyRecord,
  type Thing,
  type ThingInput,
  type ThingQuery,
  type ThingWrite,
  type WriteCondition,
} from './store.js';

interface PendingBatch {
  samples: SampleInput[];
  tenant: string | undefined;
  receivedAt: number;
  key: IdempotencyKey | undefined;
  redelivery: boolean;
}

export interface SqliteStoreOptions extends StoreOptions {
  /** A file path, or `:memory:` (tests). Parent directories are created. */
  path: string;
  /** `full` (default) survives power loss; `normal` survives a crash of the process only, and is faster. */
  synchronous?: 'full' | 'normal';
}

export class SqliteStore implements Store {
  readonly kind = 'sqlite';
  readonly path: string;
  private readonly db: Database.Database;
  private readonly retentionMs: number;
  private readonly keyTtlMs: number;
  /**
   * With `synchronous = FULL`, sample batches commit with NORMAL (no fsync inside the COMMIT, which would
   * block the event loop) and the WAL file is then fdatasync'ed on libuv's thread pool before any caller's
   * promise settles: the same guarantee (acknowledged samples survive a power loss), while the event loop
   * goes on parsing the next requests. One fdatasync at a time; commits made while one runs share the next.
   */
  private readonly syncSamplesOffLoop: boolean;
  private walFd: number | undefined;
  private syncTail: Promise<void> = Promise.resolve();
  private syncQueued: Promise<void> | undefined;
  private readonly sampleWriter: GroupCommit<PendingBatch, SampleAppend>;
  private readonly sampleQueries = new Map<string, Database.Statement>();
  private closed = false;
  private readonly q: Statements;

  constructor(options: SqliteStoreOptions) {
    this.path = options.path;
    this.retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
    this.keyTtlMs = options.keyTtlMs ?? DEFAULT_KEY_TTL_MS;
    if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
    this.db = new Database(options.path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    // Ingest speed (docs/performance.md): checkpoints copy the WAL into the database inside the COMMIT that
    // crosses the threshold, so the default (1,000 pages) stalls the event loop several times a second under
    // telemetry load; 10,000 pages (~40 MB of WAL) checkpoints a tenth as often, and a 64 MiB page cache keeps
    // the samples index in memory. Neither changes what a commit guarantees.
    this.db.pragma('wal_autocheckpoint = 10000');
    this.db.pragma('cache_size = -65536');
    this.migrate();
    this.q = prepareStatements(this.db);
    this.syncSamplesOffLoop = options.synchronous !== 'normal' && options.path !== ':memory:';
    this.sampleWriter = new GroupCommit<PendingBatch, SampleAppend>(
      (b) => this.commitSamples(b),
      this.syncSamplesOffLoop ? () => this.syncWal() : undefined,
    );
  }

  /** fdatasync of the WAL file, coalesced: a call made before the queued sync starts shares it. */
  private syncWal(): Promise<void> {
    if (this.syncQueued) return this.syncQueued;
    const queued: Promise<void> = this.syncTail.then(() => {
      if (this.syncQueued === queued) this.syncQueued = undefined;
      if (this.closed) return;
      // the WAL exists from the first write on and keeps its inode while a connection is open
      this.walFd ??= openSync(`${this.path}-wal`, 'r');
      const fd = this.walFd;
      return new Promise<void>((resolve, reject) => fdatasync(fd, (err) => (err ? reject(err) : resolve())));
    });
    this.syncQueued = queued;
    this.syncTail = queued.catch(() => {});
    return queued;
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version > MIGRATIONS.length) {
      throw new Error(
        `store ${this.path} has schema version ${version}, newer than this ARS (${MIGRATIONS.length}); upgrade ARS`,
      );
    }
    for (let v = version; v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[v]!);
        this.db.pragma(`user_version = ${v + 1}`);
      })();
    }
  }

  async schemaVersion(): Promise<number> {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  async ping(): Promise<void> {
    if (this.closed) throw new Error('store is closed');
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.sampleWriter.flush();
    // acknowledgements waiting for the WAL sync get it before the file is closed
    if (this.syncSamplesOffLoop) await this.syncTail;
    this.closed = true;
    this.db.close();
    if (this.walFd !== undefined) closeSync(this.walFd);
  }

  async getThing(thingId: string): Promise<Thing | undefined> {
    const row = this.q.getThing.get(thingId) as Row | undefined;
    return row ? thingFromRow(row) : undefined;
  }

  /** The refusal the condition calls for, or undefined when the write may go ahead. */
  private refusal(current: Thing | undefined, condition: WriteCondition): ThingWrite | undefined {
    if (!current) {
      if (condition.mustExist || condition.expectedRevision !== undefined)
        return { ok: false, reason: 'not-found' };
      return undefined;
    }
    if (condition.mustNotExist) return { ok: false, reason: 'exists', current };
    if (condition.expectedRevision !== undefined && condition.expectedRevision !== current.revision) {
      return { ok: false, reason: 'revision-mismatch', current };
    }
    return undefined;
  }

  private write(input: ThingInput, current: Thing | undefined, condition: WriteCondition): ThingWrite {
    const params = {
      thingId: input.thingId,
      tenant: input.tenant,
      now: condition.now ?? Date.now(),
      sourceTime: condition.sourceTime ?? null,
      doc: docOf(input),
    };
    if (current) this.q.updateThing.run(params);
    else this.q.insertThing.run(params);
    const thing = thingFromRow(this.q.getThing.get(input.thingId) as Row);
    return { ok: true, thing, created: !current };
  }

  async putThing(input: ThingInput, condition: WriteCondition = {}): Promise<ThingWrite> {
    return this.db
      .transaction(() => {
        const row = this.q.getThing.get(input.thingId) as Row | undefined;
        const current = row ? thingFromRow(row) : undefined;
        return this.refusal(current, condition) ?? this.write(input, current, condition);
      })
      .immediate();
  }

  async updateThing(
    thingId: string,
    change: (current: Thing) => ThingInput,
    condition: WriteCondition = {},
  ): Promise<ThingWrite> {
    return this.withExisting(thingId, condition, (current) =>
      this.write({ ...change(structuredClone(current)), thingId }, current, condition),
    );
  }

  async deleteThing(thingId: string, condition: WriteCondition = {}): Promise<ThingWrite> {
    return this.withExisting(thingId, condition, (current) => {
      this.q.deleteThing.run(thingId);
      return { ok: true, thing: current, created: false };
    });
  }

  /** In one write transaction: the thing if it exists and meets `condition`, passed to `act`; else the refusal. */
  private withExisting(
    thingId: string,
    condition: WriteCondition,
    act: (current: Thing) => ThingWrite,
  ): ThingWrite {
    return this.db
      .transaction((): ThingWrite => {
        const row = this.q.getThing.get(thingId) as Row | undefined;
        const current = row ? thingFromRow(row) : undefined;
        if (!current) return { ok: false, reason: 'not-found' };
        return this.refusal(current, condition) ?? act(current);
      })
      .immediate();
  }

  async listThings(query: ThingQuery): Promise<Page<Thing>> {
    const { where, params } = conditions([['tenant = ?', query.tenant]]);
    if (query.after !== undefined) {
      const key = decodeCursor(query.after, ['string']);
      if (!key) throw new InvalidCursorError();
      where.push('thing_id > ?');
      params.push(key[0]);
    }
    if (query.filter) where.push(compileFilter(query.filter, params));
    const sql = `SELECT * FROM things ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY thing_id LIMIT ?`;
    params.push(query.limit + 1);
    const rows = this.db.prepare(sql).all(...params) as Row[];
    const items = rows.slice(0, query.limit).map(thingFromRow);
    const page: Page<Thing> = { items };
    if (rows.length > query.limit) page.next = encodeCursor([items[items.length - 1]!.thingId]);
    return page;
  }

  async countThings(tenant?: string): Promise<number> {
    return (tenant === undefined ? this.q.countAll.get() : this.q.countTenant.get(tenant)) as number;
  }

  appendSamples(samples: SampleInput[], options: AppendOptions = {}): Promise<SampleAppend> {
    if (this.closed) return Promise.reject(new Error('store is closed'));
    return this.sampleWriter.submit({
      samples,
      tenant: options.tenant,
      receivedAt: options.receivedAt ?? Date.now(),
      key: options.key,
      redelivery: options.redelivery === true,
    });
  }

  /** One transaction for every batch pending; each batch is checked whole before any of its rows is written. */
  private commitSamples(batches: PendingBatch[]): SampleAppend[] {
    const tenants = new Map<string, string | undefined>();
    const tenantOf = (thingId: string): string | undefined => {
      if (!tenants.has(thingId)) tenants.set(thingId, this.q.thingTenant.get(thingId) as string | undefined);
      return tenants.get(thingId);
    };
    const writeBatch = (batch: PendingBatch): SampleAppend => {
      const key = batch.key;
      // a first transmission that replaces any kept key is stored whatever is kept: no look-up
      if (key && (key.retry || key.reuse === 'refuse')) {
        const kept = this.q.getKey.get(key.key, batch.receivedAt) as Row | undefined;
        const verdict = keptVerdict(
          key,
          kept && { digest: kept.digest as string, result: kept.result as string },
        );
        if (verdict) return verdict;
      }
      const result = writeChecked(batch);
      if (key && result.ok)
        this.q.putKey.run(key.key, key.digest, batch.receivedAt + this.keyTtlMs, JSON.stringify(result));
      return result;
    };
    const writeChecked = (batch: PendingBatch): SampleAppend => {
      const owners: string[] = [];
      const byThing: Record<string, string> = {};
      for (let i = 0; i < batch.samples.length; i++) {
        const owner = tenantOf(batch.samples[i]!.thingId);
        if (owner === undefined) return { ok: false, index: i, reason: 'unknown-thing' };
        if (batch.tenant !== undefined && owner !== batch.tenant)
          return { ok: false, index: i, reason: 'tenant-mismatch' };
        owners.push(owner);
        byThing[batch.samples[i]!.thingId] = owner;
      }
      if (batch.redelivery && batch.samples.length > 0) {
        let first = Number.POSITIVE_INFINITY;
        for (const s of batch.samples) {
          const seq = this.q.findSample.get(s.thingId, s.time, JSON.stringify(s.features)) as number | null;
          first = seq === null ? Number.NaN : Math.min(first, seq);
        }
        if (!Number.isNaN(first))
          return {
            ok: true,
            stored: batch.samples.length,
            firstSeq: first,
            tenants: byThing,
            duplicate: true,
          };
      }
      let firstSeq = 0;
      batch.samples.forEach((s, i) => {
        const info = this.q.insertSample.run(
          s.thingId,
          owners[i],
          s.time,
          batch.receivedAt,
          JSON.stringify(s.features),
        );
        if (i === 0) firstSeq = Number(info.lastInsertRowid);
      });
      return { ok: true, stored: batch.samples.length, firstSeq, tenants: byThing };
    };
    if (!this.syncSamplesOffLoop) return this.db.transaction(() => batches.map(writeBatch)).immediate();
    this.db.pragma('synchronous = NORMAL');
    try {
      return this.db.transaction(() => batches.map(writeBatch)).immediate();
    } finally {
      this.db.pragma('synchronous = FULL');
    }
  }

  async listSamples(query: SampleQuery): Promise<Sample[]> {
    const where = ['thing_id = ?'];
    const params: unknown[] = [query.thingId];
    if (query.since !== undefined) {
      where.push('time >= ?');
      params.push(query.since);
    }
    if (query.until !== undefined) {
      where.push('time <= ?');
      params.push(query.until);
    }
    if (query.feature !== undefined) {
      where.push('json_type(features, ?) IS NOT NULL');
      params.push(`$."${query.feature.replaceAll('"', '')}"`);
    }
    const order = query.newestFirst ? 'DESC' : 'ASC';
    params.push(query.limit);
    const sql = `SELECT * FROM samples WHERE ${where.join(' AND ')} ORDER BY time ${order}, seq ${order} LIMIT ?`;
    // a handful of shapes, each prepared once (a live refresh reads its samples through here)
    let statement = this.sampleQueries.get(sql);
    if (!statement) this.sampleQueries.set(sql, (statement = this.db.prepare(sql)));
    const rows = statement.all(...params) as Row[];
    return rows.map((r) => ({
      seq: r.seq as number,
      thingId: r.thing_id as string,
      tenant: r.tenant as string,
      time: r.time as number,
      receivedAt: r.received_at as number,
      features: JSON.parse(r.features as string) as Record<string, JsonObject>,
    }));
  }

  async countSamples(thingId?: string): Promise<number> {
    return (
      thingId === undefined ? this.q.countSamples.get() : this.q.countThingSamples.get(thingId)
    ) as number;
  }

  async pruneSamples(now: number = Date.now()): Promise<PruneResult> {
    this.q.pruneKeys.run(now);
    return { samples: this.q.pruneSamples.run(now - this.retentionMs).changes };
  }

  async createRequest(
    request: RequestRecord,
    tasks: TaskRecord[],
  ): Promise<{ ok: true } | { ok: false; reason: 'exists' }> {
    return this.db
      .transaction((): { ok: true } | { ok: false; reason: 'exists' } => {
        const info = this.q.insertRequest.run({
          id: request.id,
          tenant: request.tenant,
          workload: request.workload ?? null,
          priority: request.priority,
          state: request.state,
          submittedAt: request.submittedAt,
          deadlineAt: request.deadlineAt ?? null,
          startedAt: request.startedAt ?? null,
          finishedAt: request.finishedAt ?? null,
          spec: JSON.stringify(request.spec),
          result: text(request.result),
          error: request.error ?? null,
        });
        if (info.changes === 0) return { ok: false, reason: 'exists' };
        for (const [position, t] of tasks.entries()) {
          this.q.insertTask.run({
            requestId: request.id,
            taskId: t.taskId,
            position,
            state: t.state,
            node: t.node ?? null,
            attempts: t.attempts,
            readyAt: t.readyAt ?? null,
            assignedAt: t.assignedAt ?? null,
            startedAt: t.startedAt ?? null,
            finishedAt: t.finishedAt ?? null,
            result: text(t.result),
            error: t.error ?? null,
          });
        }
        return { ok: true };
      })
      .immediate();
  }

  async getRequest(id: string): Promise<RequestRecord | undefined> {
    const row = this.q.getRequest.get(id) as Row | undefined;
    return row ? requestFromRow(row) : undefined;
  }

  async listRequests(query: RequestQuery): Promise<Page<RequestRecord>> {
    const { where, params } = conditions([
      ['tenant = ?', query.tenant],
      ['state = ?', query.state],
    ]);
    if (query.after !== undefined) {
      const key = decodeCursor(query.after, ['number', 'string']);
      if (!key) throw new InvalidCursorError();
      where.push('(submitted_at, id) > (?, ?)');
      params.push(key[0], key[1]);
    }
    params.push(query.limit + 1);
    const rows = this.db
      .prepare(
        `SELECT * FROM requests ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY submitted_at, id LIMIT ?`,
      )
      .all(...params) as Row[];
    const items = rows.slice(0, query.limit).map(requestFromRow);
    const page: Page<RequestRecord> = { items };
    const last = items[items.length - 1];
    if (rows.length > query.limit && last) page.next = encodeCursor([last.submittedAt, last.id]);
    return page;
  }

  async updateRequest(id: string, update: RequestUpdate): Promise<RequestRecord | undefined> {
    const { sets, params } = setClause(update, REQUEST_COLUMNS);
    if (sets.length > 0) this.db.prepare(`UPDATE requests SET ${sets} WHERE id = ?`).run(...params, id);
    return this.getRequest(id);
  }

  async listTasks(requestId: string): Promise<TaskRecord[]> {
    return (this.q.listTasks.all(requestId) as Row[]).map(taskFromRow);
  }

  async tasksInState(states: TaskState[], node?: string): Promise<TaskRecord[]> {
    if (states.length === 0) return [];
    const params: unknown[] = [...states];
    let sql = `SELECT * FROM tasks WHERE state IN (${states.map(() => '?').join(',')})`;
    if (node !== undefined) {
      sql += ' AND node = ?';
      params.push(node);
    }
    return (this.db.prepare(`${sql} ORDER BY request_id, task_id`).all(...params) as Row[]).map(taskFromRow);
  }

  async updateTask(requestId: string, taskId: string, update: TaskUpdate): Promise<TaskRecord | undefined> {
    const { sets, params } = setClause(
      update,
      TASK_COLUMNS,
      update.attempt ? ['attempts = attempts + 1'] : [],
    );
    if (sets.length > 0) {
      this.db
        .prepare(`UPDATE tasks SET ${sets} WHERE request_id = ? AND task_id = ?`)
        .run(...params, requestId, taskId);
    }
    const row = this.q.getTask.get(requestId, taskId) as Row | undefined;
    return row ? taskFromRow(row) : undefined;
  }

  async appendDecisions(decisions: DecisionInput[]): Promise<number[]> {
    return this.db.transaction(() =>
      decisions.map((d) =>
        Number(
          this.q.insertDecision.run(d.time, d.kind, d.subject, d.node ?? null, JSON.stringify(d.detail))
            .lastInsertRowid,
        ),
      ),
    )();
  }

  async listDecisions(query: DecisionQuery): Promise<DecisionRecord[]> {
    const { where, params } = conditions([
      ['subject = ?', query.subject],
      ['kind = ?', query.kind],
      ['seq > ?', query.afterSeq],
    ]);
    params.push(query.limit);
    const rows = this.db
      .prepare(
        `SELECT * FROM decisions ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq LIMIT ?`,
      )
      .all(...params) as Row[];
    return rows.map((r) => {
      const d: DecisionRecord = {
        seq: r.seq as number,
        time: r.time as number,
        kind: r.kind as string,
        subject: r.subject as string,
        detail: JSON.parse(r.detail as string) as JsonObject,
      };
      if (r.node !== null) d.node = r.node as string;
      return d;
    });
  }

  async putAgent(agent: AgentRecord): Promise<void> {
    this.q.putAgent.run({ ...agent, labels: JSON.stringify(agent.labels) });
  }

  async getAgent(id: string): Promise<AgentRecord | undefined> {
    const row = this.q.getAgent.get(id) as Row | undefined;
    return row ? agentFromRow(row) : undefined;
  }

  async listAgents(): Promise<AgentRecord[]> {
    return (this.q.listAgents.all() as Row[]).map(agentFromRow);
  }

  async touchAgent(id: string, lastSeenAt: number, status?: AgentStatus): Promise<boolean> {
    return this.q.touchAgent.run(lastSeenAt, status ?? null, id).changes > 0;
  }

  async appendPolicyRevision(r: PolicyRevision): Promise<{ ok: true } | { ok: false; reason: 'exists' }> {
    const written = this.db
      .prepare(
        `INSERT INTO policies (policy_id, revision, tenant, changed_at, changed_by, doc)
         SELECT ?, ?, ?, ?, ?, ?
         WHERE NOT EXISTS (SELECT 1 FROM policies WHERE policy_id = ? AND revision >= ?)`,
      )
      .run(
        r.policyId,
        r.revision,
        r.tenant ?? null,
        r.changedAt,
        r.changedBy,
        JSON.stringify(r.doc),
        r.policyId,
        r.revision,
      );
    return written.changes > 0 ? { ok: true } : { ok: false, reason: 'exists' };
  }

  async listPolicies(): Promise<PolicyRevision[]> {
    return (this.db.prepare(LATEST_POLICIES).all() as Row[]).map(policyFromRow);
  }

  async policyHistory(policyId: string): Promise<PolicyRevision[]> {
    return (
      this.db.prepare('SELECT * FROM policies WHERE policy_id = ? ORDER BY revision').all(policyId) as Row[]
    ).map(policyFromRow);
  }

  async putTenantPolicy(r: TenantPolicyRecord): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO tenant_policies (tenant, policy_id, changed_at, changed_by) VALUES (?, ?, ?, ?)
         ON CONFLICT (tenant) DO UPDATE SET policy_id = excluded.policy_id,
           changed_at = excluded.changed_at, changed_by = excluded.changed_by`,
      )
      .run(r.tenant, r.policyId, r.changedAt, r.changedBy);
  }

  async listTenantPolicies(): Promise<TenantPolicyRecord[]> {
    return (this.db.prepare('SELECT * FROM tenant_policies ORDER BY tenant').all() as Row[]).map(
      tenantPolicyFromRow,
    );
  }

  async writeLeases(
    put: LeaseRecord[],
    end: { requestId: string; taskId: string; attempt: number }[],
  ): Promise<void> {
    this.db.transaction(() => {
      for (const e of end) this.q.endLease.run(e.requestId, e.taskId, e.attempt);
      for (const l of put) this.q.putLease.run(l);
    })();
  }

  async listLeases(): Promise<LeaseRecord[]> {
    return (this.q.listLeases.all() as Row[]).map(leaseFromRow);
  }

  async getState(key: string): Promise<Json | undefined> {
    const v = this.q.getState.get(key) as string | undefined;
    return v === undefined ? undefined : (JSON.parse(v) as Json);
  }

  async putState(key: string, value: Json): Promise<void> {
    this.q.putState.run(key, JSON.stringify(value), Date.now());
  }

  async newestRequests(query: { tenant?: string; limit: number }): Promise<RequestRecord[]> {
    const { where, params } = conditions([['tenant = ?', query.tenant]]);
    const rows = this.db
      .prepare(
        `SELECT * FROM requests ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY submitted_at DESC, id DESC LIMIT ?`,
      )
      .all(...params, query.limit) as Row[];
    return rows.map(requestFromRow);
  }
}

/** Open (creating on first use) the store at `path`; `:memory:` for a throw-away store. */
export function openSqliteStore(options: SqliteStoreOptions): SqliteStore {
  return new SqliteStore(options);
}
