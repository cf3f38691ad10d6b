/**
 * The conformance suite every registered policy passes: it never over-allocates compute or attention on a node,
 * never starts a task before its inputs have arrived, is deterministic under a seed, and explains its decisions.
 * A policy added to the registry is checked here without further work.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../experiment/run.js';
import { parseScenario } from '../model/load.js';
import type { Decision } from '../scheduler/scheduler.js';
import type { ExecutionRecord } from '../world/world.js';
import { policyNames } from './index.js';

const LATENCY = 0.05;
const scenario = parseScenario(
  JSON.stringify({
    name: 'conformance',
    horizon: 120,
    warmup: 10,
    seed: 3,
    tenants: [
      { id: 'a', weight: 2 },
      { id: 'b', quota: { compute: 0.5 } },
    ],
    nodes: [
      { id: 'edge', count: 3, tier: 'edge', compute: 2, attention: 2, failure: { mtbf: 60, mttr: 5 } },
      { id: 'fog', tier: 'fog', compute: 4, attention: 2, speed: 2 },
      { id: 'cloud', tier: 'cloud', compute: 8, speed: { default: 3, kinds: { heavy: 4 } } },
    ],
    network: { default: { latency: LATENCY, bandwidth: 1e6 } },
    assets: [
      {
        id: 'm',
        count: 20,
        tenant: 'a',
        anomaly: { rate: 0.01 },
        twin: { criticality: 3, refresh: { work: 0.3 } },
      },
      { id: 'h', count: 20, tenant: 'b', twin: { refresh: { work: 0.2, tier: 'edge' } } },
    ],
    workloads: [
      {
        id: 'dag',
        tenant: 'a',
        deadline: 4,
        priority: 1,
        arrival: { kind: 'poisson', rate: 1.5 },
        tasks: [
          { id: 'read', work: 0.2, twin: { group: 'm', maxAge: 2 } },
          { id: 'left', work: 0.8, after: ['read'] },
          { id: 'right', kind: 'heavy', work: 2, compute: 2 },
          { id: 'join', work: 0.3, attention: 1, tier: 'edge' },
        ],
        edges: [
          { from: 'read', to: 'right', bytes: 50_000 },
          { from: 'left', to: 'join', bytes: 10_000 },
          { from: 'right', to: 'join', bytes: 200_000 },
        ],
      },
      {
        id: 'batch',
        tenant: 'b',
        arrival: { kind: 'bursty', onRate: 3, offRate: 0.1, onMean: 10, offMean: 20 },
        tasks: [{ id: 'crunch', work: 1.5, compute: 2, twin: { group: 'h', maxAge: 5 } }],
      },
    ],
  }),
  { format: 'json', file: 'conformance.json' },
);

const EPS = 1e-9;

describe.each(policyNames())('policy %s', (policy) => {
  const records: ExecutionRecord[] = [];
  const decisions: Decision[] = [];
  const result = runScenario(scenario, {
    policy,
    onExecute: (r) => records.push(r),
    trace: { record: (d) => decisions.push(d) },
  });

  it('does work', () => {
    expect(result.requests.completed).toBeGreaterThan(0);
    expect(result.twins.refreshes.proactive + result.twins.refreshes.onDemand).toBeGreaterThan(0);
  });

  it('never over-allocates compute or attention on a node', () => {
    const over = records.filter(
      (r) => r.nodeCompute > r.capacityCompute + EPS || r.nodeAttention > r.capacityAttention + EPS,
    );
    expect(over).toEqual([]);
  });

  it('never starts a task before its inputs have arrived', () => {
    // the last execution of each task is the one that completed (earlier ones were cut by failures)
    const last = new Map<string, ExecutionRecord>();
    for (const r of records) if (r.type === 'task') last.set(`${r.request}/${r.task}`, r);
    const dag = scenario.workloads[0]!;
    const early: string[] = [];
    for (const r of records) {
      if (r.type !== 'task' || !r.id.startsWith('dag#')) continue;
      for (const e of dag.tasks[r.task]!.inEdges) {
        const edge = dag.edges[e]!;
        const pred = last.get(`${r.request}/${edge.from}`);
        if (!pred) {
          early.push(`${r.id} started before ${dag.tasks[edge.from]!.id} ran`);
          continue;
        }
        const transfer = pred.node === r.node || edge.bytes === 0 ? 0 : LATENCY + edge.bytes / 1e6;
        if (r.start < pred.end + transfer - EPS) early.push(`${r.id} at ${r.start} < ${pred.end + transfer}`);
      }
    }
    expect(early).toEqual([]);
  });

  it('is deterministic under a seed', () => {
    const again = runScenario(scenario, { policy });
    expect(JSON.stringify(again)).toBe(JSON.stringify(result));
  });

  it('explains its placements: candidates with each plugin’s part, the chosen one among them', () => {
    const places = decisions.filter((d) => d.kind === 'place');
    expect(places.length).toBeGreaterThan(0);
    for (const d of places) {
      expect(typeof d.subject).toBe('string');
      if (d.chosen !== null) {
        const c = d.candidates.find((x) => x.id === d.chosen);
        expect(c, `${d.subject} chose ${d.chosen}`).toBeDefined();
        expect(Object.keys(c!.parts).length).toBeGreaterThan(0);
      }
    }
  });
});
