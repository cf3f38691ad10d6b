import { afterEach, describe, expect, it } from 'vitest';
import { parseScenario } from '../model/load.js';
import type { Sample, ServerMessage } from './protocol.js';
import { registerMessage } from './protocol.js';
import { planRequest, submitSchema } from './requests.js';
import { LiveRuntime } from './runtime.js';

const runtimes: LiveRuntime[] = [];
afterEach(() => {
  for (const rt of runtimes.splice(0)) rt.stop();
});

/** A runtime on a clock the test moves, with agents that record what they are sent. */
function setup(policy = 'fifo', scenarioText?: string, samples?: () => Sample[]) {
  let ms = 1_000_000;
  const scenario = scenarioText === undefined ? undefined : parseScenario(scenarioText);
  const rt = new LiveRuntime({
    policy: { name: policy, params: {} },
    clockMs: () => ms,
    scenario,
    ...(samples && { readSamples: async () => samples() }),
  });
  runtimes.push(rt);
  /** An agent registering (again) with `more` beside its id and capacities: another kind, handlers, labels. */
  const agent = (id: string, compute = 1, attention = 0, more: Record<string, unknown> = {}) => {
    const inbox: ServerMessage[] = [];
    const node = rt.connectAgent(
      registerMessage.parse({ type: 'register', id, kind: 'edge', compute, attention, ...more }),
      (m) => inbox.push(m),
    );
    return { node, inbox };
  };
  /** Agent `a` reports the k-th work it was assigned as done. */
  const finish = (a: ReturnType<typeof agent>, k: number) =>
    rt.result(a.node, { type: 'result', attempt: assigns(a.inbox)[k]!.attempt, ok: true, output: 1 });
  const submit = (body: unknown) => {
    const planned = planRequest(submitSchema.parse(body), undefined, new Set(['default']), rt.resolver);
    if (!planned.ok) throw new Error(JSON.stringify(planned.issues));
    return rt.submit(planned.request);
  };
  return { rt, agent, finish, submit, advance: (s: number) => (ms += s * 1000), nowMs: () => ms };
}

/**
 * A plant of one edge node with `compute` cores and one attention slot, and a twin per entry of `twins` (id →
 * extra twin fields), each refreshed in 1 s on a core and the slot.
 */
function onePlant(name: string, compute: number, twins: Record<string, string>): string {
  return [
    `name: ${name}`,
    'horizon: 60',
    'tenants: [{ id: default }]',
    `nodes: [{ id: edge, tier: edge, compute: ${compute}, attention: 1 }]`,
    'assets:',
    ...Object.entries(twins).map(
      ([id, extra]) =>
        `  - { id: ${id}, tenant: default, twin: { ${extra}refresh: { work: 1, compute: 1, attention: 1 } } }`,
    ),
  ].join('\n');
}

const assigns = (inbox: ServerMessage[]) =>
  inbox.filter((m): m is Extract<ServerMessage, { type: 'assign' }> => m.type === 'assign');

describe('LiveRuntime', () => {
  it('lets a task that finds its stale twin refreshing go on with that refresh if its sample meets the age bound', async () => {
    const plant = onePlant('one-sensor', 2, { s: '' });
    // (the sample a refresh delivers is the one its result names: see sampleTime below)
    const { rt, agent, submit, advance, nowMs } = setup('fifo', plant, () => [{ time: 0, value: 7 }]);
    rt.samplesStored(rt.twinByName('s')!, 1, { time: nowMs(), value: 7 });
    const a = agent('a', 2, 1);
    await new Promise((r) => setImmediate(r));
    // the free attention slot refreshes the one twin
    const refresh = assigns(a.inbox)[0]!;
    expect(refresh.work).toBe('refresh');
    advance(5);
    // the twin is 5 s old, over the task's bound of 2 s, and a refresh is in flight: the task waits for it
    const req = submit({ tasks: [{ id: 'read', work: 0.1, twins: ['s'], maxAge: 2 }] });
    await Promise.resolve();
    expect(assigns(a.inbox)).toHaveLength(1);
    // that refresh's sample is 1 s old on delivery, which the bound accepts: the task runs, no second refresh
    rt.result(a.node, {
      type: 'result',
      attempt: refresh.attempt,
      ok: true,
      output: 1,
      sampleTime: nowMs() - 1000,
    });
    await Promise.resolve();
    expect(assigns(a.inbox).map((m) => m.id)).toContain(`${req.id}/read`);
    expect(rt.accounting.refreshesOnDemand).toBe(0);
  });

  it('under ARS, cancels the proactive refresh bound last to make room for a refresh a task waits for', async () => {
    // one slot; p is worth refreshing, q (criticality 10⁻⁴) gets no proactive share; a request then reads q
    // with a deadline that a wait for the slot (up to a refresh, 1 s before any is measured) and q's own
    // refresh would pass
    const plant = onePlant('two-sensors', 2, { p: 'criticality: 10000, ', q: 'criticality: 0.0001, ' });
    const { rt, agent, submit, advance } = setup('ars', plant);
    const a = agent('a', 2, 1);
    await new Promise((r) => setImmediate(r));
    const proactive = assigns(a.inbox)[0]!;
    expect(proactive.id).toBe('refresh:p');
    advance(2);
    const req = submit({ deadline: 1.5, tasks: [{ id: 'read', work: 0.1, twins: ['q'], maxAge: 0.5 }] });
    await Promise.resolve();
    expect(a.inbox).toContainEqual({ type: 'cancel', attempt: proactive.attempt });
    const demanded = assigns(a.inbox)[1]!;
    expect(demanded.id).toBe('refresh:q');
    expect(rt.accounting.refreshesPreempted).toBe(1);
    expect(rt.twinByName('p')!.refreshing).toBe(false);
    // the cancelled attempt's result, should it still come, is late and changes nothing
    const late: unknown[] = [];
    rt.on('late', (e) => late.push(e));
    rt.result(a.node, { type: 'result', attempt: proactive.attempt, ok: true, output: 1 });
    expect(late).toHaveLength(1);
    rt.result(a.node, { type: 'result', attempt: demanded.attempt, ok: true, output: 2 });
    await Promise.resolve();
    expect(assigns(a.inbox).map((m) => m.id)).toContain(`${req.id}/read`);
  });

  it('ranks a queued refresh by the most urgent task waiting for it', async () => {
    // one slot, busy with a refresh of p; a loose request (deadline 30 s) asks for y, an analytics job (1000 s)
    // for x, then a tight request (2 s) waits for x too: when the slot frees, x goes first (as in the simulator)
    const plant = onePlant('three-sensors', 4, { p: '', x: '', y: '' });
    const { rt, agent, submit, advance } = setup('earliest-deadline-first', plant);
    const a = agent('a', 4, 1);
    await new Promise((r) => setImmediate(r));
    const first = assigns(a.inbox)[0]!;
    expect(first.id).toBe('refresh:p');
    advance(5);
    submit({ deadline: 30, tasks: [{ id: 'read', work: 0.1, twins: ['y'], maxAge: 1 }] });
    submit({ deadline: 1000, tasks: [{ id: 'load', work: 0.1, twins: ['x'], maxAge: 1 }] });
    const tight = submit({ deadline: 2, tasks: [{ id: 'read', work: 0.1, twins: ['x'], maxAge: 1 }] });
    await Promise.resolve();
    expect(assigns(a.inbox)).toHaveLength(1);
    rt.result(a.node, { type: 'result', attempt: first.attempt, ok: true, output: 1 });
    await Promise.resolve();
    expect(assigns(a.inbox)[1]!.id).toBe('refresh:x');
    rt.result(a.node, { type: 'result', attempt: assigns(a.inbox)[1]!.attempt, ok: true, output: 2 });
    await Promise.resolve();
    expect(assigns(a.inbox).map((m) => m.id)).toContain(`${tight.id}/read`);
  });

  it('re-dispatches a dropped agent’s task under a new attempt and ignores the old attempt’s late result', async () => {
    const { rt, agent, submit, advance } = setup();
    const a = agent('a');
    const req = submit({ tasks: [{ id: 't', work: 1 }] });
    await Promise.resolve();
    const first = assigns(a.inbox)[0]!;
    expect(first.id).toBe(`${req.id}/t`);
    const b = agent('b');
    rt.disconnectAgent(a.node);
    await Promise.resolve();
    const second = assigns(b.inbox)[0]!;
    expect(second.attempt).not.toBe(first.attempt);
    advance(1);
    rt.result(a.node, { type: 'result', attempt: first.attempt, ok: true, output: 'late' });
    expect(req.status).toBe('running');
    rt.result(b.node, { type: 'result', attempt: second.attempt, ok: true, output: 'done' });
    expect(req.status).toBe('completed');
    expect(req.outputs).toEqual(['done']);
    expect(req.taskNodes).toEqual(['b']);
  });

  it('runs a DAG in order, passing each task its predecessors’ outputs', async () => {
    const { rt, agent, submit } = setup();
    const a = agent('a', 2);
    const req = submit({
      tasks: [
        { id: 'x', work: 1 },
        { id: 'y', work: 1, after: ['x'] },
      ],
    });
    await Promise.resolve();
    expect(assigns(a.inbox).map((m) => m.id)).toEqual([`${req.id}/x`]);
    rt.result(a.node, { type: 'result', attempt: assigns(a.inbox)[0]!.attempt, ok: true, output: 42 });
    await Promise.resolve();
    const y = assigns(a.inbox)[1]!;
    expect(y.id).toBe(`${req.id}/y`);
    expect((y.input as { upstream: unknown }).upstream).toEqual({ x: 42 });
  });

  it('keeps a task that fits nowhere waiting, explains why, and places it when capacity frees', async () => {
    const { rt, agent, submit } = setup();
    const a = agent('a', 1);
    const big = submit({ tasks: [{ id: 'big', work: 1, compute: 2 }] });
    await Promise.resolve();
    expect(assigns(a.inbox)).toHaveLength(0);
    const why = rt.decisionsAbout(`${big.id}/big`).at(-1)!;
    if (why.kind !== 'place') throw new Error(`expected a place decision, got ${why.kind}`);
    expect(why.chosen).toBeNull();
    expect((why as { unschedulable?: unknown }).unschedulable).toEqual({ 'not enough free compute': 1 });
    const b = agent('b', 4);
    await Promise.resolve();
    expect(assigns(b.inbox).map((m) => m.id)).toEqual([`${big.id}/big`]);
  });

  it('records a wait once while the work keeps waiting for the same reasons, again when they change', async () => {
    const { rt, agent, finish, submit, advance } = setup();
    const a = agent('a', 1);
    const x = submit({ tasks: [{ id: 't', work: 10 }] });
    const y = submit({ tasks: [{ id: 't', work: 1 }] });
    const z = submit({ tasks: [{ id: 't', work: 1 }] });
    await Promise.resolve();
    expect(assigns(a.inbox).map((m) => m.id)).toEqual([`${x.id}/t`]);
    // tried at every cycle, y and z keep waiting for compute: one record each
    for (let k = 0; k < 20; k++) {
      advance(0.1);
      rt.cycle();
    }
    const waits = (subject: string) =>
      rt.decisionsAbout(subject).map((d) => (d.kind === 'place' ? (d.chosen ?? 'waits') : d.kind));
    expect(waits(`${y.id}/t`)).toEqual(['waits']);
    expect(waits(`${z.id}/t`)).toEqual(['waits']);
    // explained again every second (two seconds here), each time for the same reason
    expect(rt.repeatedWaits).toBe(4);
    // a second node takes y; z still waits for compute, now on two nodes: the same reason, not recorded
    const b = agent('b', 1);
    await Promise.resolve();
    expect(assigns(b.inbox).map((m) => m.id)).toEqual([`${y.id}/t`]);
    expect(waits(`${y.id}/t`)).toEqual(['waits', 'b']);
    expect(waits(`${z.id}/t`)).toEqual(['waits']);
    // y ends on b well within a second of z's last explanation: z is decided untraced, and its placement explained
    advance(0.1);
    finish(b, 0);
    await Promise.resolve();
    expect(assigns(b.inbox).map((m) => m.id)).toEqual([`${y.id}/t`, `${z.id}/t`]);
    expect(waits(`${z.id}/t`)).toEqual(['waits', 'b']);
    // w waits for compute; a node going down is a new reason: recorded, with how many nodes gave each
    const w = submit({ tasks: [{ id: 't', work: 1 }] });
    await Promise.resolve();
    rt.disconnectAgent(a.node, 'test');
    advance(0.1);
    rt.cycle();
    expect(waits(`${w.id}/t`)).toEqual(['waits', 'waits']);
    const last = rt.decisionsAbout(`${w.id}/t`).at(-1)!;
    if (last.kind !== 'place') throw new Error(`expected a place decision, got ${last.kind}`);
    expect(last.unschedulable).toEqual({ 'node down': 1, 'not enough free compute': 1 });
  });

  it('records once that a twin chosen for a refresh waits for a node, and where its refresh goes', async () => {
    const { rt, agent, finish, submit, advance } = setup('ars', onePlant('busy', 1, { m: '' }));
    // a long task takes the one core before the agent's first cycle: the free attention slot has no compute
    const job = submit({ tasks: [{ id: 't', work: 100 }] });
    const a = agent('edge', 1, 1);
    await new Promise((r) => setImmediate(r));
    expect(assigns(a.inbox).map((m) => m.id)).toEqual([`${job.id}/t`]);
    for (let k = 0; k < 20; k++) {
      advance(0.1);
      rt.cycle();
    }
    const about = () => rt.decisionsAbout('m').map((d) => `${d.kind} ${d.chosen ?? 'waits'}`);
    expect(about()).toEqual(['attention waits']);
    // the task ends: the core frees and the twin's refresh is placed, and explained
    finish(a, 0);
    await Promise.resolve();
    expect(assigns(a.inbox)[1]!.work).toBe('refresh');
    expect(about()).toEqual(['attention waits', 'attention edge']);
  });

  it.each(['ars', 'least-loaded'])(
    'under %s, places by what an agent is once it registers again as something else',
    async (policy) => {
      const { rt, agent, finish, submit, advance } = setup(policy);
      // as an edge node, one task waits for another and is then decided untraced: any index of the nodes is built
      const first = agent('a', 1);
      const w1 = submit({ tasks: [{ id: 't', work: 1 }] });
      const w2 = submit({ tasks: [{ id: 't', work: 1 }] });
      await Promise.resolve();
      advance(0.1);
      finish(first, 0);
      await Promise.resolve();
      finish(first, 1);
      expect([w1.status, w2.status]).toEqual(['completed', 'completed']);
      // the same agent comes back as a fog node with two cores
      rt.disconnectAgent(first.node, 'test');
      const a = agent('a', 2, 0, { kind: 'fog' });
      const x = submit({ tasks: [{ id: 't', work: 10, compute: 2, tier: 'fog' }] });
      const y = submit({ tasks: [{ id: 't', work: 1, compute: 2, tier: 'fog' }] });
      await Promise.resolve();
      expect(assigns(a.inbox).map((m) => m.id)).toEqual([`${x.id}/t`]);
      // x ends within a second of y's explained wait: y is decided untraced, and goes to the fog node at once
      advance(0.1);
      finish(a, 0);
      await Promise.resolve();
      expect(assigns(a.inbox).map((m) => m.id)).toEqual([`${x.id}/t`, `${y.id}/t`]);
    },
  );

  it('under ARS, decides a waiting task by each agent’s handlers, even among agents of one group', async () => {
    const { agent, finish, submit, advance } = setup('ars');
    const pool = { labels: { group: 'pool' } };
    const plain = agent('a1', 1, 0, pool);
    const special = agent('a2', 1, 0, { ...pool, handlers: ['special'] });
    const x = submit({ tasks: [{ id: 't', work: 10, handler: 'special' }] });
    const y = submit({ tasks: [{ id: 't', work: 1, handler: 'special' }] });
    await Promise.resolve();
    expect(assigns(special.inbox).map((m) => m.id)).toEqual([`${x.id}/t`]);
    // x ends within a second of y's explained wait: y is decided untraced, and only a2 has its handler
    advance(0.1);
    finish(special, 0);
    await Promise.resolve();
    expect(assigns(special.inbox).map((m) => m.id)).toEqual([`${x.id}/t`, `${y.id}/t`]);
    expect(assigns(plain.inbox)).toHaveLength(0);
  });

  it('fails a request whose task fails on its agent and says why', async () => {
    const { rt, agent, submit } = setup();
    const a = agent('a');
    const req = submit({ tasks: [{ id: 't', work: 1 }] });
    await Promise.resolve();
    rt.result(a.node, { type: 'result', attempt: assigns(a.inbox)[0]!.attempt, ok: false, error: 'boom' });
    expect(req.status).toBe('failed');
    expect(req.error).toMatch(/boom/);
  });

  it('takes down an agent that missed three heartbeats, hangs up on it and re-dispatches its work', async () => {
    const { rt, agent, submit, advance } = setup();
    const a = agent('quiet');
    let hungUp = '';
    a.node.hangUp = (reason) => {
      hungUp = reason;
    };
    const req = submit({ tasks: [{ id: 't', work: 10 }] });
    await Promise.resolve();
    expect(a.node.running).toBe(1);
    const b = agent('chatty');
    // a second per tick (the runtime looks every 100 ms), so this is silence, not a stall of the server
    for (let k = 0; k < 5; k++) {
      advance(1);
      rt.heartbeat(b.node);
      await new Promise((r) => setTimeout(r, 150));
    }
    expect(a.node.up).toBe(false);
    expect(hungUp).toBe('missed heartbeats');
    expect(b.node.up).toBe(true);
    expect(assigns(b.inbox).map((m) => m.id)).toEqual([`${req.id}/t`]);
  });

  it('cancels an attempt whose lease ran out while its agent kept talking, and dispatches it again', async () => {
    const { rt, agent, submit, advance } = setup();
    const a = agent('busy');
    const req = submit({ tasks: [{ id: 't', work: 1 }] });
    await Promise.resolve();
    const first = assigns(a.inbox)[0]!;
    // lease: 3 × 1 s of expected work + three 1 s heartbeats = 6 s; the agent heartbeats all along
    for (let k = 0; k < 8; k++) {
      advance(1);
      rt.heartbeat(a.node);
      await new Promise((r) => setTimeout(r, 150));
    }
    expect(a.node.up).toBe(true);
    expect(a.inbox).toContainEqual({ type: 'cancel', attempt: first.attempt });
    const second = assigns(a.inbox)[1]!;
    expect(second.id).toBe(`${req.id}/t`);
    expect(second.attempt).not.toBe(first.attempt);
    expect(req.attempts).toEqual([2]);
    rt.result(a.node, { type: 'result', attempt: first.attempt, ok: true, output: 'late' });
    expect(req.status).toBe('running');
    rt.result(a.node, { type: 'result', attempt: second.attempt, ok: true, output: 'done' });
    expect(req.status).toBe('completed');
    expect(req.outputs).toEqual(['done']);
  });

  it('does not blame agents for a stall of the server itself', async () => {
    const { agent, advance } = setup();
    const a = agent('patient');
    await new Promise((r) => setTimeout(r, 150));
    advance(10); // as if a long what-if had held the event loop for ten seconds
    await new Promise((r) => setTimeout(r, 250));
    expect(a.node.up).toBe(true);
  });
});
