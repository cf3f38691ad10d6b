// End to end with real parts: the live server on a free port, agents as child processes of the built CLI,
// devices publishing over MQTT (embedded broker over TCP) and HTTP, requests completing, what-if answering.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Agent } from '../src/live/agent.js';
import { playDevices } from '../src/live/devices.js';
import { startService } from '../src/live/service.js';
import { loadScenario, parseScenario } from '../src/model/index.js';
import { policyNames } from '../src/policies/index.js';
import { openSqliteStore } from '../src/store/index.js';
import { agentProcess, cleanups, serve, until } from './live-helpers.js';
import { ars, root } from './run-cli.js';

// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field, as JSON
type Body = Record<string, any>;

const plantFile = join(root, 'test/fixtures/live/small-plant.yaml');

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Body };
}

async function get(url: string) {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as Body };
}

// generous: agent processes start slowly on a busy machine; nothing here asserts wall time
describe('live service', { timeout: 180_000 }, () => {
  it('runs an ad hoc request on agent processes, in DAG order, and explains where each task went', async () => {
    const s = await serve();
    await agentProcess(s, 'edge-1', ['--kind', 'edge', '--compute', '2']);
    await agentProcess(s, 'cloud-1', ['--kind', 'cloud', '--compute', '4', '--speed', '2']);
    const submitted = await post(`${s.url}/api/v1/requests`, {
      deadline: 30,
      tasks: [
        { id: 'prepare', work: 0.05 },
        { id: 'crunch', work: 0.2, compute: 3, after: ['prepare'] },
      ],
    });
    expect(submitted.status).toBe(202);
    const id = submitted.body.id as string;
    await until(() => s.runtime.requests.get(id)?.status === 'completed', 'the request to complete');
    const result = await get(`${s.url}/api/v1/requests/${id}/result`);
    expect(result.status).toBe(200);
    expect(result.body.outputs.crunch.workedSeconds).toBeCloseTo(0.1); // 0.2 s of work at speed 2
    const status = await get(`${s.url}/api/v1/requests/${id}`);
    // only the cloud agent has 3 compute units free
    expect(status.body.tasks.find((t: { id: string }) => t.id === 'crunch').node).toBe('cloud-1');
    const why = await get(`${s.url}/api/v1/requests/${id}/explanation`);
    const crunch = why.body.decisions.filter((d: { subject: string }) => d.subject === `${id}/crunch`);
    expect(crunch.at(-1).chosen).toBe('cloud-1');
    expect(crunch.at(-1).candidates.map((c: { id: string }) => c.id)).toEqual(['cloud-1']);
    const nodes = await get(`${s.url}/api/v1/nodes`);
    expect(nodes.body.nodes.map((n: { id: string }) => n.id).sort()).toEqual(['cloud-1', 'edge-1']);
  });

  it('re-dispatches the task of a killed agent and finishes it on another', async () => {
    // first fit: the task goes to the first agent that registered
    const s = await serve({ policy: { name: 'fifo', params: {} } });
    const doomed = await agentProcess(s, 'doomed', ['--compute', '1']);
    await agentProcess(s, 'survivor', ['--compute', '1']);
    const submitted = await post(`${s.url}/api/v1/requests`, { tasks: [{ id: 'long', work: 1.5 }] });
    const id = submitted.body.id as string;
    await until(
      () => s.runtime.nodes.find((n) => n.id === 'doomed')!.running === 1,
      'the task to start on doomed',
    );
    doomed.kill('SIGKILL');
    await until(() => s.runtime.requests.get(id)?.status === 'completed', 'the task to finish elsewhere');
    const status = await get(`${s.url}/api/v1/requests/${id}`);
    expect(status.body.tasks[0].node).toBe('survivor');
    const trail = s.runtime.decisionsAbout(`${id}/long`);
    expect(
      trail.some(
        (d) =>
          d.kind === 'place' &&
          typeof d.waiting === 'string' &&
          d.waiting.startsWith('re-dispatched: doomed'),
      ),
    ).toBe(true);
  });

  it('refreshes twins from MQTT samples only with attention: ages fall when an agent offers attention', async () => {
    const scenario = loadScenario(plantFile);
    const s = await serve({ scenario, mqttPort: 0, policy: { name: 'max-age-first', params: {} } });
    const devices = await playDevices(scenario, { mqtt: s.mqtt!.url, period: 0.2 });
    cleanups.push(() => devices.stop());
    await agentProcess(s, 'no-attention', ['--compute', '4', '--attention', '0']);
    await until(() => s.runtime.accounting.samples >= 60, 'samples over MQTT');
    await new Promise((r) => setTimeout(r, 1000));
    const stale = await get(`${s.url}/api/v1/live/twins`);
    const meanAge = (b: Body) =>
      b.twins.reduce((a: number, t: { ageSeconds: number }) => a + t.ageSeconds, 0) / b.twins.length;
    const before = meanAge(stale.body);
    expect(stale.body.twins.every((t: { refreshes: number }) => t.refreshes === 0)).toBe(true);
    await agentProcess(s, 'watcher', ['--compute', '4', '--attention', '4']);
    await until(() => s.runtime.twins.every((t) => t.refreshes >= 2), 'every twin to be refreshed twice');
    const fresh = await get(`${s.url}/api/v1/live/twins`);
    expect(meanAge(fresh.body)).toBeLessThan(before);
    expect(fresh.body.twins[0].state).toHaveProperty('value');
    expect(s.runtime.decisionsAbout('sensor-0').some((d) => d.kind === 'attention')).toBe(true);
  });

  it('takes HTTP telemetry batches and serves scenario workloads, then answers a what-if with CIs', async () => {
    const scenario = loadScenario(plantFile);
    const s = await serve({ scenario });
    // before any agent offers attention the live state is no runnable scenario: a 409 with its reason, not a 500
    const early = await post(`${s.url}/api/v1/what-if`, { minutes: 0.5, replications: 2 });
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('ARS_E_WHATIF_UNAVAILABLE');
    expect(early.body.detail).toMatch(/no node can run/);
    const devices = await playDevices(scenario, { http: s.url, period: 0.2 });
    cleanups.push(() => devices.stop());
    await agentProcess(s, 'edge-a', ['--compute', '2', '--attention', '2']);
    await until(() => s.runtime.accounting.samples >= 24, 'samples over HTTP');
    const ids: string[] = [];
    for (let i = 0; i < 4; i++)
      ids.push((await post(`${s.url}/api/v1/requests`, { workload: 'query' })).body.id);
    await until(
      () => ids.every((id) => s.runtime.requests.get(id)?.status === 'completed'),
      'workload requests',
    );
    const result = await get(`${s.url}/api/v1/requests/${ids[0]}/result`);
    expect(result.body.outputs.read.twins[0].thingId).toMatch(/^plant:sensor-\d+$/);
    const answer = await post(`${s.url}/api/v1/what-if`, {
      minutes: 0.5,
      policies: ['fifo', 'max-age-first'],
      replications: 2,
    });
    expect(answer.status).toBe(200);
    expect(answer.body.results.map((r: { policy: string }) => r.policy)).toEqual(['fifo', 'max-age-first']);
    for (const r of answer.body.results) {
      expect(r.weightedAoI.mean).toBeGreaterThan(0);
      expect(r.weightedAoI.ci95).toBeGreaterThanOrEqual(0);
    }
    // the same fork as a task: the what-if handler simulates the snapshot on the agent
    const task = await post(`${s.url}/api/v1/requests`, {
      tasks: [{ id: 'fork', kind: 'what-if', work: 0.1 }],
      params: { minutes: 0.5, policies: ['fifo'], replications: 2 },
    });
    const fork = s.runtime.requests.get(task.body.id)!;
    await until(
      () => fork.status === 'completed' || fork.status === 'failed',
      `the what-if task (${JSON.stringify({ status: fork.status, nodes: s.runtime.nodes.map((n) => [n.id, n.up, n.running]), queue: s.runtime.queue.size, why: s.runtime.decisionsAbout(fork.id).slice(-2) })})`,
      20_000,
    );
    expect(fork.error).toBeUndefined();
    const forked = await get(`${s.url}/api/v1/requests/${task.body.id}/result`);
    expect(forked.body.outputs.fork.results[0].policy).toBe('fifo');
    expect(forked.body.outputs.fork.results[0].weightedAoI.mean).toBeGreaterThan(0);
    const snap = await fetch(`${s.url}/api/v1/snapshot`);
    const text = await snap.text();
    const parsed = parseScenario(text, { knownPolicies: policyNames() });
    expect(parsed.nodes.map((n) => n.id)).toEqual(['edge-a']);
    expect(parsed.twins).toHaveLength(12);
  });

  it('answers bad input with 4xx problem+json, a stable code and a JSON Pointer, never a stack trace', async () => {
    const s = await serve({ scenario: loadScenario(plantFile) });
    const malformed = await post(`${s.url}/api/v1/requests`, '{"tasks": [');
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe('ARS_E_INPUT_JSON');
    const wrongType = await post(`${s.url}/api/v1/requests`, { tasks: [{ id: 'a', work: 'soon' }] });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.code).toBe('ARS_E_INPUT_VALIDATION');
    expect(wrongType.body.pointer).toBe('/tasks/0/work');
    const unknownWorkload = await post(`${s.url}/api/v1/requests`, { workload: 'nope' });
    expect(unknownWorkload.status).toBe(404);
    expect(unknownWorkload.body.code).toBe('ARS_E_NOT_FOUND');
    const unknownTwin = await post(`${s.url}/api/v1/requests`, {
      tasks: [{ id: 'a', work: 1, twins: ['plant:ghost'] }],
    });
    expect(unknownTwin.body.errors[0].pointer).toBe('/tasks/0/twins/0');
    const cycle = await post(`${s.url}/api/v1/requests`, {
      tasks: [
        { id: 'a', work: 1, after: ['b'] },
        { id: 'b', work: 1, after: ['a'] },
      ],
    });
    expect(cycle.status).toBe(400);
    const unknownThing = await post(`${s.url}/api/v1/telemetry`, {
      thingId: 'plant:ghost',
      features: { value: { value: 1 } },
    });
    expect(unknownThing.status).toBe(404);
    expect(unknownThing.body.code).toBe('ARS_E_THING_NOT_FOUND');
    const big = await post(`${s.url}/api/v1/telemetry`, {
      thingId: 'plant:sensor-0',
      features: { value: { value: 1 } },
      pad: 'x'.repeat(9 * 1024 * 1024),
    });
    expect(big.status).toBe(413);
    expect(big.body.code).toBe('ARS_E_BODY_TOO_LARGE');
    const wrongMedia = await post(`${s.url}/api/v1/requests`, 'tasks', { 'content-type': 'text/plain' });
    expect(wrongMedia.status).toBe(415);
    const notReady = await post(`${s.url}/api/v1/requests`, { tasks: [{ id: 'a', work: 1 }] });
    const early = await get(`${s.url}/api/v1/requests/${notReady.body.id}/result`);
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('ARS_E_REQUEST_PENDING');
    const missing = await get(`${s.url}/api/v1/requests/r-999`);
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('ARS_E_NOT_FOUND');
    const badWhatIf = await post(`${s.url}/api/v1/what-if`, { policies: ['nope'] });
    expect(badWhatIf.body.pointer).toBe('/policies/0');
    for (const r of [malformed, wrongType, unknownWorkload, big, badWhatIf, missing])
      expect(JSON.stringify(r.body)).not.toMatch(/at .*\.js:\d+/);
  });

  it('keeps decisions, requests, agents and refreshed twin states in the SQLite store of --data', async () => {
    const data = mkdtempSync(join(tmpdir(), 'ars-live-'));
    cleanups.push(() => rmSync(data, { recursive: true, force: true }));
    const scenario = loadScenario(plantFile);
    const s = await startService({ scenario, port: 0, data });
    let closed = false;
    cleanups.push(async () => {
      if (!closed) await s.close();
    });
    const agent = new Agent({ server: s.url, id: 'in-process', kind: 'edge', compute: 2, attention: 2 });
    await agent.start();
    const devices = await playDevices(scenario, { http: s.url, period: 0.2 });
    await until(
      () => s.runtime.twins.every((t) => t.refreshes > 0 && t.state !== null),
      'refreshes of every twin',
    );
    const submitted = await post(`${s.url}/api/v1/requests`, { workload: 'query' });
    const id = submitted.body.id as string;
    await until(() => s.runtime.requests.get(id)?.status === 'completed', 'the request');
    await devices.stop();
    await agent.stop();
    await s.close();
    closed = true;
    const store = openSqliteStore({ path: join(data, 'ars.db') });
    try {
      const request = await store.getRequest(id);
      expect(request?.state).toBe('done');
      expect(request?.workload).toBe('query');
      const tasks = await store.listTasks(id);
      expect(tasks.map((t) => [t.taskId, t.state, t.node])).toEqual([
        ['read', 'done', 'in-process'],
        ['analyse', 'done', 'in-process'],
      ]);
      const decisions = await store.listDecisions({ subject: `${id}/read`, limit: 100 });
      expect(decisions.at(-1)?.node).toBe('in-process');
      expect((await store.getAgent('in-process'))?.status).toBe('disconnected');
      const thing = await store.getThing('plant:sensor-0');
      expect(thing?.sourceTime).toBeGreaterThan(0);
      expect(thing?.features.state?.properties?.value).toHaveProperty('value');
      // the samples the devices sent over HTTP are in the store, and the refreshes read them there
      expect(await store.countSamples('plant:sensor-0')).toBeGreaterThan(0);
      expect(tasks.every((t) => t.attempts === 1)).toBe(true);
    } finally {
      await store.close();
    }
    const trace = readFileSync(join(data, 'decisions.jsonl'), 'utf8').trim().split('\n');
    expect(trace.some((line) => JSON.parse(line).subject === `${id}/read`)).toBe(true);
    expect(trace.every((line) => JSON.parse(line).v === 1)).toBe(true);
    // the live trace reads like a simulated one
    const story = await ars('explain', join(data, 'decisions.jsonl'), '--subject', 'sensor-0', '--json');
    expect(story.code).toBe(0);
    expect(story.stdout).toContain('sensor-0');
    // a restart on the same --data keeps the things and goes on numbering requests after the stored ones
    const again = await startService({ scenario, port: 0, data });
    try {
      const next = await post(`${again.url}/api/v1/requests`, { tasks: [{ id: 'a', work: 1 }] });
      expect(next.status).toBe(202);
      expect(next.body.id).not.toBe(id);
      expect(Number(next.body.id.slice(2))).toBeGreaterThan(Number(id.slice(2)));
      expect((await again.store.getRequest(id))?.state).toBe('done');
      expect(again.persister.errors).toBe(0);
    } finally {
      await again.close();
    }
  });
});
