/**
 * The live routes (part B) as one Fastify plugin that `ars serve` hands to `createServer` (src/server) through
 * its `plugins` option, so it is registered under `/api/v1` beside the registry, telemetry, decisions and the
 * event stream: the agent WebSocket, requests, nodes, live twin ages, the live summary, what-if and the
 * snapshot. Errors are thrown as `HttpError` and leave as the server's problem+json with a stable `ARS_E_*`
 * code and a JSON Pointer; no stack trace ever leaves the server.
 *
 * Tenants: when the security layer has put a `principal` on the request (src/security/principal.ts), a
 * submitted request is tagged with the principal's tenant, and requests, explanations and twins of other
 * tenants are invisible (404 `ARS_E_NOT_FOUND`). Without a principal (local, unauthenticated), all is visible.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type WebSocket from 'ws';
import type { z } from 'zod';
import { policyNames } from '../policies/index.js';
import type { Principal } from '../security/principal.js';
import { HttpError, type ProblemItem } from '../server/errors.js';
import { authorizeAgent } from '../server/guard.js';
import type { LiveNode, LiveRequest } from './model.js';
import { agentMessage, type ServerMessage } from './protocol.js';
import { type BodyIssue, type PlannedRequest, planRequest, submitSchema, zodIssues } from './requests.js';
import type { LiveRuntime } from './runtime.js';
import { snapshotYaml, whatIf, whatIfSchema } from './snapshot.js';

export interface LivePluginOptions {
  readonly runtime: LiveRuntime;
  /** the served scenario as written (YAML parsed to data), for snapshots */
  readonly source?: Record<string, unknown> | undefined;
  /** stores a submitted request (and its tasks) before the 202 answers it */
  readonly accept?: (r: LiveRequest) => Promise<void>;
  /** several replicas on one store (src/cluster/serve.ts): requests go through the store, and a follower refuses agents */
  readonly cluster?: LiveCluster;
}

/** What a replica of a cluster does differently: see src/cluster/serve.ts. */
export interface LiveCluster {
  /** undefined while this replica schedules; else why an agent is refused, and the leader's URL when known */
  refuseAgent(): { message: string; leader?: string } | undefined;
  /** stores a planned request under a new id (and hands it to the runtime when this replica leads) */
  submit(
    plan: PlannedRequest,
    params: Record<string, unknown> | undefined,
  ): Promise<{ request: LiveRequest } | { view: { id: string } }>;
  /** a request this replica's runtime does not hold, read from the store */
  stored(id: string): Promise<StoredRequestView | undefined>;
}

/** A request as the store has it (src/cluster/stored.ts). */
export interface StoredRequestView {
  readonly tenant: string;
  readonly view: Record<string, unknown>;
  /** the body of `/result`, or undefined while it is pending */
  readonly result: Record<string, unknown> | undefined;
  explanation(): Promise<Record<string, unknown>>;
}

/** Stable error codes of the live routes (besides the server's own, src/server/errors.ts). */
export const LIVE_ERRORS = {
  body: 'ARS_E_INPUT_VALIDATION', // a body or query that does not match the schema
  notFound: 'ARS_E_NOT_FOUND', // unknown request, workload, twin or tenant (or another tenant's)
  pending: 'ARS_E_REQUEST_PENDING', // a request's result asked for before it completed (409)
  agent: 'ARS_E_AGENT_PROTOCOL', // an agent message that does not follow the protocol
} as const;

/** The agent endpoint, below the API prefix. */
export const AGENT_ROUTE = '/agents/connect';

function invalid(message: string, issues: BodyIssue[], part: 'body' | 'query' = 'body'): HttpError {
  const errors: ProblemItem[] = issues.map((i) => ({ in: part, pointer: i.pointer, detail: i.message }));
  return new HttpError(LIVE_ERRORS.body, message, {
    in: part,
    pointer: issues[0]?.pointer ?? '',
    errors,
  });
}

function notFound(message: string, pointer: string, part: 'body' | 'params' = 'params'): HttpError {
  return new HttpError(LIVE_ERRORS.notFound, message, { status: 404, in: part, pointer });
}

/** The tenant a request acts for, when the security layer authenticated it to one. */
export function principalTenant(req: FastifyRequest): string | undefined {
  return (req as FastifyRequest & { principal?: Principal }).principal?.tenant;
}

export async function livePlugin(app: FastifyInstance, opts: LivePluginOptions): Promise<void> {
  const rt = opts.runtime;

  // ---------------------------------------------------------------- agents
  app.get(AGENT_ROUTE, { websocket: true }, (socket: WebSocket, req: FastifyRequest) => {
    let node: LiveNode | undefined;
    const send = (msg: ServerMessage) => {
      if (socket.readyState === 1) socket.send(JSON.stringify(msg));
    };
    socket.on('message', (data) => {
      let msg: z.output<typeof agentMessage>;
      try {
        const parsed = agentMessage.safeParse(JSON.parse(String(data)));
        if (!parsed.success) {
          const i = parsed.error.issues[0]!;
          send({
            type: 'error',
            code: LIVE_ERRORS.agent,
            message: `${zodIssues(parsed.error)[0]?.pointer || '/'}: ${i.message}`,
          });
          return;
        }
        msg = parsed.data;
      } catch {
        send({ type: 'error', code: LIVE_ERRORS.agent, message: 'message is not JSON' });
        return;
      }
      if (msg.type === 'register') {
        if (node) {
          send({ type: 'error', code: LIVE_ERRORS.agent, message: 'already registered on this connection' });
          return;
        }
        // with authentication, an agent acts only as the node its credential names
        const principal = (req as { principal?: Principal }).principal;
        if (principal && !authorizeAgent(principal, msg.id)) {
          send({
            type: 'error',
            code: 'ARS_E_FORBIDDEN',
            message: `this credential may not register as node ${msg.id}`,
          });
          socket.close(4003, 'forbidden');
          return;
        }
        const refused = opts.cluster?.refuseAgent();
        if (refused) {
          send({ type: 'error', code: 'ARS_E_NOT_LEADER', ...refused });
          socket.close(4010, 'not the leader');
          return;
        }
        try {
          node = rt.connectAgent(msg, send);
        } catch (err) {
          send({
            type: 'error',
            code: (err as { code?: string }).code ?? LIVE_ERRORS.agent,
            message: (err as Error).message,
          });
          socket.close(4009, 'duplicate agent id');
          return;
        }
        node.hangUp = (reason) => {
          send({ type: 'error', code: 'ARS_E_AGENT_TIMEOUT', message: reason });
          socket.close(4008, reason.slice(0, 100));
        };
        send({ type: 'registered', node: node.index, heartbeatMs: rt.heartbeatMs });
        return;
      }
      if (!node) {
        send({ type: 'error', code: LIVE_ERRORS.agent, message: 'register first' });
        return;
      }
      // a connection of an earlier leadership term: its node belongs to a runtime that no longer schedules
      if (rt.nodes[node.index] !== node) {
        socket.close(4010, 'not the leader');
        return;
      }
      if (msg.type === 'heartbeat') rt.heartbeat(node);
      else rt.result(node, msg);
    });
    socket.on('close', () => {
      if (node && node.send === send && rt.nodes[node.index] === node) rt.disconnectAgent(node);
    });
  });

  // ---------------------------------------------------------------- requests
  app.post('/requests', async (req, reply) => {
    const parsed = submitSchema.safeParse(req.body ?? {});
    if (!parsed.success) throw invalid('the request does not match the schema', zodIssues(parsed.error));
    const own = principalTenant(req);
    if (own !== undefined && parsed.data.tenant !== undefined && parsed.data.tenant !== own)
      throw notFound(`unknown tenant "${parsed.data.tenant}"`, '/tenant', 'body');
    // another tenant's workload is as unknown to this tenant as one the scenario lacks
    if (own !== undefined && parsed.data.workload !== undefined) {
      const w = rt.scenario?.workloads.find((x) => x.id === parsed.data.workload);
      if (w && w.tenant !== own)
        throw notFound(`unknown workload "${parsed.data.workload}"`, '/workload', 'body');
    }
    const body = own !== undefined ? { ...parsed.data, tenant: own } : parsed.data;
    const tenants = new Set(rt.tenants.map((t) => t.id));
    // a principal's tenant that the scenario does not know still gets its requests (and only its twins)
    if (own !== undefined) tenants.add(own);
    const planned = planRequest(body, rt.scenario, tenants, rt.resolver);
    if (!planned.ok) {
      if (planned.status === 404)
        throw notFound(planned.issues[0]!.message, planned.issues[0]!.pointer, 'body');
      throw invalid(planned.issues[0]!.message, planned.issues);
    }
    if (own !== undefined) {
      const foreign = planned.request.tasks.findIndex((t) =>
        t.twins.some((x) => rt.twins[x]!.tenantId !== own),
      );
      if (foreign >= 0) throw notFound('unknown twin', `/tasks/${foreign}/twins`, 'body');
    }
    if (opts.cluster) {
      const out = await opts.cluster.submit(planned.request, parsed.data.params);
      const view = 'request' in out ? requestView(rt, out.request) : out.view;
      return reply.code(202).header('location', `/api/v1/requests/${view.id}`).send(view);
    }
    const r = rt.submit(planned.request, parsed.data.params);
    await opts.accept?.(r);
    return reply.code(202).header('location', `/api/v1/requests/${r.id}`).send(requestView(rt, r));
  });

  const findRequest = (req: FastifyRequest, id: string): LiveRequest => {
    const r = rt.requests.get(id);
    const own = principalTenant(req);
    if (!r || (own !== undefined && r.tenantId !== own)) throw notFound(`unknown request "${id}"`, '/id');
    return r;
  };

  // a replica of a cluster that does not hold the request in memory reads it from the store
  const findStored = async (req: FastifyRequest, id: string): Promise<StoredRequestView | undefined> => {
    if (!opts.cluster || rt.requests.has(id)) return undefined;
    const s = await opts.cluster.stored(id);
    const own = principalTenant(req);
    if (!s || (own !== undefined && s.tenant !== own)) throw notFound(`unknown request "${id}"`, '/id');
    return s;
  };

  app.get<{ Params: { id: string } }>('/requests/:id', async (req) => {
    const s = await findStored(req, req.params.id);
    return s ? s.view : requestView(rt, findRequest(req, req.params.id));
  });

  const pending = (id: string, status: string) =>
    new HttpError(LIVE_ERRORS.pending, `request ${id} is ${status}`, {
      status: 409,
      in: 'params',
      pointer: '/id',
      extra: { state: status },
    });

  app.get<{ Params: { id: string } }>('/requests/:id/result', async (req, reply) => {
    const s = await findStored(req, req.params.id);
    if (s) {
      if (s.result) return s.result;
      throw pending(req.params.id, String(s.view.status));
    }
    const r = findRequest(req, req.params.id);
    if (r.status === 'failed') return reply.code(200).send({ id: r.id, status: r.status, error: r.error });
    if (r.status !== 'completed') throw pending(r.id, r.status);
    const outputs: Record<string, unknown> = {};
    r.tasks.forEach((t, i) => {
      outputs[t.id] = r.outputs[i];
    });
    return { id: r.id, status: r.status, latency: r.finish - r.arrival, outputs };
  });

  app.get<{ Params: { id: string } }>('/requests/:id/explanation', async (req) => {
    const s = await findStored(req, req.params.id);
    if (s) return s.explanation();
    const r = findRequest(req, req.params.id);
    const twins = new Set(r.tasks.flatMap((t) => t.twins.map((x) => rt.twins[x]!.id)));
    const decisions = rt
      .decisionsAbout(undefined, Number.POSITIVE_INFINITY)
      .filter(
        (d) =>
          d.subject.startsWith(`${r.id}/`) ||
          (twins.has(d.subject.replace(/^refresh:/, '')) &&
            d.time >= r.arrival &&
            d.time <= (Number.isNaN(r.finish) ? Number.POSITIVE_INFINITY : r.finish)),
      );
    return { id: r.id, status: r.status, policy: rt.policy.name, decisions };
  });

  app.get('/requests', async (req) => {
    const own = principalTenant(req);
    const all = [...rt.requests.values()];
    const visible = own === undefined ? all : all.filter((r) => r.tenantId === own);
    return { requests: visible.slice(-1000).map((r) => requestView(rt, r)) };
  });

  // ---------------------------------------------------------------- nodes, twins, summary
  app.get('/nodes', async (req) => {
    const own = principalTenant(req);
    return {
      nodes: rt.nodes.map((n) => ({
        id: n.id,
        index: n.index,
        tier: n.tier,
        zone: n.zone ?? null,
        labels: n.labels,
        up: n.up,
        compute: { capacity: n.computeCapacity, used: n.usedCompute },
        attention: { capacity: n.attentionCapacity, used: n.usedAttention },
        speed: { default: n.speedDefault, kinds: n.speedKinds },
        handlers: [...n.handlers],
        // what runs where is tenant data: a tenant sees only its own work on shared nodes
        running: own === undefined ? n.running : [...n.items].filter((it) => it.tenantId === own).length,
        lastSeen: n.lastSeen,
      })),
    };
  });

  app.get('/live/twins', async (req) => {
    const now = rt.now;
    const own = principalTenant(req);
    return {
      twins: rt.twins
        .filter((t) => own === undefined || t.tenantId === own)
        .map((t) => ({
          thingId: t.thingId,
          group: t.group,
          criticality: t.criticality,
          ageSeconds: now - t.lastSample,
          revision: t.revision,
          refreshes: t.refreshes,
          samples: t.samplesReceived,
          pending: t.pendingCount,
          state: t.state,
        })),
    };
  });

  app.get('/live/summary', async () => rt.accounting.summary());

  // the newest decisions kept in memory (what `/decisions` served before the trace moved to the store):
  // about a twin, a task, or every task of a request (`subject=r-7`), oldest first, at most `limit`
  app.get<{ Querystring: { subject?: string; limit?: string } }>('/live/decisions', async (req) => {
    const limit = req.query.limit === undefined ? 1000 : Number(req.query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100_000)
      throw invalid(
        'limit must be an integer in [1, 100000]',
        [{ pointer: '/limit', message: 'bad limit' }],
        'query',
      );
    const own = principalTenant(req);
    const decisions = rt.decisionsAbout(req.query.subject, limit);
    if (own === undefined) return { decisions };
    // a tenant sees decisions about its own twins and requests only
    const mine = (subject: string): boolean => {
      const twin = rt.twinByName(subject.replace(/^refresh:/, ''));
      if (twin) return twin.tenantId === own;
      const r = rt.requests.get(subject.split('/')[0]!);
      return r !== undefined && r.tenantId === own;
    };
    return { decisions: decisions.filter((d) => mine(d.subject)) };
  });

  // ---------------------------------------------------------------- what-if and snapshot
  app.post('/what-if', async (req) => {
    const parsed = whatIfSchema.safeParse(req.body ?? {});
    if (!parsed.success) throw invalid('the what-if does not match the schema', zodIssues(parsed.error));
    const known = policyNames();
    const unknown = (parsed.data.policies ?? []).findIndex((p) => !known.includes(p));
    if (unknown >= 0)
      throw invalid(`unknown policy "${parsed.data.policies![unknown]}"`, [
        { pointer: `/policies/${unknown}`, message: `one of ${known.join(', ')}` },
      ]);
    return whatIf(rt, opts.source, parsed.data, known);
  });

  app.get<{ Querystring: Record<string, string> }>('/snapshot', async (req, reply) => {
    // the same options as a what-if, from the query string (minutes, loadFactor, seed)
    const q = req.query;
    const parsed = whatIfSchema.safeParse({
      ...(q.minutes !== undefined ? { minutes: Number(q.minutes) } : {}),
      ...(q.loadFactor !== undefined ? { loadFactor: Number(q.loadFactor) } : {}),
      ...(q.seed !== undefined ? { seed: Number(q.seed) } : {}),
    });
    if (!parsed.success) throw invalid('bad snapshot options', zodIssues(parsed.error), 'query');
    const { minutes, loadFactor, seed } = parsed.data;
    return reply
      .type('application/yaml; charset=utf-8')
      .send(snapshotYaml(rt, opts.source, { minutes, loadFactor, seed }));
  });
}

function requestView(rt: LiveRuntime, r: LiveRequest) {
  return {
    id: r.id,
    workload: r.workload,
    tenant: r.tenant.id,
    priority: r.priority,
    status: r.status,
    arrival: r.arrival,
    deadline: Number.isFinite(r.deadline) ? r.deadline : null,
    finish: Number.isNaN(r.finish) ? null : r.finish,
    latency: Number.isNaN(r.finish) ? null : r.finish - r.arrival,
    missedDeadline: Number.isNaN(r.finish) ? (rt.now > r.deadline ? true : null) : r.finish > r.deadline,
    tasks: r.tasks.map((t, i) => ({
      id: t.id,
      kind: t.kind,
      handler: t.handler,
      node: r.taskNodes[i] ?? null,
      done: r.outputs[i] !== undefined,
      attempts: r.attempts[i] ?? 0,
    })),
    ...(r.error ? { error: r.error } : {}),
  };
}
