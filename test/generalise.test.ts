// scripts/generator/generalise.js (docs/generalisation.md) runs ARS's defaults against every baseline on
// generated scenarios the defaults never saw: it refuses the training and evaluation seeds, and its JSON names
// per scenario the best other policy and ARS's gap to it. Runs the built code (`npm test` builds first).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const script = join(root, 'scripts', 'generator', 'generalise.js');
const run = (...args: string[]) =>
  spawnSync(process.execPath, [script, ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });

describe('scripts/generator/generalise.js', () => {
  it.each([
    ['1', '3'],
    ['999', '5'],
  ])(
    'refuses generator seeds the defaults were trained or evaluated on (from %s, %s scenarios)',
    (from, count) => {
      const r = run('--from', from, '--count', count, '--json');
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/seeds 1–6 train the defaults and 1001–1100 are the evaluation/);
      expect(r.stdout).toBe('');
    },
  );

  it('rejects an unknown argument with exit 2', () => {
    const r = run('--frm', '2001');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown argument --frm');
  });

  it('compares ARS with every baseline on an unseen scenario and reports its gaps', () => {
    const r = run(
      '--from',
      '2001',
      '--count',
      '1',
      '--replications',
      '1',
      '--horizon',
      '90',
      '--workers',
      '1',
      '--json',
    );
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      seeds: number[];
      policies: string[];
      rows: {
        scenario: string;
        wAoI: { ars: number; best: number; by: string; gap: number; lowest: boolean };
        bound: number;
      }[];
    };
    expect(doc.seeds).toEqual([2001]);
    expect(doc.policies[0]).toBe('ars');
    expect(doc.policies).toContain('whittle');
    const row = doc.rows[0]!;
    expect(row.scenario).toBe('generated-2001');
    expect(doc.policies).toContain(row.wAoI.by);
    expect(row.wAoI.gap).toBeCloseTo((row.wAoI.ars - row.wAoI.best) / row.wAoI.best, 12);
    expect(row.wAoI.lowest).toBe(row.wAoI.ars <= row.wAoI.best);
    // the freshness bound of these runs: below what the best policy measured, up to a short run's edges
    expect(row.bound).toBeGreaterThan(0);
    expect(row.bound).toBeLessThan(1.1 * row.wAoI.best);
  });
});
