/**
 * Requests through the store, for replicas of a cluster: any replica stores a submitted request under a new
 * id (the store's `createRequest` refuses a taken id, so two replicas racing for `r-7` get `r-7` and `r-8`),
 * and reads requests it does not hold in memory back from the store (its status, result and the decisions
 * about its tasks). The record is written as the live persister writes it (src/live/persist.ts), planned DAG
 * included, so that the leader's `resumeRequests` can run it.
 */
import type { LiveRequest } from '../live/model.js';
import { nextRequestNumber } from '../live/persist.js';
import type { StoredRequestView } from '../live/plugin.js';
import type { PlannedRequest } from '../live/requests.js';
import type { LiveRuntime } from '../live/runtime.js';
import type { Json, JsonObject, RequestRecord, RequestState, Store } from '../store/index.js';

const STATUS: Record<RequestState, LiveRequest['status'] | 'cancelled'> = {
  queued: 'waiting',
  running: 'running',
  done: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
};

/** Gives request ids in the store's order: `r-<n>`, the next free n, whoever else is writing. */
export class StoredIntake {
  private next: number | undefined;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly clockMs: () => number = Date.now,
  ) {}

  /** Stores a planned request as `queued` under a new id; resolves to its record. */
  create(plan: PlannedRequest, params: Record<string, unknown> | undefined): Promise<RequestRecord> {
    // one at a time per replica, so that its own submissions do not race each other for an id
    const done = this.chain.then(() => this.createNow(plan, params ?? {}));
    this.chain = done.catch(() => {});
    return done;
  }

  private async createNow(plan: PlannedRequest, params: Record<string, unknown>): Promise<RequestRecord> {
    const now = this.clockMs();
    for (let tries = 0; ; tries++) {
      this.next ??= await nextRequestNumber(this.store);
      const id = `r-${this.next}`;
      const record: RequestRecord = {
        id,
        tenant: plan.tenant,
        ...(plan.workload !== 'ad-hoc' ? { workload: plan.workload } : {}),
        priority: plan.priority,
        state: 'queued',
        submittedAt: now,
        ...(plan.deadline !== undefined ? { deadlineAt: Math.round(now + plan.deadline * 1000) } : {}),
        spec: JSON.parse(
          JSON.stringify({
            workload: plan.workload,
            params,
            tasks: plan.tasks.map((t) => ({ id: t.id, kind: t.kind, work: t.work })),
            plan: { tenant: plan.tenant, priority: plan.priority, tasks: plan.tasks },
          }),
        ) as JsonObject,
      };
      const made = await this.store.createRequest(
        record,
        plan.tasks.map((t) => ({ requestId: id, taskId: t.id, state: 'pending', attempts: 0 })),
      );
      if (made.ok) {
        this.next++;
        return record;
      }
      // another replica took it: look for the end of the prefix again
      this.next = undefined;
      if (tries >= 50) throw new Error('could not find a free request id in the store');
    }
  }
}

/** A stored request as the live routes show it; times in seconds of the serving replica's clock. */
export async function storedRequest(
  store: Store,
  rt: LiveRuntime,
  id: string,
): Promise<StoredRequestView | undefined> {
  const rec = await store.getRequest(id);
  return rec ? storedView(store, rt, rec) : undefined;
}

/**
 * The newest `limit` stored requests (of one tenant, when given), oldest first as the live list shows them:
 * a follower's runtime holds none of the cluster's requests, the store holds them all.
 */
export async function storedRequests(
  store: Store,
  rt: LiveRuntime,
  tenant: string | undefined,
  limit: number,
): Promise<StoredRequestView[]> {
  const recs = await store.newestRequests({ ...(tenant !== undefined ? { tenant } : {}), limit });
  return Promise.all(recs.reverse().map((rec) => storedView(store, rt, rec)));
}

async function storedView(store: Store, rt: LiveRuntime, rec: RequestRecord): Promise<StoredRequestView> {
  const tasks = await store.listTasks(rec.id);
  const plan = (
    rec.spec as { plan?: { tasks?: { id: string; kind: string; handler: string; twins?: unknown }[] } }
  ).plan;
  const specs = new Map((plan?.tasks ?? []).map((t) => [t.id, t]));
  const status = STATUS[rec.state];
  const t = (ms: number | undefined) => (ms === undefined ? null : rt.serviceTime(ms));
  const arrival = rt.serviceTime(rec.submittedAt);
  const finish = t(rec.finishedAt);
  const deadline = t(rec.deadlineAt);
  const view = {
    id: rec.id,
    workload: rec.workload ?? 'ad-hoc',
    tenant: rec.tenant,
    priority: rec.priority,
    status,
    arrival,
    deadline,
    finish,
    latency: finish === null ? null : finish - arrival,
    missedDeadline:
      deadline === null ? (finish === null ? null : false) : finish === null ? null : finish > deadline,
    tasks: tasks.map((x) => ({
      id: x.taskId,
      kind: specs.get(x.taskId)?.kind ?? null,
      handler: specs.get(x.taskId)?.handler ?? null,
      node: x.node ?? null,
      done: x.state === 'done',
      attempts: x.attempts,
    })),
    ...(rec.error ? { error: rec.error } : {}),
  };
  const result =
    status === 'failed' || status === 'cancelled'
      ? { id: rec.id, status, error: rec.error ?? null }
      : status === 'completed'
        ? { id: rec.id, status, latency: view.latency, outputs: (rec.result ?? {}) as Json }
        : undefined;
  const twins = (plan?.tasks ?? []).flatMap((x) =>
    Array.isArray(x.twins) ? x.twins.filter((i): i is number => Number.isInteger(i)) : [],
  );
  return {
    tenant: rec.tenant,
    twins,
    view,
    result,
    async explanation() {
      const decisions = [];
      for (const x of tasks) {
        const rows = await store.listDecisions({ subject: `${rec.id}/${x.taskId}`, limit: 1000 });
        decisions.push(...rows.map((d) => d.detail));
      }
      return { id: rec.id, status, policy: rt.policy.name, decisions };
    },
  };
}
