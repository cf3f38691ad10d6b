/**
 * Property-based bad input against every endpoint and the MQTT telemetry topic (fast-check): generated and
 * mutated payloads, paths, query strings, headers and content types. Properties: never a 5xx, never a crash
 * (an exception out of the server or the MQTT handler), always a problem+json body with a stable `ARS_E_*` code
 * on 4xx, and a refused write (any 4xx, and every GET) leaves the store exactly as it was. Runs on a real SQLite
 * file. `ARS_FUZZ_RUNS` sets the number of cases per property (default 150); a failure prints its seed, and
 * `ARS_FUZZ_SEED` replays it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleTelemetryMessage } from '../src/server/mqtt.js';
import { createServer, type LiveServer } from '../src/server/server.js';
import { openPostgresStore } from '../src/store/postgres.js';
import { openSqliteStore } from '../src/store/sqlite.js';
import type { Store } from '../src/store/store.js';
import { dropSchemas, PG_URL, postgresReachable } from './pg-probe.js';

const RUNS = Number(process.env.ARS_FUZZ_RUNS ?? 150);
if (process.env.ARS_FUZZ_SEED !== undefined) fc.configureGlobal({ seed: Number(process.env.ARS_FUZZ_SEED) });
const dir = mkdtempSync(join(tmpdir(), 'ars-fuzz-'));
let store: Store;
let app: LiveServer;
let base: string;

// The same properties on SQLite and, when reachable, on PostgreSQL (its own schema, dropped afterwards).
const pgSchema = `ars_fuzz_${process.pid}_${Date.now().toString(36)}`;
const pgReachable = await postgresReachable('server fuzz');
const backends: { name: string; open: () => Promise<Store>; cleanup: () => Promise<void> }[] = [
  {
    name: 'sqlite',
    open: async () => openSqliteStore({ path: join(dir, 'ars.db') }),
    cleanup: async () => {},
  },
];
if (pgReachable) {
  backends.push({
    name: 'postgres',
    open: () => openPostgresStore({ url: PG_URL, schema: pgSchema, poolSize: 4 }),
    cleanup: () => dropSchemas([pgSchema]),
  });
}

const seed = async () => {
  for (const [thingId, tenant] of [
    ['plant:a', 'acme'],
    ['plant:b', 'other'],
  ] as const) {
    if (!(await store.getThing(thingId))) {
      await store.putThing({
        thingId,
        tenant,
        attributes: { site: 'north', n: 1 },
        features: { temp: { properties: { value: 20 } } },
      });
    }
  }
};

const startBackend = async (backend: (typeof backends)[number]) => {
  store = await backend.open();
  app = await createServer({ store, retentionSweepMs: 0, bodyLimit: 64 * 1024 });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  await seed();
};
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Everything a refused request must not change. */
async function snapshot(): Promise<string> {
  const things = await store.listThings({ limit: 1000 });
  const decisions = await store.listDecisions({ limit: 1000 });
  return JSON.stringify([things.items, await store.countSamples(), decisions.length]);
}

// ---- generators ---------------------------------------------------------------------------------------------

const text = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
);
const json = fc.jsonValue({ maxDepth: 4 });
const thingId = fc.oneof(
  fc.constantFrom(
    'plant:a',
    'plant:b',
    'plant:new',
    'plant:x/y',
    ':',
    'a b:c',
    '__proto__',
    'plant:\u0000',
    'x'.repeat(300),
    '..%2F..',
  ),
  text,
);
const segment = thingId.map((id) => (id.includes('%') ? id : encodeURIComponent(id)));
const validThing = fc.record(
  {
    thingId: fc.constantFrom('plant:a', 'plant:b', 'plant:new', 'plant:c'),
    tenant: fc.constantFrom('acme', 'other', 'default', ''),
    policyId: fc.string({ maxLength: 10 }),
    attributes: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
    features: fc.dictionary(
      fc.string({ maxLength: 8 }),
      fc.record(
        {
          properties: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), {
            maxKeys: 3,
          }),
        },
        { requiredKeys: [] },
      ),
      { maxKeys: 3 },
    ),
  },
  { requiredKeys: ['attributes', 'features'] },
);
const validSample = fc.record(
  {
    thingId: fc.constantFrom('plant:a', 'plant:b', 'plant:ghost'),
    time: fc.oneof(
      fc.integer({ min: 0, max: 4e12 }),
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      text,
      json,
    ),
    features: fc.dictionary(
      fc.string({ maxLength: 8 }),
      fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
      { maxKeys: 3 },
    ),
  },
  { requiredKeys: ['thingId', 'features'] },
);

/** A valid document with one member replaced by anything, or removed, or an unknown member added. */
function mutated<T extends Record<string, unknown>>(valid: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return fc
    .tuple(valid, fc.nat(), json, fc.constantFrom('replace', 'remove', 'add', 'wrap'))
    .map(([doc, n, value, how]) => {
      const out: Record<string, unknown> = { ...doc };
      const keys = Object.keys(out);
      const key = keys[n % Math.max(1, keys.length)] ?? 'x';
      if (how === 'replace') out[key] = value;
      else if (how === 'remove') delete out[key];
      else if (how === 'add') out[`extra${n % 3}`] = value;
      else return [out, value];
      return out;
    });
}

const rawBody = fc.oneof(
  { weight: 3, arbitrary: fc.oneof(validThing, mutated(validThing), json).map((v) => JSON.stringify(v)) },
  {
    weight: 3,
    arbitrary: fc
      .oneof(validSample, mutated(validSample), fc.array(fc.oneof(validSample, mutated(validSample))))
      .map((v) => JSON.stringify(v)),
  },
  { weight: 1, arbitrary: text },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '',
      '{',
      '{"__proto__":{"x":1}}',
      '{"constructor":{"prototype":{"x":1}}}',
      '['.repeat(5000),
      `{"a":"${'x'.repeat(70_000)}"}`,
      'null',
      '1e999',
      '{"thingId":"plant:n","tenant":"acme","attributes":{"a\\u0000":"\\u0000"},"features":{}}',
      '{"thingId":"plant:a","features":{"f\\u0000":{"v":"\\u0000"}}}',
    ),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b).toString('latin1')) },
);
const contentType = fc.constantFrom(
  'application/json',
  'application/json',
  'application/merge-patch+json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  '',
);
const query = fc
  .dictionary(
    fc.constantFrom(
      'filter',
      'tenant',
      'limit',
      'cursor',
      'since',
      'until',
      'feature',
      'order',
      'subject',
      'kind',
      'after',
      'types',
      'thingId',
      'x',
    ),
    fc.oneof(
      text,
      fc.integer().map(String),
      fc.double().map(String),
      fc.constantFrom(
        'eq(attributes/site,"north")',
        'and(eq(a,1),or(gt(b,2)))',
        `${'not('.repeat(50)}eq(a,1)${')'.repeat(50)}`,
        'like(thingId,"plant:*")',
        "eq(attributes/x'); DROP TABLE things; --,1)",
        'WyJwbGFudDphIl0',
        'asc',
        'desc',
        '0',
        '-1',
        '1001',
        '1e9',
        'a\u0000b',
        'eq(attributes/site,"\u0000")',
      ),
    ),
    { maxKeys: 4 },
  )
  .map((q) => new URLSearchParams(q).toString());
const header = fc.oneof(
  fc.constantFrom('"rev:1"', '"rev:2"', '*', 'W/"rev:1"', '"rev:99999999999999999999"'),
  text,
);

const request = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'),
  path: fc.oneof(
    fc.constant('/api/v1/things'),
    segment.map((s) => `/api/v1/things/${s}`),
    segment.map((s) => `/api/v1/things/${s}/samples`),
    fc.constant('/api/v1/telemetry'),
    fc.constant('/api/v1/decisions'),
    fc.constantFrom('/healthz', '/readyz', '/metrics', '/openapi.json', '/api/v1/nope', '/api/v1/things/'),
    text.map((t) => `/api/v1/${encodeURIComponent(t)}`),
  ),
  query,
  body: fc.option(rawBody, { nil: undefined }),
  contentType,
  ifMatch: fc.option(header, { nil: undefined }),
  ifNoneMatch: fc.option(header, { nil: undefined }),
});

// ---- properties ---------------------------------------------------------------------------------------------

describe.each(backends)('fuzzing every endpoint and topic ($name)', (backend) => {
  beforeAll(() => startBackend(backend));
  afterAll(async () => {
    await app.close();
    await store.close();
    await backend.cleanup();
  });

  it('HTTP: never a 5xx, 4xx always problem+json with a stable code, a refused write changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const before = await snapshot();
        const headers: Record<string, string> = {};
        if (r.body !== undefined && r.contentType) headers['content-type'] = r.contentType;
        if (r.ifMatch !== undefined) headers['if-match'] = r.ifMatch;
        if (r.ifNoneMatch !== undefined) headers['if-none-match'] = r.ifNoneMatch;
        const res = await app.inject({
          method: r.method as 'GET',
          url: `${r.path}${r.query ? `?${r.query}` : ''}`,
          headers,
          ...(r.body !== undefined && r.method !== 'GET' && r.method !== 'HEAD' ? { payload: r.body } : {}),
        });
        expect(res.statusCode, res.body).toBeLessThan(500);
        if (res.statusCode >= 400 && r.method !== 'HEAD') {
          expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
          expect(res.json().code).toMatch(/^ARS_E_[A-Z_]+$/);
        }
        if (res.statusCode >= 400 || r.method === 'GET' || r.method === 'HEAD') {
          expect(await snapshot()).toBe(before);
        }
        await seed();
      }),
      { numRuns: RUNS },
    );
  });

  it('the event stream: a bad query answers 4xx before the stream opens, a good one opens it', async () => {
    await fc.assert(
      fc.asyncProperty(query, async (q) => {
        const abort = new AbortController();
        const res = await fetch(`${base}/api/v1/events?${q}`, { signal: abort.signal });
        expect(res.status).toBeLessThan(500);
        if (res.status === 200) expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
        else expect(((await res.json()) as { code: string }).code).toMatch(/^ARS_E_/);
        abort.abort();
      }),
      { numRuns: Math.ceil(RUNS / 3) },
    );
  });

  it('MQTT telemetry: any topic and payload is stored whole or refused without change, never thrown', async () => {
    const topic = fc.oneof(
      fc.constantFrom(
        'telemetry/acme/plant:a',
        'telemetry/other/plant:a',
        'telemetry/other/plant:b',
        'telemetry/acme/plant:ghost',
        'telemetry//plant:a',
        'telemetry/acme/',
        'telemetry/acme/plant:a/extra',
      ),
      fc.tuple(text, text).map(([t, id]) => `telemetry/${t}/${id}`),
      text,
    );
    const payload = fc.oneof(
      fc
        .oneof(
          mutated(validSample),
          validSample.map(({ thingId: _, ...rest }) => rest),
          fc.array(validSample.map(({ thingId: _, ...rest }) => rest)),
          json,
        )
        .map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
      fc.uint8Array({ maxLength: 128 }).map((b) => Buffer.from(b)),
      fc.constantFrom(Buffer.from('['.repeat(10_000)), Buffer.alloc(1024 * 1024 + 1, 0x20)),
    );
    await fc.assert(
      fc.asyncProperty(topic, payload, async (t, p) => {
        const before = await snapshot();
        const outcome = await handleTelemetryMessage(app.ars, t, p);
        if (!outcome.ok) {
          expect(outcome.detail.length).toBeLessThan(2000);
          expect(await snapshot()).toBe(before);
        } else expect(outcome.stored).toBeGreaterThan(0);
      }),
      { numRuns: RUNS },
    );
  });
});
