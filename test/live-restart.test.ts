// Accepted requests survive a kill -9 of `ars serve`: a child-process server on a SQLite store in a data
// directory accepts requests while no agent is connected (so none can finish), is killed with SIGKILL, and is
// started again on the same directory. Every accepted request is resumed under its own id and completes once
// an agent connects; a request submitted after the restart gets a new id.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Agent } from '../src/live/agent.js';
import { callJson, kill9, serveChild } from './child-serve.js';
import { root } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'ars-live-restart-'));
const agents: Agent[] = [];

afterAll(async () => {
  for (const a of agents) await a.stop();
  rmSync(dir, { recursive: true, force: true });
});

const serve = () =>
  serveChild([join(root, 'test/fixtures/live/two-tenants.yaml'), '--port', '0', '--data', join(dir, 'data')]);

const call = callJson;

describe('ars serve after a kill -9', () => {
  it('resumes every accepted request under its own id and completes it', async () => {
    const first = await serve();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await call('POST', `${first.url}/api/v1/requests`, {
        tenant: i % 2 === 0 ? 'acme' : 'globex-corp',
        tasks: [
          { id: 'a', work: 0.01 },
          { id: 'b', work: 0.01, after: ['a'] },
        ],
      });
      expect(r.status).toBe(202);
      ids.push(r.body.id as string);
    }
    // no agent is connected: nothing can have finished; the 202 came after the request was stored
    await kill9(first.child);

    const second = await serve();
    expect(second.stderr()).toContain('resumed 5 unfinished requests');
    for (const id of ids) {
      const r = await call('GET', `${second.url}/api/v1/requests/${id}`);
      expect(r.status, id).toBe(200);
      expect(['waiting', 'running']).toContain(r.body.status);
    }
    const fresh = await call('POST', `${second.url}/api/v1/requests`, { tasks: [{ id: 'a', work: 0.01 }] });
    expect(fresh.status).toBe(202);
    expect(ids).not.toContain(fresh.body.id);

    const agent = new Agent({ server: second.url, id: 'edge-0', kind: 'edge', compute: 4, attention: 2 });
    agents.push(agent);
    await agent.start();
    const deadline = Date.now() + 60_000;
    for (const id of [...ids, fresh.body.id as string]) {
      for (;;) {
        const r = await call('GET', `${second.url}/api/v1/requests/${id}`);
        if (r.body.status === 'completed') break;
        if (Date.now() > deadline) throw new Error(`${id} did not complete: ${JSON.stringify(r.body)}`);
        await new Promise((done) => setTimeout(done, 100));
      }
    }
  }, 120_000);
});
