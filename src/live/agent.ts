/**
 * An agent: one machine's compute and attention offered to the scheduler over the agent protocol. It
 * registers, sends heartbeats, runs every `assign` concurrently with its handlers and answers with a
 * `result`. When the connection drops it reconnects with backoff and registers again under the same id. Work
 * it was running goes on meanwhile and its results are sent once registered again: a server that restarted
 * holds such attempts' leases for this agent and takes their results; one that did not has re-dispatched the
 * work and ignores them (attempt ids).
 */
import WebSocket from 'ws';
import { busy, type HandlerContext, type HandlerSet, loadHandlers } from './handlers.js';
import type { RefreshInput, RegisterMessage, ServerMessage, TaskInput } from './protocol.js';
import { PROTOCOL_VERSION } from './protocol.js';

export interface AgentOptions {
  /** the server's base URL, http(s):// or ws(s)://; the agent endpoint is `/api/v1/agents/connect` */
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
  /** index the server gave this node, once registered */
  node = -1;
  completed = 0;

  constructor(options: AgentOptions) {
    this.options = options;
  }

  /** Loads handlers and connects; resolves once registered. */
  async start(): Promise<void> {
    this.#handlers = await loadHandlers(this.options.handlers);
    await this.#connect();
  }

  #connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(
        agentUrl(this.options.server),
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
          clearInterval(this.#heartbeat);
          this.#heartbeat = setInterval(() => this.#send({ type: 'heartbeat' }), msg.heartbeatMs);
          this.#heartbeat.unref();
          for (const result of this.#outbox.splice(0)) this.#send(result);
          this.options.log?.(`agent ${this.options.id}: registered as node ${msg.node}`);
          resolve();
        } else if (msg.type === 'assign') void this.#run(msg);
        else if (msg.type === 'cancel') this.#running.get(msg.attempt)?.abort();
        else if (msg.type === 'error') {
          this.options.log?.(`agent ${this.options.id}: server error ${msg.code}: ${msg.message}`);
          if (!registered) reject(new Error(`${msg.code}: ${msg.message}`));
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
        const wait = this.#backoffMs;
        this.#backoffMs = Math.min(this.#backoffMs * 2, 5000);
        // not unref'd: a reconnecting agent has nothing else keeping its process alive
        setTimeout(() => {
          if (!this.#stopped) this.#connect().catch(() => this.#retryLater());
        }, wait);
      });
    });
  }

  #retryLater(): void {
    const wait = this.#backoffMs;
    this.#backoffMs = Math.min(this.#backoffMs * 2, 5000);
    setTimeout(() => {
      if (!this.#stopped) this.#connect().catch(() => this.#retryLater());
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
      server: this.options.server,
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
