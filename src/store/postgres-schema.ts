/**
 * The PostgreSQL schema as numbered migrations, recorded in `ars_schema_migrations` (one row per applied
 * version). On open every missing one runs in its own transaction under an advisory lock, so replicas that
 * start together migrate once. Append new migrations; never edit a released one.
 *
 * Text keys are `COLLATE "C"` so that paging order is byte order, as in the SQLite store. Documents are `json`
 * (kept exactly as written); filters cast the part they read to `jsonb`. Times in milliseconds are `bigint`
 * (read back as numbers), generation times `double precision` as in SQLite's REAL.
 */
export const PG_MIGRATIONS: readonly string[] = [
  // 1: the first live schema, the same tables as the SQLite store's migration 1
  `
  CREATE TABLE things (
    thing_id    text COLLATE "C" PRIMARY KEY,
    tenant      text COLLATE "C" NOT NULL,
    revision    integer NOT NULL,
    created_at  bigint NOT NULL,
    modified_at bigint NOT NULL,
    source_time double precision,
    doc         json NOT NULL
  );
  CREATE INDEX things_tenant ON things (tenant, thing_id);

  CREATE TABLE samples (
    seq         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    thing_id    text COLLATE "C" NOT NULL,
    tenant      text COLLATE "C" NOT NULL,
    time        double precision NOT NULL,
    received_at bigint NOT NULL,
    features    json NOT NULL
  );
  CREATE INDEX samples_thing_time ON samples (thing_id, time);

  CREATE TABLE requests (
    id           text COLLATE "C" PRIMARY KEY,
    tenant       text COLLATE "C" NOT NULL,
    workload     text,
    priority     double precision NOT NULL,
    state        text NOT NULL,
    submitted_at bigint NOT NULL,
    deadline_at  bigint,
    started_at   bigint,
    finished_at  bigint,
    spec         json NOT NULL,
    result       json,
    error        text
  );
  CREATE INDEX requests_order ON requests (submitted_at, id);
  CREATE INDEX requests_state ON requests (state, submitted_at, id);

  CREATE TABLE tasks (
    request_id  text COLLATE "C" NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    task_id     text COLLATE "C" NOT NULL,
    position    integer NOT NULL,
    state       text NOT NULL,
    node        text,
    attempts    integer NOT NULL,
    ready_at    bigint,
    assigned_at bigint,
    started_at  bigint,
    finished_at bigint,
    result      json,
    error       text,
    PRIMARY KEY (request_id, task_id)
  );
  CREATE INDEX tasks_state ON tasks (state, node);

  CREATE TABLE decisions (
    seq     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    time    double precision NOT NULL,
    kind    text NOT NULL,
    subject text COLLATE "C" NOT NULL,
    node    text,
    detail  json NOT NULL
  );
  CREATE INDEX decisions_subject ON decisions (subject, seq);

  CREATE TABLE agents (
    id           text COLLATE "C" PRIMARY KEY,
    kind         text NOT NULL,
    compute      double precision NOT NULL,
    attention    double precision NOT NULL,
    labels       json NOT NULL,
    status       text NOT NULL,
    connected_at bigint NOT NULL,
    last_seen_at bigint NOT NULL
  );
  `,
  // 2: security policies changed through the API (every revision) and tenants' policies (docs/security.md)
  `
  CREATE TABLE policies (
    policy_id  text COLLATE "C" NOT NULL,
    revision   integer NOT NULL,
    tenant     text COLLATE "C",
    changed_at bigint NOT NULL,
    changed_by text NOT NULL,
    doc        json NOT NULL,
    PRIMARY KEY (policy_id, revision)
  );

  CREATE TABLE tenant_policies (
    tenant     text COLLATE "C" PRIMARY KEY,
    policy_id  text COLLATE "C" NOT NULL,
    changed_at bigint NOT NULL,
    changed_by text NOT NULL
  );
  `,
  // 3: task leases, idempotency keys of sample batches, named service state (restart resumes them)
  `
  CREATE TABLE leases (
    request_id  text COLLATE "C" NOT NULL,
    task_id     text COLLATE "C" NOT NULL,
    attempt     bigint NOT NULL,
    node        text NOT NULL,
    assigned_at bigint NOT NULL,
    lease_until bigint NOT NULL,
    PRIMARY KEY (request_id, task_id)
  );

  CREATE TABLE ingest_keys (
    key        text COLLATE "C" PRIMARY KEY,
    digest     text NOT NULL,
    expires_at bigint NOT NULL,
    result     json NOT NULL
  );
  CREATE INDEX ingest_keys_expiry ON ingest_keys (expires_at);

  CREATE TABLE service_state (
    key        text COLLATE "C" PRIMARY KEY,
    value      json NOT NULL,
    updated_at bigint NOT NULL
  );
  `,
];
