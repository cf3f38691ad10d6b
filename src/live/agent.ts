/**
 * An agent: one machine's compute and attention offered to the scheduler over the agent protocol. It
 * registers, sends heartbeats, runs every `assign` concurrently with its handlers and answers with a
 * `result`. When the connection drops it reconnects with backoff and registers again under the same id. Work
 * it was running goes on meanwhile and its results are sent once registered again: a server that restarted
 * holds such attempts' leases for this agent and takes their results; one that did not has re-dispatched the
 * work and ignores them (attempt ids). A replica of a cluster that does not schedule refuses it with
 * `ARS_E_NOT_LEADER` and the leader's URL: the agent goes there (a hint is tried once, without waiting), and
 * after a failed attempt tries the next given server with backoff.
 */
import WebSocket from 'ws';
import { busy, type HandlerContext, type HandlerSet, loadHandlers } from './handlers.js';
import type { RefreshInput, RegisterMessage, ServerMessage, TaskInput } from './protocol.js';
import { PROTOCOL_VERSION } from './protocol.js';

export interface AgentOptions {
  /**
   * the server's base URL, http(s):// or ws(s)://; the agent endpoint is `/api/v1/agents/connect`. Replicas
   * of a cluster may be given comma-separated: the agent tries them in turn and follows a follower's hint to
   * the leader.
   */
  readonly server: string;
  readonly id: string;
  readonly kind: RegisterMessage['kind'];
  readonly compute: number;
  readonly attention: number;
  readonly speed?: RegisterMessage['speed'];
  readonly labels?: Record<string, string>;
  readonly costPerSecond?: number;
  /** an ES module of named async handlers */
  readonly handlers?: string;
  /** reconnect after a dropped connection (default true) */
  readonly reconnect?: boolean;
  /** the node's credential (an API key or token issued for this node), sent as `Authorization: Bearer` */
  readonly token?: string;
  readonly log?: (line: string) => void;
}

export const AGENT_PATH = '/api/v1/agents/connect';

/** The agent endpoint for a server base URL. */
export function agentUrl(server: string): string {
  const u = new URL(server);
  if (u.protocol === 'http:') u.protocol = 'ws:';
  else if (u.protocol === 'https:') u.protocol = 'wss:';
  u.pathname = u.pathname.replace(/\/$/, '') + AGENT_PATH;
  return u.toString();
}

export class Agent {
  readonly options: AgentOptions;
  #handlers: HandlerSet | undefined;
  #socket: WebSocket | undefined;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #running = new Map<number, AbortController>();
  /** results finished while the connection was down, sent once registered again */
  #outbox: unknown[] = [];
  /** registered on the current connection */
  #live = false;
  #stopped = false;
  #backoffMs = 200;
  /** where the last connection went, and where a follower said the leader is */
  #server: string;
  #hint: string | undefined;
  #turn = 0;
  #hinted = false;
  /** index the server gave this node, once registered */
  node = -1;
  completed = 0;

  constructor(options: AgentOptions) {
    this.options = options;
    this.#server = this.#servers[0] ?? options.server;
  }

  /** The server this agent is (or was last) connected to. */
  get server(): string {
    return this.#server;
  }

  /** Loads handlers and connects; resolves once registered. */
  async start(): Promise<void> {
    this.#handlers = await loadHandlers(this.options.handlers);
    // each given server in turn, following a follower's hint to the leader; while a cluster has no known
    // leader (an election under way) keep trying for a while
    const until = Date.now() + 30_000;
    for (let tries = 1; ; tries++) {
      try {
        await this.#connect(this.#pick());
        return;
      } catch (err) {
        const refused = (err as { notLeader?: boolean }).notLeader === true;
        const more = this.#turn < this.#servers.length || this.#hint !== undefined;
        if (this.#stopped || (!more && !(refused && Date.now() < until))) throw err;
        if (!more) this.#turn = 0;
        const wait = this.#wait();
        if (tries > 1 && wait > 0) await new Promise((r) => setTimeout(r, Math.min(wait, 1000)));
      }
    }
  }

  /** The given servers: `server` may name several, comma-separated (replicas of one cluster). */
  get #servers(): string[] {
    return this.options.server
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x.length > 0);
  }

  /** The next server to try: the leader a follower named, else the next given one. */
  #pick(): string {
    const hint = this.#hint;
    this.#hint = undefined;
    this.#hinted = hint !== undefined;
    if (hint !== undefined) return hint;
    const servers = this.#servers;
    return servers[this.#turn++ % servers.length]!;
  }

  #connect(server: string): Promise<void> {
    this.#server = server;
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(
        agentUrl(server),
        this.options.token ? { headers: { authorization: `Bearer ${this.options.token}` } } : {},
      );
      this.#socket = ws;
      let registered = false;
      ws.on('open', () => {
        const hello: RegisterMessage = {
          type: 'register',
          protocol: PROTOCOL_VERSION,
          id: this.options.id,
          kind: this.options.kind,
          compute: this.options.compute,
          attention: this.options.attention,
          speed: this.options.speed ?? { default: 1, kinds: {} },
          labels: this.options.labels ?? {},
          handlers: [...(this.#handlers?.custom ?? [])],
          costPerSecond: this.options.costPerSecond ?? 0,
        };
        ws.send(JSON.stringify(hello));
      });
      ws.on('message', (data) => {
        let msg: ServerMessage;
        try {
          msg = JSON.parse(String(data)) as ServerMessage;
        } catch {
          return;
        }
        if (msg.type === 'registered') {
          registered = true;
          this.#live = true;
          this.node = msg.node;
          this.#backoffMs = 200;
          this.#turn = 0;
          clearInterval(this.#heartbeat);
          this.#heartbeat = setInterval(() => this.#send({ type: 'heartbeat' }), msg.heartbeatMs);
          this.#heartbeat.unref();
          for (const result of this.#outbox.splice(0)) this.#send(result);
          this.options.log?.(`agent ${this.options.id}: registered at ${server} as node ${msg.node}`);
          resolve();
        } else if (msg.type === 'assign') void this.#run(msg);
        else if (msg.type === 'cancel') this.#running.get(msg.attempt)?.abort();
        else if (msg.type === 'error') {
          this.options.log?.(`agent ${this.options.id}: server error ${msg.code}: ${msg.message}`);
          if (msg.code === 'ARS_E_NOT_LEADER') {
            // a replica that does not schedule: go where it says the leader is
            if (msg.leader && msg.leader !== server) this.#hint = msg.leader;
            reject(Object.assign(new Error(`${msg.code}: ${msg.message}`), { notLeader: true }));
          } else if (!registered) reject(new Error(`${msg.code}: ${msg.message}`));
        }
      });
      ws.on('error', (err) => {
        if (!registered) reject(err);
      });
      ws.on('close', () => {
        this.#live = false;
        clearInterval(this.#heartbeat);
        if (!registered || this.#stopped || this.options.reconnect === false) {
          // no coming back: the server re-dispatches what ran here
          for (const c of this.#running.values()) c.abort();
          this.#running.clear();
          this.#outbox = [];
          return;
        }
        // work goes on meanwhile; its results wait in the outbox for the next registration
        this.#retryLater();
      });
    });
  }

  /**
   * How long to wait before the next try: nothing to follow a fresh hint, else the backoff (which grows), so
   * that two replicas naming each other from stale rows are not tried in a tight loop.
   */
  #wait(): number {
    if (this.#hint !== undefined && !this.#hinted) return 0;
    const wait = this.#backoffMs;
    this.#backoffMs = Math.min(this.#backoffMs * 2, 5000);
    return wait;
  }

  /** Connects again with backoff, across the given servers and following hints, until registered. */
  #retryLater(): void {
    const wait = this.#wait();
    // not unref'd: a reconnecting agent has nothing else keeping its process alive
    setTimeout(() => {
      if (!this.#stopped) this.#connect(this.#pick()).catch(() => this.#retryLater());
    }, wait);
  }

  #send(msg: unknown): void {
    if (this.#socket?.readyState === WebSocket.OPEN) this.#socket.send(JSON.stringify(msg));
  }

  async #run(msg: Extract<ServerMessage, { type: 'assign' }>): Promise<void> {
    const handlers = this.#handlers!;
    const abort = new AbortController();
    this.#running.set(msg.attempt, abort);
    const speed = this.options.speed?.kinds[msg.kind] ?? this.options.speed?.default ?? 1;
    const ctx: HandlerContext = {
      seconds: msg.seconds,
      speed,
      signal: abort.signal,
      server: this.#server,
      token: this.options.token,
    };
    try {
      if (msg.work === 'refresh') {
        const input = msg.input as RefreshInput;
        const update = handlers.updaters[input.updater];
        if (!update) throw new Error(`no update handler "${input.updater}" on agent ${this.options.id}`);
        // the refresh's cost: processing the samples holds the agent's attention for its work
        if (!handlers.custom.includes(input.updater)) await busy(ctx);
        const output = await update(input.state, input.samples, ctx);
        const newest = input.samples.reduce((t, s) => Math.max(t, s.time), Number.NEGATIVE_INFINITY);
        this.#finish(msg.attempt, {
          ok: true,
          output,
          ...(Number.isFinite(newest) ? { sampleTime: newest } : {}),
        });
      } else {
        const handler = handlers.tasks[msg.handler];
        if (!handler) throw new Error(`no task handler "${msg.handler}" on agent ${this.options.id}`);
        const output = await handler(msg.input as TaskInput, ctx);
        this.#finish(msg.attempt, { ok: true, output });
      }
    } catch (err) {
      if (abort.signal.aborted) return;
      this.#finish(msg.attempt, { ok: false, error: (err as Error).message ?? String(err) });
    }
  }

  #finish(
    attempt: number,
    body: { ok: boolean; output?: unknown; sampleTime?: number; error?: string },
  ): void {
    if (!this.#running.delete(attempt)) return;
    if (body.ok) this.completed++;
    const result = { type: 'result', attempt, ...body };
    if (this.#live && this.#socket?.readyState === WebSocket.OPEN) this.#socket.send(JSON.stringify(result));
    else this.#outbox.push(result);
  }

  /** Closes the connection (no reconnect); running work is abandoned to the server. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#heartbeat);
    for (const c of this.#running.values()) c.abort();
    this.#running.clear();
    this.#outbox = [];
    const ws = this.#socket;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((done) => {
      ws.once('close', () => done());
      ws.close();
    });
  }
}
