/**
 * The live service's store: everything `ars serve` must not lose across a restart.
 *
 * - **things** — twins shaped like Eclipse Ditto things, each with a revision that grows by one on every
 *   change (the HTTP `ETag`), plus the generation time of the newest sample the twin's state reflects
 *   (`sourceTime`, from which the twin's age of information is measured);
 * - **samples** — raw telemetry as it arrives, kept for a retention window after arrival;
 * - **requests and tasks** — submitted DAGs, their states and each task's attempts;
 * - **decisions** — the scheduler's trace, queryable by subject;
 * - **agents** — the nodes that connected, their capacities and last heartbeat;
 * - a **schema version**, moved forward by numbered migrations on open.
 *
 * Every method is async so that a networked store (PostgreSQL) implements the same interface.
 * Expected outcomes — "no such thing", "stale revision", "already exists" — are values, not exceptions;
 * exceptions mean the store itself failed. Every implementation passes `conformance.ts`.
 * Times are milliseconds since the Unix epoch (wall clock), named `...Time` or `...At`.
 */

/** Any JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** One feature of a thing (Ditto: `features/<id>`): reported and desired property values. */
export interface Feature {
  properties?: JsonObject;
  desiredProperties?: JsonObject;
}

/** The document a client writes: everything of a thing except the fields the store maintains. */
export interface ThingInput {
  /** `namespace:name`; see {@link THING_ID_PATTERN}. */
  thingId: string;
  /** The tenant that owns the thing; `default` when none is given. */
  tenant: string;
  policyId?: string;
  attributes: JsonObject;
  features: Record<string, Feature>;
}

/** A stored thing. */
export interface Thing extends ThingInput {
  /** 1 on creation, +1 on every successful write. */
  revision: number;
  createdAt: number;
  modifiedAt: number;
  /** Generation time of the newest sample the twin's state reflects; null until its first refresh. */
  sourceTime: number | null;
}

/**
 * Ditto's thing id: a Java-package-like namespace, a colon, then a name without `/`, whitespace or control
 * characters (PostgreSQL text cannot hold NUL, and no id needs a control character).
 */
export const THING_ID_PATTERN = '^(?:[a-zA-Z]\\w*(?:\\.[a-zA-Z]\\w*)*)?:[^/\\s\\u0000-\\u001f\\u007f]+$';

/** Why a write did not happen. */
export type WriteRefusal =
  | { ok: false; reason: 'not-found' }
  | { ok: false; reason: 'exists'; current: Thing }
  | { ok: false; reason: 'revision-mismatch'; current: Thing };

export type ThingWrite = { ok: true; thing: Thing; created: boolean } | WriteRefusal;

/** Write preconditions (HTTP `If-Match` / `If-None-Match: *`). */
export interface WriteCondition {
  /** The write happens only if the stored revision equals this one. */
  expectedRevision?: number;
  /** The write happens only if the thing does not exist yet (create, never replace). */
  mustNotExist?: boolean;
  /** The write happens only if the thing exists (replace, never create). */
  mustExist?: boolean;
  /** Also set `sourceTime` (a refresh writes the twin's state and the age it reflects together). */
  sourceTime?: number;
  /** The wall-clock time of the write; `Date.now()` when absent. */
  now?: number;
}

/**
 * A filter over things, the parsed form of an RQL expression (see `rql.ts`). `path` is a slash path into the
 * thing document: `thingId`, `tenant`, `revision`, `attributes/site`, `features/temp/properties/value`.
 */
export type ThingFilter =
  | { op: 'eq' | 'ne' | 'gt' | 'lt' | 'ge' | 'le'; path: string; value: string | number | boolean | null }
  | { op: 'in'; path: string; values: (string | number | boolean | null)[] }
  | { op: 'like'; path: string; pattern: string }
  | { op: 'exists'; path: string }
  | { op: 'and' | 'or'; filters: ThingFilter[] }
  | { op: 'not'; filter: ThingFilter };

/** A page of results in a stable order with an opaque cursor for the next page (keyset paging). */
export interface Page<T> {
  items: T[];
  /** Pass as `after` to get the next page; absent on the last page. */
  next?: string;
}

export interface ThingQuery {
  tenant?: string;
  filter?: ThingFilter;
  /** At most this many (1..1000). */
  limit: number;
  /** The cursor of the previous page. Things are ordered by `thingId`. */
  after?: string;
}

/** One raw telemetry sample: values of some features' properties of one thing at one generation time. */
export interface SampleInput {
  thingId: string;
  /** Feature id → property → value. */
  features: Record<string, JsonObject>;
  /** When the device generated the values. */
  time: number;
}

export interface Sample extends SampleInput {
  /** Store-assigned, increasing in arrival order. */
  seq: number;
  tenant: string;
  receivedAt: number;
}

export type SampleAppend =
  /**
   * `tenants`: thingId → tenant of every thing in the batch. `duplicate`: the batch was a retry of one stored
   * under the same idempotency key (the first answer is returned again), or a redelivery whose every sample is
   * stored already (`firstSeq` is the oldest of them); nothing was stored now.
   */
  | { ok: true; stored: number; firstSeq: number; tenants: Record<string, string>; duplicate?: true }
  /**
   * Nothing of the batch was stored: `index` is the first sample at fault (0 for `key-reused`: the
   * idempotency key is already taken by another batch).
   */
  | { ok: false; index: number; reason: 'unknown-thing' | 'tenant-mismatch' | 'key-reused' };

/**
 * An idempotency key of a sample batch, kept in the store with the batch, in the same transaction, for
 * `keyTtlMs` (StoreOptions): a client's retry (HTTP `Idempotency-Key`) of a batch already stored is not
 * stored twice.
 */
export interface IdempotencyKey {
  key: string;
  /** A digest of the batch's content: the same key with another digest is another batch. */
  digest: string;
  /**
   * True when the batch may be a repeat: if the key is kept with the same digest nothing is stored and the
   * first answer comes back with `duplicate: true`. False: a first transmission, always stored.
   */
  retry: boolean;
  /**
   * The key is kept with another digest: `refuse` the batch (`key-reused`, an HTTP client reusing a key), or
   * `replace` it (for keys a sender reuses once acknowledged, like MQTT packet ids), storing the batch.
   */
  reuse: 'refuse' | 'replace';
}

/** Options of {@link Store.appendSamples}. */
export interface AppendOptions {
  tenant?: string;
  receivedAt?: number;
  key?: IdempotencyKey;
  /**
   * The batch may have been stored before (an MQTT message with the DUP flag): when every one of its samples
   * is stored already — same thing, same generation time, same features — nothing is stored and the answer
   * is `duplicate`. Costs one look-up per such batch and nothing for the others.
   */
  redelivery?: boolean;
}

/**
 * The lease of a task attempt running on an agent, kept so that a restart can hold it again: when the agent
 * comes back before `leaseUntil` its result for `attempt` is taken; after, the task runs again under a new
 * attempt. One per task (a new attempt replaces the old one's).
 */
export interface LeaseRecord {
  requestId: string;
  taskId: string;
  attempt: number;
  node: string;
  /** Epoch ms. */
  assignedAt: number;
  /** Epoch ms. */
  leaseUntil: number;
}

export interface SampleQuery {
  thingId: string;
  /** Generation time bounds, inclusive. */
  since?: number;
  until?: number;
  /** Only samples carrying this feature. */
  feature?: string;
  /** Newest first when true (default false: oldest first). */
  newestFirst?: boolean;
  limit: number;
}

export type RequestState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
export type TaskState = 'pending' | 'ready' | 'assigned' | 'running' | 'done' | 'failed' | 'cancelled';

/** A submitted request: a DAG of tasks from a tenant. `spec` is the submitted body as accepted. */
export interface RequestRecord {
  id: string;
  tenant: string;
  /** The scenario workload it was submitted as, when submitted by name. */
  workload?: string;
  priority: number;
  state: RequestState;
  submittedAt: number;
  /** Absolute deadline, if any. */
  deadlineAt?: number;
  startedAt?: number;
  finishedAt?: number;
  spec: JsonObject;
  result?: Json;
  error?: string;
}

export interface TaskRecord {
  requestId: string;
  taskId: string;
  state: TaskState;
  /** The agent it was last assigned to. */
  node?: string;
  /** How many times it has been assigned (a re-dispatch after an agent loss adds one). */
  attempts: number;
  readyAt?: number;
  assignedAt?: number;
  startedAt?: number;
  finishedAt?: number;
  result?: Json;
  error?: string;
}

export interface RequestQuery {
  tenant?: string;
  state?: RequestState;
  limit: number;
  /** Requests are ordered by submission (`submittedAt`, then `id`). */
  after?: string;
}

export type RequestUpdate = Partial<
  Pick<RequestRecord, 'state' | 'startedAt' | 'finishedAt' | 'result' | 'error'>
>;
export type TaskUpdate = Partial<
  Pick<
    TaskRecord,
    'state' | 'node' | 'readyAt' | 'assignedAt' | 'startedAt' | 'finishedAt' | 'result' | 'error'
  >
> & {
  /** Count one more attempt (set with an assignment). */
  attempt?: boolean;
};

/** One entry of the scheduler's decision trace. */
export interface DecisionInput {
  time: number;
  /** What was decided: `assign`, `attention`, `refresh`, `reject`, … */
  kind: string;
  /** What it was about: a task (`requestId/taskId`), a twin (thingId) or a request id. */
  subject: string;
  node?: string;
  /** The explanation: candidates, scores, winner and runner-up. */
  detail: JsonObject;
}

export interface DecisionRecord extends DecisionInput {
  seq: number;
}

export interface DecisionQuery {
  subject?: string;
  kind?: string;
  /** Only decisions with `seq` greater than this. */
  afterSeq?: number;
  limit: number;
}

export type AgentStatus = 'connected' | 'disconnected';

export interface AgentRecord {
  id: string;
  kind: string;
  compute: number;
  attention: number;
  labels: Record<string, string>;
  status: AgentStatus;
  connectedAt: number;
  lastSeenAt: number;
}

/**
 * One revision of a security policy. The auth file is the bootstrap; every change made through the API is
 * appended here as the next revision, so the store holds the history and the newest revision wins on start.
 */
export interface PolicyRevision {
  policyId: string;
  /** 1, 2, … per policy (the policy's `ETag`) */
  revision: number;
  /** The owning tenant; absent for a platform policy. */
  tenant?: string;
  /** The policy document as accepted (Ditto-shaped). */
  doc: JsonObject;
  changedAt: number;
  /** The subject that made the change. */
  changedBy: string;
}

/** Which policy governs a tenant's things, as set through the API. */
export interface TenantPolicyRecord {
  tenant: string;
  policyId: string;
  changedAt: number;
  changedBy: string;
}

export interface PruneResult {
  samples: number;
}

export interface Store {
  /** `sqlite`, `postgres`, … */
  readonly kind: string;
  /** The schema version after migrations ran. */
  schemaVersion(): Promise<number>;
  /** Cheap round trip for readiness checks; throws when the store is unusable. */
  ping(): Promise<void>;
  close(): Promise<void>;

  getThing(thingId: string): Promise<Thing | undefined>;
  /** Create or replace a whole thing (respecting `condition`). */
  putThing(input: ThingInput, condition?: WriteCondition): Promise<ThingWrite>;
  /**
   * Read-modify-write of one thing in one transaction: `change` receives the current document and returns
   * the new one (or a refusal is returned without calling it). Used for JSON Merge Patch and twin refreshes.
   * `change` may throw to abort; the thing is then unchanged and the error propagates.
   */
  updateThing(
    thingId: string,
    change: (current: Thing) => ThingInput,
    condition?: WriteCondition,
  ): Promise<ThingWrite>;
  /** `ok: true` with the deleted thing; refusals as for writes. */
  deleteThing(thingId: string, condition?: WriteCondition): Promise<ThingWrite>;
  listThings(query: ThingQuery): Promise<Page<Thing>>;
  countThings(tenant?: string): Promise<number>;

  /**
   * Store a batch of samples atomically and durably: when the promise resolves, every sample survives a crash;
   * when a sample names an unknown thing (or a thing of another tenant, when `tenant` is given) none is stored.
   */
  appendSamples(samples: SampleInput[], options?: AppendOptions): Promise<SampleAppend>;
  listSamples(query: SampleQuery): Promise<Sample[]>;
  /** How many samples are stored (of one thing, when given). */
  countSamples(thingId?: string): Promise<number>;
  /** Drop samples that arrived before `now - retentionMs` (the store's retention window), and expired keys. */
  pruneSamples(now?: number): Promise<PruneResult>;

  /** Fails with `exists` (as `ok: false`) when the id is taken. */
  createRequest(
    request: RequestRecord,
    tasks: TaskRecord[],
  ): Promise<{ ok: true } | { ok: false; reason: 'exists' }>;
  getRequest(id: string): Promise<RequestRecord | undefined>;
  listRequests(query: RequestQuery): Promise<Page<RequestRecord>>;
  /** Returns the updated request, or undefined when it does not exist. */
  updateRequest(id: string, update: RequestUpdate): Promise<RequestRecord | undefined>;
  listTasks(requestId: string): Promise<TaskRecord[]>;
  /** Tasks in any of these states across all requests (recovery after a restart or an agent loss). */
  tasksInState(states: TaskState[], node?: string): Promise<TaskRecord[]>;
  updateTask(requestId: string, taskId: string, update: TaskUpdate): Promise<TaskRecord | undefined>;

  appendDecisions(decisions: DecisionInput[]): Promise<number[]>;
  listDecisions(query: DecisionQuery): Promise<DecisionRecord[]>;

  putAgent(agent: AgentRecord): Promise<void>;
  getAgent(id: string): Promise<AgentRecord | undefined>;
  listAgents(): Promise<AgentRecord[]>;
  /** Heartbeat or status change; returns false when the agent is unknown. */
  touchAgent(id: string, lastSeenAt: number, status?: AgentStatus): Promise<boolean>;

  /**
   * Appends a policy revision; `exists` (nothing written) when the policy already has this revision or a
   * later one: a concurrent change won, and the caller's view of the policy is stale.
   */
  appendPolicyRevision(revision: PolicyRevision): Promise<{ ok: true } | { ok: false; reason: 'exists' }>;
  /** The newest revision of every stored policy, ordered by id. */
  listPolicies(): Promise<PolicyRevision[]>;
  /** Every stored revision of one policy, oldest first. */
  policyHistory(policyId: string): Promise<PolicyRevision[]>;
  /** Sets (or replaces) the policy of a tenant's things. */
  putTenantPolicy(record: TenantPolicyRecord): Promise<void>;
  /** Every tenant's policy set through the API, ordered by tenant. */
  listTenantPolicies(): Promise<TenantPolicyRecord[]>;

  /** Writes leases (replacing each task's previous one) and ends others (only if still at that attempt). */
  writeLeases(
    put: LeaseRecord[],
    end: { requestId: string; taskId: string; attempt: number }[],
  ): Promise<void>;
  /** Every kept lease, by request and task. */
  listLeases(): Promise<LeaseRecord[]>;

  /** A small named state of the service (forecaster snapshot, boot counter), or undefined. */
  getState(key: string): Promise<Json | undefined>;
  putState(key: string, value: Json): Promise<void>;

  /**
   * The newest `limit` requests (of one tenant, when given), newest first: by submission (`submittedAt`,
   * then `id`), the reverse of {@link Store.listRequests}'s order; read along the same index.
   */
  newestRequests(query: { tenant?: string; limit: number }): Promise<RequestRecord[]>;
}

/** Options shared by every store implementation. */
export interface StoreOptions {
  /** How long raw samples are kept after they arrive. Default 7 days. */
  retentionMs?: number;
  /** How long an idempotency key of a sample batch is kept. Default 24 hours. */
  keyTtlMs?: number;
}

export const DEFAULT_KEY_TTL_MS = 24 * 3600 * 1000;

export const DEFAULT_RETENTION_MS = 7 * 24 * 3600 * 1000;

/**
 * What a kept idempotency key says about a batch (both stores): undefined to store it, else the answer
 * without storing (the first answer again for a retry, `key-reused` for another batch under a refused key).
 */
export function keptVerdict(
  key: IdempotencyKey,
  kept: { digest: string; result: string } | undefined,
): SampleAppend | undefined {
  if (!kept) return undefined;
  if (kept.digest === key.digest) {
    if (!key.retry) return undefined;
    return { ...(JSON.parse(kept.result) as SampleAppend & { ok: true }), duplicate: true };
  }
  return key.reuse === 'refuse' ? { ok: false, index: 0, reason: 'key-reused' } : undefined;
}

/** A stored lease row (snake_case columns) as a record. */
export function leaseFromRow(r: Record<string, unknown>): LeaseRecord {
  return {
    requestId: r.request_id as string,
    taskId: r.task_id as string,
    attempt: Number(r.attempt),
    node: r.node as string,
    assignedAt: Number(r.assigned_at),
    leaseUntil: Number(r.lease_until),
  };
}
