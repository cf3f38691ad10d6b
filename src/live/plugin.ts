/**
 * The live routes as one Fastify plugin: the agent WebSocket, requests, nodes, decisions, what-if and the
 * snapshot, plus (when the host server does not bring its own) HTTP telemetry ingest. `ars serve` registers
 * it on the service's server. Errors are `{ error: { code, message, issues: [{ pointer, message }] } }` with
 * stable codes; no stack trace ever leaves the server.
 */
import websocket from '@fastify/websocket';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type WebSocket from 'ws';
import { z } from 'zod';
import { policyNames } from '../policies/index.js';
import { AGENT_PATH } from './agent.js';
import type { LiveNode, LiveRequest } from './model.js';
import { agentMessage, type ServerMessage } from './protocol.js';
import { type BodyIssue, planRequest, submitSchema, zodIssues } from './requests.js';
import type { LiveRuntime } from './runtime.js';
import { snapshotYaml, whatIf, whatIfSchema } from './snapshot.js';

export interface LivePluginOptions {
  readonly runtime: LiveRuntime;
  /** the served scenario as written (YAML parsed to data), for snapshots */
  readonly source?: Record<string, unknown> | undefined;
  /** serve `POST /api/v1/telemetry` here (off when the host server ingests telemetry itself) */
  readonly telemetry?: boolean;
  readonly heartbeatMs?: number;
}

/** Stable error codes of the live routes. */
export const LIVE_ERRORS = {
  body: 'ARS_E_INPUT_BODY', // malformed JSON or a body that does not match the schema
  notFound: 'ARS_E_NOT_FOUND', // unknown request, workload, twin or tenant
  notReady: 'ARS_E_NOT_READY', // a request's result asked for before it completed
  tooLarge: 'ARS_E_TOO_LARGE',
  mediaType: 'ARS_E_MEDIA_TYPE',
  agent: 'ARS_E_AGENT_PROTOCOL', // an agent message that does not follow the protocol
} as const;

function fail(reply: FastifyReply, status: number, code: string, message: string, issues: BodyIssue[] = []) {
  return reply.code(status).send({ error: { code, message, issues } });
}

export const sampleSchema = z.strictObject({
  thingId: z.string().min(1),
  /** epoch milliseconds when the sample was generated; default: when it arrived */
  time: z.number().nonnegative().optional(),
  value: z.union([z.number(), z.record(z.string(), z.number())]),
});
const telemetrySchema = z.union([sampleSchema, z.array(sampleSchema).min(1).max(10_000)]);

export async function livePlugin(app: FastifyInstance, opts: LivePluginOptions): Promise<void> {
  const rt = opts.runtime;
  if (!app.hasDecorator('websocketServer')) await app.register(websocket);

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, _req, reply) => {
    const status = err.statusCode ?? 500;
    if (status === 413) return fail(reply, 413, LIVE_ERRORS.tooLarge, 'request body too large');
    if (status === 415) return fail(reply, 415, LIVE_ERRORS.mediaType, err.message);
    if (status >= 400 && status < 500)
      return fail(reply, status, LIVE_ERRORS.body, err.message, [{ pointer: '', message: err.message }]);
    app.log.error(err);
    return fail(reply, 500, 'ARS_E_INTERNAL', 'internal error');
  });

  // ---------------------------------------------------------------- agents
  app.get(AGENT_PATH, { websocket: true }, (socket: WebSocket) => {
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
        send({ type: 'registered', node: node.index, heartbeatMs: opts.heartbeatMs ?? 1000 });
        return;
      }
      if (!node) {
        send({ type: 'error', code: LIVE_ERRORS.agent, message: 'register first' });
        return;
      }
      if (msg.type === 'heartbeat') rt.heartbeat(node);
      else rt.result(node, msg);
    });
    socket.on('close', () => {
      if (node && node.send === send) rt.disconnectAgent(node);
    });
  });

  // ---------------------------------------------------------------- requests
  app.post('/api/v1/requests', async (req, reply) => {
    const parsed = submitSchema.safeParse(req.body ?? {});
    if (!parsed.success)
      return fail(
        reply,
        400,
        LIVE_ERRORS.body,
        'the request does not match the schema',
        zodIssues(parsed.error),
      );
    const planned = planRequest(parsed.data, rt.scenario, new Set(rt.tenants.map((t) => t.id)), rt.resolver);
    if (!planned.ok)
      return fail(
        reply,
        planned.status,
        planned.status === 404 ? LIVE_ERRORS.notFound : LIVE_ERRORS.body,
        planned.issues[0]!.message,
        planned.issues,
      );
    const r = rt.submit(planned.request, parsed.data.params);
    return reply.code(202).header('location', `/api/v1/requests/${r.id}`).send(requestView(rt, r));
  });

  const findRequest = (id: string, reply: FastifyReply) => {
    const r = rt.requests.get(id);
    if (!r)
      void fail(reply, 404, LIVE_ERRORS.notFound, `unknown request "${id}"`, [
        { pointer: '/id', message: 'no such request' },
      ]);
    return r;
  };

  app.get<{ Params: { id: string } }>('/api/v1/requests/:id', async (req, reply) => {
    const r = findRequest(req.params.id, reply);
    return r ? requestView(rt, r) : reply;
  });

  app.get<{ Params: { id: string } }>('/api/v1/requests/:id/result', async (req, reply) => {
    const r = findRequest(req.params.id, reply);
    if (!r) return reply;
    if (r.status === 'failed') return reply.code(200).send({ id: r.id, status: r.status, error: r.error });
    if (r.status !== 'completed')
      return fail(reply, 409, LIVE_ERRORS.notReady, `request ${r.id} is ${r.status}`, [
        { pointer: '/status', message: r.status },
      ]);
    const outputs: Record<string, unknown> = {};
    r.tasks.forEach((t, i) => {
      outputs[t.id] = r.outputs[i];
    });
    return { id: r.id, status: r.status, latency: r.finish - r.arrival, outputs };
  });

  app.get<{ Params: { id: string } }>('/api/v1/requests/:id/explanation', async (req, reply) => {
    const r = findRequest(req.params.id, reply);
    if (!r) return reply;
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

  app.get('/api/v1/requests', async () => ({
    requests: [...rt.requests.values()].slice(-1000).map((r) => requestView(rt, r)),
  }));

  // ---------------------------------------------------------------- nodes, twins, decisions, summary
  app.get('/api/v1/nodes', async () => ({
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
      running: n.running,
      lastSeen: n.lastSeen,
    })),
  }));

  app.get('/api/v1/live/twins', async () => {
    const now = rt.now;
    return {
      twins: rt.twins.map((t) => ({
        thingId: t.thingId,
        group: t.group,
        criticality: t.criticality,
        ageSeconds: now - t.lastSample,
        revision: t.revision,
        refreshes: t.refreshes,
        samples: t.samplesReceived,
        pending: t.pending.length,
        state: t.state,
      })),
    };
  });

  app.get<{ Querystring: { subject?: string; limit?: string } }>('/api/v1/decisions', async (req, reply) => {
    const limit = req.query.limit === undefined ? 1000 : Number(req.query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100_000)
      return fail(reply, 400, LIVE_ERRORS.body, 'limit must be an integer in [1, 100000]', [
        { pointer: '/limit', message: 'bad limit' },
      ]);
    return { decisions: rt.decisionsAbout(req.query.subject, limit) };
  });

  app.get('/api/v1/live/summary', async () => rt.accounting.summary());

  // ---------------------------------------------------------------- what-if and snapshot
  app.post('/api/v1/what-if', async (req, reply) => {
    const parsed = whatIfSchema.safeParse(req.body ?? {});
    if (!parsed.success)
      return fail(
        reply,
        400,
        LIVE_ERRORS.body,
        'the what-if does not match the schema',
        zodIssues(parsed.error),
      );
    const known = policyNames();
    const unknown = (parsed.data.policies ?? []).findIndex((p) => !known.includes(p));
    if (unknown >= 0)
      return fail(reply, 400, LIVE_ERRORS.body, `unknown policy "${parsed.data.policies![unknown]}"`, [
        { pointer: `/policies/${unknown}`, message: `one of ${known.join(', ')}` },
      ]);
    return whatIf(rt, opts.source, parsed.data, known);
  });

  app.get<{ Querystring: Record<string, string> }>('/api/v1/snapshot', async (req, reply) => {
    // the same options as a what-if, from the query string (minutes, loadFactor, seed)
    const q = req.query;
    const parsed = whatIfSchema.safeParse({
      ...(q.minutes !== undefined ? { minutes: Number(q.minutes) } : {}),
      ...(q.loadFactor !== undefined ? { loadFactor: Number(q.loadFactor) } : {}),
      ...(q.seed !== undefined ? { seed: Number(q.seed) } : {}),
    });
    if (!parsed.success)
      return fail(reply, 400, LIVE_ERRORS.body, 'bad snapshot options', zodIssues(parsed.error));
    const { minutes, loadFactor, seed } = parsed.data;
    return reply
      .type('application/yaml; charset=utf-8')
      .send(snapshotYaml(rt, opts.source, { minutes, loadFactor, seed }));
  });

  // ---------------------------------------------------------------- telemetry (when the host has none)
  if (opts.telemetry) {
    app.post('/api/v1/telemetry', { bodyLimit: 8 * 1024 * 1024 }, async (req, reply) => {
      const parsed = telemetrySchema.safeParse(req.body);
      if (!parsed.success)
        return fail(
          reply,
          400,
          LIVE_ERRORS.body,
          'telemetry does not match the schema',
          zodIssues(parsed.error),
        );
      const batch = Array.isArray(parsed.data) ? parsed.data : [parsed.data];
      const issues: BodyIssue[] = [];
      batch.forEach((s, i) => {
        if (!rt.twinByName(s.thingId))
          issues.push({
            pointer: Array.isArray(parsed.data) ? `/${i}/thingId` : '/thingId',
            message: `unknown thing "${s.thingId}"`,
          });
      });
      if (issues.length > 0) return fail(reply, 404, LIVE_ERRORS.notFound, issues[0]!.message, issues);
      const arrived = Date.now();
      for (const s of batch)
        rt.ingest(rt.twinByName(s.thingId)!, [{ time: s.time ?? arrived, value: s.value }]);
      return reply.code(202).send({ accepted: batch.length });
    });
  }
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
    })),
    ...(r.error ? { error: r.error } : {}),
  };
}
