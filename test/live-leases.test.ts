// Heartbeats and task leases with agents as child processes of the built CLI (`ars agent`): an agent that
// hangs (SIGSTOP) has its task dispatched again under a new attempt and finished by another; when it resumes
// it registers again and gets work; a task stuck on a live agent is cancelled when its lease runs out and runs
// again; the late result of the old attempt is ignored, and every request completes exactly once.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Service } from '../src/live/service.js';
import { agentProcess, serve, until } from './live-helpers.js';
import { root } from './run-cli.js';

const handlers = join(root, 'test/fixtures/live/stuck-handlers.js');

async function submit(s: Service, body: unknown): Promise<string> {
  const res = await fetch(`${s.url}/api/v1/requests`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

/** Counts the runtime's `request` events of each request reaching `completed`. */
function completions(s: Service): Map<string, number> {
  const seen = new Map<string, number>();
  s.runtime.on('request', (e: { id: string; status: string }) => {
    if (e.status === 'completed') seen.set(e.id, (seen.get(e.id) ?? 0) + 1);
  });
  return seen;
}

// generous: agent processes start slowly on a busy machine; nothing here asserts wall time
describe('live leases', { timeout: 180_000 }, () => {
  it('re-dispatches the task of a hung agent; the agent comes back, registers again and gets work', async () => {
    // fifo places on the first agent with room: the one that registered first
    const s = await serve({ policy: { name: 'fifo', params: {} } });
    const done = completions(s);
    const sleepy = await agentProcess(s, 'sleepy', ['--compute', '1']);
    await agentProcess(s, 'steady', ['--compute', '1']);
    const id = await submit(s, { tasks: [{ id: 'long', work: 2 }] });
    const node = (name: string) => s.runtime.nodes.find((n) => n.id === name)!;
    await until(() => node('sleepy').running === 1, 'the task to start on sleepy');
    sleepy.kill('SIGSTOP');
    await until(() => s.runtime.requests.get(id)?.status === 'completed', 'the task to finish on steady');
    const req = s.runtime.requests.get(id)!;
    expect(req.taskNodes).toEqual(['steady']);
    expect(req.attempts).toEqual([2]);
    expect(node('sleepy').up).toBe(false);
    const trail = s.runtime.decisionsAbout(`${id}/long`);
    expect(
      trail.some((d) => String(d.waiting ?? '').startsWith('re-dispatched: sleepy missed heartbeats')),
    ).toBe(true);
    // the agent resumes: its connection was closed by the server, so it reconnects and registers again
    sleepy.kill('SIGCONT');
    await until(() => node('sleepy').up, 'sleepy to register again');
    const again = await submit(s, { tasks: [{ id: 'short', work: 0.2 }] });
    await until(() => s.runtime.requests.get(again)?.status === 'completed', 'work on the returned agent');
    expect(s.runtime.requests.get(again)!.taskNodes).toEqual(['sleepy']);
    await s.persister.flush();
    const stored = await s.store.listTasks(id);
    expect(stored.map((t) => [t.taskId, t.state, t.node, t.attempts])).toEqual([
      ['long', 'done', 'steady', 2],
    ]);
    expect((await s.store.getRequest(id))?.state).toBe('done');
    expect(done.get(id)).toBe(1);
  });

  it('takes a result larger than a megabyte from an agent', async () => {
    const s = await serve();
    await agentProcess(s, 'writer', ['--compute', '1', '--handlers', handlers]);
    const id = await submit(s, {
      tasks: [{ id: 'dump', kind: 'big', handler: 'big', work: 0.01 }],
      params: { bytes: 3_000_000 },
    });
    await until(() => s.runtime.requests.get(id)?.status === 'completed', 'the large result');
    const req = s.runtime.requests.get(id)!;
    expect((req.outputs[0] as { text: string }).text).toHaveLength(3_000_000);
    expect(req.attempts).toEqual([1]);
  });

  it('cancels an attempt past its lease, runs the task again and ignores the late result of the old attempt', async () => {
    const s = await serve({ policy: { name: 'fifo', params: {} }, leaseFactor: 2 });
    const done = completions(s);
    const late: { node: string; attempt: number }[] = [];
    s.runtime.on('late', (e: { node: string; attempt: number }) => late.push(e));
    // the first call hangs 4 s, far past the lease (2 × 0.1 s + three 500 ms heartbeats); heartbeats go on
    await agentProcess(s, 'slow', ['--compute', '1', '--handlers', handlers], { STUCK_MS: '4000' });
    const id = await submit(s, { tasks: [{ id: 'job', kind: 'stuck', handler: 'stuck', work: 0.1 }] });
    await until(() => s.runtime.requests.get(id)?.status === 'completed', 'the second attempt to finish');
    const req = s.runtime.requests.get(id)!;
    expect(req.outputs[0]).toMatchObject({ call: 2 });
    expect(req.attempts).toEqual([2]);
    expect(s.runtime.nodes[0]!.up).toBe(true);
    expect(
      s.runtime
        .decisionsAbout(`${id}/job`)
        .some((d) => /re-dispatched: lease of attempt \d+ on slow expired/.test(String(d.waiting ?? ''))),
    ).toBe(true);
    // the stuck first call answers after all: that attempt is over, its result changes nothing
    await until(() => late.length > 0, 'the late result of the first attempt');
    expect(late[0]!.node).toBe('slow');
    expect(req.outputs[0]).toMatchObject({ call: 2 });
    expect(req.status).toBe('completed');
    expect(done.get(id)).toBe(1);
  });
});
