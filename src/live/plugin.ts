/**
 * The live routes (part B) as one Fastify plugin that `ars serve` hands to `createServer` (src/server) through
 * its `plugins` option, so it is registered under `/api/v1` beside the registry, telemetry, decisions and the
 * event stream: the agent WebSocket, requests, nodes, live twin ages, the live summary, what-if and the
 * snapshot. Errors are thrown as `HttpError` and leave as the server's problem+json with a stable `ARS_E_*`
 * code and a JSON Pointer; no stack trace ever leaves the server.
 *
 * Tenants and permissions: when the security layer has put a `principal` on the request
 * (src/security/principal.ts), the principal's **scope** decides whose data it sees: a platform administrator
 * every tenant's, a tenant's subject its own tenant's (another tenant's request answers 404 `ARS_E_NOT_FOUND`,
 * as an absent one), a subject of no tenant nothing (403). Within its tenant, the tenant's policy decides
 * (`ServerGuard.tenantView`): submitting a request or a what-if needs EXECUTE on `message:/`, reading requests
 * and explanations READ on `message:/`, reading twins, decisions and the summary READ on `thing:/`; a missing
 * permission is 403 `ARS_E_FORBIDDEN`. The snapshot spans every tenant and is for platform administrators.
 * Aggregates (summary, what-if, the twin-age metrics) withhold groups of fewer than k twins
 * (src/security/k-anonymity.ts; k from the auth file, 1 in local dev mode). Without a principal (the plugin
 * mounted without src/server's authentication), all is visible.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type WebSocket from 'ws';
import type { z } from 'zod';
import { InputError } from '../errors.js';
import { policyNames } from '../policies/index.js';
import type { Decision } from '../scheduler/decision.js';
import { SecurityError } from '../security/errors.js';
import { kAnonymize, type Withholding } from '../security/k-anonymity.js';
import type { Permission } from '../security/policy/index.js';
import type { Principal } from '../security/principal.js';
import { HttpError, type ProblemItem } from '../server/errors.js';
import { authorizeAgent, isPlatformAdmin, type ServerGuard } from '../server/guard.js';
import type { LiveContext } from '../server/ingest.js';
import { countDecisions } from './decision-metrics.js';
import { decisionForTenant as tenantDecision } from './decision-view.js';
import type { LiveNode, LiveRequest } from './model.js';
import { agentMessage, type ServerMessage } from './protocol.js';
import { countRequests } from './request-metrics.js';
import { type BodyIssue, type PlannedRequest, planRequest, submitSchema, zodIssues } from './requests.js';
import type { LiveRuntime } from './runtime.js';
import { snapshotYaml, type WhatIfAnswer, whatIf, whatIfSchema } from './snapshot.js';
import { tenantSnapshotYaml } from './tenant-snapshot.js';

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
  /** the newest `limit` requests in the store (of one tenant, when given), oldest first */
  storedList(tenant: string | undefined, limit: number): Promise<StoredRequestView[]>;
}

/** A request as the store has it (src/cluster/stored.ts). */
export interface StoredRequestView {
  readonly tenant: string;
  /** the twins its tasks read (indices into the runtime's twins), as its stored plan names them */
  readonly twins: readonly number[];
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
  whatIf: 'ARS_E_WHATIF_UNAVAILABLE', // the live state cannot be simulated now (409), e.g. no agent connected yet
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

/** Whose live data a request may see: undefined for every tenant's, else the one tenant's. */
type Scope = { readonly tenant: string | undefined };

const guardOf = (req: FastifyRequest): ServerGuard | undefined =>
  (req.server as { arsGuard?: ServerGuard }).arsGuard;

/**
 * The caller's scope, once its tenant's policy grants `permission` on `resource`: a platform administrator
 * (or a request no security layer saw) sees every tenant; a tenant's subject its own tenant, when allowed
 * (403 `ARS_E_FORBIDDEN` otherwise); a subject of no tenant that is not an administrator nothing (403).
 */
export function authorizeLive(
  req: FastifyRequest,
  resource: 'message:/' | 'thing:/',
  permission: Permission,
): Scope {
  const p = (req as FastifyRequest & { principal?: Principal | null }).principal;
  if (!p || isPlatformAdmin(p)) return { tenant: undefined };
  if (p.tenant === undefined)
    throw new SecurityError('ARS_E_FORBIDDEN', 'this credential acts for no tenant', { action: permission });
  const guard = guardOf(req);
  if (guard && !guard.tenantView(p, p.tenant).has(resource, permission))
    throw new SecurityError('ARS_E_FORBIDDEN', `${permission} on ${resource} is not granted to you`, {
      resource,
      permission,
    });
  return { tenant: p.tenant };
}

/** The principal's permissions on a live twin's thing: under the thing's own policy when it names one. */
async function twinView(
  guard: ServerGuard,
  store: LiveContext['store'] | undefined,
  p: Principal,
  tenant: string,
  thingId: string,
) {
  const thing = await store?.getThing(thingId).catch(() => undefined);
  return guard.view(p, { tenant, policyId: thing?.policyId });
}

/** Thing id → policy id of a tenant's stored things (empty when the store cannot say, as a missing thing). */
async function thingPolicies(
  store: LiveContext['store'] | undefined,
  tenant: string,
): Promise<Map<string, string | undefined>> {
  const out = new Map<string, string | undefined>();
  if (!store) return out;
  try {
    let after: string | undefined;
    do {
      const page = await store.listThings({ tenant, limit: 1000, ...(after ? { after } : {}) });
      for (const thing of page.items) out.set(thing.thingId, thing.policyId);
      after = page.next;
    } while (after);
  } catch {
    out.clear();
  }
  return out;
}

/** Whether the principal may read every feature of a twin (its state is made from them). */
async function featuresReadable(
  guard: ServerGuard,
  store: LiveContext['store'] | undefined,
  p: Principal,
  tenant: string,
  thingId: string,
): Promise<boolean> {
  return (await twinView(guard, store, p, tenant, thingId)).hasOnSubtree('thing', ['features'], 'READ');
}

/** k of the aggregates: the guard's (auth file `k`, default 5), 1 in local dev mode (a demo shows everything). */
const kOfGuard = (guard: ServerGuard | undefined): number => (guard && !guard.devMode ? guard.k : 1);
const kOf = (req: FastifyRequest): number => kOfGuard(guardOf(req));

export async function livePlugin(app: FastifyInstance, opts: LivePluginOptions): Promise<void> {
  const rt = opts.runtime;
  // the twin age gauges of /metrics read the live twins at each scrape, with the server's k
  const appGuard = (app as { arsGuard?: ServerGuard }).arsGuard;
  (app.ars as LiveContext | undefined)?.metrics.observeTwins(() => ({
    twins: rt.twins.map((t) => ({
      tenant: t.tenantId,
      criticality: t.criticality,
      ageSeconds: rt.now - t.lastSample,
    })),
    k: kOfGuard(appGuard),
  }));

  // the per-tenant request series of /metrics, counted as requests finish; the platform gauges at each scrape
  const metrics = (app.ars as LiveContext | undefined)?.metrics;
  if (metrics) {
    const share = (used: number, capacity: number) => (capacity > 0 ? used / capacity : 0);
    metrics.observeRuntime(() => {
      const up = rt.nodes.filter((n) => n.up);
      return {
        agents: up.length,
        queue: rt.queue.size,
        nodes: up.map((n) => ({
          id: n.id,
          compute: share(n.usedCompute, n.computeCapacity),
          attention: share(n.usedAttention, n.attentionCapacity),
        })),
      };
    });
    const stop = countRequests(rt, metrics);
    const stopDecisions = countDecisions(rt, metrics);
    app.addHook('onClose', async () => {
      stop();
      stopDecisions();
    });
  }

  // the event stream names a live twin's tenant through the runtime (decisions name twins by their ids)
  const bus = (app.ars as LiveContext | undefined)?.events;
  if (bus) bus.twinTenant = (twin) => rt.twinByName(twin)?.tenantId;

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
        // a node credential bound to a tenant runs that tenant's work only (src/live/node-tenancy.ts); bound
        // before the node can take work, and put back if the registration fails
        const before = rt.nodeTenancy.tenantOf(msg.id);
        rt.nodeTenancy.bind(msg.id, principal?.kind === 'agent' ? principal.tenant : undefined);
        try {
          node = rt.connectAgent(msg, send);
        } catch (err) {
          rt.nodeTenancy.bind(msg.id, before);
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
    const own = authorizeLive(req, 'message:/', 'EXECUTE').tenant;
    if (own !== undefined && parsed.data.tenant !== undefined && parsed.data.tenant !== own)
      throw notFound(`unknown tenant "${parsed.data.tenant}"`, '/tenant', 'body');
    const body = own !== undefined ? { ...parsed.data, tenant: own } : parsed.data;
    const tenants = new Set(rt.tenants.map((t) => t.id));
    // a principal's tenant that the scenario does not know still gets its requests (and only its twins)
    if (own !== undefined) tenants.add(own);
    // another tenant's workloads and twins are as unknown to this tenant as ones the scenario lacks
    const planned = planRequest(
      body,
      rt.scenario,
      tenants,
      rt.resolver,
      own === undefined ? undefined : { tenant: own, tenantOf: (i) => rt.twins[i]!.tenantId },
    );
    if (!planned.ok) {
      if (planned.status === 404)
        throw notFound(planned.issues[0]!.message, planned.issues[0]!.pointer, 'body');
      throw invalid(planned.issues[0]!.message, planned.issues);
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
    const own = authorizeLive(req, 'message:/', 'READ').tenant;
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
    // outputs may carry the state of the twins the tasks read (a twin query does): a tenant's subject
    // reads them only when it may read every feature of each of those twins, as GET /live/twins shows state
    const readable = async (twins: Iterable<number>) => {
      const p = (req as FastifyRequest & { principal?: Principal }).principal;
      const guard = guardOf(req);
      if (!p || !guard || isPlatformAdmin(p)) return;
      const store = (req.server.ars as LiveContext | undefined)?.store;
      for (const x of new Set(twins)) {
        const twin = rt.twins[x];
        if (twin === undefined || !(await featuresReadable(guard, store, p, twin.tenantId, twin.thingId)))
          throw new SecurityError('ARS_E_FORBIDDEN', 'the result holds twin data you may not read', {
            pointer: '/id',
          });
      }
    };
    const s = await findStored(req, req.params.id);
    if (s) {
      await readable(s.twins);
      if (s.result) return s.result;
      throw pending(req.params.id, String(s.view.status));
    }
    const r = findRequest(req, req.params.id);
    await readable(r.tasks.flatMap((t) => t.twins));
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
    const own = r.tenantId === principalTenant(req) ? r.tenantId : undefined;
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
    return {
      id: r.id,
      status: r.status,
      policy: rt.policy.name,
      decisions: own === undefined ? decisions : decisions.map((d) => decisionForTenant(d, own, rt)),
    };
  });

  app.get('/requests', async (req) => {
    const own = authorizeLive(req, 'message:/', 'READ').tenant;
    if (opts.cluster) {
      // every replica lists the cluster's requests from the store (a follower's runtime holds none); the
      // leader's runtime has the fresher view of the ones it schedules (the store is written behind it)
      const stored = await opts.cluster.storedList(own, 1000);
      return {
        requests: stored.map((s) => {
          const held = rt.requests.get(s.view.id as string);
          return held ? requestView(rt, held) : s.view;
        }),
      };
    }
    const all = [...rt.requests.values()];
    const visible = own === undefined ? all : all.filter((r) => r.tenantId === own);
    return { requests: visible.slice(-1000).map((r) => requestView(rt, r)) };
  });

  // ---------------------------------------------------------------- nodes, twins, summary
  app.get('/nodes', async (req) => {
    // nodes are the platform's, seen by every authenticated caller; the work on them is tenant data
    const p = (req as FastifyRequest & { principal?: Principal | null }).principal;
    const all = !p || isPlatformAdmin(p);
    const own = p?.tenant;
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
        running: all ? n.running : [...n.items].filter((it) => it.tenantId === own).length,
        lastSeen: n.lastSeen,
      })),
    };
  });

  // one row per twin (not an aggregate): each under its own policy, as GET /things/{id} is. A twin is listed
  // when its thing may be read; its state (made from the features' samples) only when every feature may be.
  app.get('/live/twins', async (req) => {
    const now = rt.now;
    const own = authorizeLive(req, 'thing:/', 'READ').tenant;
    const p = (req as FastifyRequest & { principal?: Principal }).principal;
    const guard = guardOf(req);
    const store = (req.server.ars as LiveContext | undefined)?.store;
    const mine = rt.twins.filter((t) => own === undefined || t.tenantId === own);
    const judged = own !== undefined && p !== undefined && guard !== undefined;
    // the tenant's things' policies in pages of 1,000 (not one read per twin), one view per policy
    const policyOf = judged ? await thingPolicies(store, own) : new Map<string, string | undefined>();
    const views = new Map<string | undefined, ReturnType<ServerGuard['view']>>();
    const twins = [];
    for (const t of mine) {
      let showState = true;
      if (judged) {
        const policyId = policyOf.get(t.thingId);
        let view = views.get(policyId);
        if (!view) views.set(policyId, (view = guard.view(p, { tenant: t.tenantId, policyId })));
        if (!view.has('thing:/', 'READ')) continue;
        showState = view.hasOnSubtree('thing', ['features'], 'READ');
      }
      twins.push({
        thingId: t.thingId,
        group: t.group,
        criticality: t.criticality,
        ageSeconds: now - t.lastSample,
        revision: t.revision,
        refreshes: t.refreshes,
        samples: t.samplesReceived,
        pending: t.pendingCount,
        ...(showState ? { state: t.state } : {}),
      });
    }
    return { twins };
  });

  app.get('/live/summary', async (req) =>
    rt.accounting.scoped({ tenant: authorizeLive(req, 'thing:/', 'READ').tenant, k: kOf(req) }),
  );

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
    const own = authorizeLive(req, 'thing:/', 'READ').tenant;
    const decisions = rt.decisionsAbout(req.query.subject, limit);
    if (own === undefined) return { decisions };
    // a tenant sees decisions about its own twins and requests only
    const mine = (subject: string): boolean => {
      const twin = rt.twinByName(subject.replace(/^refresh:/, ''));
      if (twin) return twin.tenantId === own;
      const r = rt.requests.get(subject.split('/')[0]!);
      return r !== undefined && r.tenantId === own;
    };
    return { decisions: decisions.filter((d) => mine(d.subject)).map((d) => decisionForTenant(d, own, rt)) };
  });

  // ---------------------------------------------------------------- what-if and snapshot
  app.post('/what-if', async (req) => {
    const own = authorizeLive(req, 'message:/', 'EXECUTE').tenant;
    const parsed = whatIfSchema.safeParse(req.body ?? {});
    if (!parsed.success) throw invalid('the what-if does not match the schema', zodIssues(parsed.error));
    const known = policyNames();
    const unknown = (parsed.data.policies ?? []).findIndex((p) => !known.includes(p));
    if (unknown >= 0)
      throw invalid(`unknown policy "${parsed.data.policies![unknown]}"`, [
        { pointer: `/policies/${unknown}`, message: `one of ${known.join(', ')}` },
      ]);
    let answer: WhatIfAnswer;
    try {
      answer = await whatIf(rt, opts.source, parsed.data, known);
    } catch (err) {
      // the live state is not a runnable scenario yet (e.g. no agent offers the attention a refresh needs)
      if (!(err instanceof InputError)) throw err;
      throw new HttpError(
        LIVE_ERRORS.whatIf,
        `the live state cannot be simulated now: ${err.issues[0]?.message ?? err.message}`,
        { status: 409 },
      );
    }
    return scopeWhatIf(answer, own, rt.twins.length, kOf(req));
  });

  app.get<{ Querystring: Record<string, string> }>('/snapshot', async (req, reply) => {
    const q = req.query;
    // a node running a what-if task reads its request's tenant's part (src/live/tenant-snapshot.ts); else
    // the snapshot is the whole platform (every tenant's assets, workloads and twins' ages)
    const tenant = whatIfTenant(rt, req, q.request);
    if (tenant === undefined && authorizeLive(req, 'thing:/', 'READ').tenant !== undefined)
      throw new SecurityError(
        'ARS_E_FORBIDDEN',
        'the snapshot spans every tenant: platform administrators only',
      );
    // the same options as a what-if, from the query string (minutes, loadFactor, seed)
    const parsed = whatIfSchema.safeParse({
      ...(q.minutes !== undefined ? { minutes: Number(q.minutes) } : {}),
      ...(q.loadFactor !== undefined ? { loadFactor: Number(q.loadFactor) } : {}),
      ...(q.seed !== undefined ? { seed: Number(q.seed) } : {}),
    });
    if (!parsed.success) throw invalid('bad snapshot options', zodIssues(parsed.error), 'query');
    const { minutes, loadFactor, seed } = parsed.data;
    return reply
      .type('application/yaml; charset=utf-8')
      .send(
        tenant === undefined
          ? snapshotYaml(rt, opts.source, { minutes, loadFactor, seed })
          : tenantSnapshotYaml(rt, opts.source, tenant, { minutes, loadFactor, seed }),
      );
  });
}

/**
 * For an agent's credential: the tenant of `request` when the agent's node is running that request's what-if
 * task (the only snapshot a node may read); 403 otherwise. Undefined for every other caller.
 */
function whatIfTenant(rt: LiveRuntime, req: FastifyRequest, request: string | undefined): string | undefined {
  const p = (req as FastifyRequest & { principal?: Principal | null }).principal;
  if (p?.kind !== 'agent') return undefined;
  const node = rt.nodes.find((n) => n.id === p.nodeId);
  const task = node && [...node.items].find((it) => it.handler === 'what-if' && it.req?.id === request);
  if (!task?.req)
    throw new SecurityError('ARS_E_FORBIDDEN', 'a node reads the snapshot only for a what-if task it runs');
  return task.req.tenantId;
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

/** The groups of a what-if answer: the twin aggregates of the whole snapshot, one group of every twin. */
const ALL_TWINS = 'twins of every tenant';

/**
 * A what-if as one principal may see it. The simulation runs the whole platform (other tenants' load shares
 * the nodes), so its twin aggregates cover every tenant's twins: an administrator gets them when there are
 * at least k twins, a tenant's subject never (withheld, with the reason). A tenant's subject gets its own
 * tenant's request figures (latency p95 and deadline miss rate of its requests) and the platform's resource
 * figures; other tenants' rows of `fairness` are removed.
 */
export function scopeWhatIf(
  a: WhatIfAnswer,
  tenant: string | undefined,
  twins: number,
  k: number,
): WhatIfAnswer & Withholding {
  const released = kAnonymize([{ key: ALL_TWINS, members: twins, value: null }], k);
  if (tenant === undefined) {
    if (released.released.length > 0) return { ...a, k, withheld: [] };
    return {
      ...a,
      k,
      withheld: released.withheld,
      results: a.results.map((r) => {
        const { twins: _hidden, ...metrics } = (r.metrics ?? {}) as Record<string, unknown>;
        return { ...r, weightedAoI: null, metrics };
      }),
    };
  }
  type Ci = WhatIfAnswer['results'][number]['latencyP95'];
  return {
    ...a,
    k,
    withheld: [{ group: ALL_TWINS, reason: 'covers other tenants’ twins' }],
    results: a.results.map((r) => {
      const m = (r.metrics ?? {}) as Record<string, Record<string, unknown> | undefined>;
      const own = (m.fairness?.tenants as Record<string, Record<string, unknown>> | undefined)?.[tenant];
      const share = (m.fairness?.dominantShares as Record<string, unknown> | undefined)?.[tenant];
      const resources = m.resources as Record<string, unknown> | undefined;
      return {
        policy: r.policy,
        weightedAoI: null,
        latencyP95: (own?.latencyP95 as Ci | undefined) ?? null,
        deadlineMissRate: (own?.deadlineMissRate as Ci | undefined) ?? null,
        computeUtilization: r.computeUtilization,
        metrics: {
          tenant: own ?? null,
          dominantShare: share ?? null,
          resources: { compute: resources?.compute ?? null, attention: resources?.attention ?? null },
        },
      };
    }),
  };
}

/** A decision as a tenant's subject may read it (src/live/decision-view.ts), twins named by the runtime. */
export function decisionForTenant(
  d: Decision,
  tenant: string,
  rt: Pick<LiveRuntime, 'twinByName'>,
): Decision {
  return tenantDecision(d, tenant, (twin) => rt.twinByName(twin)?.tenantId);
}
