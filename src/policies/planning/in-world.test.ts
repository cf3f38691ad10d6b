import { describe, expect, it } from 'vitest';
import { runScenario } from '../../experiment/run.js';
import { literalScenario } from '../../model/test-helpers/literal.js';
import type { PlanDecision } from '../../scheduler/decision.js';
import type { ExecutionRecord } from '../../world/world.js';

const scenario = (s: Parameters<typeof literalScenario>[0]) =>
  literalScenario(s, { name: 'planned', horizon: 100 });

function traced(s: ReturnType<typeof scenario>, policy: string) {
  const records: ExecutionRecord[] = [];
  const plans: PlanDecision[] = [];
  const result = runScenario(s, {
    policy,
    onExecute: (r) => records.push(r),
    trace: { record: (d) => (d.kind === 'plan' ? plans.push(d) : undefined) },
  });
  return { result, records, plans };
}

describe('DAG planners in the world', () => {
  // a fork-join whose middle tasks each run 4x faster on one of two nodes; data is heavy between nodes
  const s = scenario({
    network: { default: { latency: 0.1, bandwidth: 1000 } },
    nodes: [
      { id: 'a', tier: 'edge', compute: 1, speed: { default: 1, kinds: { left: 4 } } },
      { id: 'b', tier: 'edge', compute: 1, speed: { default: 1, kinds: { right: 4 } } },
    ],
    workloads: [
      {
        id: 'w',
        tenant: 't',
        arrival: { kind: 'periodic', period: 1000 },
        tasks: [
          { id: 'start', work: 1 },
          { id: 'l', kind: 'left', work: 8 },
          { id: 'r', kind: 'right', work: 8 },
          { id: 'join', work: 1 },
        ],
        edges: [
          { from: 'start', to: 'l', bytes: 100 },
          { from: 'start', to: 'r', bytes: 100 },
          { from: 'l', to: 'join', bytes: 100 },
          { from: 'r', to: 'join', bytes: 100 },
        ],
      },
    ],
  });

  it.each(['heft', 'cpop', 'peft'])('%s plans on arrival and execution follows the plan', (policy) => {
    const { result, records, plans } = traced(s, policy);
    expect(plans).toHaveLength(1);
    const assignment = plans[0]!.assignment as Record<string, string>;
    for (const r of records) expect(r.node).toBe(assignment[r.id.split('/')[1]!]);
    expect(result.requests.completed).toBe(1);
  });

  it('HEFT puts each middle task on the node that runs it 4x faster and finishes on the critical path', () => {
    const { result, plans } = traced(s, 'heft');
    const assignment = plans[0]!.assignment as Record<string, string>;
    expect(assignment.l).toBe('a');
    expect(assignment.r).toBe('b');
    // start 0-1 on one node, the other middle task waits 0.2 s for its input: 1 + 0.2 + 2, then back over
    // the network to join (0.2 s) for 1 s
    expect(result.requests.latency.max).toBeCloseTo(1 + 0.2 + 2 + 0.2 + 1, 2);
  });

  it('re-plans the unfinished part when a planned node fails', () => {
    const flaky = scenario({
      horizon: 2000,
      network: { default: { latency: 0, bandwidth: 1e12 } },
      nodes: [
        // the fast node runs the whole DAG in 60 s but fails after 5 s on average, and stays down
        { id: 'fast', tier: 'edge', compute: 1, speed: 10, failure: { mtbf: 5, mttr: 100_000 } },
        { id: 'slow', tier: 'edge', compute: 1 },
      ],
      workloads: [
        {
          id: 'w',
          tenant: 't',
          arrival: { kind: 'periodic', period: 5000 },
          tasks: [
            { id: 'one', work: 200 },
            { id: 'two', work: 200, after: ['one'] },
            { id: 'three', work: 200, after: ['two'] },
          ],
        },
      ],
    });
    const { result, records, plans } = traced(flaky, 'heft');
    expect(plans.length).toBeGreaterThanOrEqual(2);
    const first = plans[0]!.assignment as Record<string, string>;
    const last = plans[plans.length - 1]!.assignment as Record<string, string>;
    expect(Object.values(first)).toContain('fast');
    expect(Object.values(last)).not.toContain('fast');
    expect(result.requests.completed).toBe(1);
    expect(records[records.length - 1]!.node).toBe('slow');
  });
});

describe('batch planners in the world', () => {
  it.each(['minmin', 'maxmin', 'ga', 'pso'])(
    '%s assigns each window’s ready work and execution follows it',
    (policy) => {
      const s = scenario({
        horizon: 60,
        scheduling: { window: 2, feedbackWindow: 60 },
        network: { default: { latency: 0, bandwidth: 1e12 } },
        nodes: [
          { id: 'x', tier: 'edge', compute: 2, speed: { default: 1, kinds: { big: 3 } } },
          { id: 'y', tier: 'edge', compute: 2, speed: { default: 2, kinds: { big: 0.5 } } },
        ],
        workloads: [
          {
            id: 'small',
            tenant: 't',
            arrival: { kind: 'poisson', rate: 2 },
            tasks: [{ id: 's', work: 0.5 }],
          },
          {
            id: 'large',
            tenant: 't',
            arrival: { kind: 'poisson', rate: 0.5 },
            tasks: [{ id: 'b', kind: 'big', work: 3 }],
          },
        ],
      });
      const { result, records, plans } = traced(s, policy);
      expect(plans.length).toBeGreaterThan(0);
      const planned = new Map<string, string>();
      for (const p of plans)
        for (const [id, node] of Object.entries(p.assignment as Record<string, string | null>))
          if (node) planned.set(id, node);
      let followed = 0;
      for (const r of records) {
        const node = planned.get(r.id);
        if (node) {
          expect(r.node).toBe(node);
          followed++;
        }
      }
      expect(followed).toBeGreaterThan(0);
      expect(result.requests.completed).toBeGreaterThan(0);
    },
  );
});
