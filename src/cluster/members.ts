/**
 * Who is in the cluster and who leads: every replica of `ars serve` on one PostgreSQL keeps a row in
 * `ars_cluster_members(id, url, leader, heartbeat_at)` (in the store's schema), written every `everyMs`.
 * The URL is the one agents and clients can reach the replica at (`--advertise-url`). The leader marks its
 * row (and unmarks every other); a row whose heartbeat is older than `staleMs` is ignored, so a leader killed
 * with `kill -9` stops being named within that time even before the next leader writes its own row.
 *
 * The table is a hint, not the truth: leadership is the advisory lock (leader.ts). A follower tells an agent
 * where the leader is from the last rows it read; when that hint is stale the agent simply tries again.
 */
import pg from 'pg';

export interface ClusterMember {
  readonly id: string;
  readonly url: string;
  readonly leader: boolean;
  /** the custom task handlers its agents offer (the leader's: a follower plans requests with them) */
  readonly handlers: readonly string[];
  /** epoch ms of its last heartbeat */
  readonly heartbeatAt: number;
}

export interface ClusterMembersOptions {
  /** the database (`postgres://…`, without the store's `schema` parameter) */
  readonly url: string;
  /** the store's PostgreSQL schema (default public) */
  readonly schema?: string;
  readonly id: string;
  /** this replica's URL as others reach it */
  readonly advertise: string;
  /** heartbeat period, ms (default 1000) */
  readonly everyMs?: number;
  /** a row older than this is ignored, ms (default 3 × everyMs) */
  readonly staleMs?: number;
  readonly onError?: (err: Error) => void;
  /** the custom task handlers this replica's agents offer now (written with each heartbeat) */
  readonly handlers?: () => readonly string[];
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]*$/;

export class ClusterMembers {
  readonly id: string;
  readonly advertise: string;
  private readonly pool: pg.Pool;
  private readonly table: string;
  private readonly everyMs: number;
  private readonly staleMs: number;
  private leading = false;
  private timer: NodeJS.Timeout | undefined;
  private rows: ClusterMember[] = [];
  private beat: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly options: ClusterMembersOptions) {
    const schema = options.schema ?? 'public';
    if (!SCHEMA_NAME.test(schema)) throw new Error(`PostgreSQL schema name ${JSON.stringify(schema)}`);
    this.id = options.id;
    this.advertise = options.advertise;
    this.table = `${schema}.ars_cluster_members`;
    this.everyMs = options.everyMs ?? 1000;
    this.staleMs = options.staleMs ?? 3 * this.everyMs;
    this.pool = new pg.Pool({
      connectionString: options.url,
      max: 2,
      connectionTimeoutMillis: 5000,
      query_timeout: 5000,
      application_name: `ars-members ${options.id}`,
    });
    this.pool.on('error', (err) => options.onError?.(err));
  }

  /** Creates the table when missing, writes the first heartbeat and keeps writing. */
  async start(): Promise<void> {
    try {
      await this.pool.query(
        `CREATE TABLE IF NOT EXISTS ${this.table} (id text PRIMARY KEY, url text NOT NULL, leader boolean NOT NULL DEFAULT false, handlers text[] NOT NULL DEFAULT '{}', heartbeat_at timestamptz NOT NULL DEFAULT now())`,
      );
    } catch (err) {
      // two replicas creating it at once: one wins, the other sees a duplicate type or relation
      const code = (err as { code?: string }).code;
      if (code !== '23505' && code !== '42P07') throw err;
    }
    await this.heartbeat();
    this.schedule();
  }

  private schedule(): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      this.beat = this.heartbeat().catch((err: Error) => this.options.onError?.(err));
      void this.beat.then(() => this.schedule());
    }, this.everyMs);
    this.timer.unref();
  }

  private async heartbeat(): Promise<void> {
    await this.pool.query(
      `INSERT INTO ${this.table} (id, url, leader, handlers, heartbeat_at) VALUES ($1, $2, $3, $4, now())
       ON CONFLICT (id) DO UPDATE SET url = EXCLUDED.url, leader = EXCLUDED.leader, handlers = EXCLUDED.handlers,
       heartbeat_at = now()`,
      [this.id, this.advertise, this.leading, [...(this.options.handlers?.() ?? [])]],
    );
    await this.read();
  }

  private async read(): Promise<void> {
    const r = await this.pool.query<{
      id: string;
      url: string;
      leader: boolean;
      handlers: string[];
      at: string;
    }>(
      `SELECT id, url, leader, handlers, (extract(epoch FROM heartbeat_at) * 1000)::bigint AS at FROM ${this.table}
       WHERE heartbeat_at > now() - make_interval(secs => $1) ORDER BY id`,
      [this.staleMs / 1000],
    );
    this.rows = r.rows.map((x) => ({
      id: x.id,
      url: x.url,
      leader: x.leader,
      handlers: x.handlers,
      heartbeatAt: Number(x.at),
    }));
  }

  /** This replica leads (or not): written at once; as leader, every other row is unmarked. */
  async setLeader(leading: boolean): Promise<void> {
    this.leading = leading;
    if (this.closed) return;
    await this.beat;
    if (leading) await this.pool.query(`UPDATE ${this.table} SET leader = false WHERE id <> $1`, [this.id]);
    await this.heartbeat();
  }

  /** The members with a recent heartbeat, as last read. */
  get members(): readonly ClusterMember[] {
    return this.rows;
  }

  /** The leader's row as last read (undefined while none is known). */
  get leader(): ClusterMember | undefined {
    let best: ClusterMember | undefined;
    for (const m of this.rows) if (m.leader && (!best || m.heartbeatAt > best.heartbeatAt)) best = m;
    return best;
  }

  /** The leader's URL as last read (undefined while none is known). */
  get leaderUrl(): string | undefined {
    return this.leading ? this.advertise : this.leader?.url;
  }

  /** `NOTIFY channel, payload` on the members' pool (a follower telling the leader of stored telemetry). */
  async notify(channel: string, payload: string): Promise<void> {
    await this.pool.query('SELECT pg_notify($1, $2)', [channel, payload]);
  }

  /** Stops the heartbeat and removes this replica's row. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    await this.beat;
    await this.pool.query(`DELETE FROM ${this.table} WHERE id = $1`, [this.id]).catch(() => {});
    await this.pool.end().catch(() => {});
  }
}
