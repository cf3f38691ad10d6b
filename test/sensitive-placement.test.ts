// Sensitive data stays where it may: in every example, under every policy and seed, with sensitive twins
// and tasks and a privacy rule drawn at random, no sensitive refresh or task is ever bound to a node the
// rule refuses, and the decision trace names the refused nodes.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runScenario } from '../src/experiment/run.js';
import { parseScenario } from '../src/model/index.js';
import type { Scenario } from '../src/model/scenario.js';
import { policyNames } from '../src/policies/index.js';
import type { Decision } from '../src/scheduler/scheduler.js';
import { root } from './run-cli.js';

interface Spec {
  nodes: { id: string; labels?: Record<string, string> }[];
  assets: { id: string; twin?: { sensitive?: string[] } }[];
  workloads: { id: string; tasks: { id: string; twin?: { group: string }; sensitive?: boolean }[] }[];
  privacy?: { sensitiveNodes: Record<string, string | string[]> };
}

const exampleDir = join(root, 'examples');
const examples = readdirSync(exampleDir)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => ({
    file: join(exampleDir, f),
    spec: parse(readFileSync(join(exampleDir, f), 'utf8')) as Spec,
  }));

interface Case {
  example: number;
  policy: string;
  seed: number;
  /** which node groups the rule allows (by built-in `group` label), and which assets/tasks are sensitive */
  allowed: boolean[];
  sensitiveAssets: boolean[];
  sensitiveTasks: boolean[];
}

function scenarioOf(c: Case): { scenario: Scenario; spec: Spec } {
  const base = examples[c.example]!;
  const spec = structuredClone(base.spec);
  spec.assets.forEach((a, i) => {
    if (c.sensitiveAssets[i % c.sensitiveAssets.length]) a.twin = { ...a.twin, sensitive: ['reading'] };
    else if (a.twin) a.twin.sensitive = [];
  });
  let k = 0;
  for (const w of spec.workloads)
    for (const t of w.tasks) if (c.sensitiveTasks[k++ % c.sensitiveTasks.length]) t.sensitive = true;
  let groups = spec.nodes.filter((_, i) => c.allowed[i % c.allowed.length]).map((n) => n.id);
  if (groups.length === 0) groups = [spec.nodes[0]!.id];
  spec.privacy = { sensitiveNodes: { group: groups } };
  return { scenario: parseScenario(JSON.stringify(spec), { file: base.file, format: 'json' }), spec };
}

/** The oracle, written from the spec alone: which work carries sensitive data, and where it may go. */
function oracle(scenario: Scenario, spec: Spec) {
  const allowedGroups = new Set(spec.privacy!.sensitiveNodes.group as string[]);
  const nodeAllowed = new Map(scenario.nodes.map((n) => [n.id, allowedGroups.has(n.group)]));
  const sensitiveAssetIds = new Set(
    spec.assets.filter((a) => (a.twin?.sensitive ?? []).length > 0).map((a) => a.id),
  );
  const twinSensitive = new Map(scenario.twins.map((t) => [t.id, sensitiveAssetIds.has(t.group)]));
  const taskSensitive = new Set<string>();
  for (const w of spec.workloads)
    for (const t of w.tasks)
      if (t.sensitive || (t.twin && sensitiveAssetIds.has(t.twin.group)))
        taskSensitive.add(`${w.id}/${t.id}`);
  const isSensitive = (id: string, type: 'task' | 'refresh') =>
    type === 'refresh'
      ? twinSensitive.get(id.slice('refresh:'.length)) === true
      : taskSensitive.has(`${id.slice(0, id.indexOf('#'))}/${id.slice(id.lastIndexOf('/') + 1)}`);
  return { nodeAllowed, isSensitive };
}

const HORIZON = 20;
let sensitiveBindings = 0;

describe('sensitive placement (property over examples, policies and seeds)', () => {
  const policies = policyNames();

  it('never binds sensitive work to a node the privacy rule refuses', () => {
    const caseArb = fc.record({
      example: fc.nat({ max: examples.length - 1 }),
      policy: fc.constantFrom(...policies),
      seed: fc.nat({ max: 10_000 }),
      allowed: fc.array(fc.boolean(), { minLength: 1, maxLength: 6 }),
      sensitiveAssets: fc.array(fc.boolean(), { minLength: 1, maxLength: 6 }),
      sensitiveTasks: fc.array(fc.boolean(), { minLength: 1, maxLength: 6 }),
    });
    fc.assert(
      fc.property(caseArb, (c) => {
        const { scenario, spec } = scenarioOf(c);
        const { nodeAllowed, isSensitive } = oracle(scenario, spec);
        const bad: string[] = [];
        runScenario(scenario, {
          policy: c.policy,
          seed: c.seed,
          horizon: HORIZON,
          onExecute: (r) => {
            if (!isSensitive(r.id, r.type)) return;
            sensitiveBindings++;
            if (!nodeAllowed.get(r.node)) bad.push(`${r.id} on ${r.node}`);
          },
        });
        expect(bad).toEqual([]);
      }),
      { numRuns: Number(process.env.ARS_PROPERTY_RUNS ?? 25) },
    );
    // the property must not hold vacuously
    expect(sensitiveBindings).toBeGreaterThan(0);
  });

  it('every policy in every example, once each, with half the node groups refused', () => {
    for (let example = 0; example < examples.length; example++) {
      for (const policy of policies) {
        const c: Case = {
          example,
          policy,
          seed: 7,
          allowed: [true, false],
          sensitiveAssets: [true],
          sensitiveTasks: [true, false],
        };
        const { scenario, spec } = scenarioOf(c);
        const { nodeAllowed, isSensitive } = oracle(scenario, spec);
        let placed = 0;
        runScenario(scenario, {
          policy,
          horizon: 10,
          onExecute: (r) => {
            if (!isSensitive(r.id, r.type)) return;
            placed++;
            expect(
              nodeAllowed.get(r.node),
              `${examples[example]!.file} ${policy}: ${r.id} on ${r.node}`,
            ).toBe(true);
          },
        });
        expect(placed, `${examples[example]!.file} ${policy} placed sensitive work`).toBeGreaterThan(0);
      }
    }
  });

  it('the decision trace names the nodes refused for sensitive work, and why', () => {
    const hospital = examples.findIndex((e) => e.file.endsWith('smart-hospital.yaml'));
    const base = examples[hospital]!;
    const spec = structuredClone(base.spec);
    spec.privacy = { sensitiveNodes: { zone: 'hospital', tier: 'fog' } };
    const scenario = parseScenario(JSON.stringify(spec), { file: base.file, format: 'json' });
    const decisions: Decision[] = [];
    runScenario(scenario, {
      policy: 'least-loaded',
      horizon: 5,
      trace: { record: (d) => decisions.push(d) },
    });
    const refresh = decisions.find(
      (d) => d.kind === 'attention' && String(d.subject).startsWith('icu-monitor'),
    );
    expect(refresh).toBeDefined();
    const refused = refresh!.refused as Record<string, string[]>;
    const reason = 'sensitive-placement: sensitive data may run only where zone=hospital, tier=fog';
    expect(Object.keys(refused)).toEqual([reason]);
    expect(refused[reason]).toEqual(expect.arrayContaining(['ward-gw-0', 'cloud']));
    expect(refused[reason]).not.toContain('dc-0');
    // equipment twins are not sensitive: nothing is refused for them
    const pump = decisions.find(
      (d) => d.kind === 'attention' && String(d.subject).startsWith('infusion-pump'),
    );
    expect(pump?.refused).toBeUndefined();
  });

  it('a rule that selects no node is a semantic error with its path', () => {
    const base = examples.find((e) => e.file.endsWith('smart-hospital.yaml'))!;
    const spec = structuredClone(base.spec);
    spec.privacy = { sensitiveNodes: { site: 'mars' } };
    expect(() => parseScenario(JSON.stringify(spec), { file: base.file, format: 'json' })).toThrow(
      expect.objectContaining({
        code: 'ARS_E_INPUT_SEMANTIC',
        message: expect.stringMatching(/privacy\.sensitiveNodes: selects no node/),
      }),
    );
  });

  it('node labels are selectable and may not redefine the built-in ones', () => {
    const base = examples.find((e) => e.file.endsWith('smart-hospital.yaml'))!;
    const spec = structuredClone(base.spec);
    spec.nodes[1]!.labels = { site: 'on-prem' };
    spec.privacy = { sensitiveNodes: { site: 'on-prem' } };
    const scenario = parseScenario(JSON.stringify(spec), { file: base.file, format: 'json' });
    const nodesUsed = new Set<string>();
    runScenario(scenario, {
      policy: 'fifo',
      horizon: 5,
      onExecute: (r) => {
        if (r.type === 'refresh' && r.id.startsWith('refresh:icu')) nodesUsed.add(r.node);
      },
    });
    expect([...nodesUsed].every((n) => n.startsWith('dc'))).toBe(true);
    expect(nodesUsed.size).toBeGreaterThan(0);
    spec.nodes[1]!.labels = { zone: 'elsewhere' };
    expect(() => parseScenario(JSON.stringify(spec), { file: base.file, format: 'json' })).toThrow(
      expect.objectContaining({ code: 'ARS_E_INPUT_SCHEMA' }),
    );
  });
});
