/**
 * Semantic checks and expansion: a schema-valid `ScenarioSpec` becomes the immutable `Scenario` the
 * world runs. Groups become individual nodes and twins, `after` lists become 0-byte edges, tasks are
 * put in a topological order and trace files are read. Every problem is collected and reported at once.
 *
 * Cost: linear in the number of expanded nodes, twins, tasks and edges (plus sorting trace times), so
 * a scenario with 100,000 twins expands in well under a second.
 */

import { dirname, isAbsolute, resolve } from 'node:path';
import { InputError, type InputIssue } from '../errors.js';
import { didYouMean } from './did-you-mean.js';
import { formatCount, type Limits, resolveLimits } from './limits.js';
import { issueCollector, type Locate, type PathSegment } from './locate.js';
import { describeSelector, nodeLabels, selects } from './privacy.js';
import type { EdgeDef, NodeDef, PolicyRef, Scenario, TaskDef, TwinDef, WorkloadDef } from './scenario.js';
import type { ScenarioSpec, Tier, WorkloadSpec } from './schema.js';
import { readTrace, TraceProblem } from './trace.js';

export interface ExpandOptions {
  /** the scenario file, written into the result and used to resolve trace files */
  readonly file?: string | undefined;
  /** folder that relative trace file names are resolved against; default the scenario file's folder */
  readonly baseDir?: string | undefined;
  /** when given, the policy name must be one of these */
  readonly knownPolicies?: readonly string[] | undefined;
  /** largest trace file accepted, in bytes */
  readonly maxBytes?: number | undefined;
  /** maps a path to its line and column in the source; set by the loader */
  readonly locate?: Locate | undefined;
  /** count limits (nodes, twins, tasks); missing fields take the defaults */
  readonly limits?: Partial<Limits> | undefined;
}

/** The id of member `index` of a group of `count`: the group id itself when the group has one member. */
export function memberId(groupId: string, count: number, index: number): string {
  return count === 1 ? groupId : `${groupId}-${index}`;
}

interface Capacity {
  readonly group: string;
  readonly compute: number;
  readonly attention: number;
}

/**
 * Checks `spec` for contradictions (duplicate ids, dangling references, cycles, impossible tasks…) and
 * expands it. Throws `InputError` with code `ARS_E_INPUT_SEMANTIC` listing every problem found.
 */
export function expandScenario(spec: ScenarioSpec, options: ExpandOptions = {}): Scenario {
  const issues: InputIssue[] = [];
  const add = issueCollector(issues, options.file, options.locate);

  // Counts are checked before anything is expanded: a billion twins must be refused, not allocated.
  const limits = resolveLimits(options.limits);
  const tooMany = (path: PathSegment[], what: string, total: number, limit: number) =>
    add(
      path,
      `refused: ${formatCount(total)} ${what} in all, more than the limit of ${formatCount(limit)} (lift it with --no-limits)`,
      `at most ${limit} ${what}`,
      String(total),
    );
  let nodeTotal = 0;
  spec.nodes.forEach((g, gi) => {
    nodeTotal += g.elastic ? Math.max(g.elastic.max, g.count) : g.count;
    if (nodeTotal > limits.maxNodes && nodeTotal - (g.elastic?.max ?? g.count) <= limits.maxNodes)
      tooMany(['nodes', gi, g.elastic ? 'elastic' : 'count'], 'nodes', nodeTotal, limits.maxNodes);
  });
  let twinTotal = 0;
  spec.assets.forEach((a, ai) => {
    twinTotal += a.count;
    if (twinTotal > limits.maxTwins && twinTotal - a.count <= limits.maxTwins)
      tooMany(['assets', ai, 'count'], 'twins', twinTotal, limits.maxTwins);
  });
  spec.workloads.forEach((w, wi) => {
    if (w.tasks.length > limits.maxTasks)
      tooMany(['workloads', wi, 'tasks'], 'tasks in one workload', w.tasks.length, limits.maxTasks);
  });
  if (issues.length > 0) throw new InputError('ARS_E_INPUT_SEMANTIC', issues);

  if (spec.warmup >= spec.horizon)
    add(['warmup'], 'warmup must end before the horizon', `less than ${spec.horizon}`, String(spec.warmup));

  // ---------------------------------------------------------------- tenants
  const tenantIds = new Set<string>();
  spec.tenants.forEach((t, i) => {
    if (tenantIds.has(t.id)) add(['tenants', i, 'id'], `duplicate tenant id \`${t.id}\``);
    tenantIds.add(t.id);
  });
  const checkTenant = (path: PathSegment[], tenant: string) => {
    if (!tenantIds.has(tenant))
      add(
        path,
        `unknown tenant \`${tenant}\`${didYouMean(tenant, tenantIds)}`,
        `one of ${[...tenantIds].join(', ')}`,
        JSON.stringify(tenant),
      );
  };

  // ---------------------------------------------------------------- nodes
  const nodes: NodeDef[] = [];
  const nodeOwner = new Map<string, number>(); // expanded node id → index of its `nodes` entry
  const nodeGroupIndex = new Map<string, number>();
  const capacities = new Map<Tier, Capacity[]>();
  const zonesUsed = new Set<string>();
  spec.nodes.forEach((g, gi) => {
    const earlier = nodeGroupIndex.get(g.id);
    if (earlier !== undefined)
      add(['nodes', gi, 'id'], `duplicate node id \`${g.id}\` (also nodes[${earlier}])`);
    else nodeGroupIndex.set(g.id, gi);
    if (g.elastic && (g.count < g.elastic.min || g.count > g.elastic.max))
      add(
        ['nodes', gi, 'count'],
        'the starting size of an elastic group must lie within its limits',
        `elastic.min (${g.elastic.min}) <= count <= elastic.max (${g.elastic.max})`,
        String(g.count),
      );
    if (g.zone !== undefined) zonesUsed.add(g.zone);
    const list = capacities.get(g.tier) ?? [];
    list.push({ group: g.id, compute: g.compute, attention: g.attention });
    capacities.set(g.tier, list);
    const speedDefault = typeof g.speed === 'number' ? g.speed : g.speed.default;
    const speedByKind = Object.freeze(typeof g.speed === 'number' ? {} : { ...g.speed.kinds });
    const failure = g.failure ? Object.freeze({ mtbf: g.failure.mtbf, mttr: g.failure.mttr }) : undefined;
    // An elastic group has all `max` members from the start; the world switches on the first `count`.
    const members = g.elastic ? g.elastic.max : g.count;
    for (let i = 0; i < members; i++) {
      const nid = memberId(g.id, members, i);
      const owner = nodeOwner.get(nid);
      if (owner !== undefined) {
        // A repeated entry id is reported once above; here only collisions between different ids.
        if (spec.nodes[owner]!.id !== g.id)
          add(['nodes', gi, 'id'], `duplicate node id \`${nid}\` (also made by nodes[${owner}])`);
        continue;
      }
      nodeOwner.set(nid, gi);
      nodes.push(
        Object.freeze({
          id: nid,
          group: g.id,
          index: nodes.length,
          tier: g.tier,
          zone: g.zone,
          compute: g.compute,
          attention: g.attention,
          speedDefault,
          speedByKind,
          costPerSecond: g.costPerSecond,
          powerIdle: g.power.idle,
          powerBusy: g.power.busy,
          failure,
        }),
      );
    }
  });

  /** Why no node can hold `compute` and `attention` (on `tier`, if given), or undefined when one can. */
  const impossible = (
    path: PathSegment[],
    what: string,
    compute: number,
    attention: number,
    tier: Tier | undefined,
  ) => {
    const eligible = tier ? (capacities.get(tier) ?? []) : [...capacities.values()].flat();
    if (eligible.length === 0) {
      add(
        path,
        `no node can run this ${what}: there is no node of tier \`${tier}\``,
        `a node of tier ${tier}`,
        `tiers ${[...capacities.keys()].join(', ')}`,
      );
      return;
    }
    if (eligible.some((c) => c.compute >= compute && c.attention >= attention)) return;
    const maxCompute = Math.max(...eligible.map((c) => c.compute));
    const maxAttention = Math.max(...eligible.map((c) => c.attention));
    add(
      path,
      `no ${tier ? `${tier} ` : ''}node can run this ${what}: it holds compute ${compute} and attention ${attention} while it runs`,
      `a node with compute >= ${compute} and attention >= ${attention}`,
      `largest compute ${maxCompute}, largest attention ${maxAttention}`,
    );
  };

  // ---------------------------------------------------------------- assets and twins
  const twins: TwinDef[] = [];
  const twinOwner = new Map<string, number>();
  const assetGroupIndex = new Map<string, number>();
  spec.assets.forEach((a, ai) => {
    const earlier = assetGroupIndex.get(a.id);
    if (earlier !== undefined)
      add(['assets', ai, 'id'], `duplicate asset id \`${a.id}\` (also assets[${earlier}])`);
    else assetGroupIndex.set(a.id, ai);
    checkTenant(['assets', ai, 'tenant'], a.tenant);
    if (a.zone !== undefined) zonesUsed.add(a.zone);
    const r = a.twin.refresh;
    impossible(['assets', ai, 'twin', 'refresh'], 'refresh', r.compute, r.attention, r.tier);
    const sensitive = Object.freeze([...a.twin.sensitive]);
    for (let i = 0; i < a.count; i++) {
      const tid = memberId(a.id, a.count, i);
      const owner = twinOwner.get(tid);
      if (owner !== undefined) {
        if (spec.assets[owner]!.id !== a.id)
          add(['assets', ai, 'id'], `duplicate twin id \`${tid}\` (also made by assets[${owner}])`);
        continue;
      }
      twinOwner.set(tid, ai);
      twins.push(
        Object.freeze({
          id: tid,
          group: a.id,
          index: twins.length,
          tenant: a.tenant,
          zone: a.zone,
          dynamics: a.dynamics,
          anomaly: a.anomaly,
          criticality: a.twin.criticality,
          sampleBytes: a.twin.sampleBytes,
          refresh: r,
          maxAge: a.twin.maxAge,
          sensitive,
          forecaster: a.twin.forecaster,
        }),
      );
    }
  });

  // ---------------------------------------------------------------- network
  spec.network.zones.forEach((z, zi) => {
    z.between.forEach((zone, k) => {
      if (!zonesUsed.has(zone))
        add(
          ['network', 'zones', zi, 'between', k],
          `no node or asset is in zone \`${zone}\`${didYouMean(zone, zonesUsed)}`,
          zonesUsed.size > 0 ? `one of ${[...zonesUsed].join(', ')}` : 'a zone set on a node or asset',
          JSON.stringify(zone),
        );
    });
  });
  spec.network.links.forEach((l, li) => {
    l.between.forEach((end, k) => {
      if (!nodeOwner.has(end) && !nodeGroupIndex.has(end))
        add(
          ['network', 'links', li, 'between', k],
          `unknown node \`${end}\`${didYouMean(end, nodeGroupIndex.keys())}`,
          'a node id or node group id',
          JSON.stringify(end),
        );
    });
  });

  // ---------------------------------------------------------------- workloads
  const workloadIds = new Map<string, number>();
  const workloads: WorkloadDef[] = [];
  spec.workloads.forEach((w, wi) => {
    const earlier = workloadIds.get(w.id);
    if (earlier !== undefined)
      add(['workloads', wi, 'id'], `duplicate workload id \`${w.id}\` (also workloads[${earlier}])`);
    else workloadIds.set(w.id, wi);
    checkTenant(['workloads', wi, 'tenant'], w.tenant);
    const before = issues.length;
    const graph = checkTasks(w, wi, add, assetGroupIndex, impossible);
    let traceTimes: number[] | undefined;
    if (w.arrival.kind === 'trace') {
      const base = options.baseDir ?? (options.file ? dirname(options.file) : process.cwd());
      const file = isAbsolute(w.arrival.file) ? w.arrival.file : resolve(base, w.arrival.file);
      const result = readTrace(file, w.arrival.column, w.arrival.scale, options.maxBytes ?? limits.maxBytes);
      if (result instanceof TraceProblem)
        add(['workloads', wi, 'arrival', 'file'], result.message, result.expected, result.found);
      else traceTimes = result;
    }
    if (graph && issues.length === before) workloads.push(buildWorkload(w, wi, graph, traceTimes));
  });

  // ---------------------------------------------------------------- policy
  const policy: PolicyRef =
    typeof spec.policy === 'string'
      ? { name: spec.policy, params: {} }
      : { name: spec.policy.name, params: { ...spec.policy.params } };
  const known = options.knownPolicies;
  if (known && !known.includes(policy.name))
    add(
      typeof spec.policy === 'string' ? ['policy'] : ['policy', 'name'],
      `unknown policy \`${policy.name}\`${didYouMean(policy.name, known)}`,
      `one of ${known.join(', ')}`,
      JSON.stringify(policy.name),
    );

  if (spec.privacy) {
    const selector = spec.privacy.sensitiveNodes;
    const groupLabels = new Map(spec.nodes.map((g) => [g.id, g.labels]));
    if (!nodes.some((n) => selects(selector, nodeLabels(n, groupLabels.get(n.group)))))
      add(
        ['privacy', 'sensitiveNodes'],
        `selects no node (${describeSelector(selector)}): sensitive twins and tasks could never run`,
        'a label selector that matches at least one node',
      );
  }

  if (issues.length > 0) throw new InputError('ARS_E_INPUT_SEMANTIC', issues);

  return Object.freeze({
    name: spec.name,
    description: spec.description,
    seed: spec.seed,
    horizon: spec.horizon,
    warmup: spec.warmup,
    policy: Object.freeze(policy),
    failures: spec.failures,
    scheduling: Object.freeze({
      ...spec.scheduling,
      window: spec.scheduling.window ?? batchWindow(workloads),
    }),
    tenants: Object.freeze([...spec.tenants]),
    nodeGroups: Object.freeze([...spec.nodes]),
    nodes: Object.freeze(nodes),
    network: spec.network,
    assetGroups: Object.freeze([...spec.assets]),
    twins: Object.freeze(twins),
    workloads: Object.freeze(workloads),
    ...(spec.privacy ? { privacy: spec.privacy } : {}),
    file: options.file,
  });
}

type Add = (path: readonly PathSegment[], message: string, expected?: string, found?: string) => void;

interface TaskGraph {
  /** original task indices in topological order */
  readonly order: number[];
  /** edges between original task indices, explicit edges first, then those from `after` */
  readonly edges: { from: number; to: number; bytes: number }[];
}

/** Checks one workload's tasks and orders them; undefined when the DAG is broken. */
function checkTasks(
  w: WorkloadSpec,
  wi: number,
  add: Add,
  assetGroups: ReadonlyMap<string, number>,
  impossible: (path: PathSegment[], what: string, c: number, a: number, tier: Tier | undefined) => void,
): TaskGraph | undefined {
  const taskIndex = new Map<string, number>();
  let ok = true;
  w.tasks.forEach((t, ti) => {
    const earlier = taskIndex.get(t.id);
    if (earlier !== undefined) {
      add(['workloads', wi, 'tasks', ti, 'id'], `duplicate task id \`${t.id}\` (also tasks[${earlier}])`);
      ok = false;
    } else taskIndex.set(t.id, ti);
    if (t.twin && !assetGroups.has(t.twin.group))
      add(
        ['workloads', wi, 'tasks', ti, 'twin', 'group'],
        `unknown asset group \`${t.twin.group}\`${didYouMean(t.twin.group, assetGroups.keys())}`,
        'the id of an `assets` entry',
        JSON.stringify(t.twin.group),
      );
    impossible(['workloads', wi, 'tasks', ti], 'task', t.compute, t.attention, t.tier);
  });
  const missing = (path: PathSegment[], name: string) => {
    add(
      path,
      `unknown task \`${name}\`${didYouMean(name, taskIndex.keys())}`,
      `a task id of workload ${w.id}`,
      JSON.stringify(name),
    );
    ok = false;
  };

  const edges: { from: number; to: number; bytes: number }[] = [];
  const seen = new Set<string>();
  w.edges.forEach((e, ei) => {
    const from = taskIndex.get(e.from);
    const to = taskIndex.get(e.to);
    if (from === undefined) missing(['workloads', wi, 'edges', ei, 'from'], e.from);
    if (to === undefined) missing(['workloads', wi, 'edges', ei, 'to'], e.to);
    if (from === undefined || to === undefined) return;
    const key = `${from}>${to}`;
    if (seen.has(key)) {
      add(['workloads', wi, 'edges', ei], `duplicate edge \`${e.from}\` → \`${e.to}\``);
      ok = false;
    }
    seen.add(key);
    edges.push({ from, to, bytes: e.bytes });
  });
  w.tasks.forEach((t, to) => {
    t.after.forEach((name, k) => {
      const from = taskIndex.get(name);
      if (from === undefined) {
        missing(['workloads', wi, 'tasks', to, 'after', k], name);
        return;
      }
      // An `after` that repeats an explicit edge adds nothing: the edge already orders the two.
      const key = `${from}>${to}`;
      if (seen.has(key)) return;
      seen.add(key);
      edges.push({ from, to, bytes: 0 });
    });
  });
  // Dangling references are already reported; a cycle among the remaining edges is still worth naming.

  // Kahn's algorithm, always taking the ready task written first, so a file already in
  // topological order keeps its order.
  const n = w.tasks.length;
  const indegree = new Array<number>(n).fill(0);
  const succ: number[][] = Array.from({ length: n }, () => []);
  const pred: number[][] = Array.from({ length: n }, () => []);
  for (const e of edges) {
    indegree[e.to]!++;
    succ[e.from]!.push(e.to);
    pred[e.to]!.push(e.from);
  }
  const ready = new MinHeap();
  for (let i = 0; i < n; i++) if (indegree[i] === 0) ready.push(i);
  const order: number[] = [];
  while (ready.size > 0) {
    const i = ready.pop();
    order.push(i);
    for (const j of succ[i]!) if (--indegree[j]! === 0) ready.push(j);
  }
  if (order.length < n) {
    // Every task left over has a predecessor left over; walking predecessors must revisit one.
    const left = new Set<number>();
    for (let i = 0; i < n; i++) if (indegree[i]! > 0) left.add(i);
    const start = left.values().next().value as number;
    const visitedAt = new Map<number, number>();
    const walk: number[] = [];
    let cur = start;
    while (!visitedAt.has(cur)) {
      visitedAt.set(cur, walk.length);
      walk.push(cur);
      cur = pred[cur]!.find((p) => left.has(p))!;
    }
    const found = walk.slice(visitedAt.get(cur)).reverse();
    // Start the cycle at the task written first, so the message is the same however it was found.
    const first = found.indexOf(Math.min(...found));
    const cycle = [...found.slice(first), ...found.slice(0, first)];
    const names = [...cycle, cycle[0]!].map((i) => w.tasks[i]!.id);
    add(['workloads', wi, 'tasks', Math.min(...cycle)], `tasks form a cycle: ${names.join(' → ')}`, 'a DAG');
    return undefined;
  }
  return ok ? { order, edges } : undefined;
}

function buildWorkload(
  w: WorkloadSpec,
  wi: number,
  graph: TaskGraph,
  traceTimes: readonly number[] | undefined,
): WorkloadDef {
  const position = new Array<number>(graph.order.length);
  graph.order.forEach((orig, pos) => {
    position[orig] = pos;
  });
  const edges: EdgeDef[] = graph.edges.map((e) =>
    Object.freeze({ from: position[e.from]!, to: position[e.to]!, bytes: e.bytes }),
  );
  const inEdges: number[][] = graph.order.map(() => []);
  const outEdges: number[][] = graph.order.map(() => []);
  edges.forEach((e, k) => {
    outEdges[e.from]!.push(k);
    inEdges[e.to]!.push(k);
  });
  const tasks: TaskDef[] = graph.order.map((orig, pos) => {
    const t = w.tasks[orig]!;
    return Object.freeze({
      id: t.id,
      index: pos,
      kind: t.kind,
      work: t.work,
      compute: t.compute,
      attention: t.attention,
      tier: t.tier,
      twin: t.twin ? Object.freeze({ group: t.twin.group, maxAge: t.twin.maxAge }) : undefined,
      ...(t.sensitive === true ? { sensitive: true as const } : {}),
      outputBytes: t.outputBytes,
      inEdges: Object.freeze(inEdges[pos]!),
      outEdges: Object.freeze(outEdges[pos]!),
    });
  });
  return Object.freeze({
    id: w.id,
    index: wi,
    tenant: w.tenant,
    priority: w.priority,
    deadline: w.deadline,
    arrival: w.arrival,
    traceTimes: traceTimes ? Object.freeze(traceTimes) : undefined,
    tasks: Object.freeze(tasks),
    edges: Object.freeze(edges),
  });
}

/** the bounds of the default batch window (s) */
const MIN_BATCH_WINDOW = 0.01;
const MAX_BATCH_WINDOW = 1;
/** the share of a deadline the batching may take at most, over the longest chain of the DAG */
const BATCH_SHARE = 0.05;

/**
 * The default batch-planning window (`scheduling.window` when the file sets none): a twentieth of the tightest
 * deadline per step of its workload's longest chain of tasks, within 0.01–1 s; 1 s where no workload has a
 * deadline. A batch planner places a task at the first window after it becomes ready, so at each step of a
 * DAG it waits up to a window: this keeps that wait within 5 % of every deadline. (A fixed 1 s window made
 * Min-Min, Max-Min, GA and PSO miss 65–95 % of the deadlines of requests due within 0.5–2 s.)
 */
export function batchWindow(workloads: readonly WorkloadDef[]): number {
  let tightest = Number.POSITIVE_INFINITY;
  for (const w of workloads) {
    if (w.deadline === undefined) continue;
    // tasks are in topological order: a task's chain is one longer than its longest predecessor's
    const depth = new Int32Array(w.tasks.length);
    let longest = 1;
    for (const t of w.tasks) {
      let d = 1;
      for (const k of t.inEdges) d = Math.max(d, depth[w.edges[k]!.from]! + 1);
      depth[t.index] = d;
      longest = Math.max(longest, d);
    }
    tightest = Math.min(tightest, w.deadline / longest);
  }
  if (!Number.isFinite(tightest)) return MAX_BATCH_WINDOW;
  return Math.min(MAX_BATCH_WINDOW, Math.max(MIN_BATCH_WINDOW, BATCH_SHARE * tightest));
}

/** A binary min-heap of task indices. */
class MinHeap {
  private readonly items: number[] = [];
  get size(): number {
    return this.items.length;
  }
  push(x: number): void {
    const a = this.items;
    a.push(x);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p]! <= x) break;
      a[i] = a[p]!;
      i = p;
    }
    a[i] = x;
  }
  pop(): number {
    const a = this.items;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= a.length) break;
        const r = l + 1;
        const c = r < a.length && a[r]! < a[l]! ? r : l;
        if (a[c]! >= last) break;
        a[i] = a[c]!;
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
}
