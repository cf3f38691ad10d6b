// `ars bound` on the built CLI: the fluid lower bound on weighted AoI, its anomaly frontier, bad input.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const ars = (...args: string[]) =>
  spawnSync(process.execPath, ['dist/cli/main.js', ...args], { encoding: 'utf8' });

describe('ars bound', () => {
  it('prints the long-run and window bounds and rises as the anomaly target tightens (JSON)', () => {
    const r = ars('bound', 'examples/smart-home.yaml', '--anomaly-p95', '20,12,9,1', '--json');
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.scenario).toBe('smart-home');
    // a lower bound below what Whittle's index measures there (12.0 s, docs/evaluation.md), and tight
    expect(doc.steady.weightedAoI).toBeGreaterThan(11);
    expect(doc.steady.weightedAoI).toBeLessThan(12.1);
    expect(doc.steady.feasible / doc.steady.weightedAoI).toBeLessThan(1.001);
    expect(doc.window.weightedAoI).toBeLessThan(doc.steady.weightedAoI);
    expect(doc.steady.groups.map((g: { group: string }) => g.group)).toEqual(['thermostat', 'plug', 'door']);
    const [loose, d12, d9, d1] = doc.anomalyTargets;
    expect(loose.steady.weightedAoI).toBeCloseTo(doc.steady.weightedAoI, 3);
    expect(d12.steady.weightedAoI).toBeGreaterThan(loose.steady.weightedAoI);
    expect(d9.steady.weightedAoI).toBeGreaterThan(d12.steady.weightedAoI);
    expect(d9.steady.reachable).toBe(true);
    // within a second, a hub cannot reach 500 doors
    expect(d1.steady.reachable).toBe(false);
  });

  it('prints tables on a terminal', () => {
    const r = ars('bound', 'examples/smart-home.yaml', '--anomaly-p95', '12');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^door\s+500\s+2\s+/m);
    expect(r.stdout).toMatch(/p95 is at most D/);
  });

  it('bounds the scenario at each point of a grid: where the requests start to bind, where they overload', () => {
    const r = ars('bound', 'examples/smart-hospital.yaml', '--vary', 'workloads.*.rate=1x,3x,4x', '--json');
    expect(r.status).toBe(0);
    const [one, three, four] = JSON.parse(r.stdout).whatIf;
    expect(one.parameters).toEqual({ 'workloads.*.rate': '1x' });
    expect(one.steady.requests).toBe('counted');
    expect(one.steady.weightedAoI).toBeCloseTo(JSON.parse(r.stdout).steady.weightedAoI, 6);
    // at 3× the tasks take capacity the refreshes would use; at 4× they need more than the nodes hold
    expect(three.steady.weightedAoI).toBeGreaterThan(1.03 * one.steady.weightedAoI);
    expect(four.steady.requests).toBe('overload');
    expect(four.steady.weightedAoI).toBeCloseTo(one.steady.weightedAoI, 3);
    const t = ars('bound', 'examples/smart-hospital.yaml', '--vary', 'workloads.*.rate=1x,4x');
    expect(t.stdout).toMatch(/^4x\s+.*overload: left out$/m);
  });

  it('exits 2 with what was expected, without a stack trace', () => {
    for (const [args, message] of [
      [['examples/smart-home.yaml', '--anomaly-p95', '12,x'], /--anomaly-p95 expects positive numbers/],
      [['examples/smart-home.yaml', '--horizon', '30'], /horizon: ends before the warm-up \(60 s\)/],
      [['examples/smart-home.yaml', '--quantile', '1.5'], /anomalyQuantile: not a quantile/],
      [['examples/no-such.yaml'], /no-such\.yaml: file not found/],
      [['examples/smart-home.yaml', '--vary', 'workloads.*.rate'], /--vary "workloads\.\*\.rate"/],
      [
        ['examples/smart-home.yaml', '--vary', 'nodes.hub.count=-1'],
        /--vary nodes\.hub\.count=-1 makes the scenario invalid/,
      ],
    ] as const) {
      const r = ars('bound', ...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
