/**
 * The event stream over a real listening socket: WebSocket and Server-Sent Events clients see twin changes,
 * request changes and decisions, filtered by type and thing; bad filters answer 400.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { openSqliteStore, type SqliteStore } from '../store/sqlite.js';
import { createServer, type LiveServer } from './server.js';

let store: SqliteStore;
let app: LiveServer;
let base: string;

beforeEach(async () => {
  store = openSqliteStore({ path: ':memory:' });
  app = await createServer({ store });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  await app.close();
  await store.close();
});

const put = (thingId: string, attributes: object) =>
  app.inject({
    method: 'PUT',
    url: `/api/v1/things/${thingId}`,
    payload: JSON.stringify({ tenant: 'acme', attributes }),
    headers: { 'content-type': 'application/json' },
  });

/** Opens a WebSocket and collects its messages until `count` have arrived. */
async function websocket(query: string) {
  const socket = new WebSocket(`ws://${base}/api/v1/events${query}`);
  const messages: Record<string, unknown>[] = [];
  socket.on('message', (data) => messages.push(JSON.parse(String(data))));
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  // The server subscribes in its upgrade handler, after the handshake; a ping round trip orders us behind it.
  await new Promise<void>((resolve) => {
    socket.once('pong', () => resolve());
    socket.ping();
  });
  const until = async (count: number) => {
    for (let i = 0; i < 200 && messages.length < count; i++) await new Promise((r) => setTimeout(r, 10));
    return messages;
  };
  return { socket, messages, until };
}

describe('WebSocket', () => {
  it('streams twin changes, request changes and decisions, filtered by type and thing', async () => {
    const all = await websocket('');
    const onlyPress = await websocket('?types=twin&thingId=plant:press-1');
    await put('plant:press-1', { a: 1 });
    await put('plant:press-2', { a: 1 });
    app.ars.events.emit({ type: 'request', requestId: 'r1', tenant: 'acme', state: 'running', time: 5 });
    app.ars.events.emit({ type: 'decision', kind: 'assign', subject: 'r1/a', node: 'edge-1', time: 6 });
    // Telemetry is left out unless asked for.
    app.ars.events.emit({
      type: 'telemetry',
      thingId: 'plant:press-1',
      tenant: 'acme',
      count: 1,
      newestTime: 1,
      latest: {},
      transport: 'http',
      time: 7,
    });
    await put('plant:press-1', { a: 2 });
    expect(await all.until(5)).toMatchObject([
      { type: 'twin', action: 'created', thingId: 'plant:press-1', revision: 1 },
      { type: 'twin', action: 'created', thingId: 'plant:press-2' },
      { type: 'request', requestId: 'r1', state: 'running' },
      { type: 'decision', subject: 'r1/a', node: 'edge-1' },
      { type: 'twin', action: 'modified', thingId: 'plant:press-1', revision: 2 },
    ]);
    expect(await onlyPress.until(2)).toMatchObject([
      { type: 'twin', thingId: 'plant:press-1', revision: 1 },
      { type: 'twin', thingId: 'plant:press-1', revision: 2 },
    ]);
    all.socket.close();
    onlyPress.socket.close();
    for (let i = 0; i < 100 && app.ars.events.size > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(app.ars.events.size).toBe(0);
  });
});

describe('Server-Sent Events', () => {
  it('streams events as `event:` and `data:` lines and unsubscribes on disconnect', async () => {
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = httpRequest(
        `http://${base}/api/v1/events?types=twin,telemetry`,
        { headers: { accept: 'text/event-stream' } },
        resolve,
      );
      req.on('error', reject);
      req.end();
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/event-stream');
    let text = '';
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => (text += chunk));
    for (let i = 0; i < 100 && app.ars.events.size === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await put('plant:press-1', { a: 1 });
    app.ars.events.emit({
      type: 'telemetry',
      thingId: 'plant:press-1',
      tenant: 'acme',
      count: 3,
      newestTime: 9,
      latest: {},
      transport: 'mqtt',
      time: 10,
    });
    app.ars.events.emit({ type: 'decision', kind: 'assign', subject: 'x', time: 11 });
    for (let i = 0; i < 200 && !text.includes('event: telemetry'); i++)
      await new Promise((r) => setTimeout(r, 10));
    const frames = text
      .split('\n\n')
      .filter((f) => f.startsWith('id:'))
      .map((f) =>
        Object.fromEntries(
          f.split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]),
        ),
      );
    expect(frames.map((f) => [f.id, f.event])).toEqual([
      ['1', 'twin'],
      ['2', 'telemetry'],
    ]);
    expect(JSON.parse(frames[1]!.data!)).toMatchObject({ thingId: 'plant:press-1', count: 3 });
    response.destroy();
    for (let i = 0; i < 100 && app.ars.events.size > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(app.ars.events.size).toBe(0);
  });

  it('refuses unknown event types and bad thing ids', async () => {
    const bad = await app.inject({ method: 'GET', url: '/api/v1/events?types=twin,gossip' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'ARS_E_INPUT_VALIDATION', in: 'query', pointer: '/types' });
    const upgrade = new WebSocket(`ws://${base}/api/v1/events?types=gossip`);
    const status = await new Promise((resolve) =>
      upgrade.once('unexpected-response', (_req, res) => resolve(res.statusCode)),
    );
    expect(status).toBe(400);
    const id = await app.inject({ method: 'GET', url: '/api/v1/events?thingId=no-colon' });
    expect(id.json()).toMatchObject({ code: 'ARS_E_INPUT_VALIDATION', pointer: '/thingId' });
  });
});
