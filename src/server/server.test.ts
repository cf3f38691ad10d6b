/**
 * The HTTP API end to end through `fastify.inject`, on a real SQLite file in a temp dir: things CRUD with
 * merge patch and revisions, filters and paging, telemetry, decisions, health and metrics, and bad input on
 * every route answered with a stable code and a pointer, never a stack trace.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore, type SqliteStore } from '../store/sqlite.js';
import type { LiveEvent } from './events.js';
import { createServer, type LiveServer } from './server.js';

let dir: string;
let store: SqliteStore;
let app: LiveServer;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ars-server-'));
  store = openSqliteStore({ path: join(dir, 'ars.db') });
  app = await createServer({ store, bodyLimit: 64 * 1024 });
});
afterEach(async () => {
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const json = (
  method: 'POST' | 'PUT' | 'PATCH' | 'GET' | 'DELETE',
  url: string,
  body?: unknown,
  headers = {},
) =>
  app.inject({
    method,
    url,
    ...(body !== undefined
      ? { payload: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } }
      : { headers }),
  });
/** A body sent as is, with the given content type. */
const raw = (method: 'POST' | 'PUT' | 'PATCH', url: string, payload: string, contentType: string) =>
  app.inject({ method, url, payload, headers: { 'content-type': contentType } });
const patch = (url: string, body: unknown, headers = {}) =>
  app.inject({
    method: 'PATCH',
    url,
    payload: JSON.stringify(body),
    headers: { 'content-type': 'application/merge-patch+json', ...headers },
  });

const press = {
  thingId: 'factory.line1:press-1',
  tenant: 'acme',
  attributes: { line: 'line-1', model: 'P300' },
  features: { temp: { properties: { value: 21.5 }, desiredProperties: { value: 20 } } },
};

/** A problem document with the expected status, code and pointer, and no stack anywhere in it. */
function expectProblem(
  res: { statusCode: number; body: string; headers: Record<string, unknown> },
  status: number,
  code: string,
  pointer?: string,
) {
  expect(res.statusCode, res.body).toBe(status);
  expect(String(res.headers['content-type'])).toContain('application/problem+json');
  const body = JSON.parse(res.body);
  expect(body).toMatchObject({ status, code });
  if (pointer !== undefined) expect(body.pointer).toBe(pointer);
  expect(res.body).not.toMatch(/\bat .*\.(js|ts):\d+/);
  return body;
}

describe('things', () => {
  it('creates, reads, replaces, patches and deletes with revisions and ETags', async () => {
    const created = await json('POST', '/api/v1/things', press);
    expect(created.statusCode).toBe(201);
    expect(created.headers.etag).toBe('"rev:1"');
    expect(created.headers.location).toBe('/api/v1/things/factory.line1%3Apress-1');
    expect(created.json()).toMatchObject({ ...press, revision: 1, sourceTime: null });

    const read = await json('GET', `/api/v1/things/${press.thingId}`);
    expect(read.json()).toEqual(created.json());
    expect(
      (await json('GET', `/api/v1/things/${press.thingId}`, undefined, { 'if-none-match': '"rev:1"' }))
        .statusCode,
    ).toBe(304);

    const replaced = await json(
      'PUT',
      `/api/v1/things/${press.thingId}`,
      { attributes: { line: 'line-2' } },
      { 'if-match': '"rev:1"' },
    );
    expect(replaced.statusCode).toBe(200);
    expect(replaced.json()).toMatchObject({
      tenant: 'acme',
      attributes: { line: 'line-2' },
      features: {},
      revision: 2,
    });

    const patched = await patch(
      `/api/v1/things/${press.thingId}`,
      { attributes: { line: null, site: 'north' }, features: { vib: { properties: { rms: 0.2 } } } },
      { 'if-match': '"rev:2"' },
    );
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.headers.etag).toBe('"rev:3"');
    expect(patched.json()).toMatchObject({
      attributes: { site: 'north' },
      features: { vib: { properties: { rms: 0.2 } } },
    });
    expect(patched.json().attributes.line).toBeUndefined();

    const stale = await patch(
      `/api/v1/things/${press.thingId}`,
      { attributes: { x: 1 } },
      { 'if-match': '"rev:2"' },
    );
    expect(expectProblem(stale, 412, 'ARS_E_PRECONDITION_FAILED', '/if-match').revision).toBe(3);

    expectProblem(
      await json('DELETE', `/api/v1/things/${press.thingId}`, undefined, { 'if-match': '"rev:1"' }),
      412,
      'ARS_E_PRECONDITION_FAILED',
    );
    expect(
      (await json('DELETE', `/api/v1/things/${press.thingId}`, undefined, { 'if-match': '"rev:3"' }))
        .statusCode,
    ).toBe(204);
    expectProblem(
      await json('GET', `/api/v1/things/${press.thingId}`),
      404,
      'ARS_E_THING_NOT_FOUND',
      '/thingId',
    );
  });

  it('PUT creates with 201, honours If-None-Match: *, and keeps the tenant', async () => {
    const url = `/api/v1/things/${press.thingId}`;
    expect(
      (await json('PUT', url, { ...press, thingId: undefined }, { 'if-none-match': '*' })).statusCode,
    ).toBe(201);
    expectProblem(
      await json('PUT', url, {}, { 'if-none-match': '*' }),
      412,
      'ARS_E_PRECONDITION_FAILED',
      '/if-none-match',
    );
    expectProblem(await json('PUT', url, { tenant: 'other' }), 409, 'ARS_E_TENANT_MISMATCH', '/tenant');
    expectProblem(
      await json('PUT', url, { thingId: 'factory.line1:press-2' }),
      400,
      'ARS_E_INPUT_ID_MISMATCH',
      '/thingId',
    );
    expectProblem(
      await json('PUT', '/api/v1/things/a:new', {}, { 'if-match': '"rev:1"' }),
      412,
      'ARS_E_PRECONDITION_FAILED',
    );
    expectProblem(await json('PUT', url, {}, { 'if-match': 'rev1' }), 400, 'ARS_E_INPUT_HEADER', '/if-match');
    expect((await json('PUT', '/api/v1/things/a:defaulted', {})).json()).toMatchObject({
      tenant: 'default',
      revision: 1,
    });
  });

  it('refuses a duplicate create and patches that break the schema or the id', async () => {
    await json('POST', '/api/v1/things', press);
    expectProblem(await json('POST', '/api/v1/things', press), 409, 'ARS_E_THING_EXISTS', '/thingId');
    const url = `/api/v1/things/${press.thingId}`;
    expectProblem(await patch(url, { attributes: 5 }), 400, 'ARS_E_INPUT_VALIDATION', '/attributes');
    expectProblem(await patch(url, { thingId: 'x:y' }), 400, 'ARS_E_INPUT_ID_MISMATCH', '/thingId');
    expectProblem(await patch(url, { colour: 'red' }), 400, 'ARS_E_INPUT_VALIDATION', '/colour');
    expectProblem(await patch('/api/v1/things/a:none', { attributes: {} }), 404, 'ARS_E_THING_NOT_FOUND');
    expect((await json('GET', url)).json().revision).toBe(1);
  });

  it('lists with an RQL filter and keyset cursors', async () => {
    for (let i = 0; i < 12; i++) {
      await json('POST', '/api/v1/things', {
        thingId: `plant:m-${String(i).padStart(2, '0')}`,
        tenant: i < 6 ? 'acme' : 'beta',
        attributes: { index: i, line: i % 2 ? 'odd' : 'even' },
      });
    }
    const filter = encodeURIComponent('and(gt(attributes/index,2),eq(attributes/line,"odd"))');
    const res = await json('GET', `/api/v1/things?filter=${filter}`);
    expect(res.json().items.map((t: { attributes: { index: number } }) => t.attributes.index)).toEqual([
      3, 5, 7, 9, 11,
    ]);

    const ids: string[] = [];
    let url = '/api/v1/things?limit=5&tenant=beta';
    for (;;) {
      const page = (await json('GET', url)).json();
      ids.push(...page.items.map((t: { thingId: string }) => t.thingId));
      if (!page.next) break;
      url = `/api/v1/things?limit=5&tenant=beta&cursor=${encodeURIComponent(page.next)}`;
    }
    expect(ids).toEqual(['plant:m-06', 'plant:m-07', 'plant:m-08', 'plant:m-09', 'plant:m-10', 'plant:m-11']);

    const bad = expectProblem(
      await json('GET', `/api/v1/things?filter=${encodeURIComponent('eq(a,')}`),
      400,
      'ARS_E_INPUT_FILTER',
      '/filter',
    );
    expect(bad.column).toBe(6);
    expectProblem(await json('GET', '/api/v1/things?cursor=garbage'), 400, 'ARS_E_INPUT_CURSOR', '/cursor');
    expectProblem(await json('GET', '/api/v1/things?limit=0'), 400, 'ARS_E_INPUT_VALIDATION', '/limit');
    expectProblem(await json('GET', '/api/v1/things?limit=ten'), 400, 'ARS_E_INPUT_VALIDATION', '/limit');
    expectProblem(await json('GET', '/api/v1/things?colour=red'), 400, 'ARS_E_INPUT_VALIDATION', '/colour');
  });
});

describe('bad input on the registry', () => {
  it('answers malformed JSON with the line and column', async () => {
    const res = await raw(
      'POST',
      '/api/v1/things',
      '{\n  "thingId": "a:b",\n  "attributes": {,}\n}',
      'application/json',
    );
    const body = expectProblem(res, 400, 'ARS_E_INPUT_JSON', '');
    expect(body.detail).toContain('line 3');
  });

  it('answers wrong types and missing fields with a pointer to the field', async () => {
    expectProblem(
      await json('POST', '/api/v1/things', { thingId: 'a:b', attributes: [] }),
      400,
      'ARS_E_INPUT_VALIDATION',
      '/attributes',
    );
    expectProblem(
      await json('POST', '/api/v1/things', { attributes: {} }),
      400,
      'ARS_E_INPUT_VALIDATION',
      '/thingId',
    );
    expectProblem(
      await json('POST', '/api/v1/things', { thingId: 'no-colon' }),
      400,
      'ARS_E_INPUT_VALIDATION',
      '/thingId',
    );
    expectProblem(
      await json('POST', '/api/v1/things', { thingId: 'a:b', features: { temp: { properties: 3 } } }),
      400,
      'ARS_E_INPUT_VALIDATION',
      '/features/temp/properties',
    );
    expectProblem(
      await json('POST', '/api/v1/things', { thingId: 'a:b', features: { 'a/b': {} } }),
      400,
      'ARS_E_INPUT_VALIDATION',
      '/features/a~1b',
    );
    expectProblem(
      await json('PUT', '/api/v1/things/bad%20id', {}),
      400,
      'ARS_E_INPUT_VALIDATION',
      '/thingId',
    );
    const poisoned = await raw(
      'POST',
      '/api/v1/things',
      '{"thingId":"a:b","__proto__":{"polluted":true}}',
      'application/json',
    );
    expectProblem(poisoned, 400, 'ARS_E_INPUT_JSON');
  });

  it('answers wrong content types with 415 and oversize bodies with 413', async () => {
    const text = await raw('POST', '/api/v1/things', 'thingId=a:b', 'text/plain');
    expectProblem(text, 415, 'ARS_E_MEDIA_TYPE');
    const patchAsJson = await json('PATCH', `/api/v1/things/${press.thingId}`, { attributes: {} });
    expectProblem(patchAsJson, 415, 'ARS_E_MEDIA_TYPE', '/content-type');
    const putAsPatch = await raw(
      'PUT',
      `/api/v1/things/${press.thingId}`,
      '{}',
      'application/merge-patch+json',
    );
    expectProblem(putAsPatch, 415, 'ARS_E_MEDIA_TYPE');
    const big = { thingId: 'a:b', attributes: { blob: 'x'.repeat(70 * 1024) } };
    expectProblem(await json('POST', '/api/v1/things', big), 413, 'ARS_E_BODY_TOO_LARGE');
    const empty = await raw('POST', '/api/v1/things', '', 'application/json');
    expectProblem(empty, 400, 'ARS_E_INPUT_JSON');
  });

  it('answers bad input on delete and on the sample history', async () => {
    expectProblem(await json('DELETE', '/api/v1/things/a:none'), 404, 'ARS_E_THING_NOT_FOUND', '/thingId');
    expectProblem(await json('GET', '/api/v1/things/a:none/samples'), 404, 'ARS_E_THING_NOT_FOUND');
    await json('POST', '/api/v1/things', press);
    const url = `/api/v1/things/${press.thingId}`;
    expectProblem(
      await json('DELETE', url, undefined, { 'if-match': 'yesterday' }),
      400,
      'ARS_E_INPUT_HEADER',
      '/if-match',
    );
    expectProblem(
      await json('GET', `${url}/samples?since=yesterday`),
      400,
      'ARS_E_INPUT_VALIDATION',
      '/since',
    );
    expectProblem(
      await json('GET', `${url}/samples?order=sideways`),
      400,
      'ARS_E_INPUT_VALIDATION',
      '/order',
    );
    expectProblem(await json('GET', `${url}/samples?limit=100000`), 400, 'ARS_E_INPUT_VALIDATION', '/limit');
    expectProblem(await json('GET', `${url}/samples?feature=a/b`), 400, 'ARS_E_INPUT_VALIDATION', '/feature');
  });

  it('answers unknown routes with 404', async () => {
    expectProblem(await json('GET', '/api/v1/nothing'), 404, 'ARS_E_NOT_FOUND');
  });
});

describe('telemetry', () => {
  beforeEach(async () => {
    await json('POST', '/api/v1/things', press);
    await json('POST', '/api/v1/things', { thingId: 'factory.line1:press-2', tenant: 'beta' });
  });

  it('stores one sample or a batch durably and serves the history', async () => {
    const one = await json('POST', '/api/v1/telemetry', {
      thingId: press.thingId,
      time: '2026-01-01T00:00:00.000Z',
      features: { temp: { value: 22 } },
    });
    expect(one.statusCode, one.body).toBe(200);
    expect(one.json().stored).toBe(1);
    const batch = Array.from({ length: 100 }, (_, i) => ({
      thingId: press.thingId,
      time: Date.parse('2026-01-01T00:00:01Z') + i,
      features: { temp: { value: 22 + i / 100 } },
    }));
    expect((await json('POST', '/api/v1/telemetry', batch)).json().stored).toBe(100);
    const history = (await json('GET', `/api/v1/things/${press.thingId}/samples?order=desc&limit=2`)).json();
    expect(history.items.map((s: { time: string }) => s.time)).toEqual([
      '2026-01-01T00:00:01.099Z',
      '2026-01-01T00:00:01.098Z',
    ]);
    const since = (
      await json('GET', `/api/v1/things/${press.thingId}/samples?since=2026-01-01T00:00:01.090Z`)
    ).json();
    expect(since.items).toHaveLength(10);
    const metrics = (await json('GET', '/metrics')).body;
    expect(metrics).toMatch(/ars_ingest_samples_total\{transport="http"\} 101/);
  });

  it('refuses a whole batch naming an unknown thing, with a pointer to it, and counts the reason', async () => {
    const batch = [
      { thingId: press.thingId, features: { temp: { value: 1 } } },
      { thingId: 'factory.line1:ghost', features: { temp: { value: 2 } } },
    ];
    expectProblem(await json('POST', '/api/v1/telemetry', batch), 404, 'ARS_E_THING_NOT_FOUND', '/1/thingId');
    expect((await store.listSamples({ thingId: press.thingId, limit: 10 })).length).toBe(0);
    expectProblem(
      await json('POST', '/api/v1/telemetry?tenant=acme', { thingId: 'factory.line1:press-2', features: {} }),
      409,
      'ARS_E_TENANT_MISMATCH',
      '/thingId',
    );
    expectProblem(
      await json('POST', '/api/v1/telemetry', { thingId: press.thingId, features: { temp: 5 } }),
      400,
      'ARS_E_INPUT_VALIDATION',
    );
    expectProblem(
      await json('POST', '/api/v1/telemetry', { thingId: press.thingId, time: 'yesterday', features: {} }),
      400,
      'ARS_E_INPUT_VALIDATION',
    );
    expectProblem(await json('POST', '/api/v1/telemetry', []), 400, 'ARS_E_INPUT_VALIDATION');
    const malformed = await raw('POST', '/api/v1/telemetry', '[{"thingId":', 'application/json');
    expectProblem(malformed, 400, 'ARS_E_INPUT_JSON');
    const wrongType = await raw('POST', '/api/v1/telemetry', 'x', 'text/csv');
    expectProblem(wrongType, 415, 'ARS_E_MEDIA_TYPE');
    const metrics = (await json('GET', '/metrics')).body;
    expect(metrics).toMatch(/ars_ingest_rejects_total\{transport="http",reason="unknown-thing"\} 2/);
    expect(metrics).toMatch(/ars_ingest_rejects_total\{transport="http",reason="tenant-mismatch"\} 1/);
    expect(metrics).toMatch(/ars_ingest_rejects_total\{transport="http",reason="schema"\} 3/);
    expect(metrics).toMatch(/ars_ingest_rejects_total\{transport="http",reason="malformed-json"\} 1/);
    expect(metrics).toMatch(/ars_ingest_rejects_total\{transport="http",reason="media-type"\} 1/);
  });

  it('announces stored telemetry and registry changes on the event bus', async () => {
    const seen: LiveEvent[] = [];
    app.ars.events.subscribe({}, (e) => seen.push(e));
    await json('POST', '/api/v1/telemetry', [
      { thingId: press.thingId, time: 5, features: {} },
      { thingId: press.thingId, time: 9, features: { t: { v: 2 } } },
    ]);
    await patch(`/api/v1/things/${press.thingId}`, { attributes: { a: 1 } });
    expect(seen).toMatchObject([
      {
        type: 'telemetry',
        thingId: press.thingId,
        tenant: 'acme',
        count: 2,
        newestTime: 9,
        latest: { t: { v: 2 } },
        transport: 'http',
      },
      { type: 'twin', action: 'modified', thingId: press.thingId, revision: 2 },
    ]);
  });
});

describe('decisions, health, metrics and OpenAPI', () => {
  it('lists decisions by subject and pages by seq', async () => {
    await store.appendDecisions([
      { time: 1000, kind: 'assign', subject: 'r1/a', node: 'edge-1', detail: { winner: 'edge-1' } },
      { time: 2000, kind: 'assign', subject: 'r1/b', detail: {} },
      { time: 3000, kind: 'refresh', subject: 'r1/a', detail: {} },
    ]);
    const res = (await json('GET', '/api/v1/decisions?subject=r1/a&limit=1')).json();
    expect(res.items).toMatchObject([{ kind: 'assign', node: 'edge-1', time: '1970-01-01T00:00:01.000Z' }]);
    const next = (await json('GET', `/api/v1/decisions?subject=r1/a&after=${res.next}`)).json();
    expect(next.items).toMatchObject([{ kind: 'refresh' }]);
    expectProblem(await json('GET', '/api/v1/decisions?after=-1'), 400, 'ARS_E_INPUT_VALIDATION', '/after');
    // past the largest exact integer (a fuzzed 2^63 was a 500 from PostgreSQL's bigint)
    expectProblem(
      await json('GET', '/api/v1/decisions?after=9223372036854776000'),
      400,
      'ARS_E_INPUT_VALIDATION',
      '/after',
    );
  });

  it('answers health, readiness and metrics', async () => {
    expect((await json('GET', '/healthz')).json()).toEqual({ status: 'ok' });
    expect((await json('GET', '/readyz')).json()).toMatchObject({ status: 'ready' });
    const metrics = await json('GET', '/metrics');
    expect(metrics.headers['content-type']).toContain('text/plain');
    for (const name of [
      'ars_twin_aoi_seconds',
      'ars_request_latency_seconds',
      'ars_decisions_total',
      'ars_node_utilisation_ratio',
      'ars_queue_length',
    ]) {
      expect(metrics.body).toContain(`# TYPE ${name}`);
    }
    await store.close();
    expectProblem(await json('GET', '/readyz'), 503, 'ARS_E_NOT_READY');
  });

  it('reports not ready until the extra check passes', async () => {
    let ready = false;
    const other = await createServer({ store, ready: () => ready });
    expect((await other.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(503);
    ready = true;
    expect((await other.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    await other.close();
  });

  it('serves an OpenAPI 3.1 document generated from the schemas', async () => {
    const doc = (await json('GET', '/openapi.json')).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/things',
        '/api/v1/things/{thingId}',
        '/api/v1/telemetry',
        '/api/v1/decisions',
        '/api/v1/events',
      ]),
    );
    expect(doc.paths['/api/v1/things/{thingId}'].patch.requestBody).toBeDefined();
  });

  it('drops samples past the retention window on a schedule', async () => {
    const short = openSqliteStore({ path: join(dir, 'short.db'), retentionMs: 1 });
    await short.putThing({ thingId: 'a:b', tenant: 'default', attributes: {}, features: {} });
    await short.appendSamples([{ thingId: 'a:b', time: 0, features: {} }], { receivedAt: Date.now() - 1000 });
    const other = await createServer({ store: short, retentionSweepMs: 20 });
    for (let i = 0; i < 200 && (await short.countSamples()) > 0; i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(await short.countSamples()).toBe(0);
    await other.close();
    await short.close();
  });

  it('registers part B routes from plain plugins, with the shared context', async () => {
    const other = await createServer({
      store,
      plugins: [
        async (api) => {
          api.get('/ping-store', async () => ({ things: await api.ars.store.countThings() }));
        },
      ],
    });
    expect((await other.inject({ method: 'GET', url: '/api/v1/ping-store' })).json()).toEqual({ things: 0 });
    await other.close();
  });
});
