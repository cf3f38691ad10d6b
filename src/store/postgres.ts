/**
 * The PostgreSQL store (`pg` driver): the same semantics as the SQLite store, for several `ars serve` replicas
 * sharing one database. Every write is one transaction; a commit is durable when PostgreSQL says so
 * (`synchronous_commit`, on by default). Samples are group-committed like SQLite's: batches that arrive in
 * the same event-loop turn share one transaction, and each batch stays all-or-nothing on its own.
 *
 * `schema` puts the tables in their own PostgreSQL schema (created when missing), so that tests and
 * deployments can share a database. Migrations are numbered (postgres-schema.ts) and recorded in
 * `ars_schema_migrations`; a transaction-scoped advisory lock makes replicas that start together migrate once.
 *
 * Errors that mean "not now" (server down, connection lost, restarting) surface as
 * {@link StoreUnavailableError}, which the server answers with 503 and `Retry-After`.
 */
import pg from 'pg';
import { decodeCursor, encodeCursor, InvalidCursorError } from './cursor.js';
import { compilePgFilter } from './postgres-filter.js';
import { PG_MIGRATIONS } from './postgres-schema.js';
import {
  agentFromRow,
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
import { isStoreUnavailable, StoreUnavailableError } from './unavailable.js';

export interface PostgresStoreOptions extends StoreOptions {
  /** `postgres://user@host:port/database` (libpq URL; `?sslmode=` etc. as `pg` takes them). */
  url: string;
  /** The PostgreSQL schema of the tables; created when missing. Default `public`. */
  schema?: string;
  /** Largest number of pooled connections. Default 10. */
  poolSize?: number;
  /** Give up on a statement after this many milliseconds (server-side `statement_timeout`). Default 30 s. */
  statementTimeoutMs?: number;
  /** Give up connecting after this many milliseconds. Default 5 s. */
  connectTimeoutMs?: number;
  /** The `application_name` of the connections (pg_stat_activity). Default `ars`. */
  applicationName?: string;
}

/** A PostgreSQL identifier, refused unless plain (it becomes SQL text). */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

const MIGRATION_LOCK = 0x41525301;
/** Sample transactions running at once; later batches wait and share the next one. */
const MAX_SAMPLE_COMMITS = 2; // "ARS" 1: the advisory lock key of migrations

/** int8 as a JS number (times in ms and sequence numbers stay below 2^53); json as text, parsed by the rows. */
const TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) => {
    if (oid === pg.types.builtins.INT8) return (v: string) => Number(v);
    if (oid === pg.types.builtins.JSON) return (v: string) => v;
    return pg.types.getTypeParser(oid, format as 'text');
  }) as pg.CustomTypesConfig['getTypeParser'],
};

interface PendingBatch {
  samples: SampleInput[];
  tenant: string | undefined;
  receivedAt: number;
  key: IdempotencyKey | undefined;
  redelivery: boolean;
  resolve: (r: SampleAppend) => void;
  reject: (e: unknown) => void;
}

type Queryable = Pick<pg.PoolClient, 'query'>;

export class PostgresStore implements Store {
  readonly kind = 'postgres';
  readonly schema: string;
  private readonly pool: pg.Pool;
  private readonly retentionMs: number;
  private readonly keyTtlMs: number;
  private pending: PendingBatch[] = [];
  private scheduled = false;
  private inFlight = new Set<Promise<void>>();
  private closed = false;

  private constructor(options: PostgresStoreOptions, schema: string) {
    this.schema = schema;
    this.retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
    this.keyTtlMs = options.keyTtlMs ?? DEFAULT_KEY_TTL_MS;
    this.pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
      statement_timeout: options.statementTimeoutMs ?? 30_000,
      options: `-c search_path=${schema}`,
      types: TYPES,
      keepAlive: true,
      application_name: options.applicationName ?? 'ars',
    });
    // An idle pooled connection that dies (server restart) must not crash the process; the next query reconnects.
    this.pool.on('error', () => {});
  }

  /** Connects, creates the schema when missing and runs the migrations not applied yet. */
  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    const schema = options.schema ?? 'public';
    if (!SCHEMA_NAME.test(schema)) {
      throw new Error(`PostgreSQL schema name ${JSON.stringify(schema)}: expected [a-z_][a-z0-9_]*`);
    }
    const store = new PostgresStore(options, schema);
    try {
      await store.migrate();
    } catch (error) {
      await store.pool.end().catch(() => {});
      throw error;
    }
    return store;
  }

  private async migrate(): Promise<void> {
    await this.tx(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await c.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
      await c.query(
        `CREATE TABLE IF NOT EXISTS ars_schema_migrations (version integer PRIMARY KEY, applied_at bigint NOT NULL)`,
      );
      const applied = await this.versionOn(c);
      if (applied > PG_MIGRATIONS.length) {
        throw new Error(
          `PostgreSQL schema ${this.schema} has schema version ${applied}, newer than this ARS (${PG_MIGRATIONS.length}); upgrade ARS`,
        );
      }
      for (let v = applied; v < PG_MIGRATIONS.length; v++) {
        await c.query(PG_MIGRATIONS[v]!);
        await c.query('INSERT INTO ars_schema_migrations (version, applied_at) VALUES ($1, $2)', [
          v + 1,
          Date.now(),
        ]);
      }
    });
  }

  private async versionOn(c: Queryable): Promise<number> {
    const r = await c.query('SELECT coalesce(max(version), 0) AS v FROM ars_schema_migrations');
    return Number(r.rows[0].v);
  }

  /** One statement outside a transaction; connection trouble becomes {@link StoreUnavailableError}. */
  private async q(
    sql: string | { name: string; text: string },
    params: unknown[] = [],
  ): Promise<pg.QueryResult<Row>> {
    if (this.closed) throw new Error('store is closed');
    try {
      return typeof sql === 'string'
        ? await this.pool.query<Row>(sql, params)
        : await this.pool.query<Row>({ ...sql, values: params });
    } catch (error) {
      throw unavailable(error);
    }
  }

  /** Runs `work` in one transaction (BEGIN … COMMIT, ROLLBACK on a throw). */
  private async tx<T>(work: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    if (this.closed) throw new Error('store is closed');
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw unavailable(error);
    }
    let broken: unknown;
    try {
      await client.query('BEGIN');
      const out = await work(client);
      await client.query('COMMIT');
      return out;
    } catch (error) {
      await client.query('ROLLBACK').catch((e: unknown) => {
        broken = e;
      });
      throw unavailable(error);
    } finally {
      // A connection that failed mid-transaction is dropped, not reused.
      client.release(broken instanceof Error ? broken : undefined);
    }
  }

  async schemaVersion(): Promise<number> {
    return this.versionOn({ query: (sql: string) => this.q(sql) } as Queryable);
  }

  async ping(): Promise<void> {
    await this.q('SELECT 1');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    while (this.pending.length > 0 || this.inFlight.size > 0) {
      this.flushSamples();
      await Promise.allSettled([...this.inFlight]);
    }
    this.closed = true;
    await this.pool.end();
  }

  async getThing(thingId: string): Promise<Thing | undefined> {
    const r = await this.q('SELECT * FROM things WHERE thing_id = $1', [thingId]);
    return r.rows[0] ? thingFromRow(r.rows[0]) : undefined;
  }

  private async locked(c: Queryable, thingId: string): Promise<Thing | undefined> {
    const r = await c.query('SELECT * FROM things WHERE thing_id = $1 FOR UPDATE', [thingId]);
    return r.rows[0] ? thingFromRow(r.rows[0] as Row) : undefined;
  }

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

  private async write(
    c: Queryable,
    input: ThingInput,
    current: Thing | undefined,
    condition: WriteCondition,
  ): Promise<ThingWrite> {
    const params = [
      input.thingId,
      input.tenant,
      condition.now ?? Date.now(),
      condition.sourceTime ?? null,
      docOf(input),
    ];
    const r = current
      ? await c.query(
          `UPDATE things SET tenant = $2, revision = revision + 1, modified_at = $3,
             source_time = coalesce($4, source_time), doc = $5 WHERE thing_id = $1 RETURNING *`,
          params,
        )
      : await c.query(
          `INSERT INTO things (thing_id, tenant, revision, created_at, modified_at, source_time, doc)
           VALUES ($1, $2, 1, $3, $3, $4, $5) RETURNING *`,
          params,
        );
    return { ok: true, thing: thingFromRow(r.rows[0] as Row), created: !current };
  }

  /** A transaction retried when two writers created the same new thing at once (unique violation). */
  private async retryOnConflict<T>(work: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.tx(work);
      } catch (error) {
        if ((error as { code?: string }).code !== '23505' || attempt >= 3) throw error;
      }
    }
  }

  async putThing(input: ThingInput, condition: WriteCondition = {}): Promise<ThingWrite> {
    return this.retryOnConflict(async (c) => {
      const current = await this.locked(c, input.thingId);
      return this.refusal(current, condition) ?? this.write(c, input, current, condition);
    });
  }

  async updateThing(
    thingId: string,
    change: (current: Thing) => ThingInput,
    condition: WriteCondition = {},
  ): Promise<ThingWrite> {
    return this.tx(async (c) => {
      const current = await this.locked(c, thingId);
      if (!current) return { ok: false, reason: 'not-found' };
      const refused = this.refusal(current, condition);
      if (refused) return refused;
      return this.write(c, { ...change(structuredClone(current)), thingId }, current, condition);
    });
  }

  async deleteThing(thingId: string, condition: WriteCondition = {}): Promise<ThingWrite> {
    return this.tx(async (c) => {
      const current = await this.locked(c, thingId);
      if (!current) return { ok: false, reason: 'not-found' };
      const refused = this.refusal(current, condition);
      if (refused) return refused;
      await c.query('DELETE FROM things WHERE thing_id = $1', [thingId]);
      return { ok: true, thing: current, created: false };
    });
  }

  async listThings(query: ThingQuery): Promise<Page<Thing>> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.tenant !== undefined) where.push(`tenant = $${params.push(query.tenant)}`);
    if (query.after !== undefined) {
      const key = decodeCursor(query.after, ['string']);
      if (!key) throw new InvalidCursorError();
      where.push(`thing_id > $${params.push(key[0])}`);
    }
    if (query.filter) where.push(compilePgFilter(query.filter, params));
    const sql = `SELECT * FROM things ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY thing_id LIMIT $${params.push(query.limit + 1)}`;
    const rows = (await this.q(sql, params)).rows;
    const items = rows.slice(0, query.limit).map(thingFromRow);
    const page: Page<Thing> = { items };
    if (rows.length > query.limit) page.next = encodeCursor([items[items.length - 1]!.thingId]);
    return page;
  }

  async countThings(tenant?: string): Promise<number> {
    const r =
      tenant === undefined
        ? await this.q('SELECT count(*) AS n FROM things')
        : await this.q('SELECT count(*) AS n FROM things WHERE tenant = $1', [tenant]);
    return Number(r.rows[0]!.n);
  }

  appendSamples(samples: SampleInput[], options: AppendOptions = {}): Promise<SampleAppend> {
    if (this.closed) return Promise.reject(new Error('store is closed'));
    return new Promise((resolve, reject) => {
      this.pending.push({
        samples,
        tenant: options.tenant,
        receivedAt: options.receivedAt ?? Date.now(),
        key: options.key,
        redelivery: options.redelivery === true,
        resolve,
        reject,
      });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flushSamples());
      }
    });
  }

  /**
   * Starts one transaction for every batch pending now; settles each batch's promise after its commit. At most
   * {@link MAX_SAMPLE_COMMITS} run at once: batches arriving meanwhile wait and go together into the next one,
   * so that the round trips per sample fall as the load rises.
   */
  private flushSamples(): void {
    this.scheduled = false;
    if (this.pending.length === 0 || this.inFlight.size >= MAX_SAMPLE_COMMITS) return;
    // a redelivery is checked against every commit before it: it waits for those in flight (then runs)
    if (this.inFlight.size > 0 && this.pending.some((b) => b.redelivery)) return;
    const batches = this.pending;
    this.pending = [];
    const done = this.commitSamples(batches).then(
      (results) => {
        for (const [i, b] of batches.entries()) b.resolve(results[i]!);
      },
      (error: unknown) => {
        for (const b of batches) b.reject(error);
      },
    );
    this.inFlight.add(done);
    void done.finally(() => {
      this.inFlight.delete(done);
      this.flushSamples();
    });
  }

  /** Checks every batch against the owners of its things, then inserts the rows of the good ones in one statement. */
  private async commitSamples(batches: PendingBatch[]): Promise<SampleAppend[]> {
    if (batches.every((b) => !b.key && !b.redelivery)) return this.appendInOneStatement(batches);
    const ids = [...new Set(batches.flatMap((b) => b.samples.map((s) => s.thingId)))];
    return this.tx(async (c) => {
      // Lock the owners against a concurrent delete until the samples are in.
      const owners = new Map<string, string>();
      if (ids.length > 0) {
        const r = await c.query('SELECT thing_id, tenant FROM things WHERE thing_id = ANY($1) FOR SHARE', [
          ids,
        ]);
        for (const row of r.rows as Row[]) owners.set(row.thing_id as string, row.tenant as string);
      }
      const kept = await this.keptKeys(c, batches);
      /** the batch of this group that first stored a key (a repeat later in the group answers as it) */
      const firstOfKey = new Map<string, number>();
      const repeats: [number, number][] = [];
      const results: SampleAppend[] = [];
      const rows = {
        thing: [] as string[],
        tenant: [] as string[],
        time: [] as number[],
        received: [] as number[],
        features: [] as string[],
      };
      const offsets: number[] = [];
      for (const [b, batch] of batches.entries()) {
        const key = batch.key;
        if (key) {
          const verdict = keptVerdict(key, kept.get(key.key));
          if (verdict) {
            results.push(verdict);
            offsets.push(rows.thing.length);
            const first = firstOfKey.get(key.key);
            if (verdict.ok && first !== undefined) repeats.push([b, first]);
            continue;
          }
        }
        const checked = checkBatch(batch, owners);
        if (batch.redelivery && checked.result.ok) {
          const again = await storedAlready(c, batch);
          if (again !== undefined) {
            results.push({ ...checked.result, firstSeq: again, duplicate: true });
            offsets.push(rows.thing.length);
            continue;
          }
        }
        if (key && checked.result.ok) {
          firstOfKey.set(key.key, b);
          // later batches of this group with the same key see this one (its result is filled in below)
          kept.set(key.key, { digest: key.digest, result: JSON.stringify(checked.result) });
        }
        results.push(checked.result);
        offsets.push(rows.thing.length);
        if (!checked.result.ok) continue;
        for (const [i, s] of batch.samples.entries()) {
          rows.thing.push(s.thingId);
          rows.tenant.push(checked.tenants[i]!);
          rows.time.push(s.time);
          rows.received.push(batch.receivedAt);
          rows.features.push(JSON.stringify(s.features));
        }
      }
      if (rows.thing.length === 0) return results;
      const r = await c.query({
        name: 'ars-insert-samples',
        text: `INSERT INTO samples (thing_id, tenant, time, received_at, features)
         SELECT t, n, tm, rc, f::json
           FROM unnest($1::text[], $2::text[], $3::float8[], $4::bigint[], $5::text[])
             WITH ORDINALITY AS u(t, n, tm, rc, f, ord)
         ORDER BY ord
         RETURNING seq`,
        values: [rows.thing, rows.tenant, rows.time, rows.received, rows.features],
      });
      // Identity values are drawn in insertion order, which is the order of the rows given.
      const seqs = (r.rows as Row[]).map((row) => row.seq as number).sort((a, b) => a - b);
      for (const [i, result] of results.entries()) {
        if (result.ok && result.stored > 0 && !result.duplicate)
          results[i] = { ...result, firstSeq: seqs[offsets[i]!]! };
      }
      for (const [b, first] of repeats)
        results[b] = { ...(results[first] as SampleAppend & { ok: true }), duplicate: true };
      await this.keepKeys(c, batches, results, firstOfKey);
      return results;
    });
  }

  /**
   * A group without idempotency keys in one statement, so one round trip and no explicit transaction: the
   * owners are read and locked (FOR SHARE), each batch is checked whole (its first bad sample, if any), and
   * the rows of the good batches are inserted in order; one prepared statement whatever the group's size.
   */
  private async appendInOneStatement(batches: PendingBatch[]): Promise<SampleAppend[]> {
    const rows = {
      thing: [] as string[],
      want: [] as (string | null)[],
      time: [] as number[],
      received: [] as number[],
      features: [] as string[],
      batch: [] as number[],
    };
    const offsets: number[] = [];
    for (const [b, batch] of batches.entries()) {
      offsets.push(rows.thing.length);
      for (const s of batch.samples) {
        rows.thing.push(s.thingId);
        rows.want.push(batch.tenant ?? null);
        rows.time.push(s.time);
        rows.received.push(batch.receivedAt);
        rows.features.push(JSON.stringify(s.features));
        rows.batch.push(b);
      }
    }
    const ids = [...new Set(rows.thing)];
    const r = await this.q(
      {
        name: 'ars-append-samples',
        text: `WITH u AS (
            SELECT * FROM unnest($1::text[], $2::text[], $3::float8[], $4::bigint[], $5::text[], $6::int4[])
              WITH ORDINALITY AS u(t, want, tm, rc, f, b, ord)
          ), o AS (
            SELECT thing_id, tenant FROM things WHERE thing_id = ANY($7::text[]) FOR SHARE
          ), bad AS (
            SELECT DISTINCT ON (u.b) u.b, u.ord, o.thing_id IS NULL AS unknown
              FROM u LEFT JOIN o ON o.thing_id = u.t
             WHERE o.thing_id IS NULL OR (u.want IS NOT NULL AND o.tenant <> u.want)
             ORDER BY u.b, u.ord
          ), ins AS (
            INSERT INTO samples (thing_id, tenant, time, received_at, features)
            SELECT u.t, o.tenant, u.tm, u.rc, u.f::json
              FROM u JOIN o ON o.thing_id = u.t
             WHERE NOT EXISTS (SELECT 1 FROM bad WHERE bad.b = u.b)
             ORDER BY u.ord
            RETURNING seq
          )
          SELECT 0 AS k, b, ord, unknown, NULL::text AS thing, NULL::text AS tenant, NULL::bigint AS seq FROM bad
          UNION ALL SELECT 1, NULL, NULL, NULL, thing_id, tenant, NULL FROM o
          UNION ALL SELECT 2, NULL, NULL, NULL, NULL, NULL, seq FROM ins`,
      },
      [rows.thing, rows.want, rows.time, rows.received, rows.features, rows.batch, ids],
    );
    const owners = new Map<string, string>();
    const refused = new Map<number, SampleAppend>();
    const seqs: number[] = [];
    for (const row of r.rows) {
      if (row.k === 1) owners.set(row.thing as string, row.tenant as string);
      else if (row.k === 2) seqs.push(row.seq as number);
      else {
        const b = row.b as number;
        refused.set(b, {
          ok: false,
          index: Number(row.ord) - 1 - offsets[b]!,
          reason: row.unknown ? 'unknown-thing' : 'tenant-mismatch',
        });
      }
    }
    // Identity values are drawn in insertion order, which is the order of the rows given.
    seqs.sort((a, z) => a - z);
    let next = 0;
    return batches.map((batch, b) => {
      const refusal = refused.get(b);
      if (refusal) return refusal;
      const tenants: Record<string, string> = {};
      for (const s of batch.samples) tenants[s.thingId] = owners.get(s.thingId)!;
      const firstSeq = batch.samples.length > 0 ? seqs[next]! : 0;
      next += batch.samples.length;
      return { ok: true, stored: batch.samples.length, firstSeq, tenants };
    });
  }

  /**
   * The kept keys of a group's batches, each locked (a transaction advisory lock on its hash, taken in key
   * order) until this transaction ends, so that two transactions never both store a batch under one key.
   */
  private async keptKeys(
    c: Queryable,
    batches: PendingBatch[],
  ): Promise<Map<string, { digest: string; result: string }>> {
    const kept = new Map<string, { digest: string; result: string }>();
    const keys = [...new Set(batches.flatMap((b) => (b.key ? [b.key.key] : [])))].sort();
    if (keys.length === 0) return kept;
    await c.query(
      'SELECT pg_advisory_xact_lock(hashtext(k)) FROM unnest($1::text[]) WITH ORDINALITY AS u(k, o) ORDER BY o',
      [keys],
    );
    // a first transmission that replaces any kept key is stored whatever is kept: no look-up
    const asked = [
      ...new Set(
        batches.flatMap((b) => (b.key && (b.key.retry || b.key.reuse === 'refuse') ? [b.key.key] : [])),
      ),
    ];
    if (asked.length === 0) return kept;
    const r = await c.query(
      'SELECT key, digest, result FROM ingest_keys WHERE key = ANY($1) AND expires_at > $2',
      [asked, batches[0]!.receivedAt],
    );
    for (const row of r.rows as Row[])
      kept.set(row.key as string, { digest: row.digest as string, result: row.result as string });
    return kept;
  }

  /** Keeps the key of every batch of the group that was stored under one. */
  private async keepKeys(
    c: Queryable,
    batches: PendingBatch[],
    results: SampleAppend[],
    firstOfKey: Map<string, number>,
  ): Promise<void> {
    if (firstOfKey.size === 0) return;
    const keys: string[] = [];
    const digests: string[] = [];
    const expiries: number[] = [];
    const stored: string[] = [];
    for (const [key, b] of firstOfKey) {
      keys.push(key);
      digests.push(batches[b]!.key!.digest);
      expiries.push(batches[b]!.receivedAt + this.keyTtlMs);
      stored.push(JSON.stringify(results[b]));
    }
    await c.query(
      `INSERT INTO ingest_keys (key, digest, expires_at, result)
       SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::json[])
       ON CONFLICT (key) DO UPDATE SET digest = excluded.digest, expires_at = excluded.expires_at,
         result = excluded.result`,
      [keys, digests, expiries, stored],
    );
  }

  async listSamples(query: SampleQuery): Promise<Sample[]> {
    const params: unknown[] = [query.thingId];
    const where = ['thing_id = $1'];
    if (query.since !== undefined) where.push(`time >= $${params.push(query.since)}`);
    if (query.until !== undefined) where.push(`time <= $${params.push(query.until)}`);
    if (query.feature !== undefined) where.push(`(features -> $${params.push(query.feature)}) IS NOT NULL`);
    const order = query.newestFirst ? 'DESC' : 'ASC';
    const rows = (
      await this.q(
        `SELECT * FROM samples WHERE ${where.join(' AND ')} ORDER BY time ${order}, seq ${order}
         LIMIT $${params.push(query.limit)}`,
        params,
      )
    ).rows;
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
    const r =
      thingId === undefined
        ? await this.q('SELECT count(*) AS n FROM samples')
        : await this.q('SELECT count(*) AS n FROM samples WHERE thing_id = $1', [thingId]);
    return Number(r.rows[0]!.n);
  }

  async pruneSamples(now: number = Date.now()): Promise<PruneResult> {
    await this.q('DELETE FROM ingest_keys WHERE expires_at <= $1', [now]);
    // Arrival order is seq order, so the rows to drop are a prefix of the table: no index on received_at.
    const r = await this.q(
      `DELETE FROM samples WHERE seq < coalesce(
         (SELECT seq FROM samples WHERE received_at >= $1 ORDER BY seq LIMIT 1),
         (SELECT max(seq) + 1 FROM samples))`,
      [now - this.retentionMs],
    );
    return { samples: r.rowCount ?? 0 };
  }

  async createRequest(
    request: RequestRecord,
    tasks: TaskRecord[],
  ): Promise<{ ok: true } | { ok: false; reason: 'exists' }> {
    return this.tx(async (c): Promise<{ ok: true } | { ok: false; reason: 'exists' }> => {
      const r = await c.query(
        `INSERT INTO requests (id, tenant, workload, priority, state, submitted_at, deadline_at, started_at,
           finished_at, spec, result, error)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (id) DO NOTHING`,
        [
          request.id,
          request.tenant,
          request.workload ?? null,
          request.priority,
          request.state,
          request.submittedAt,
          request.deadlineAt ?? null,
          request.startedAt ?? null,
          request.finishedAt ?? null,
          JSON.stringify(request.spec),
          text(request.result),
          request.error ?? null,
        ],
      );
      if (r.rowCount === 0) return { ok: false, reason: 'exists' };
      for (const [position, t] of tasks.entries()) {
        await c.query(
          `INSERT INTO tasks (request_id, task_id, position, state, node, attempts, ready_at, assigned_at,
             started_at, finished_at, result, error)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
          [
            request.id,
            t.taskId,
            position,
            t.state,
            t.node ?? null,
            t.attempts,
            t.readyAt ?? null,
            t.assignedAt ?? null,
            t.startedAt ?? null,
            t.finishedAt ?? null,
            text(t.result),
            t.error ?? null,
          ],
        );
      }
      return { ok: true };
    });
  }

  async getRequest(id: string): Promise<RequestRecord | undefined> {
    const r = await this.q('SELECT * FROM requests WHERE id = $1', [id]);
    return r.rows[0] ? requestFromRow(r.rows[0]) : undefined;
  }

  async listRequests(query: RequestQuery): Promise<Page<RequestRecord>> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.tenant !== undefined) where.push(`tenant = $${params.push(query.tenant)}`);
    if (query.state !== undefined) where.push(`state = $${params.push(query.state)}`);
    if (query.after !== undefined) {
      const key = decodeCursor(query.after, ['number', 'string']);
      if (!key) throw new InvalidCursorError();
      where.push(`(submitted_at, id) > ($${params.push(key[0])}::bigint, $${params.push(key[1])})`);
    }
    const rows = (
      await this.q(
        `SELECT * FROM requests ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY submitted_at, id LIMIT $${params.push(query.limit + 1)}`,
        params,
      )
    ).rows;
    const items = rows.slice(0, query.limit).map(requestFromRow);
    const page: Page<RequestRecord> = { items };
    const last = items[items.length - 1];
    if (rows.length > query.limit && last) page.next = encodeCursor([last.submittedAt, last.id]);
    return page;
  }

  async updateRequest(id: string, update: RequestUpdate): Promise<RequestRecord | undefined> {
    const { sets, params } = setClause(update, REQUEST_COLUMNS, [], dollar);
    if (sets.length === 0) return this.getRequest(id);
    const r = await this.q(`UPDATE requests SET ${sets} WHERE id = $${params.push(id)} RETURNING *`, params);
    return r.rows[0] ? requestFromRow(r.rows[0]) : undefined;
  }

  async listTasks(requestId: string): Promise<TaskRecord[]> {
    const r = await this.q('SELECT * FROM tasks WHERE request_id = $1 ORDER BY position', [requestId]);
    return r.rows.map(taskFromRow);
  }

  async tasksInState(states: TaskState[], node?: string): Promise<TaskRecord[]> {
    if (states.length === 0) return [];
    const params: unknown[] = [states];
    let sql = 'SELECT * FROM tasks WHERE state = ANY($1::text[])';
    if (node !== undefined) sql += ` AND node = $${params.push(node)}`;
    return (await this.q(`${sql} ORDER BY request_id, task_id`, params)).rows.map(taskFromRow);
  }

  async updateTask(requestId: string, taskId: string, update: TaskUpdate): Promise<TaskRecord | undefined> {
    const { sets, params } = setClause(
      update,
      TASK_COLUMNS,
      update.attempt ? ['attempts = attempts + 1'] : [],
      dollar,
    );
    const r =
      sets.length === 0
        ? await this.q('SELECT * FROM tasks WHERE request_id = $1 AND task_id = $2', [requestId, taskId])
        : await this.q(
            `UPDATE tasks SET ${sets} WHERE request_id = $${params.push(requestId)} AND task_id = $${params.push(taskId)}
             RETURNING *`,
            params,
          );
    return r.rows[0] ? taskFromRow(r.rows[0]) : undefined;
  }

  async appendDecisions(decisions: DecisionInput[]): Promise<number[]> {
    if (decisions.length === 0) return [];
    const r = await this.q(
      `INSERT INTO decisions (time, kind, subject, node, detail)
       SELECT tm, k, s, n, d::json FROM unnest($1::float8[], $2::text[], $3::text[], $4::text[], $5::text[])
         WITH ORDINALITY AS u(tm, k, s, n, d, ord) ORDER BY ord
       RETURNING seq`,
      [
        decisions.map((d) => d.time),
        decisions.map((d) => d.kind),
        decisions.map((d) => d.subject),
        decisions.map((d) => d.node ?? null),
        decisions.map((d) => JSON.stringify(d.detail)),
      ],
    );
    // Identity values are drawn in insertion order, which is the input order.
    return r.rows.map((row) => row.seq as number).sort((a, b) => a - b);
  }

  async listDecisions(query: DecisionQuery): Promise<DecisionRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.subject !== undefined) where.push(`subject = $${params.push(query.subject)}`);
    if (query.kind !== undefined) where.push(`kind = $${params.push(query.kind)}`);
    if (query.afterSeq !== undefined) where.push(`seq > $${params.push(query.afterSeq)}`);
    const rows = (
      await this.q(
        `SELECT * FROM decisions ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq
         LIMIT $${params.push(query.limit)}`,
        params,
      )
    ).rows;
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
    await this.q(
      `INSERT INTO agents (id, kind, compute, attention, labels, status, connected_at, last_seen_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, compute = excluded.compute,
         attention = excluded.attention, labels = excluded.labels, status = excluded.status,
         connected_at = excluded.connected_at, last_seen_at = excluded.last_seen_at`,
      [
        agent.id,
        agent.kind,
        agent.compute,
        agent.attention,
        JSON.stringify(agent.labels),
        agent.status,
        agent.connectedAt,
        agent.lastSeenAt,
      ],
    );
  }

  async getAgent(id: string): Promise<AgentRecord | undefined> {
    const r = await this.q('SELECT * FROM agents WHERE id = $1', [id]);
    return r.rows[0] ? agentFromRow(r.rows[0]) : undefined;
  }

  async listAgents(): Promise<AgentRecord[]> {
    return (await this.q('SELECT * FROM agents ORDER BY id')).rows.map(agentFromRow);
  }

  async touchAgent(id: string, lastSeenAt: number, status?: AgentStatus): Promise<boolean> {
    const r = await this.q(
      'UPDATE agents SET last_seen_at = $1, status = coalesce($2, status) WHERE id = $3',
      [lastSeenAt, status ?? null, id],
    );
    return (r.rowCount ?? 0) > 0;
  }

  async appendPolicyRevision(r: PolicyRevision): Promise<{ ok: true } | { ok: false; reason: 'exists' }> {
    // two replicas appending the same revision at once: the primary key lets one in
    const written = await this.q(
      `INSERT INTO policies (policy_id, revision, tenant, changed_at, changed_by, doc)
       SELECT $1, $2, $3, $4, $5, $6::json
       WHERE NOT EXISTS (SELECT 1 FROM policies WHERE policy_id = $1 AND revision >= $2)
       ON CONFLICT (policy_id, revision) DO NOTHING`,
      [r.policyId, r.revision, r.tenant ?? null, r.changedAt, r.changedBy, JSON.stringify(r.doc)],
    );
    return (written.rowCount ?? 0) > 0 ? { ok: true } : { ok: false, reason: 'exists' };
  }

  async listPolicies(): Promise<PolicyRevision[]> {
    return (await this.q(LATEST_POLICIES)).rows.map(policyFromRow);
  }

  async policyHistory(policyId: string): Promise<PolicyRevision[]> {
    return (
      await this.q('SELECT * FROM policies WHERE policy_id = $1 ORDER BY revision', [policyId])
    ).rows.map(policyFromRow);
  }

  async putTenantPolicy(r: TenantPolicyRecord): Promise<void> {
    await this.q(
      `INSERT INTO tenant_policies (tenant, policy_id, changed_at, changed_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (tenant) DO UPDATE SET policy_id = excluded.policy_id,
         changed_at = excluded.changed_at, changed_by = excluded.changed_by`,
      [r.tenant, r.policyId, r.changedAt, r.changedBy],
    );
  }

  async listTenantPolicies(): Promise<TenantPolicyRecord[]> {
    return (await this.q('SELECT * FROM tenant_policies ORDER BY tenant')).rows.map(tenantPolicyFromRow);
  }

  async writeLeases(
    put: LeaseRecord[],
    end: { requestId: string; taskId: string; attempt: number }[],
  ): Promise<void> {
    if (put.length === 0 && end.length === 0) return;
    await this.tx(async (c) => {
      if (end.length > 0)
        await c.query(
          `DELETE FROM leases l USING unnest($1::text[], $2::text[], $3::bigint[]) AS e(r, t, a)
           WHERE l.request_id = e.r AND l.task_id = e.t AND l.attempt = e.a`,
          [end.map((e) => e.requestId), end.map((e) => e.taskId), end.map((e) => e.attempt)],
        );
      if (put.length > 0)
        await c.query(
          `INSERT INTO leases (request_id, task_id, attempt, node, assigned_at, lease_until)
           SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::bigint[], $6::bigint[])
           ON CONFLICT (request_id, task_id) DO UPDATE SET attempt = excluded.attempt, node = excluded.node,
             assigned_at = excluded.assigned_at, lease_until = excluded.lease_until`,
          [
            put.map((l) => l.requestId),
            put.map((l) => l.taskId),
            put.map((l) => l.attempt),
            put.map((l) => l.node),
            put.map((l) => l.assignedAt),
            put.map((l) => l.leaseUntil),
          ],
        );
    });
  }

  async listLeases(): Promise<LeaseRecord[]> {
    return (await this.q('SELECT * FROM leases ORDER BY request_id, task_id')).rows.map(leaseFromRow);
  }

  async getState(key: string): Promise<Json | undefined> {
    const r = await this.q('SELECT value FROM service_state WHERE key = $1', [key]);
    return r.rows[0] ? (JSON.parse(r.rows[0].value as string) as Json) : undefined;
  }

  async putState(key: string, value: Json): Promise<void> {
    await this.q(
      `INSERT INTO service_state (key, value, updated_at) VALUES ($1, $2, $3)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      [key, JSON.stringify(value), Date.now()],
    );
  }

  async newestRequests(query: { tenant?: string; limit: number }): Promise<RequestRecord[]> {
    const params: unknown[] = [];
    const where = query.tenant === undefined ? '' : `WHERE tenant = $${params.push(query.tenant)}`;
    const rows = (
      await this.q(
        `SELECT * FROM requests ${where} ORDER BY submitted_at DESC, id DESC LIMIT $${params.push(query.limit)}`,
        params,
      )
    ).rows;
    return rows.map(requestFromRow);
  }
}

/** `$n` parameters for {@link setClause}. */
const dollar = (n: number) => `$${n}`;

/** The oldest seq of a batch whose every sample is stored already (same thing, time, features), else undefined. */
async function storedAlready(c: Queryable, batch: PendingBatch): Promise<number | undefined> {
  if (batch.samples.length === 0) return undefined;
  const r = await c.query(
    `SELECT count(DISTINCT u.ord) AS n, min(s.seq) AS first
       FROM unnest($1::text[], $2::float8[], $3::text[]) WITH ORDINALITY AS u(t, tm, f, ord)
       JOIN samples s ON s.thing_id = u.t AND s.time = u.tm AND s.features::text = u.f`,
    [
      batch.samples.map((x) => x.thingId),
      batch.samples.map((x) => x.time),
      batch.samples.map((x) => JSON.stringify(x.features)),
    ],
  );
  const row = r.rows[0] as Row | undefined;
  return row && Number(row.n) === batch.samples.length ? Number(row.first) : undefined;
}

/** A batch checked against the owners of its things: the refusal, or the tenant of each sample. */
function checkBatch(
  batch: PendingBatch,
  owners: Map<string, string>,
): { result: SampleAppend; tenants: string[] } {
  const byThing: Record<string, string> = {};
  const tenants: string[] = [];
  for (let i = 0; i < batch.samples.length; i++) {
    const owner = owners.get(batch.samples[i]!.thingId);
    if (owner === undefined) return { result: { ok: false, index: i, reason: 'unknown-thing' }, tenants };
    if (batch.tenant !== undefined && owner !== batch.tenant)
      return { result: { ok: false, index: i, reason: 'tenant-mismatch' }, tenants };
    tenants.push(owner);
    byThing[batch.samples[i]!.thingId] = owner;
  }
  return { result: { ok: true, stored: batch.samples.length, firstSeq: 0, tenants: byThing }, tenants };
}

function unavailable(error: unknown): unknown {
  if (error instanceof StoreUnavailableError || !isStoreUnavailable(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new StoreUnavailableError(`PostgreSQL unavailable: ${message}`, { cause: error });
}

/** Connects to `url`, migrating the schema; see {@link PostgresStoreOptions}. */
export function openPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  return PostgresStore.open(options);
}
