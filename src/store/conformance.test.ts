/**
 * The conformance suite every store passes: revisions and write preconditions, merge-style updates, the
 * filter language and keyset paging, atomic sample batches, retention, requests and tasks with attempts, the
 * decision trace, agents, and state that survives closing and reopening. A new store (PostgreSQL) adds one
 * entry to `stores` below and is checked without further work.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidCursorError } from './cursor.js';
import { openPostgresStore } from './postgres.js';
import { openSqliteStore } from './sqlite.js';
import type { Store, ThingFilter, ThingInput } from './store.js';

interface StoreFactory {
  name: string;
  /** Opens a store on an empty location; `reopen` opens the same location again (undefined: not persistent). */
  create(
    retentionMs?: number,
  ):
    | Promise<{ store: Store; reopen?: () => Store | Promise<Store> }>
    | { store: Store; reopen?: () => Store };
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const stores: StoreFactory[] = [
  {
    name: 'sqlite :memory:',
    create: (retentionMs) => ({ store: openSqliteStore({ path: ':memory:', retentionMs }) }),
  },
  {
    name: 'sqlite file',
    create: (retentionMs) => {
      const dir = mkdtempSync(join(tmpdir(), 'ars-store-'));
      dirs.push(dir);
      const path = join(dir, 'nested', 'ars.db');
      return {
        store: openSqliteStore({ path, retentionMs }),
        reopen: () => openSqliteStore({ path, retentionMs }),
      };
    },
  },
];

// PostgreSQL at ARS_TEST_PG_URL: every store of this run gets its own schema, dropped at the end, so that
// parallel runs never see each other's rows.
const PG_URL = process.env.ARS_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const pgReachable = await (async () => {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch (error) {
    console.warn(
      `conformance: PostgreSQL store skipped, ${PG_URL} unreachable (${(error as Error).message}); set ARS_TEST_PG_URL`,
    );
    return false;
  }
})();
const pgSchemas: string[] = [];
const runTag = `ars_t${process.pid}_${Date.now().toString(36)}`;
if (pgReachable) {
  stores.push({
    name: 'postgres',
    create: async (retentionMs) => {
      const schema = `${runTag}_${pgSchemas.length}`;
      pgSchemas.push(schema);
      const options = { url: PG_URL, schema, retentionMs, poolSize: 4 };
      return { store: await openPostgresStore(options), reopen: () => openPostgresStore(options) };
    },
  });
  afterAll(async () => {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    for (const schema of pgSchemas) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  });
}

const thing = (thingId: string, extra: Partial<ThingInput> = {}): ThingInput => ({
  thingId,
  tenant: 'acme',
  attributes: {},
  features: {},
  ...extra,
});

describe.each(stores)('store $name', (factory) => {
  let store: Store;
  let reopen: (() => Store | Promise<Store>) | undefined;
  beforeEach(async () => {
    ({ store, reopen } = await factory.create(60_000));
  });
  afterEach(async () => {
    await store.close();
  });

  it('migrates an empty location to the current schema and answers ping', async () => {
    expect(await store.schemaVersion()).toBeGreaterThanOrEqual(1);
    await expect(store.ping()).resolves.toBeUndefined();
  });

  it('creates a thing at revision 1 and bumps the revision on every write', async () => {
    const created = await store.putThing(thing('plant:press-1', { attributes: { site: 'north' } }), {
      now: 1000,
    });
    expect(created).toMatchObject({
      ok: true,
      created: true,
      thing: { revision: 1, createdAt: 1000, sourceTime: null },
    });
    const replaced = await store.putThing(thing('plant:press-1', { attributes: { site: 'south' } }), {
      now: 2000,
    });
    expect(replaced).toMatchObject({
      ok: true,
      created: false,
      thing: { revision: 2, createdAt: 1000, modifiedAt: 2000, attributes: { site: 'south' } },
    });
    expect(await store.getThing('plant:press-1')).toEqual(replaced.ok ? replaced.thing : undefined);
    expect(await store.getThing('plant:nope')).toBeUndefined();
  });

  it('refuses writes whose precondition fails and leaves the thing unchanged', async () => {
    await store.putThing(thing('plant:a'));
    expect(await store.putThing(thing('plant:a'), { mustNotExist: true })).toMatchObject({
      ok: false,
      reason: 'exists',
      current: { revision: 1 },
    });
    expect(await store.putThing(thing('plant:a'), { expectedRevision: 7 })).toMatchObject({
      ok: false,
      reason: 'revision-mismatch',
      current: { revision: 1 },
    });
    expect(await store.putThing(thing('plant:b'), { mustExist: true })).toEqual({
      ok: false,
      reason: 'not-found',
    });
    expect(await store.putThing(thing('plant:a'), { expectedRevision: 1 })).toMatchObject({
      ok: true,
      thing: { revision: 2 },
    });
    expect(await store.getThing('plant:b')).toBeUndefined();
  });

  it('updates a thing read-modify-write, sets the source time, and aborts when the change throws', async () => {
    await store.putThing(thing('plant:t', { features: { temp: { properties: { value: 20 } } } }));
    const refreshed = await store.updateThing(
      'plant:t',
      (t) => ({ ...t, features: { temp: { properties: { value: 21.5 } } } }),
      { sourceTime: 5000, expectedRevision: 1 },
    );
    expect(refreshed).toMatchObject({ ok: true, thing: { revision: 2, sourceTime: 5000 } });
    // A later write without a source time keeps the one the state reflects.
    const touched = await store.updateThing('plant:t', (t) => ({ ...t, attributes: { x: 1 } }));
    expect(touched).toMatchObject({
      ok: true,
      thing: { revision: 3, sourceTime: 5000, attributes: { x: 1 } },
    });
    await expect(
      store.updateThing('plant:t', () => {
        throw new Error('handler failed');
      }),
    ).rejects.toThrow('handler failed');
    expect((await store.getThing('plant:t'))?.revision).toBe(3);
    expect(await store.updateThing('plant:none', (t) => t)).toEqual({ ok: false, reason: 'not-found' });
    expect(await store.updateThing('plant:t', (t) => t, { expectedRevision: 1 })).toMatchObject({
      reason: 'revision-mismatch',
    });
  });

  it('serialises concurrent writers: one create wins, every update counts, If-Match lets one through', async () => {
    const creates = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        store.putThing(thing('plant:race', { attributes: { i } }), { mustNotExist: true }),
      ),
    );
    expect(creates.filter((w) => w.ok)).toHaveLength(1);
    expect(creates.filter((w) => !w.ok && w.reason === 'exists')).toHaveLength(7);
    const updates = await Promise.all(
      Array.from({ length: 8 }, () =>
        store.updateThing('plant:race', (t) => ({
          ...t,
          attributes: { n: Number(t.attributes.n ?? 0) + 1 },
        })),
      ),
    );
    expect(updates.every((w) => w.ok)).toBe(true);
    expect(await store.getThing('plant:race')).toMatchObject({ revision: 9, attributes: { n: 8 } });
    const conditional = await Promise.all(
      Array.from({ length: 8 }, () => store.putThing(thing('plant:race'), { expectedRevision: 9 })),
    );
    expect(conditional.filter((w) => w.ok)).toHaveLength(1);
    expect((await store.getThing('plant:race'))?.revision).toBe(10);
  });

  it('deletes with preconditions', async () => {
    await store.putThing(thing('plant:d'));
    expect(await store.deleteThing('plant:d', { expectedRevision: 2 })).toMatchObject({
      reason: 'revision-mismatch',
    });
    expect(await store.deleteThing('plant:d')).toMatchObject({ ok: true, thing: { thingId: 'plant:d' } });
    expect(await store.deleteThing('plant:d')).toEqual({ ok: false, reason: 'not-found' });
  });

  it('filters things with every operator and pages through them with cursors', async () => {
    for (let i = 0; i < 25; i++) {
      await store.putThing(
        thing(`plant:m-${String(i).padStart(2, '0')}`, {
          tenant: i % 5 === 0 ? 'other' : 'acme',
          attributes: {
            index: i,
            line: i < 10 ? 'line-1' : 'line-2',
            hot: i % 2 === 0,
            ...(i === 3 ? { tag: null } : {}),
          },
          features: { temp: { properties: { value: 20 + i / 2 } } },
        }),
      );
    }
    const ids = async (filter: ThingFilter, tenant?: string) =>
      (await store.listThings({ filter, limit: 100, ...(tenant ? { tenant } : {}) })).items.map((t) =>
        Number(t.thingId.slice(-2)),
      );
    expect(await ids({ op: 'eq', path: 'attributes/index', value: 3 })).toEqual([3]);
    expect((await ids({ op: 'ne', path: 'attributes/line', value: 'line-2' })).length).toBe(10);
    expect(await ids({ op: 'gt', path: 'attributes/index', value: 22 })).toEqual([23, 24]);
    expect(await ids({ op: 'lt', path: 'features/temp/properties/value', value: 21 })).toEqual([0, 1]);
    expect(await ids({ op: 'ge', path: 'attributes/index', value: 24 })).toEqual([24]);
    expect(await ids({ op: 'le', path: 'attributes/index', value: 0 })).toEqual([0]);
    expect(await ids({ op: 'in', path: 'attributes/index', values: [1, 4, 99] })).toEqual([1, 4]);
    expect(await ids({ op: 'like', path: 'thingId', pattern: 'plant:m-1?' })).toHaveLength(10);
    expect(await ids({ op: 'like', path: 'attributes/line', pattern: '*-1' })).toHaveLength(10);
    expect(await ids({ op: 'eq', path: 'attributes/hot', value: true })).toHaveLength(13);
    expect(await ids({ op: 'eq', path: 'attributes/tag', value: null })).toEqual([3]);
    expect(await ids({ op: 'exists', path: 'attributes/tag' })).toEqual([3]);
    // A number comparison never matches a string, and a missing property never matches gt/lt.
    expect(await ids({ op: 'gt', path: 'attributes/line', value: 0 })).toEqual([]);
    expect(await ids({ op: 'gt', path: 'attributes/absent', value: 0 })).toEqual([]);
    expect(
      await ids({
        op: 'and',
        filters: [
          { op: 'eq', path: 'attributes/line', value: 'line-1' },
          { op: 'not', filter: { op: 'eq', path: 'attributes/hot', value: true } },
        ],
      }),
    ).toEqual([1, 3, 5, 7, 9]);
    expect(
      await ids({
        op: 'or',
        filters: [
          { op: 'eq', path: 'attributes/index', value: 2 },
          { op: 'eq', path: 'tenant', value: 'other' },
        ],
      }),
    ).toEqual([0, 2, 5, 10, 15, 20]);
    expect(await ids({ op: 'gt', path: 'attributes/index', value: 18 }, 'other')).toEqual([20]);
    // A filter made of quotes and SQL text is data, not SQL.
    expect(await ids({ op: 'eq', path: "attributes/x'); DROP TABLE things; --", value: "'" })).toEqual([]);
    expect(await store.countThings()).toBe(25);
    expect(await store.countThings('other')).toBe(5);

    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await store.listThings({ tenant: 'acme', limit: 7, ...(after ? { after } : {}) });
      seen.push(...page.items.map((t) => t.thingId));
      after = page.next;
      pages++;
    } while (after);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(20);
    expect([...seen].sort()).toEqual(seen);
    await expect(store.listThings({ limit: 5, after: 'not-a-cursor' })).rejects.toBeInstanceOf(
      InvalidCursorError,
    );
  });

  it('stores sample batches atomically, in order, and refuses a batch naming an unknown thing', async () => {
    await store.putThing(thing('plant:s1'));
    await store.putThing(thing('plant:s2', { tenant: 'other' }));
    const ok = await store.appendSamples(
      [
        { thingId: 'plant:s1', time: 1000, features: { temp: { value: 20 } } },
        { thingId: 'plant:s1', time: 2000, features: { temp: { value: 21 }, vib: { rms: 0.3 } } },
      ],
      { receivedAt: 2500 },
    );
    expect(ok).toMatchObject({ ok: true, stored: 2 });
    expect(
      await store.appendSamples([
        { thingId: 'plant:s1', time: 3000, features: { temp: { value: 22 } } },
        { thingId: 'plant:ghost', time: 3000, features: { temp: { value: 0 } } },
      ]),
    ).toEqual({ ok: false, index: 1, reason: 'unknown-thing' });
    expect(
      await store.appendSamples([{ thingId: 'plant:s2', time: 3000, features: {} }], { tenant: 'acme' }),
    ).toEqual({ ok: false, index: 0, reason: 'tenant-mismatch' });
    const samples = await store.listSamples({ thingId: 'plant:s1', limit: 10 });
    expect(samples.map((s) => s.time)).toEqual([1000, 2000]);
    expect(samples[1]).toMatchObject({ tenant: 'acme', receivedAt: 2500, features: { vib: { rms: 0.3 } } });
    expect(
      (await store.listSamples({ thingId: 'plant:s1', feature: 'vib', limit: 10 })).map((s) => s.time),
    ).toEqual([2000]);
    expect(
      (await store.listSamples({ thingId: 'plant:s1', newestFirst: true, limit: 1 })).map((s) => s.time),
    ).toEqual([2000]);
    expect(
      (await store.listSamples({ thingId: 'plant:s1', since: 1500, until: 2500, limit: 5 })).length,
    ).toBe(1);
  });

  it('settles concurrent batches independently: a bad batch does not sink the good ones', async () => {
    await store.putThing(thing('plant:c'));
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.appendSamples([
          { thingId: i === 7 ? 'plant:ghost' : 'plant:c', time: i, features: { v: { x: i } } },
        ]),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(19);
    expect(results[7]).toMatchObject({ ok: false, reason: 'unknown-thing' });
    expect(await store.listSamples({ thingId: 'plant:c', limit: 100 })).toHaveLength(19);
  });

  it('stores a batch once per idempotency key: a retry answers as the first, another batch is refused', async () => {
    await store.putThing(thing('plant:k'));
    const batch = [{ thingId: 'plant:k', time: 1, features: { v: { x: 1 } } }];
    const key = { key: 'http:acme:k1', digest: 'd1', retry: true, reuse: 'refuse' as const };
    const first = await store.appendSamples(batch, { key, receivedAt: 1000 });
    expect(first).toMatchObject({ ok: true, stored: 1 });
    const again = await store.appendSamples(batch, { key, receivedAt: 2000 });
    expect(again).toEqual({ ...first, duplicate: true });
    // concurrent retries in one group commit: stored once
    const burst = await Promise.all(
      Array.from({ length: 5 }, () =>
        store.appendSamples(batch, { key: { ...key, key: 'http:acme:k2' }, receivedAt: 3000 }),
      ),
    );
    expect(burst.filter((r) => r.ok && !r.duplicate)).toHaveLength(1);
    expect(burst.every((r) => r.ok && r.firstSeq === (burst[0] as { firstSeq: number }).firstSeq)).toBe(true);
    expect(await store.appendSamples(batch, { key: { ...key, digest: 'other' }, receivedAt: 3000 })).toEqual({
      ok: false,
      index: 0,
      reason: 'key-reused',
    });
    // a key another sender reuses once acknowledged: a first transmission is stored and moves the key
    const reused = { key: 'k:7', digest: 'a', retry: false, reuse: 'replace' as const };
    await store.appendSamples(batch, { key: reused, receivedAt: 3000 });
    await store.appendSamples(batch, { key: { ...reused, retry: true }, receivedAt: 3000 });
    await store.appendSamples(batch, { key: { ...reused, digest: 'b', retry: true }, receivedAt: 3000 });
    // the first batch, the burst's one, then two of the three under k:7 (the retry of the same content is not)
    expect(await store.countSamples('plant:k')).toBe(4);
    // keys expire with the store's key window and are pruned
    await store.pruneSamples(3000 + 25 * 3600 * 1000);
    expect(await store.appendSamples(batch, { key, receivedAt: 3000 + 25 * 3600 * 1000 })).toMatchObject({
      ok: true,
      stored: 1,
    });
  });

  it('stores a redelivered batch once when every sample of it is stored already', async () => {
    await store.putThing(thing('plant:d'));
    const a = [
      { thingId: 'plant:d', time: 10, features: { t: { v: 1 } } },
      { thingId: 'plant:d', time: 20, features: { t: { v: 2 } } },
    ];
    const first = await store.appendSamples(a);
    const again = await store.appendSamples(a, { redelivery: true });
    expect(again).toEqual({ ...first, duplicate: true });
    // a redelivery of something never stored, or only partly, is stored whole
    const b = [...a.slice(1), { thingId: 'plant:d', time: 30, features: { t: { v: 3 } } }];
    expect(await store.appendSamples(b, { redelivery: true })).toMatchObject({ ok: true, stored: 2 });
    expect((await store.appendSamples(b, { redelivery: true })) as { duplicate?: boolean }).toMatchObject({
      duplicate: true,
    });
    // the same time with other values is another sample; a first transmission is always stored
    await store.appendSamples([{ thingId: 'plant:d', time: 10, features: { t: { v: 9 } } }], {
      redelivery: true,
    });
    await store.appendSamples(a.slice(0, 1));
    expect(await store.countSamples('plant:d')).toBe(2 + 2 + 1 + 1);
    // the owners are checked first
    expect(
      await store.appendSamples([{ ...a[0]!, thingId: 'plant:none' }], { redelivery: true }),
    ).toMatchObject({
      ok: false,
      reason: 'unknown-thing',
    });
  });

  it('keeps task leases (one per task, ended only at their attempt) and named state', async () => {
    const lease = (taskId: string, attempt: number) => ({
      requestId: 'r-1',
      taskId,
      attempt,
      node: 'n1',
      assignedAt: 1000,
      leaseUntil: 5000 + attempt,
    });
    await store.writeLeases([lease('a', 4_294_967_296), lease('b', 2)], []);
    await store.writeLeases([lease('b', 3)], [{ requestId: 'r-1', taskId: 'a', attempt: 1 }]);
    expect(await store.listLeases()).toEqual([lease('a', 4_294_967_296), lease('b', 3)]);
    await store.writeLeases([], [{ requestId: 'r-1', taskId: 'a', attempt: 4_294_967_296 }]);
    expect(await store.listLeases()).toEqual([lease('b', 3)]);
    expect(await store.getState('forecasts')).toBeUndefined();
    await store.putState('forecasts', { keys: { a: [1, 2.5] } });
    await store.putState('boot', 3);
    expect(await store.getState('forecasts')).toEqual({ keys: { a: [1, 2.5] } });
    expect(await store.getState('boot')).toBe(3);
  });

  it('prunes samples that arrived before the retention window', async () => {
    await store.putThing(thing('plant:r'));
    for (const receivedAt of [0, 50_000, 100_000]) {
      await store.appendSamples([{ thingId: 'plant:r', time: receivedAt - 10, features: {} }], {
        receivedAt,
      });
    }
    expect(await store.countSamples()).toBe(3);
    expect(await store.pruneSamples(100_000)).toEqual({ samples: 1 });
    expect(await store.countSamples('plant:r')).toBe(2);
    expect(await store.countSamples('plant:none')).toBe(0);
    expect((await store.listSamples({ thingId: 'plant:r', limit: 10 })).map((s) => s.receivedAt)).toEqual([
      50_000, 100_000,
    ]);
    expect(await store.pruneSamples(1_000_000)).toEqual({ samples: 2 });
    expect(await store.pruneSamples(1_000_000)).toEqual({ samples: 0 });
  });

  it('keeps requests and tasks with their states and counts attempts', async () => {
    const base = { tenant: 'acme', priority: 1, state: 'queued' as const, spec: { tasks: [{ id: 'a' }] } };
    for (let i = 0; i < 5; i++) {
      expect(
        await store.createRequest({ ...base, id: `r${i}`, submittedAt: 100 + (i % 2), deadlineAt: 900 }, [
          { requestId: `r${i}`, taskId: 'a', state: 'ready', attempts: 0 },
          { requestId: `r${i}`, taskId: 'b', state: 'pending', attempts: 0 },
        ]),
      ).toEqual({ ok: true });
    }
    expect(await store.createRequest({ ...base, id: 'r0', submittedAt: 1 }, [])).toEqual({
      ok: false,
      reason: 'exists',
    });
    expect(await store.getRequest('r0')).toMatchObject({ id: 'r0', deadlineAt: 900, spec: base.spec });
    expect(await store.getRequest('zz')).toBeUndefined();

    const order: string[] = [];
    let after: string | undefined;
    do {
      const page = await store.listRequests({ limit: 2, ...(after ? { after } : {}) });
      order.push(...page.items.map((r) => r.id));
      after = page.next;
    } while (after);
    expect(order).toEqual(['r0', 'r2', 'r4', 'r1', 'r3']);

    await store.updateTask('r1', 'a', { state: 'assigned', node: 'edge-1', assignedAt: 200, attempt: true });
    await store.updateTask('r1', 'a', { state: 'assigned', node: 'edge-2', assignedAt: 300, attempt: true });
    const done = await store.updateTask('r1', 'a', {
      state: 'done',
      finishedAt: 400,
      result: { answer: 42 },
    });
    expect(done).toMatchObject({ state: 'done', node: 'edge-2', attempts: 2, result: { answer: 42 } });
    expect(await store.updateTask('r1', 'zz', { state: 'done' })).toBeUndefined();
    expect((await store.listTasks('r1')).map((t) => t.taskId)).toEqual(['a', 'b']);
    await store.updateTask('r2', 'a', { state: 'running', node: 'edge-1' });
    expect((await store.tasksInState(['assigned', 'running'])).map((t) => t.requestId)).toEqual(['r2']);
    expect(await store.tasksInState(['running'], 'edge-9')).toEqual([]);

    const finished = await store.updateRequest('r1', {
      state: 'done',
      finishedAt: 450,
      result: { ok: true },
    });
    expect(finished).toMatchObject({ state: 'done', finishedAt: 450, result: { ok: true } });
    expect(await store.updateRequest('zz', { state: 'done' })).toBeUndefined();
    expect((await store.listRequests({ state: 'done', limit: 10 })).items.map((r) => r.id)).toEqual(['r1']);
  });

  it('appends decisions and finds them by subject and kind', async () => {
    const seqs = await store.appendDecisions([
      {
        time: 1,
        kind: 'assign',
        subject: 'r1/a',
        node: 'edge-1',
        detail: { winner: 'edge-1', candidates: 3 },
      },
      { time: 2, kind: 'refresh', subject: 'plant:t', node: 'edge-2', detail: { weight: 0.4 } },
      { time: 3, kind: 'assign', subject: 'r1/b', detail: { winner: null } },
    ]);
    expect(seqs).toHaveLength(3);
    expect(seqs[0]! < seqs[1]! && seqs[1]! < seqs[2]!).toBe(true);
    expect(await store.listDecisions({ subject: 'r1/a', limit: 10 })).toEqual([
      {
        seq: seqs[0],
        time: 1,
        kind: 'assign',
        subject: 'r1/a',
        node: 'edge-1',
        detail: { winner: 'edge-1', candidates: 3 },
      },
    ]);
    expect((await store.listDecisions({ kind: 'assign', limit: 10 })).map((d) => d.subject)).toEqual([
      'r1/a',
      'r1/b',
    ]);
    expect((await store.listDecisions({ afterSeq: seqs[1]!, limit: 10 })).map((d) => d.seq)).toEqual([
      seqs[2],
    ]);
  });

  it('registers agents, records heartbeats and status', async () => {
    const agent = {
      id: 'edge-1',
      kind: 'edge',
      compute: 4,
      attention: 8,
      labels: { zone: 'line-1' },
      status: 'connected' as const,
      connectedAt: 10,
      lastSeenAt: 10,
    };
    await store.putAgent(agent);
    await store.putAgent({ ...agent, id: 'cloud-1', kind: 'cloud', labels: {} });
    expect(await store.touchAgent('edge-1', 20)).toBe(true);
    expect(await store.touchAgent('edge-1', 30, 'disconnected')).toBe(true);
    expect(await store.touchAgent('nope', 30)).toBe(false);
    expect(await store.getAgent('edge-1')).toEqual({ ...agent, lastSeenAt: 30, status: 'disconnected' });
    expect((await store.listAgents()).map((a) => a.id)).toEqual(['cloud-1', 'edge-1']);
    await store.putAgent({ ...agent, compute: 16 });
    expect((await store.getAgent('edge-1'))?.compute).toBe(16);
  });

  it('keeps policy revisions: one writer per revision, the newest wins, tenants’ policies replace', async () => {
    const doc = (n: number) => ({ entries: { admins: { subjects: ['role:admin'], n } } });
    const rev = (policyId: string, revision: number, tenant?: string) => ({
      policyId,
      revision,
      ...(tenant !== undefined ? { tenant } : {}),
      doc: doc(revision),
      changedAt: 100 + revision,
      changedBy: 'alice',
    });
    expect(await store.listPolicies()).toEqual([]);
    expect(await store.appendPolicyRevision(rev('icu', 1, 'acme'))).toEqual({ ok: true });
    // the same revision again, or an older one once a newer is stored: a concurrent change won
    expect(await store.appendPolicyRevision(rev('icu', 1, 'acme'))).toEqual({ ok: false, reason: 'exists' });
    // the auth file's document is revision 1 and never stored: the first API change may be revision 2
    expect(await store.appendPolicyRevision(rev('plant', 2))).toEqual({ ok: true });
    expect(await store.appendPolicyRevision(rev('icu', 2, 'acme'))).toEqual({ ok: true });
    expect(await store.appendPolicyRevision(rev('plant', 1))).toEqual({ ok: false, reason: 'exists' });
    const together = await Promise.all([
      store.appendPolicyRevision(rev('icu', 3, 'acme')),
      store.appendPolicyRevision({ ...rev('icu', 3, 'acme'), changedBy: 'bob' }),
    ]);
    expect(together.filter((r) => r.ok)).toHaveLength(1);
    expect(await store.listPolicies()).toEqual([
      expect.objectContaining({ policyId: 'icu', revision: 3, tenant: 'acme', doc: doc(3) }),
      { ...rev('plant', 2) },
    ]);
    expect((await store.policyHistory('icu')).map((r) => r.revision)).toEqual([1, 2, 3]);
    expect(await store.policyHistory('nope')).toEqual([]);

    await store.putTenantPolicy({ tenant: 'acme', policyId: 'icu', changedAt: 5, changedBy: 'root' });
    await store.putTenantPolicy({ tenant: 'zeta', policyId: 'plant', changedAt: 6, changedBy: 'root' });
    await store.putTenantPolicy({ tenant: 'acme', policyId: 'plant', changedAt: 7, changedBy: 'root' });
    expect(await store.listTenantPolicies()).toEqual([
      { tenant: 'acme', policyId: 'plant', changedAt: 7, changedBy: 'root' },
      { tenant: 'zeta', policyId: 'plant', changedAt: 6, changedBy: 'root' },
    ]);
    if (!reopen) return;
    await store.close();
    store = await reopen();
    expect((await store.listPolicies()).map((r) => [r.policyId, r.revision])).toEqual([
      ['icu', 3],
      ['plant', 2],
    ]);
    expect(await store.listTenantPolicies()).toHaveLength(2);
  });

  it('keeps everything across close and reopen (persistent stores)', async () => {
    if (!reopen) return;
    await store.putThing(thing('plant:p', { attributes: { a: 1 } }));
    await store.updateThing('plant:p', (t) => t, { sourceTime: 77 });
    await store.appendSamples([{ thingId: 'plant:p', time: 5, features: { x: { v: 1 } } }]);
    await store.createRequest(
      { id: 'q', tenant: 'acme', priority: 0, state: 'running', submittedAt: 1, spec: {} },
      [{ requestId: 'q', taskId: 't', state: 'assigned', node: 'edge-1', attempts: 1 }],
    );
    await store.appendDecisions([{ time: 1, kind: 'assign', subject: 'q/t', detail: {} }]);
    await store.close();
    store = await reopen();
    expect(await store.getThing('plant:p')).toMatchObject({
      revision: 2,
      sourceTime: 77,
      attributes: { a: 1 },
    });
    expect(await store.listSamples({ thingId: 'plant:p', limit: 5 })).toHaveLength(1);
    expect(await store.tasksInState(['assigned'])).toMatchObject([{ requestId: 'q', attempts: 1 }]);
    expect(await store.listDecisions({ subject: 'q/t', limit: 5 })).toHaveLength(1);
  });

  it('lists the newest requests first, of one tenant or all', async () => {
    const base = { priority: 1, state: 'queued' as const, spec: {} };
    // submission times tie for r1 and r2: the id breaks the tie, as in listRequests
    const made: [string, string, number][] = [
      ['r0', 'acme', 100],
      ['r1', 'globex', 200],
      ['r2', 'acme', 200],
      ['r3', 'acme', 300],
      ['r4', 'globex', 50],
    ];
    for (const [id, tenant, submittedAt] of made)
      expect(await store.createRequest({ ...base, id, tenant, submittedAt }, [])).toEqual({ ok: true });
    const ids = (rs: { id: string }[]) => rs.map((r) => r.id);
    expect(ids(await store.newestRequests({ limit: 10 }))).toEqual(['r3', 'r2', 'r1', 'r0', 'r4']);
    expect(ids(await store.newestRequests({ limit: 2 }))).toEqual(['r3', 'r2']);
    expect(ids(await store.newestRequests({ tenant: 'acme', limit: 2 }))).toEqual(['r3', 'r2']);
    expect(ids(await store.newestRequests({ tenant: 'globex', limit: 10 }))).toEqual(['r1', 'r4']);
    expect(await store.newestRequests({ tenant: 'nobody', limit: 10 })).toEqual([]);
    expect((await store.newestRequests({ tenant: 'acme', limit: 1 }))[0]).toMatchObject({
      id: 'r3',
      tenant: 'acme',
      submittedAt: 300,
      state: 'queued',
    });
  });
});
