// Runs the built CLI (`npm test` builds first): `ars plan` on the PEFT paper graph, a Braun instance and bad files.
import { describe, expect, it } from 'vitest';
import { ars } from './run-cli.js';

const peftFile = 'test/fixtures/plan/peft-paper.json';

describe('ars plan', () => {
  it('prints the PEFT schedule as JSON with makespan 122', async () => {
    const r = await ars('plan', peftFile, '--policy', 'peft', '--json');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ policy: 'peft', makespan: 122, valid: true, kind: 'dag' });
    expect(doc.schedule).toHaveLength(10);
    expect(doc.schedule).toContainEqual({ task: 'T10', processor: 'P2', start: 106, finish: 122 });
  });

  it('draws a Gantt chart with one row per processor and the makespan', async () => {
    const r = await ars('plan', peftFile, '--policy', 'heft');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    for (const p of ['P1', 'P2', 'P3']) expect(lines.some((l) => l.startsWith(`${p} |`))).toBe(true);
    expect(r.stdout).toContain('makespan 133');
    expect(r.stdout).toContain('schedule valid');
  });

  it('runs GA on a Braun instance deterministically and reports the gap to the best known value', async () => {
    const args = [
      'plan',
      'data/braun-512x16/u_i_lolo.0',
      '--policy',
      'ga',
      '--iterations',
      '20',
      '--seed',
      '5',
      '--json',
    ];
    const [a, b] = await Promise.all([ars(...args), ars(...args)]);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    const doc = JSON.parse(a.stdout);
    expect(doc.kind).toBe('etc');
    expect(doc.valid).toBe(true);
    expect(doc.bestKnown).toBe(2533.4);
    expect(doc.search.startMakespan).toBeCloseTo(2785.65, 2);
    expect(doc.makespan).toBeLessThan(doc.search.startMakespan);
    expect(doc.gapToBestKnown).toBeCloseTo((doc.makespan - 2533.4) / 2533.4, 12);
  });

  it('rejects an unknown policy with exit 2 and lists the known ones', async () => {
    const r = await ars('plan', peftFile, '--policy', 'magic');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('ARS_E_POLICY');
    expect(r.stderr).toContain('heft, cpop, peft, minmin');
    expect(r.stderr).not.toContain('    at ');
  });

  it('rejects a policy that does not take this kind of problem', async () => {
    const r = await ars('plan', peftFile, '--policy', 'minmin');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('use one of: heft, cpop, peft, ga, pso');
  });

  const badFiles: [string, string][] = [
    ['bad-cost-row.json', 'bad-cost-row.json:5: cost.b: cost row has the wrong length (expected 2 numbers'],
    [
      'bad-edge.json',
      'bad-edge.json:6: edges[1][1]: edge to an unknown task (expected a task named in cost, found "c")',
    ],
    ['bad-cycle.json', 'bad-cycle.json:4: edges: the task graph has a cycle'],
    ['bad-negative.json', 'bad-negative.json:3: cost.a[1]: cost must be a non-negative number'],
    ['bad-header.etc', 'bad-header.etc:1: malformed ETC header'],
    ['bad-syntax.json', 'bad-syntax.json:3: not valid JSON'],
  ];
  it.each(badFiles)('exits 2 on %s naming the file, line and what was expected', async (name, message) => {
    const r = await ars('plan', `test/fixtures/plan/${name}`, '--policy', 'heft');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`test/fixtures/plan/${message}`);
    expect(r.stderr).toContain('ARS_E_INPUT_PROBLEM');
  });

  it('exits 2 on a missing file and on a bad number option', async () => {
    const missing = await ars('plan', 'nope.json', '--policy', 'heft');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.json: file not found');
    const bad = await ars('plan', peftFile, '--policy', 'ga', '--iterations', 'many');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--iterations must be an integer');
  });
});
