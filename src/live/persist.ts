/**
 * Writes what the live runtime decides and does to the service's Store (src/store): the decision trace,
 * agents, requests with their tasks, and each twin's state with the generation time of the newest sample
 * it reflects (`sourceTime`). Writes are batched every `flushMs` and applied in order on one chain, so the
 * scheduling cycle never waits for the disk; a failed write is reported, never thrown into the runtime.
 */
import type { Decision } from '../scheduler/scheduler.js';
import type { Json, JsonObject, RequestState, Store } from '../store/index.js';
import type { LiveRequest } from './model.js';
import type { LiveRuntime } from './runtime.js';

/** How often buffered writes go to the store, ms: a refresh storm becomes one transaction per kind. */
export const FLUSH_MS = 250;

const STATES: Record<LiveRequest['status'], RequestState> = {
  waiting: 'queued',
  running: 'running',
  completed: 'done',
  failed: 'failed',
};

export interface Persister {
  /** hand to the runtime's `onDecision` */
  decision(d: Decision): void;
  /** writes what is buffered; resolves when it is in the store */
  flush(): Promise<void>;
  close(): Promise<void>;
  readonly errors: number;
}

export async function persistTo(
  store: Store,
  rt: LiveRuntime,
  onError: (err: Error) => void,
  flushMs = FLUSH_MS,
): Promise<Persister> {
  const epoch = (t: number) => Math.round(rt.startMs + t * 1000);
  // every twin of the served scenario is a thing; an existing one (a restart) keeps its revision
  for (const t of rt.twins) {
    const existing = await store.getThing(t.thingId);
    if (!existing)
      await store.putThing(
        {
          thingId: t.thingId,
          tenant: t.tenantId,
          attributes: { group: t.group, criticality: t.criticality },
          features: {},
        },
        { mustNotExist: true },
      );
  }
  let decisions: Decision[] = [];
  const twins = new Set<number>();
  const requests = new Map<string, LiveRequest>();
  const created = new Set<string>();
  const agents = new Map<string, boolean>();
  let chain: Promise<void> = Promise.resolve();
  let errors = 0;

  const write = async (): Promise<void> => {
    // take what is buffered now; events during the awaits below go to the next flush
    const ds = decisions;
    decisions = [];
    const agentBatch = [...agents];
    agents.clear();
    const requestBatch = [...requests.values()];
    requests.clear();
    const twinBatch = [...twins];
    twins.clear();
    if (ds.length > 0)
      await store.appendDecisions(
        ds.map((d) => ({
          time: epoch(d.time),
          kind: d.kind,
          subject: d.subject,
          ...(typeof d.chosen === 'string' ? { node: d.chosen } : {}),
          detail: JSON.parse(JSON.stringify(d)) as JsonObject,
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
    for (const r of requestBatch) {
      if (!created.has(r.id)) {
        const spec = {
          workload: r.workload,
          tasks: r.tasks.map((t) => ({ id: t.id, kind: t.kind, work: t.work })),
        };
        await store.createRequest(
          {
            id: r.id,
            tenant: r.tenant.id,
            ...(r.workload !== 'ad-hoc' ? { workload: r.workload } : {}),
            priority: r.priority,
            state: 'queued',
            submittedAt: epoch(r.arrival),
            ...(Number.isFinite(r.deadline) ? { deadlineAt: epoch(r.deadline) } : {}),
            spec: JSON.parse(JSON.stringify(spec)) as JsonObject,
          },
          r.tasks.map((t) => ({ requestId: r.id, taskId: t.id, state: 'pending', attempts: 0 })),
        );
        created.add(r.id);
      }
      const done = r.status === 'completed' || r.status === 'failed';
      await store.updateRequest(r.id, {
        state: STATES[r.status],
        ...(done ? { finishedAt: epoch(r.finish) } : {}),
        ...(r.status === 'completed'
          ? {
              result: JSON.parse(
                JSON.stringify(Object.fromEntries(r.tasks.map((t, i) => [t.id, r.outputs[i] ?? null]))),
              ) as Json,
            }
          : {}),
        ...(r.error ? { error: r.error } : {}),
      });
      if (done)
        for (const [i, t] of r.tasks.entries()) {
          const node = r.taskNodes[i];
          await store.updateTask(r.id, t.id, {
            state: r.outputs[i] !== undefined ? 'done' : r.status === 'failed' ? 'failed' : 'pending',
            ...(node ? { node } : {}),
          });
        }
    }
    for (const i of twinBatch) {
      const t = rt.twins[i]!;
      await store.updateThing(
        t.thingId,
        (current) => ({
          ...current,
          features: {
            ...current.features,
            state: { properties: JSON.parse(JSON.stringify({ value: t.state ?? null })) as JsonObject },
          },
        }),
        { sourceTime: epoch(t.lastSample) },
      );
    }
  };

  const flush = (): Promise<void> => {
    chain = chain.then(write).catch((err: Error) => {
      errors++;
      onError(err);
    });
    return chain;
  };
  const onRequest = (e: { id: string }) => {
    const r = rt.requests.get(e.id);
    if (r) requests.set(r.id, r);
  };
  const onTwin = (e: { thingId: string; revision?: number }) => {
    const t = rt.twinByName(e.thingId);
    if (t && e.revision !== undefined) twins.add(t.index);
  };
  const onNode = (e: { node: string; up: boolean }) => agents.set(e.node, e.up);
  rt.on('request', onRequest);
  rt.on('twin', onTwin);
  rt.on('node', onNode);
  const timer = setInterval(() => void flush(), flushMs);
  timer.unref();
  return {
    decision(d) {
      decisions.push(d);
    },
    flush,
    async close() {
      clearInterval(timer);
      rt.off('request', onRequest);
      rt.off('twin', onTwin);
      rt.off('node', onNode);
      await flush();
    },
    get errors() {
      return errors;
    },
  };
}
