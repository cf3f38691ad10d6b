import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../errors.js';
import { expandScenario } from './expand.js';
import { type ScenarioInput, scenarioSchema } from './schema.js';

/** A small valid scenario; tests override parts of it. */
function input(over: Partial<ScenarioInput> = {}): ScenarioInput {
  return {
    name: 'demo',
    horizon: 100,
    tenants: [{ id: 'acme' }],
    nodes: [
      { id: 'edge', count: 3, tier: 'edge', compute: 4, attention: 2, zone: 'plant' },
      {
        id: 'cloud',
        tier: 'cloud',
        compute: 32,
        attention: 8,
        speed: { default: 2, kinds: { simulate: 4 } },
      },
    ],
    assets: [{ id: 'press', count: 2, tenant: 'acme', zone: 'plant' }],
    workloads: [
      {
        id: 'whatif',
        tenant: 'acme',
        arrival: { kind: 'poisson', rate: 0.5 },
        tasks: [
          { id: 'report', work: 1, after: ['simulate'] },
          { id: 'simulate', work: 5, compute: 8, tier: 'cloud' },
          { id: 'fetch', work: 0.1, twin: { group: 'press', maxAge: 2 } },
        ],
        edges: [{ from: 'fetch', to: 'simulate', bytes: 1000 }],
      },
    ],
    ...over,
  };
}

function expand(over: Partial<ScenarioInput> = {}, options = {}) {
  return expandScenario(scenarioSchema.parse(input(over)), options);
}

/** The issues of a scenario that must be refused, as `path: message` lines. */
function problems(over: Partial<ScenarioInput>, options = {}): string[] {
  try {
    expand(over, options);
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    expect(err.code).toBe('ARS_E_INPUT_SEMANTIC');
    return err.issues.map((i) => `${i.path}: ${i.message}`);
  }
  throw new Error('expected the scenario to be refused');
}

const dir = mkdtempSync(join(tmpdir(), 'ars-expand-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('expansion', () => {
  const s = expand();
  it('names group members id-0 … id-(n-1) and keeps the id of a single node', () => {
    expect(s.nodes.map((n) => n.id)).toEqual(['edge-0', 'edge-1', 'edge-2', 'cloud']);
    expect(s.nodes.map((n) => [n.group, n.index])).toEqual([
      ['edge', 0],
      ['edge', 1],
      ['edge', 2],
      ['cloud', 3],
    ]);
    expect(s.twins.map((t) => t.id)).toEqual(['press-0', 'press-1']);
    expect(s.twins[1]).toMatchObject({ group: 'press', tenant: 'acme', zone: 'plant', criticality: 1 });
  });
  it('turns a speed number into a default with no kinds, and keeps per-kind speeds', () => {
    expect(s.nodes[0]).toMatchObject({ speedDefault: 1, speedByKind: {} });
    expect(s.nodes[3]).toMatchObject({ speedDefault: 2, speedByKind: { simulate: 4 } });
  });
  it('turns a policy name into a reference with no parameters', () => {
    expect(s.policy).toEqual({ name: 'fifo', params: {} });
    expect(expand({ policy: { name: 'drf', params: { w: 1 } } }).policy).toEqual({
      name: 'drf',
      params: { w: 1 },
    });
  });
  it('orders tasks topologically and indexes edges by position', () => {
    const w = s.workloads[0]!;
    expect(w.tasks.map((t) => t.id)).toEqual(['fetch', 'simulate', 'report']);
    expect(w.tasks.map((t) => t.index)).toEqual([0, 1, 2]);
    // explicit edges first, then those from `after` lists with 0 bytes
    expect(w.edges).toEqual([
      { from: 0, to: 1, bytes: 1000 },
      { from: 1, to: 2, bytes: 0 },
    ]);
    for (const [k, e] of w.edges.entries()) {
      expect(e.from).toBeLessThan(e.to);
      expect(w.tasks[e.from]!.outEdges).toContain(k);
      expect(w.tasks[e.to]!.inEdges).toContain(k);
    }
    expect(w.tasks[0]!.twin).toEqual({ group: 'press', maxAge: 2 });
  });
  it('keeps the written order when it is already topological', () => {
    const tasks = ['a', 'b', 'c', 'd'].map((id) => ({ id, work: 1 }));
    const w = expand({
      workloads: [{ id: 'w', tenant: 'acme', arrival: { kind: 'poisson', rate: 1 }, tasks }],
    }).workloads[0]!;
    expect(w.tasks.map((t) => t.id)).toEqual(['a', 'b', 'c', 'd']);
  });
  it('does not duplicate an edge that an `after` repeats', () => {
    const w = expand({
      workloads: [
        {
          id: 'w',
          tenant: 'acme',
          arrival: { kind: 'poisson', rate: 1 },
          tasks: [
            { id: 'a', work: 1 },
            { id: 'b', work: 1, after: ['a'] },
          ],
          edges: [{ from: 'a', to: 'b', bytes: 5 }],
        },
      ],
    }).workloads[0]!;
    expect(w.edges).toEqual([{ from: 0, to: 1, bytes: 5 }]);
  });
  it('returns a frozen scenario', () => {
    expect(Object.isFrozen(s)).toBe(true);
    expect(Object.isFrozen(s.nodes)).toBe(true);
    expect(Object.isFrozen(s.workloads[0]!.tasks[0])).toBe(true);
  });
  it('defaults the batch window to a twentieth of the tightest deadline per DAG step, within 0.01–1 s', () => {
    // no deadline: 1 s
    expect(s.scheduling.window).toBe(1);
    const whatif = input().workloads![0]!;
    // fetch → simulate → report is a chain of three: 6 s / 3 steps / 20
    const due = (deadline: number) => expand({ workloads: [{ ...whatif, deadline }] }).scheduling.window;
    expect(due(6)).toBeCloseTo(0.1, 12);
    expect(due(600)).toBe(1);
    expect(due(0.3)).toBe(0.01);
    // the tightest workload decides: a one-step read due in 1 s beats the chain's 6 s / 3
    const read = {
      id: 'read',
      tenant: 'acme',
      deadline: 1,
      arrival: { kind: 'poisson' as const, rate: 1 },
      tasks: [{ id: 'r', work: 0.1 }],
    };
    expect(expand({ workloads: [{ ...whatif, deadline: 6 }, read] }).scheduling.window).toBeCloseTo(0.05, 12);
    // a window the file sets is kept
    expect(
      expand({ workloads: [{ ...whatif, deadline: 6 }], scheduling: { window: 2 } }).scheduling.window,
    ).toBe(2);
  });
  it('expands 100,000 twins', () => {
    const big = expand({ assets: [{ id: 'press', count: 100_000, tenant: 'acme' }] });
    expect(big.twins.length).toBe(100_000);
    expect(big.twins[99_999]!.id).toBe('press-99999');
    expect(new Set(big.twins.map((t) => t.id)).size).toBe(100_000);
  });
});

describe('trace arrivals', () => {
  const trace = (file: string, column?: string, scale?: number) => ({
    workloads: [
      {
        id: 'w',
        tenant: 'acme',
        arrival: { kind: 'trace' as const, file, ...(column ? { column } : {}), ...(scale ? { scale } : {}) },
        tasks: [{ id: 'a', work: 1 }],
      },
    ],
  });
  it('reads, sorts and scales a column, relative to the scenario folder', () => {
    writeFileSync(join(dir, 'arrivals.csv'), 'id,at\n1,3.5\n2,1\n\n3,2\n');
    const s = expand(trace('arrivals.csv', 'at', 2), { file: join(dir, 'scenario.yaml') });
    expect(s.workloads[0]!.traceTimes).toEqual([2, 4, 7]);
  });
  it('resolves relative to baseDir when given', () => {
    writeFileSync(join(dir, 't.csv'), 'time\n5\n');
    expect(expand(trace('t.csv'), { baseDir: dir }).workloads[0]!.traceTimes).toEqual([5]);
  });
  it('leaves traceTimes undefined for other arrival kinds', () => {
    expect(expand().workloads[0]!.traceTimes).toBeUndefined();
  });
  it('reports a missing file, a missing column and a bad value', () => {
    writeFileSync(join(dir, 'cols.csv'), 'tme\n1\n');
    writeFileSync(join(dir, 'bad.csv'), 'time\n1\nsoon\n');
    expect(problems(trace('nope.csv'), { baseDir: dir })).toEqual([
      'workloads[0].arrival.file: trace file not found',
    ]);
    expect(problems(trace('cols.csv'), { baseDir: dir })[0]).toContain('did you mean `tme`');
    expect(problems(trace('bad.csv'), { baseDir: dir })).toEqual([
      'workloads[0].arrival.file: trace line 3: not an arrival time',
    ]);
  });
});

describe('semantic checks', () => {
  const w = input().workloads![0]!;
  const withTasks = (tasks: unknown[], edges: unknown[] = []) =>
    ({ workloads: [{ ...w, tasks, edges }] }) as Partial<ScenarioInput>;

  it('finds duplicate tenant ids', () => {
    expect(problems({ tenants: [{ id: 'acme' }, { id: 'acme' }] })).toEqual([
      'tenants[1].id: duplicate tenant id `acme`',
    ]);
  });
  it('finds duplicate node ids, also between expanded groups', () => {
    const nodes = input().nodes!;
    expect(problems({ nodes: [...nodes, { id: 'edge-1', tier: 'edge', compute: 1 }] })).toEqual([
      'nodes[2].id: duplicate node id `edge-1` (also made by nodes[0])',
    ]);
    expect(problems({ nodes: [...nodes, { id: 'cloud', tier: 'cloud', compute: 1 }] })).toEqual([
      'nodes[2].id: duplicate node id `cloud` (also nodes[1])',
    ]);
  });
  it('finds duplicate twin ids and asset ids', () => {
    const assets = input().assets!;
    expect(problems({ assets: [...assets, { id: 'press-0', tenant: 'acme' }] })).toEqual([
      'assets[1].id: duplicate twin id `press-0` (also made by assets[0])',
    ]);
    expect(problems({ assets: [...assets, { id: 'press', tenant: 'acme' }] })).toEqual([
      'assets[1].id: duplicate asset id `press` (also assets[0])',
    ]);
  });
  it('finds duplicate workload ids and duplicate task ids', () => {
    expect(problems({ workloads: [w, w] })).toEqual([
      'workloads[1].id: duplicate workload id `whatif` (also workloads[0])',
    ]);
    expect(
      problems(
        withTasks([
          { id: 'a', work: 1 },
          { id: 'a', work: 1 },
        ]),
      ),
    ).toEqual(['workloads[0].tasks[1].id: duplicate task id `a` (also tasks[0])']);
  });
  it('finds unknown tenants of workloads and assets', () => {
    expect(
      problems({
        workloads: [{ ...w, tenant: 'acm' }],
        assets: [{ id: 'press', tenant: 'beta' }],
      }),
    ).toEqual([
      'assets[0].tenant: unknown tenant `beta`',
      'workloads[0].tenant: unknown tenant `acm`; did you mean `acme`?',
    ]);
  });
  it('finds `after` and `edges` naming missing tasks', () => {
    expect(problems(withTasks([{ id: 'a', work: 1, after: ['b'] }], [{ from: 'a', to: 'zz' }]))).toEqual([
      'workloads[0].edges[0].to: unknown task `zz`',
      'workloads[0].tasks[0].after[0]: unknown task `b`',
    ]);
  });
  it('names a cycle in the task DAG, from the task written first', () => {
    expect(
      problems(
        withTasks([
          { id: 'x', work: 1 },
          { id: 'a', work: 1, after: ['c', 'x'] },
          { id: 'b', work: 1, after: ['a'] },
          { id: 'c', work: 1, after: ['b'] },
          { id: 'd', work: 1, after: ['c'] },
        ]),
      ),
    ).toEqual(['workloads[0].tasks[1]: tasks form a cycle: a → b → c → a']);
    expect(problems(withTasks([{ id: 'a', work: 1, after: ['a'] }]))).toEqual([
      'workloads[0].tasks[0]: tasks form a cycle: a → a',
    ]);
  });
  it('finds a duplicate explicit edge', () => {
    const tasks = [
      { id: 'a', work: 1 },
      { id: 'b', work: 1 },
    ];
    expect(
      problems(
        withTasks(tasks, [
          { from: 'a', to: 'b' },
          { from: 'a', to: 'b' },
        ]),
      ),
    ).toEqual(['workloads[0].edges[1]: duplicate edge `a` → `b`']);
  });
  it('finds a twin need naming an unknown asset group', () => {
    expect(problems(withTasks([{ id: 'a', work: 1, twin: { group: 'pres', maxAge: 1 } }]))).toEqual([
      'workloads[0].tasks[0].twin.group: unknown asset group `pres`; did you mean `press`?',
    ]);
  });
  it('finds links naming unknown nodes, and accepts node ids and group ids', () => {
    const link = (between: [string, string]) => ({ between, latency: 0, bandwidth: 1 });
    expect(
      problems({
        network: { links: [link(['edge', 'cloud']), link(['edge-2', 'cloud']), link(['edge-9', 'clod'])] },
      }),
    ).toEqual([
      'network.links[2].between[0]: unknown node `edge-9`; did you mean `edge`?',
      'network.links[2].between[1]: unknown node `clod`; did you mean `cloud`?',
    ]);
  });
  it('finds zone pairs naming zones that nothing is in', () => {
    const zone = (between: [string, string]) => ({ between, latency: 0, bandwidth: 1 });
    expect(problems({ network: { zones: [zone(['plant', 'plnt'])] } })).toEqual([
      'network.zones[0].between[1]: no node or asset is in zone `plnt`; did you mean `plant`?',
    ]);
  });
  it('finds a task whose tier has no node', () => {
    expect(problems(withTasks([{ id: 'a', work: 1, tier: 'fog' }]))).toEqual([
      'workloads[0].tasks[0]: no node can run this task: there is no node of tier `fog`',
    ]);
  });
  it('finds a task whose demand exceeds every eligible node', () => {
    expect(
      problems(
        withTasks([
          { id: 'a', work: 1, compute: 8, tier: 'edge' },
          { id: 'b', work: 1, compute: 4, attention: 3, tier: 'edge' },
          { id: 'c', work: 1, compute: 33 },
          { id: 'ok', work: 1, compute: 32, attention: 8 },
        ]),
      ),
    ).toEqual([
      'workloads[0].tasks[0]: no edge node can run this task: it holds compute 8 and attention 0 while it runs',
      'workloads[0].tasks[1]: no edge node can run this task: it holds compute 4 and attention 3 while it runs',
      'workloads[0].tasks[2]: no node can run this task: it holds compute 33 and attention 0 while it runs',
    ]);
  });
  it('finds a task needing attention where every node has none', () => {
    expect(
      problems({
        nodes: [{ id: 'n', tier: 'edge', compute: 4 }],
        assets: [],
        workloads: [{ ...w, tasks: [{ id: 'a', work: 1, attention: 1 }], edges: [] }],
      }),
    ).toEqual([
      'workloads[0].tasks[0]: no node can run this task: it holds compute 1 and attention 1 while it runs',
    ]);
  });
  it('finds a refresh that no node can run', () => {
    expect(
      problems({
        assets: [{ id: 'press', tenant: 'acme', twin: { refresh: { compute: 1, attention: 9 } } }],
      }),
    ).toEqual([
      'assets[0].twin.refresh: no node can run this refresh: it holds compute 1 and attention 9 while it runs',
    ]);
  });
  it('checks elastic min <= count <= max', () => {
    const elastic = (min: number, max: number) => ({
      min,
      max,
      rule: { kind: 'queue-length' as const, perNode: 2 },
    });
    const node = (count: number, min: number, max: number) => ({
      nodes: [
        ...input().nodes!,
        { id: 'pool', tier: 'edge' as const, compute: 4, count, elastic: elastic(min, max) },
      ],
    });
    expect(() => expand(node(2, 1, 4))).not.toThrow();
    expect(() => expand(node(4, 4, 4))).not.toThrow();
    expect(problems(node(5, 1, 4))).toEqual([
      'nodes[2].count: the starting size of an elastic group must lie within its limits',
    ]);
    expect(problems(node(1, 2, 4))).toHaveLength(1);
  });
  it('checks warmup < horizon', () => {
    expect(() => expand({ warmup: 99 })).not.toThrow();
    expect(problems({ warmup: 100 })).toEqual(['warmup: warmup must end before the horizon']);
  });
  it('checks the policy name against a catalogue, when one is given', () => {
    expect(() => expand({ policy: 'drff' })).not.toThrow();
    expect(problems({ policy: 'drff' }, { knownPolicies: ['fifo', 'drf'] })).toEqual([
      'policy: unknown policy `drff`; did you mean `drf`?',
    ]);
    expect(problems({ policy: { name: 'zzz' } }, { knownPolicies: ['fifo'] })).toEqual([
      'policy.name: unknown policy `zzz`',
    ]);
  });
  it('reports every problem at once', () => {
    expect(
      problems(
        { warmup: 200, tenants: [{ id: 'acme' }, { id: 'acme' }], policy: 'x' },
        { knownPolicies: ['fifo'] },
      ),
    ).toHaveLength(3);
  });
});
