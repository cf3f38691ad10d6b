/**
 * Leader-gated scheduling for `ars serve` replicas sharing one PostgreSQL store. Every replica serves the API,
 * ingest, things and requests; only the replica holding the advisory lock (leader.ts) runs a scheduling
 * runtime, and only it takes agents.
 *
 * - **Terms.** Each time a replica is elected it starts a *term*: a fresh LiveRuntime with its persister,
 *   which resumes every accepted request that is not finished (`resumeRequests`), and then polls the store
 *   every `pollMs` for requests accepted by the other replicas (the same call: queued or running, not held in
 *   memory). When it loses the lock it ends the term at once: the runtime's clock stops, the persister writes
 *   what it holds and lets go, and every agent is hung up, so nothing more is dispatched from this replica.
 *   Between terms (a follower) the routes see a stopped runtime that only knows the scenario (twins, tenants,
 *   workloads), which is what planning a submitted request needs.
 * - **Requests.** A request submitted to any replica is stored first under a new id (stored.ts); on the leader
 *   it is also handed to the runtime at once, on a follower the leader picks it up on its next poll. Status,
 *   result and explanation of a request the serving replica does not hold come from the store.
 * - **Agents.** A follower refuses an agent with `ARS_E_NOT_LEADER` and the leader's URL from the members
 *   table (members.ts); `ars agent` follows it.
 */

import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { BUILT_IN_TASKS } from '../live/handlers.js';
import type { Persister } from '../live/persist.js';
import { resumeRequests } from '../live/persist.js';
import type { LiveCluster } from '../live/plugin.js';
import type { TwinResolver } from '../live/requests.js';
import type { LiveRuntime } from '../live/runtime.js';
import type { Store } from '../store/index.js';
import { LeaderElector, type LeaderElectorOptions } from './leader.js';
import { ClusterMembers } from './members.js';
import { StoredIntake, storedRequest, storedRequests } from './stored.js';

export interface Term {
  readonly runtime: LiveRuntime;
  readonly persister: Persister;
}

export interface ReplicaOptions {
  readonly store: Store;
  /** the stopped runtime the routes see while this replica follows */
  readonly idle: LiveRuntime;
  /** builds a term: a fresh runtime with its persister (the term resumes the stored requests itself) */
  readonly term: () => Promise<Term>;
  /** the election (url without the store's schema parameter, key, retry) */
  readonly election: LeaderElectorOptions;
  /** the store's PostgreSQL schema, where the members table lives */
  readonly schema?: string | undefined;
  /** how often the leader looks for requests accepted elsewhere, ms (default 500) */
  readonly pollMs?: number;
  /** the leader hears of telemetry a follower stored (its own goes to its runtime directly) */
  readonly onTelemetry?: (note: TelemetryNote) => void;
  /** after a term starts (true) or ends (false): parts that only the leader runs (an external broker's session) */
  readonly onRole?: (leading: boolean) => Promise<void>;
  readonly log?: (line: string) => void;
}

/** Samples a replica stored for one thing, as its event bus announced them (src/server/events.ts). */
export interface TelemetryNote {
  readonly thingId: string;
  readonly count: number;
  readonly newestTime: number;
  /** absent when too large for a notification */
  readonly latest?: Record<string, Record<string, unknown>>;
}

/** PostgreSQL caps a notification's payload at 8000 bytes. */
const NOTIFY_LIMIT = 7900;
/** How long a follower gathers telemetry notes before it sends them, ms. */
const FORWARD_MS = 100;

/** Notes as JSON arrays of at most NOTIFY_LIMIT bytes each (a note too large alone goes without `latest`). */
export function notePayloads(notes: readonly TelemetryNote[]): string[] {
  const out: string[] = [];
  let batch: string[] = [];
  let size = 2;
  for (const note of notes) {
    let one = JSON.stringify(note);
    if (Buffer.byteLength(one) + 2 > NOTIFY_LIMIT) one = JSON.stringify({ ...note, latest: undefined });
    const bytes = Buffer.byteLength(one) + 1;
    if (size + bytes > NOTIFY_LIMIT && batch.length > 0) {
      out.push(`[${batch.join(',')}]`);
      batch = [];
      size = 2;
    }
    batch.push(one);
    size += bytes;
  }
  if (batch.length > 0) out.push(`[${batch.join(',')}]`);
  return out;
}

/** What a live runtime tells its listeners (src/live/runtime.ts). */
const RUNTIME_EVENTS = ['request', 'task', 'twin', 'node', 'late', 'decision'] as const;

/** The runtime of the current term, or the idle one: one object the routes keep for the service's life. */
function currentRuntime(
  get: () => LiveRuntime,
  followerResolver: () => TwinResolver | undefined,
  hub: EventEmitter,
): LiveRuntime {
  return new Proxy({} as LiveRuntime, {
    get(_target, key) {
      // listeners (e.g. the per-tenant request metrics) outlive terms: they listen to the hub, which every
      // leading term's runtime feeds (see ClusterReplica.lead)
      if (key === 'on' || key === 'off' || key === 'addListener' || key === 'removeListener') {
        const f = Reflect.get(hub, key, hub) as (...a: unknown[]) => unknown;
        return f.bind(hub);
      }
      if (key === 'resolver') {
        const r = followerResolver();
        if (r) return r;
      }
      const rt = get();
      const value: unknown = Reflect.get(rt, key, rt);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(rt) : value;
    },
    has: (_target, key) => key in get(),
  });
}

export class ClusterReplica {
  readonly id: string;
  /** what the live routes and the service use: the leading term's runtime, else the idle one */
  readonly runtime: LiveRuntime;
  readonly cluster: LiveCluster;
  private readonly intake: StoredIntake;
  private readonly elector: LeaderElector;
  private members: ClusterMembers | undefined;
  private current: Term | undefined;
  private poll: NodeJS.Timeout | undefined;
  private polling: Promise<unknown> = Promise.resolve();
  private transitions: Promise<void> = Promise.resolve();
  private closed = false;
  private listener: pg.Client | undefined;
  private readonly notes = new Map<string, TelemetryNote>();
  private noteTimer: NodeJS.Timeout | undefined;
  private readonly channel: string;
  /** the events of whichever runtime leads, for listeners of `runtime` that outlive terms */
  private readonly hub = new EventEmitter();

  constructor(private readonly options: ReplicaOptions) {
    // pids repeat across hosts (in a container the server is often pid 1): the host name and a random part too
    this.elector = new LeaderElector({
      ...options.election,
      id: options.election.id ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
    });
    this.id = this.elector.id;
    // a follower plans a request as the leader would: its agents' custom handlers are in the members table
    const idle = options.idle;
    const resolver: TwinResolver = {
      byName: (name) => idle.resolver.byName(name),
      pickFromGroup: (group) => idle.resolver.pickFromGroup(group),
      handlerFor: (kind) =>
        kind in BUILT_IN_TASKS || this.members?.leader?.handlers.includes(kind) ? kind : 'work',
    };
    this.runtime = currentRuntime(
      () => this.current?.runtime ?? idle,
      () => (this.current ? undefined : resolver),
      this.hub,
    );
    this.intake = new StoredIntake(options.store);
    // one channel per schema: deployments sharing a database do not hear each other
    this.channel = `ars_telemetry_${options.schema ?? 'public'}`.slice(0, 63);
    this.cluster = {
      refuseAgent: () => {
        if (this.current) return undefined;
        const leader = this.members?.leaderUrl;
        return {
          message: `replica ${this.id} does not schedule; ${leader ? `the leader is ${leader}` : 'no leader is known yet, try again'}`,
          ...(leader ? { leader } : {}),
        };
      },
      submit: async (plan, params) => {
        const record = await this.intake.create(plan, params);
        const term = this.current;
        if (term) {
          const held = term.runtime.requests.get(record.id);
          if (held) return { request: held };
          term.persister.adopt(record.id);
          return { request: term.runtime.submit(plan, params ?? {}, Number(record.id.slice(2))) };
        }
        const stored = await storedRequest(options.store, this.runtime, record.id);
        return { view: stored!.view as { id: string } };
      },
      stored: (id) => storedRequest(options.store, this.runtime, id),
      storedList: (tenant, limit) => storedRequests(options.store, this.runtime, tenant, limit),
    };
  }

  get leading(): boolean {
    return this.current !== undefined;
  }

  get persister(): Persister | undefined {
    return this.current?.persister;
  }

  /** Joins the members table under `advertise` and campaigns; resolves after the first try for the lock. */
  async start(advertise: string): Promise<void> {
    const onError = (err: Error) => this.options.log?.(`cluster: ${err.message}`);
    this.members = new ClusterMembers({
      url: this.options.election.url,
      ...(this.options.schema !== undefined ? { schema: this.options.schema } : {}),
      id: this.id,
      advertise,
      onError,
      handlers: () => {
        const out = new Set<string>();
        for (const n of this.current?.runtime.nodes ?? []) if (n.up) for (const h of n.handlers) out.add(h);
        return [...out];
      },
    });
    await this.members.start();
    this.elector.on('elected', () => this.transition(() => this.lead()));
    this.elector.on('demoted', (reason) => this.follow(reason));
    this.elector.on('warning', onError);
    await this.elector.start();
    await this.transitions;
  }

  private transition(step: () => Promise<void>): void {
    this.transitions = this.transitions
      .then(step)
      .catch((err: Error) => this.options.log?.(`cluster: ${err.message}`));
  }

  private async lead(): Promise<void> {
    if (this.closed || this.current || !this.elector.isLeader) return;
    const term = await this.options.term();
    let resumed: number;
    try {
      resumed = await resumeRequests(this.options.store, term.runtime, term.persister);
    } catch (err) {
      // the store failed us: give the term up and try again while the lock is ours
      await this.end(term);
      this.options.log?.(`cluster: cannot start scheduling: ${(err as Error).message}; trying again`);
      setTimeout(() => this.transition(() => this.lead()), 1000).unref();
      return;
    }
    // the members table names this replica before it says it leads (`/api/v1/cluster`, agents)
    await this.members?.setLeader(true).catch((err: Error) => this.options.log?.(`cluster: ${err.message}`));
    if (!this.elector.isLeader || this.closed) {
      await this.end(term);
      await this.members?.setLeader(false).catch(() => {});
      return;
    }
    this.current = term;
    for (const event of RUNTIME_EVENTS) term.runtime.on(event, (e: unknown) => this.hub.emit(event, e));
    this.options.log?.(
      `replica ${this.id} leads: scheduling${resumed > 0 ? `, resumed ${resumed} accepted request${resumed === 1 ? '' : 's'} from the store` : ''}`,
    );
    await this.listen(term);
    await this.options.onRole?.(true);
    if (this.current !== term) return; // stepped down meanwhile
    this.poll = setInterval(() => {
      this.polling = this.polling.then(() => this.pickUp(term));
    }, this.options.pollMs ?? 500);
    this.poll.unref();
  }

  /** The leader hears the followers' telemetry notes while the term lasts (a lost connection is opened again). */
  private async listen(term: Term): Promise<void> {
    if (!this.options.onTelemetry || this.current !== term) return;
    const client = new pg.Client({
      connectionString: this.options.election.url,
      connectionTimeoutMillis: 5000,
      application_name: `ars-listen ${this.id}`,
    });
    const retry = (err: Error) => {
      if (this.listener !== client) return;
      this.listener = undefined;
      this.options.log?.(`cluster: telemetry notifications: ${err.message}`);
      void client.end().catch(() => {});
      setTimeout(() => void this.listen(term).catch(() => {}), 1000).unref();
    };
    client.on('error', retry);
    client.on('notification', (n) => {
      if (this.current !== term || !n.payload) return;
      try {
        for (const note of JSON.parse(n.payload) as TelemetryNote[]) this.options.onTelemetry?.(note);
      } catch {
        // not ours
      }
    });
    this.listener = client;
    try {
      await client.connect();
      await client.query(`LISTEN "${this.channel}"`);
    } catch (err) {
      retry(err as Error);
    }
  }

  /** A follower tells the leader of telemetry it stored (best effort: the samples are in the store anyway). */
  forward(note: TelemetryNote): void {
    if (this.current || !this.members) return;
    // gathered per thing and sent every FORWARD_MS, so that an ingest storm is a few notifications a second
    const before = this.notes.get(note.thingId);
    this.notes.set(
      note.thingId,
      before && before.newestTime > note.newestTime
        ? { ...before, count: before.count + note.count }
        : { ...note, count: note.count + (before?.count ?? 0) },
    );
    if (this.noteTimer) return;
    this.noteTimer = setTimeout(() => {
      this.noteTimer = undefined;
      const members = this.members;
      const notes = [...this.notes.values()];
      this.notes.clear();
      if (!members || this.current) return;
      for (const payload of notePayloads(notes))
        members.notify(this.channel, payload).catch((err: Error) => {
          this.options.log?.(`cluster: telemetry note: ${err.message}`);
        });
    }, FORWARD_MS);
    this.noteTimer.unref();
  }

  /** Requests stored by other replicas (or left by an earlier leader) that this term does not hold yet. */
  private async pickUp(term: Term): Promise<void> {
    if (this.current !== term) return;
    try {
      await resumeRequests(this.options.store, term.runtime, term.persister);
    } catch (err) {
      this.options.log?.(`cluster: looking for new requests: ${(err as Error).message}`);
    }
  }

  /**
   * Lost the lock: scheduling stops now (the term's clock, the poll, new agents and requests go elsewhere), not
   * after a transition under way; writing out and hanging up follow in order.
   */
  private follow(reason: string): void {
    const term = this.current;
    if (!term) return;
    this.current = undefined;
    clearInterval(this.poll);
    term.runtime.stop();
    this.options.log?.(`replica ${this.id} stopped scheduling (${reason})`);
    this.transition(async () => {
      await this.end(term);
      await this.options.onRole?.(false);
      await this.members?.setLeader(false).catch(() => {});
    });
  }

  /** Stops a term: no more dispatching, its updates written, its agents sent away. */
  private async end(term: Term): Promise<void> {
    term.runtime.stop();
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => {});
    await term.persister.close();
    for (const n of term.runtime.nodes) if (n.up) n.hangUp('this replica no longer schedules');
  }

  /** What `/api/v1/cluster` answers. */
  describe(): Record<string, unknown> {
    return {
      id: this.id,
      url: this.members?.advertise ?? null,
      leader: this.leading,
      leaderUrl: this.members?.leaderUrl ?? null,
      members: this.members?.members ?? [],
    };
  }

  /** Ends the term (if leading), steps down and leaves the members table. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.noteTimer);
    await this.transitions;
    const term = this.current;
    this.current = undefined;
    clearInterval(this.poll);
    await this.polling;
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => {});
    if (term) {
      // the service closes the term's runtime and agents itself; only its persister is ours to flush
      term.runtime.stop();
      await term.persister.close();
    }
    await this.elector.close();
    await this.members?.close();
  }
}

/** `GET /api/v1/cluster`: this replica, whether it leads, the leader's URL and the live members. */
export function clusterRoutes(replica: ClusterReplica | undefined, url: () => string) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/cluster', async () =>
      replica
        ? replica.describe()
        : { id: null, url: url(), leader: true, leaderUrl: url(), members: [], single: true },
    );
  };
}
