/** Rows of the SQLite store to and from the records of store.ts. Absent optional fields stay absent. */
import type {
  AgentRecord,
  AgentStatus,
  Json,
  JsonObject,
  PolicyRevision,
  RequestRecord,
  TaskRecord,
  TaskState,
  TenantPolicyRecord,
  Thing,
  ThingInput,
} from './store.js';

export type Row = Record<string, unknown>;

const num = (v: unknown): number | undefined => (v === null || v === undefined ? undefined : Number(v));
const parse = (v: unknown): Json | undefined => (typeof v === 'string' ? (JSON.parse(v) as Json) : undefined);
export const text = (v: Json | undefined): string | null => (v === undefined ? null : JSON.stringify(v));

export function thingFromRow(r: Row): Thing {
  const doc = JSON.parse(r.doc as string) as Pick<Thing, 'policyId' | 'attributes' | 'features'>;
  const thing: Thing = {
    thingId: r.thing_id as string,
    tenant: r.tenant as string,
    attributes: doc.attributes,
    features: doc.features,
    revision: r.revision as number,
    createdAt: r.created_at as number,
    modifiedAt: r.modified_at as number,
    sourceTime: (r.source_time as number | null) ?? null,
  };
  if (doc.policyId !== undefined) thing.policyId = doc.policyId;
  return thing;
}

export function docOf(input: ThingInput): string {
  const doc: Record<string, unknown> = { attributes: input.attributes, features: input.features };
  if (input.policyId !== undefined) doc.policyId = input.policyId;
  return JSON.stringify(doc);
}

export function requestFromRow(r: Row): RequestRecord {
  const out: RequestRecord = {
    id: r.id as string,
    tenant: r.tenant as string,
    priority: r.priority as number,
    state: r.state as RequestRecord['state'],
    submittedAt: r.submitted_at as number,
    spec: JSON.parse(r.spec as string) as JsonObject,
  };
  if (r.workload !== null) out.workload = r.workload as string;
  const deadlineAt = num(r.deadline_at);
  if (deadlineAt !== undefined) out.deadlineAt = deadlineAt;
  const startedAt = num(r.started_at);
  if (startedAt !== undefined) out.startedAt = startedAt;
  const finishedAt = num(r.finished_at);
  if (finishedAt !== undefined) out.finishedAt = finishedAt;
  const result = parse(r.result);
  if (result !== undefined) out.result = result;
  if (r.error !== null) out.error = r.error as string;
  return out;
}

export function taskFromRow(r: Row): TaskRecord {
  const out: TaskRecord = {
    requestId: r.request_id as string,
    taskId: r.task_id as string,
    state: r.state as TaskState,
    attempts: r.attempts as number,
  };
  if (r.node !== null) out.node = r.node as string;
  for (const [key, column] of [
    ['readyAt', 'ready_at'],
    ['assignedAt', 'assigned_at'],
    ['startedAt', 'started_at'],
    ['finishedAt', 'finished_at'],
  ] as const) {
    const v = num(r[column]);
    if (v !== undefined) out[key] = v;
  }
  const result = parse(r.result);
  if (result !== undefined) out.result = result;
  if (r.error !== null) out.error = r.error as string;
  return out;
}

export function agentFromRow(r: Row): AgentRecord {
  return {
    id: r.id as string,
    kind: r.kind as string,
    compute: r.compute as number,
    attention: r.attention as number,
    labels: JSON.parse(r.labels as string) as Record<string, string>,
    status: r.status as AgentStatus,
    connectedAt: r.connected_at as number,
    lastSeenAt: r.last_seen_at as number,
  };
}

export const REQUEST_COLUMNS = {
  state: 'state',
  startedAt: 'started_at',
  finishedAt: 'finished_at',
  error: 'error',
  result: 'result',
} as const;

export const TASK_COLUMNS = {
  state: 'state',
  node: 'node',
  readyAt: 'ready_at',
  assignedAt: 'assigned_at',
  startedAt: 'started_at',
  finishedAt: 'finished_at',
  error: 'error',
  result: 'result',
} as const;

/**
 * `col = ?, …` for the fields of `update` that are set (`result` as JSON text), plus `extra` clauses.
 * `placeholder(n)` writes the n-th parameter (1-based): `?` for SQLite, `$n` for PostgreSQL.
 */
export function setClause(
  update: Record<string, unknown>,
  columns: Record<string, string>,
  extra: string[] = [],
  placeholder: (n: number) => string = () => '?',
): { sets: string; params: unknown[] } {
  const sets: string[] = [];
  const params: unknown[] = [];
  for (const [key, column] of Object.entries(columns)) {
    const v = update[key];
    if (v === undefined) continue;
    sets.push(`${column} = ${placeholder(params.push(key === 'result' ? JSON.stringify(v) : v))}`);
  }
  return { sets: [...sets, ...extra].join(', '), params };
}

/** The `WHERE` terms (one `?` each) whose value is defined, with their parameters in order. */
export function conditions(terms: [sql: string, value: unknown][]): { where: string[]; params: unknown[] } {
  const set = terms.filter(([, v]) => v !== undefined);
  return { where: set.map(([sql]) => sql), params: set.map(([, v]) => v) };
}

/** A row of `policies` (both stores; PostgreSQL's json columns arrive as text). */
export function policyFromRow(r: Row): PolicyRevision {
  const p: PolicyRevision = {
    policyId: r.policy_id as string,
    revision: Number(r.revision),
    doc: JSON.parse(r.doc as string) as JsonObject,
    changedAt: Number(r.changed_at),
    changedBy: r.changed_by as string,
  };
  if (r.tenant !== null && r.tenant !== undefined) p.tenant = r.tenant as string;
  return p;
}

export const tenantPolicyFromRow = (r: Row): TenantPolicyRecord => ({
  tenant: r.tenant as string,
  policyId: r.policy_id as string,
  changedAt: Number(r.changed_at),
  changedBy: r.changed_by as string,
});
/** The newest revision of every policy (both stores). */
export const LATEST_POLICIES = `SELECT p.* FROM policies p
  WHERE p.revision = (SELECT max(revision) FROM policies WHERE policy_id = p.policy_id)
  ORDER BY p.policy_id`;
