// scripts/generator/learn-defaults.js learns ARS's defaults (docs/ars-policy.md, section 8). Its line search
// judges each value by the evaluation's goals; given several `--line`s it runs them in order, each from the
// values chosen before (one pass of coordinate descent), and every example with a deadline is trained on a
// second time with its deadlines tightened. Runs the built code (`npm test` builds first).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const script = join(root, 'scripts', 'generator', 'learn-defaults.js');
const run = (...args: string[]) =>
  spawnSync(process.execPath, [script, ...args], { cwd: root, encoding: 'utf8', timeout: 300_000 });
const dir = mkdtempSync(join(tmpdir(), 'ars-learn-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('scripts/generator/learn-defaults.js', () => {
  it('refuses a parameter given twice to --line, and a tightening factor outside (0, 1], with exit 2', () => {
    const twice = run('--line', 'wCost=0.5', '--line', 'wCost=1');
    expect(twice.status).toBe(2);
    expect(twice.stderr).toContain('--line wCost is given twice');
    const tight = run('--tighten', '1.5', '--line', 'wCost=0.5');
    expect(tight.status).toBe(2);
    expect(tight.stderr).toContain('--tighten expects a factor in (0, 1]');
    const unknown = run('--line', 'notAParameter=1');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('--line expects name=v1,v2');
  });

  it('runs several lines in order, each from the values chosen before, on the examples and their tightened variants', () => {
    const out = join(dir, 'lines.json');
    const r = run(
      '--line',
      'wCost=0.25,0.5',
      '--line',
      'wCriticality=0.5,1',
      '--seeds',
      '1',
      '--horizon',
      '90',
      '--generated',
      '0',
      '--out',
      out,
    );
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(readFileSync(out, 'utf8')) as {
      searched: string[];
      lines: {
        parameter: string;
        from: number;
        chosen: number;
        tried: { value: number; met: number; goals: number; byScenario: Record<string, { met: number }> }[];
      }[];
      params: Record<string, number>;
      trainedOn: { examples: string[]; tightened: { factor: number; examples: string[] } };
    };
    expect(doc.searched).toEqual(['wCost', 'wCriticality']);
    const [cost, crit] = doc.lines;
    expect(cost!.tried.map((t) => t.value)).toEqual([0.25, 0.5]);
    expect(crit!.tried.map((t) => t.value)).toEqual([0.5, 1]);
    // each line keeps the value that meets the most goals, a tie going to the value it started from
    for (const l of doc.lines) {
      const most = Math.max(...l.tried.map((t) => t.met));
      const chosen = l.tried.find((t) => t.value === l.chosen)!;
      expect(chosen.met).toBe(most);
      const start = l.tried.find((t) => t.value === l.from);
      if (start && start.met === most) expect(l.chosen).toBe(l.from);
    }
    // the second line ran with the first one's choice, and the record holds both choices
    expect(doc.params.wCost).toBe(cost!.chosen);
    expect(doc.params.wCriticality).toBe(crit!.chosen);
    // every example with a deadline was judged twice: as written and with its deadlines at two-thirds
    expect(doc.trainedOn.tightened.factor).toBeCloseTo(2 / 3, 12);
    expect(doc.trainedOn.tightened.examples).toContain('shift-change');
    const judged = Object.keys(cost!.tried[0]!.byScenario);
    for (const e of doc.trainedOn.tightened.examples) {
      expect(judged).toContain(e);
      expect(judged).toContain(`${e}@tight`);
    }
    expect(judged.filter((n) => n.endsWith('@tight')).length).toBe(doc.trainedOn.tightened.examples.length);
  }, 300_000);
});
