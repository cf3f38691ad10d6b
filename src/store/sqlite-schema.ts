/**
 * The SQLite schema as numbered migrations. `PRAGMA user_version` holds the number of migrations applied; on
 * open every later one runs in its own transaction. Append new migrations; never edit a released one.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: the first live schema
  `
  CREATE TABLE things (
    thing_id    TEXT PRIMARY KEY,
    tenant      TEXT NOT NULL,
    revision    INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    modified_at INTEGER NOT NULL,
    source_time REAL,
    doc         TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX things_tenant ON things (tenant, thing_id);

  CREATE TABLE samples (
    seq         INTEGER PRIMARY KEY,
    thing_id    TEXT NOT NULL,
    tenant      TEXT NOT NULL,
    time        REAL NOT NULL,
    received_at INTEGER NOT NULL,
    features    TEXT NOT NULL
  );
  CREATE INDEX samples_thing_time ON samples (thing_id, time);

  CREATE TABLE requests (
    id           TEXT PRIMARY KEY,
    tenant       TEXT NOT NULL,
    workload     TEXT,
    priority     REAL NOT NULL,
    state        TEXT NOT NULL,
    submitted_at INTEGER NOT NULL,
    deadline_at  INTEGER,
    started_at   INTEGER,
    finished_at  INTEGER,
    spec         TEXT NOT NULL,
    result       TEXT,
    error        TEXT
  );
  CREATE INDEX requests_order ON requests (submitted_at, id);
  CREATE INDEX requests_state ON requests (state, submitted_at, id);

  CREATE TABLE tasks (
    request_id  TEXT NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    task_id     TEXT NOT NULL,
    position    INTEGER NOT NULL,
    state       TEXT NOT NULL,
    node        TEXT,
    attempts    INTEGER NOT NULL,
    ready_at    INTEGER,
    assigned_at INTEGER,
    started_at  INTEGER,
    finished_at INTEGER,
    result      TEXT,
    error       TEXT,
    PRIMARY KEY (request_id, task_id)
  ) WITHOUT ROWID;
  CREATE INDEX tasks_state ON tasks (state, node);

  CREATE TABLE decisions (
    seq     INTEGER PRIMARY KEY,
    time    REAL NOT NULL,
    kind    TEXT NOT NULL,
    subject TEXT NOT NULL,
    node    TEXT,
    detail  TEXT NOT NULL
  );
  CREATE INDEX decisions_subject ON decisions (subject, seq);

  CREATE TABLE agents (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    compute      REAL NOT NULL,
    attention    REAL NOT NULL,
    labels       TEXT NOT NULL,
    status       TEXT NOT NULL,
    connected_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
  // 2: security policies changed through the API (every revision) and tenants' policies (docs/security.md)
  `
  CREATE TABLE policies (
    policy_id  TEXT NOT NULL,
    revision   INTEGER NOT NULL,
    tenant     TEXT,
    changed_at INTEGER NOT NULL,
    changed_by TEXT NOT NULL,
    doc        TEXT NOT NULL,
    PRIMARY KEY (policy_id, revision)
  ) WITHOUT ROWID;

  CREATE TABLE tenant_policies (
    tenant     TEXT PRIMARY KEY,
    policy_id  TEXT NOT NULL,
    changed_at INTEGER NOT NULL,
    changed_by TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
  // 3: task leases, idempotency keys of sample batches, named service state (restart resumes them)
  `
  CREATE TABLE leases (
    request_id  TEXT NOT NULL,
    task_id     TEXT NOT NULL,
    attempt     INTEGER NOT NULL,
    node        TEXT NOT NULL,
    assigned_at INTEGER NOT NULL,
    lease_until INTEGER NOT NULL,
    PRIMARY KEY (request_id, task_id)
  ) WITHOUT ROWID;

  CREATE TABLE ingest_keys (
    key        TEXT PRIMARY KEY,
    digest     TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    result     TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX ingest_keys_expiry ON ingest_keys (expires_at);

  CREATE TABLE service_state (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
];
