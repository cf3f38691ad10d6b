/** The SQLite store's fixed statements, prepared once when it opens. */
import type Database from 'better-sqlite3';

export type StatementName =
  | 'getThing'
  | 'thingTenant'
  | 'insertThing'
  | 'updateThing'
  | 'deleteThing'
  | 'countAll'
  | 'countTenant'
  | 'insertSample'
  | 'countSamples'
  | 'countThingSamples'
  | 'pruneSamples'
  | 'insertRequest'
  | 'getRequest'
  | 'insertTask'
  | 'listTasks'
  | 'getTask'
  | 'insertDecision'
  | 'putAgent'
  | 'getAgent'
  | 'listAgents'
  | 'touchAgent'
  | 'findSample'
  | 'getKey'
  | 'putKey'
  | 'pruneKeys'
  | 'putLease'
  | 'endLease'
  | 'listLeases'
  | 'getState'
  | 'putState';
export type Statements = Record<StatementName, Database.Statement>;

export function prepareStatements(db: Database.Database): Statements {
  return {
    getThing: db.prepare('SELECT * FROM things WHERE thing_id = ?'),
    thingTenant: db.prepare('SELECT tenant FROM things WHERE thing_id = ?').pluck(),
    insertThing: db.prepare(
      `INSERT INTO things (thing_id, tenant, revision, created_at, modified_at, source_time, doc)
       VALUES (@thingId, @tenant, 1, @now, @now, @sourceTime, @doc)`,
    ),
    updateThing: db.prepare(
      `UPDATE things SET tenant = @tenant, revision = revision + 1, modified_at = @now,
         source_time = coalesce(@sourceTime, source_time), doc = @doc WHERE thing_id = @thingId`,
    ),
    deleteThing: db.prepare('DELETE FROM things WHERE thing_id = ?'),
    countAll: db.prepare('SELECT count(*) FROM things').pluck(),
    countTenant: db.prepare('SELECT count(*) FROM things WHERE tenant = ?').pluck(),
    insertSample: db.prepare(
      'INSERT INTO samples (thing_id, tenant, time, received_at, features) VALUES (?, ?, ?, ?, ?)',
    ),
    countSamples: db.prepare('SELECT count(*) FROM samples').pluck(),
    countThingSamples: db.prepare('SELECT count(*) FROM samples WHERE thing_id = ?').pluck(),
    // Arrival order is seq order, so the rows to drop are a prefix of the table: no index on time needed.
    pruneSamples: db.prepare(
      `DELETE FROM samples WHERE seq < coalesce(
         (SELECT seq FROM samples WHERE received_at >= ? ORDER BY seq LIMIT 1),
         (SELECT max(seq) + 1 FROM samples))`,
    ),
    insertRequest: db.prepare(
      `INSERT OR IGNORE INTO requests (id, tenant, workload, priority, state, submitted_at, deadline_at,
         started_at, finished_at, spec, result, error)
       VALUES (@id, @tenant, @workload, @priority, @state, @submittedAt, @deadlineAt, @startedAt, @finishedAt,
         @spec, @result, @error)`,
    ),
    getRequest: db.prepare('SELECT * FROM requests WHERE id = ?'),
    insertTask: db.prepare(
      `INSERT INTO tasks (request_id, task_id, position, state, node, attempts, ready_at, assigned_at, started_at,
         finished_at, result, error)
       VALUES (@requestId, @taskId, @position, @state, @node, @attempts, @readyAt, @assignedAt, @startedAt, @finishedAt,
         @result, @error)`,
    ),
    listTasks: db.prepare('SELECT * FROM tasks WHERE request_id = ? ORDER BY position'),
    getTask: db.prepare('SELECT * FROM tasks WHERE request_id = ? AND task_id = ?'),
    insertDecision: db.prepare(
      'INSERT INTO decisions (time, kind, subject, node, detail) VALUES (?, ?, ?, ?, ?)',
    ),
    putAgent: db.prepare(
      `INSERT INTO agents (id, kind, compute, attention, labels, status, connected_at, last_seen_at)
       VALUES (@id, @kind, @compute, @attention, @labels, @status, @connectedAt, @lastSeenAt)
       ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, compute = excluded.compute,
         attention = excluded.attention, labels = excluded.labels, status = excluded.status,
         connected_at = excluded.connected_at, last_seen_at = excluded.last_seen_at`,
    ),
    getAgent: db.prepare('SELECT * FROM agents WHERE id = ?'),
    listAgents: db.prepare('SELECT * FROM agents ORDER BY id'),
    touchAgent: db.prepare('UPDATE agents SET last_seen_at = ?, status = coalesce(?, status) WHERE id = ?'),
    findSample: db
      .prepare('SELECT min(seq) FROM samples WHERE thing_id = ? AND time = ? AND features = ?')
      .pluck(),
    getKey: db.prepare('SELECT digest, result FROM ingest_keys WHERE key = ? AND expires_at > ?'),
    putKey: db.prepare(
      `INSERT INTO ingest_keys (key, digest, expires_at, result) VALUES (?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET digest = excluded.digest, expires_at = excluded.expires_at,
         result = excluded.result`,
    ),
    pruneKeys: db.prepare('DELETE FROM ingest_keys WHERE expires_at <= ?'),
    putLease: db.prepare(
      `INSERT INTO leases (request_id, task_id, attempt, node, assigned_at, lease_until)
       VALUES (@requestId, @taskId, @attempt, @node, @assignedAt, @leaseUntil)
       ON CONFLICT (request_id, task_id) DO UPDATE SET attempt = excluded.attempt, node = excluded.node,
         assigned_at = excluded.assigned_at, lease_until = excluded.lease_until`,
    ),
    endLease: db.prepare('DELETE FROM leases WHERE request_id = ? AND task_id = ? AND attempt = ?'),
    listLeases: db.prepare('SELECT * FROM leases ORDER BY request_id, task_id'),
    getState: db.prepare('SELECT value FROM service_state WHERE key = ?').pluck(),
    putState: db.prepare(
      `INSERT INTO service_state (key, value, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    ),
  };
}
