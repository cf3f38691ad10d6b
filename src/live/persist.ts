/**
 * What the live runtime decides and does, written to the service's Store (src/store) and announced on the
 * server's event bus (src/server/events.ts, served as `/api/v1/events`): the decision trace, agents,
 * requests with their tasks and attempt counts, and each refreshed twin's state with the generation time of
 * the newest sample it reflects (`sourceTime`). Store writes are batched every `flushMs` and applied in order
 * on one chain, so the scheduling cycle never waits for the disk; a failed write is reported, never thrown
 * into the runtime. A submitted request is written at once (`accept`), before the 202 goes out.
 */

import type { ForecastBankState } from '../forecast/index.js';
import type { Decision } from '../scheduler/scheduler.js';
import type { EventBus } from '../server/events.js';
import type { Json, JsonObject, LeaseRecord, RequestState, Store, TaskUpdate } from '../store/index.js';
import type { LiveRequest, LiveState, LiveTaskSpec } from './model.js';
import type { Sample } from './protocol.js';
import type { LiveRuntime, ResumedLease } from './runtime.js';

/** How often buffered writes go to the store, ms: a refresh storm becomes one transaction per kind. */
export const FLUSH_MS = 250;
/** How often the arrival-rate forecasters are written to the store (and at close), ms. */
export const FORECAST_SNAPSHOT_MS = 5000;
/** Attempt ids of one run of the service: a restart starts at the next multiple (boot number × this). */
export const ATTEMPTS_PER_BOOT = 2 ** 32;
/** Decisions of the stored trace put back into the runtime's memory at a restart (its `/live/decisions`). */
export const RESUMED_DECISIONS = 10_000;
const FORECASTS = 'forecasts';
const BOOT = 'boot';

const STATES: Record<LiveRequest['status'], RequestState> = {
  waiting: 'queued',
  running: 'running',
  completed: 'done',
  failed: 'failed',
};

export interface Persister {
  /** hand to the runtime's `onDecision` */
  decision(d: Decision): void;
  /** writes a submitted request and its tasks now */
  accept(r: LiveRequest): Promise<void>;
  /** a request already in the store (resumed after a restart): its updates go to the existing record */
  adopt(id: string): void;
  /** writes what is buffered; resolves when it is in the store */
  flush(): Promise<void>;
  close(): Promise<void>;
  readonly errors: number;
}

/**
 * A stored sample's values as the agents' update handlers take them: the number of feature `value`'s property
 * `value` when that is all there is, else every numeric property (`feature.property`, or just `property`
 * for the feature `value`).
 */
export function sampleValue(features: Record<string, Record<string, unknown>>): Sample['value'] {
  const keys = Object.keys(features);
  const only = features.value;
  if (keys.length === 1 && only && Object.keys(only).length === 1 && typeof only.value === 'number')
    return only.value;
  const out: Record<string, number> = {};
  for (const [f, props] of Object.entries(features))
    for (const [p, v] of Object.entries(props ?? {}))
      if (typeof v === 'number' && Number.isFinite(v)) out[f === 'value' ? p : `${f}.${p}`] = v;
  return out;
}

/**
 * The number of the next request id in a kept store: request ids `r-0`, `r-1`, … are given in order and
 * stored before they are answered, so they form a prefix; found with O(log n) look-ups.
 */
export async function nextRequestNumber(store: Store): Promise<number> {
  const has = async (n: number) => (await store.getRequest(`r-${n}`)) !== undefined;
  if (!(await has(0))) return 0;
  let lo = 0; // exists
  let hi = 1;
  while (await has(hi)) {
    lo = hi;
    hi *= 2;
  }
  // r-lo exists, r-hi does not
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (await has(mid)) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** Every twin of the served scenario is a thing of the registry; an existing one (a restart) is kept. */
export async function registerTwins(store: Store, rt: LiveState): Promise<void> {
  for (const t of rt.twins) {
    const existing = await store.getThing(t.thingId);
    if (!existing)
      await store.putThing(
        {
          thingId: t.thingId,
          tenant: t.tenantId,
          attributes: { twin: t.id, group: t.group, criticality: t.criticality },
          features: {},
        },
        { mustNotExist: true },
      );
  }
}

const json = (v: unknown): Json => JSON.parse(JSON.stringify(v ?? null)) as Json;

export function persistTo(
  store: Store,
  rt: LiveRuntime,
  events: EventBus,
  onError: (err: Error) => void,
  flushMs = FLUSH_MS,
): Persister {
  const epoch = (t: number) => Math.round(rt.startMs + t * 1000);
  let decisions: Decision[] = [];
  const twins = new Set<number>();
  const requests = new Map<string, LiveRequest>();
  let tasks: { requestId: string; taskId: string; update: TaskUpdate }[] = [];
  /** per task, its newest lease change: the lease of a new attempt, or the end of one */
  let leases = new Map<
    string,
    { put: LeaseRecord } | { end: { requestId: string; taskId: string; attempt: number } }
  >();
  let lastSnapshot = 0;
  const created = new Set<string>();
  const agents = new Map<string, boolean>();
  let chain: Promise<void> = Promise.resolve();
  let errors = 0;

  const create = async (r: LiveRequest) => {
    if (created.has(r.id)) return;
    created.add(r.id);
    const spec = {
      workload: r.workload,
      params: r.params,
      tasks: r.tasks.map((t) => ({ id: t.id, kind: t.kind, work: t.work })),
      // the whole planned DAG, so that a restart can run the request again (`resumeRequests`)
      plan: { tenant: r.tenantId, priority: r.priority, tasks: r.tasks },
    };
    const made = await store.createRequest(
      {
        id: r.id,
        tenant: r.tenantId,
        ...(r.workload !== 'ad-hoc' ? { workload: r.workload } : {}),
        priority: r.priority,
        state: 'queued',
        submittedAt: epoch(r.arrival),
        ...(Number.isFinite(r.deadline) ? { deadlineAt: epoch(r.deadline) } : {}),
        spec: json(spec) as JsonObject,
      },
      r.tasks.map((t) => ({ requestId: r.id, taskId: t.id, state: 'pending', attempts: 0 })),
    );
    // only if the stored ids are not a prefix (a write lost before this start): say so, loudly
    if (!made.ok) {
      errors++;
      onError(new Error(`request id ${r.id} is already in the store; its updates overwrite it`));
    }
  };

  const write = async (): Promise<void> => {
    // take what is buffered now; events during the awaits below go to the next flush
    const ds = decisions;
    decisions = [];
    const agentBatch = [...agents];
    agents.clear();
    const requestBatch = [...requests.values()];
    requests.clear();
    const taskBatch = tasks;
    tasks = [];
    const twinBatch = [...twins];
    twins.clear();
    const leaseBatch = [...leases.values()];
    leases = new Map();
    if (ds.length > 0)
      await store.appendDecisions(
        ds.map((d) => ({
          time: epoch(d.time),
          kind: d.kind,
          subject: d.subject,
          ...(typeof d.chosen === 'string' ? { node: d.chosen } : {}),
          detail: json(d) as JsonObject,
        })),
      );
    for (const [id, up] of agentBatch) {
      const n = rt.nodes.find((x) => x.id === id);
      if (!n) continue;
      await store.putAgent({
        id,
        kind: n.tier,
        compute: n.computeCapacity,
        attention: n.attentionCapacity,
        labels: n.labels,
        status: up ? 'connected' : 'disconnected',
        connectedAt: epoch(n.lastAccount),
        lastSeenAt: epoch(n.lastSeen),
      });
    }
    for (const r of requestBatch) await create(r);
    for (const t of taskBatch) {
      const r = rt.requests.get(t.requestId);
      if (r) await create(r);
      await store.updateTask(t.requestId, t.taskId, t.update);
    }
    if (leaseBatch.length > 0)
      await store.writeLeases(
        leaseBatch.flatMap((l) => ('put' in l ? [l.put] : [])),
        leaseBatch.flatMap((l) => ('end' in l ? [l.end] : [])),
      );
    for (const r of requestBatch) {
      const done = r.status === 'completed' || r.status === 'failed';
      await store.updateRequest(r.id, {
        state: STATES[r.status],
        ...(done ? { finishedAt: epoch(r.finish) } : {}),
        ...(r.status === 'completed'
          ? { result: json(Object.fromEntries(r.tasks.map((t, i) => [t.id, r.outputs[i] ?? null]))) }
          : {}),
        ...(r.error ? { error: r.error } : {}),
      });
      if (r.status === 'failed')
        for (const [i, t] of r.tasks.entries())
          if (r.outputs[i] === undefined) await store.updateTask(r.id, t.id, { state: 'failed' });
    }
    for (const i of twinBatch) {
      const t = rt.twins[i]!;
      await store.updateThing(
        t.thingId,
        (current) => ({
          ...current,
          features: { ...current.features, state: { properties: { value: json(t.state) } } },
        }),
        Number.isFinite(t.reflectedMs) ? { sourceTime: t.reflectedMs } : {},
      );
    }
  };

  const snapshot = async (): Promise<void> => {
    lastSnapshot = Date.now();
    await store.putState(FORECASTS, json({ startMs: rt.startMs, bank: rt.arrivalRates.snapshot() }));
  };
  const flush = (withSnapshot = false): Promise<void> => {
    const due = withSnapshot || Date.now() - lastSnapshot >= FORECAST_SNAPSHOT_MS;
    chain = chain
      .then(write)
      .then(() => (due ? snapshot() : undefined))
      .catch((err: Error) => {
        errors++;
        onError(err);
      });
    return chain;
  };
  const onRequest = (e: { id: string; status: string; error?: string }) => {
    const r = rt.requests.get(e.id);
    if (!r) return;
    requests.set(r.id, r);
    events.emit({
      type: 'request',
      requestId: r.id,
      tenant: r.tenantId,
      state: STATES[r.status],
      time: Date.now(),
      ...(e.error ? { data: { error: e.error } } : {}),
    });
  };
  const onTask = (e: {
    requestId: string;
    taskId: string;
    state: 'assigned' | 'done';
    node?: string;
    attempt?: number;
    leaseUntil?: number;
  }) => {
    const now = Date.now();
    const r = rt.requests.get(e.requestId);
    // a finished task keeps its output, so that a restart does not run it again
    const index = r ? r.tasks.findIndex((t) => t.id === e.taskId) : -1;
    tasks.push({
      requestId: e.requestId,
      taskId: e.taskId,
      update:
        e.state === 'assigned'
          ? { state: 'assigned', attempt: true, assignedAt: now, ...(e.node ? { node: e.node } : {}) }
          : {
              state: 'done',
              finishedAt: now,
              ...(e.node ? { node: e.node } : {}),
              ...(r && index >= 0 ? { result: json(r.outputs[index]) } : {}),
            },
    });
    if (e.state === 'assigned' && e.node && e.attempt !== undefined && e.leaseUntil !== undefined)
      leases.set(`${e.requestId}/${e.taskId}`, {
        put: {
          requestId: e.requestId,
          taskId: e.taskId,
          attempt: e.attempt,
          node: e.node,
          assignedAt: now,
          leaseUntil: Number.isFinite(e.leaseUntil) ? epoch(e.leaseUntil) : Number.MAX_SAFE_INTEGER,
        },
      });
    events.emit({
      type: 'request',
      requestId: e.requestId,
      tenant: r?.tenantId ?? '',
      state: e.state,
      taskId: e.taskId,
      ...(e.node ? { node: e.node } : {}),
      time: now,
    });
  };
  const onTwin = (e: { thingId: string; tenant?: string; revision?: number; sourceTime?: number | null }) => {
    const t = rt.twinByName(e.thingId);
    if (!t || e.revision === undefined) return;
    twins.add(t.index);
    events.emit({
      type: 'twin',
      action: 'refreshed',
      thingId: t.thingId,
      tenant: t.tenantId,
      revision: t.revision,
      time: Date.now(),
      sourceTime: e.sourceTime ?? null,
      data: json(t.state),
    });
  };
  const onNode = (e: { node: string; up: boolean }) => agents.set(e.node, e.up);
  const onReleased = (e: { requestId: string; taskId: string; attempt: number }) =>
    leases.set(`${e.requestId}/${e.taskId}`, { end: e });
  rt.on('released', onReleased);
  rt.on('request', onRequest);
  rt.on('task', onTask);
  rt.on('twin', onTwin);
  rt.on('node', onNode);
  const timer = setInterval(() => void flush(), flushMs);
  timer.unref();
  return {
    decision(d) {
      decisions.push(d);
      if (events.size > 1)
        events.emit({
          type: 'decision',
          kind: d.kind,
          subject: d.subject,
          ...(typeof d.chosen === 'string' ? { node: d.chosen } : {}),
          time: epoch(d.time),
          data: json(d),
        });
    },
    adopt(id) {
      created.add(id);
    },
    async accept(r) {
      // on the chain, so that no buffered update of it can be written before it exists
      const done = chain.then(() => create(r));
      chain = done.catch(() => {});
      await done;
    },
    flush: () => flush(),
    async close() {
      clearInterval(timer);
      rt.off('request', onRequest);
      rt.off('task', onTask);
      rt.off('twin', onTwin);
      rt.off('node', onNode);
      rt.off('released', onReleased);
      await flush(true);
    },
    get errors() {
      return errors;
    },
  };
}

/**
 * After a restart on the same store: every request that was accepted but had not finished (queued or running
 * when the process stopped, however it stopped) is submitted again under its own id, with its absolute
 * deadline, and runs from its first tasks: a task may run twice across a crash (at least once), a request
 * never silently vanishes. Requests stored without their plan (written by an older version) are marked failed.
 * Returns how many were resumed.
 */
export async function resumeRequests(store: Store, rt: LiveRuntime, persister: Persister): Promise<number> {
  await resumeRuntime(store, rt);
  const leases = new Map<string, LeaseRecord[]>();
  for (const l of await store.listLeases()) {
    const list = leases.get(l.requestId) ?? [];
    list.push(l);
    leases.set(l.requestId, list);
  }
  const kept = new Set<LeaseRecord>();
  let resumed = 0;
  for (const state of ['queued', 'running'] as const) {
    let after: string | undefined;
    for (;;) {
      const page = await store.listRequests({ state, limit: 500, ...(after ? { after } : {}) });
      for (const rec of page.items) {
        // a record that moved from queued to running while we paged is met twice: resume it once
        if (rt.requests.has(rec.id)) continue;
        const uid = Number(rec.id.slice(2));
        const plan = (rec.spec as { plan?: { tenant: string; priority: number; tasks: LiveTaskSpec[] } })
          .plan;
        if (!rec.id.startsWith('r-') || !Number.isSafeInteger(uid) || !plan || !planFits(plan, rt)) {
          await store.updateRequest(rec.id, {
            state: 'failed',
            finishedAt: Date.now(),
            error: 'could not be resumed after a restart (no stored plan, or twins no longer served)',
          });
          continue;
        }
        const deadline =
          rec.deadlineAt === undefined ? undefined : (rec.deadlineAt - rt.startMs) / 1000 - rt.now;
        persister.adopt(rec.id);
        const params = (rec.spec as { params?: Record<string, unknown> }).params ?? {};
        // tasks done keep their outputs; attempts that held a lease wait for their agent (`LiveRuntime.submit`)
        const outputs: unknown[] = plan.tasks.map(() => undefined);
        const byId = new Map(plan.tasks.map((t, i) => [t.id, i]));
        for (const t of await store.listTasks(rec.id)) {
          const i = byId.get(t.taskId);
          if (i !== undefined && t.state === 'done') outputs[i] = t.result ?? null;
        }
        const held: ResumedLease[] = [];
        for (const l of leases.get(rec.id) ?? []) {
          const i = byId.get(l.taskId);
          if (i === undefined || outputs[i] !== undefined) continue;
          kept.add(l);
          held.push({ task: i, attempt: l.attempt, node: l.node, leaseUntil: rt.serviceTime(l.leaseUntil) });
        }
        rt.submit(
          {
            workload: rec.workload ?? 'ad-hoc',
            tenant: plan.tenant,
            priority: plan.priority,
            deadline,
            tasks: plan.tasks,
          },
          params,
          uid,
          { outputs, leases: held },
        );
        resumed++;
      }
      if (!page.next) break;
      after = page.next;
    }
  }
  // leases of requests that finished (or could not be resumed) end here
  const ended = [...leases.values()].flat().filter((l) => !kept.has(l));
  if (ended.length > 0) await store.writeLeases([], ended);
  return resumed;
}

/**
 * The runtime's own state after a restart: attempt ids start after every earlier run's (a boot counter kept
 * in the store: run b gives ids from b × 2^32), and the arrival-rate forecasters go on from their snapshot.
 */
async function resumeRuntime(store: Store, rt: LiveRuntime): Promise<void> {
  const last = await store.getState(BOOT);
  const boot = (typeof last === 'number' && Number.isSafeInteger(last) && last >= 0 ? last : 0) + 1;
  await store.putState(BOOT, boot);
  rt.resumeAttempts(boot * ATTEMPTS_PER_BOOT);
  const saved = (await store.getState(FORECASTS)) as
    | { startMs?: unknown; bank?: ForecastBankState }
    | undefined;
  if (saved && typeof saved.startMs === 'number' && saved.bank && typeof saved.bank === 'object') {
    try {
      rt.arrivalRates.restore(saved.bank, (saved.startMs - rt.startMs) / 1000);
    } catch {
      // a snapshot this version cannot read: the forecasters start empty, as before snapshots existed
    }
  }
  await resumeDecisions(store, rt);
}

/**
 * The newest stored decisions back in the runtime's memory (explanations, `/live/decisions`), on its clock:
 * their times become service seconds before this start (negative). The last stored seq is found with
 * O(log n) look-ups, as `nextRequestNumber` does.
 */
async function resumeDecisions(store: Store, rt: LiveRuntime, keep = RESUMED_DECISIONS): Promise<void> {
  const exists = async (seq: number) =>
    (await store.listDecisions({ afterSeq: seq - 1, limit: 1 })).length > 0;
  const first = (await store.listDecisions({ limit: 1 }))[0];
  if (!first) return;
  let lo = first.seq; // some decision has seq >= lo
  let step = 1;
  while (await exists(lo + step)) {
    lo += step;
    step *= 2;
  }
  let hi = lo + step; // none at or after hi
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (await exists(mid)) lo = mid;
    else hi = mid;
  }
  const tail = await store.listDecisions({ afterSeq: Math.max(0, hi - 1 - keep), limit: keep });
  for (const d of tail) {
    const decision = { ...(d.detail as object), time: (d.time - rt.startMs) / 1000 } as Decision;
    rt.decisionLog.push(decision);
  }
}

/** A stored plan still names twins the runtime serves. */
function planFits(plan: { tasks: LiveTaskSpec[] }, rt: LiveRuntime): boolean {
  return (
    Array.isArray(plan.tasks) &&
    plan.tasks.length > 0 &&
    plan.tasks.every((t) => Array.isArray(t.twins) && t.twins.every((i) => i >= 0 && i < rt.twins.length))
  );
}
