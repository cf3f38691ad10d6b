/**
 * Leader election for replicas sharing one PostgreSQL: the replica that holds a session-level advisory lock
 * (`pg_try_advisory_lock(key)`) on its own dedicated connection is the leader, and only the leader schedules;
 * every replica serves the API and ingest.
 *
 * - A follower tries to take the lock every `retryMs`.
 * - The leader checks its connection every `checkMs` with a query bounded by `checkTimeoutMs`; when the check
 *   fails, or the connection reports an error or ends, it **steps down first** (emits `demoted`, so the caller
 *   stops scheduling) and then drops the connection.
 * - PostgreSQL releases a session's advisory locks when the session ends: a leader process that dies, or whose
 *   backend is terminated, frees the lock at once, and a follower takes it on its next try. With the defaults
 *   (retry 1 s) another replica leads within about a second; well inside the 5 s the design asks for.
 *
 * Not a fencing mechanism: in a network partition the server keeps the old session (and its lock) until it
 * notices the dead TCP connection (its `tcp_keepalives_*` settings), while the old leader steps down after its
 * failed check. Work the leader starts must therefore stay idempotent by attempt id (docs/reliability.md).
 */
import { EventEmitter } from 'node:events';
import pg from 'pg';

/** The default advisory lock key: "ARS" and 2 (1 is the migration lock). */
export const DEFAULT_LEADER_KEY = 0x41525302;

export interface LeaderElectorOptions {
  /** `postgres://…` of the shared database. */
  url: string;
  /** The advisory lock key; replicas of one deployment share it. */
  key?: number;
  /** This replica's name, for logs and {@link LeaderElector.state}. */
  id?: string;
  /** How often a follower tries to take the lock. Default 1000 ms. */
  retryMs?: number;
  /** How often the leader checks its connection. Default 1000 ms. */
  checkMs?: number;
  /** The bound of one check or lock attempt. Default 2000 ms. */
  checkTimeoutMs?: number;
}

export interface LeaderEvents {
  elected: [];
  demoted: [reason: string];
  /** A connection or lock attempt failed (the elector keeps trying). */
  warning: [error: Error];
}

export class LeaderElector extends EventEmitter<LeaderEvents> {
  readonly id: string;
  private readonly key: number;
  private readonly retryMs: number;
  private readonly checkMs: number;
  private readonly checkTimeoutMs: number;
  private client: pg.Client | undefined;
  private leader = false;
  private stopped = true;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly options: LeaderElectorOptions) {
    super();
    this.id = options.id ?? `replica-${process.pid}`;
    this.key = options.key ?? DEFAULT_LEADER_KEY;
    this.retryMs = options.retryMs ?? 1000;
    this.checkMs = options.checkMs ?? 1000;
    this.checkTimeoutMs = options.checkTimeoutMs ?? 2000;
  }

  /** True while this replica holds the lock (and its last check passed). */
  get isLeader(): boolean {
    return this.leader;
  }

  /** The backend process id of the dedicated connection (tests terminate it to simulate a lost connection). */
  backendPid: number | undefined;

  /** Starts campaigning; resolves after the first attempt (so `isLeader` is meaningful right after). */
  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    this.running = this.tick();
    await this.running;
  }

  /** Steps down (releasing the lock) and stops campaigning. */
  async close(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    if (this.leader) this.stepDown('closed');
    const client = this.client;
    this.client = undefined;
    if (client) {
      await client.query('SELECT pg_advisory_unlock_all()').catch(() => {});
      await client.end().catch(() => {});
    }
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick();
    }, ms);
  }

  private stepDown(reason: string): void {
    if (!this.leader) return;
    this.leader = false;
    this.emit('demoted', reason);
  }

  /** Drops the dedicated connection after a failure; the lock goes with the session. */
  private drop(reason: string, error?: Error): void {
    this.stepDown(reason);
    if (error) this.emit('warning', error);
    const client = this.client;
    this.client = undefined;
    this.backendPid = undefined;
    if (client) {
      client.removeAllListeners('error');
      client.on('error', () => {});
      void client.end().catch(() => {});
    }
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client({
      connectionString: this.options.url,
      connectionTimeoutMillis: this.checkTimeoutMs,
      query_timeout: this.checkTimeoutMs,
      keepAlive: true,
      application_name: `ars-leader ${this.id}`,
    });
    // The connection breaking between checks: step down at once, not at the next check.
    client.on('error', (error) => {
      if (this.client === client) this.drop('connection error', error);
    });
    client.on('end', () => {
      if (this.client === client) this.drop('connection ended');
    });
    await client.connect();
    const r = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    this.backendPid = r.rows[0]?.pid;
    return client;
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    try {
      if (!this.client) {
        const client = await this.connect();
        if (this.stopped) {
          await client.end().catch(() => {});
          return;
        }
        this.client = client;
      }
      const client = this.client;
      if (this.leader) {
        await client.query('SELECT 1');
      } else {
        const r = await client.query<{ got: boolean }>('SELECT pg_try_advisory_lock($1) AS got', [this.key]);
        if (r.rows[0]?.got && this.client === client && !this.stopped) {
          this.leader = true;
          this.emit('elected');
        }
      }
    } catch (error) {
      this.drop('check failed', error instanceof Error ? error : new Error(String(error)));
    }
    this.schedule(this.leader ? this.checkMs : this.retryMs);
  }
}

/** Creates and starts an elector. */
export async function startLeaderElection(options: LeaderElectorOptions): Promise<LeaderElector> {
  const elector = new LeaderElector(options);
  await elector.start();
  return elector;
}
