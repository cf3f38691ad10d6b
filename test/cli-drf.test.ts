// `ars drf` on the built CLI: the reference allocation of Ghodsi et al. and a bad file.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const ars = (...args: string[]) =>
  spawnSync(process.execPath, ['dist/cli/main.js', ...args], { encoding: 'utf8' });

describe('ars drf', () => {
  it('gives A 3 tasks and B 2, both at dominant share 2/3, on <9 CPU, 18 GB>', () => {
    const r = ars('drf', 'test/fixtures/drf/ghodsi-2011.yaml', '--json');
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.users.map((u: { id: string; tasks: number }) => [u.id, u.tasks])).toEqual([
      ['A', 3],
      ['B', 2],
    ]);
    expect(doc.users[0].dominantShare).toBeCloseTo(2 / 3, 12);
    expect(doc.used).toEqual([9, 14]);
  });

  it('prints a table on a terminal', () => {
    const r = ars('drf', 'test/fixtures/drf/ghodsi-2011.yaml');
    expect(r.stdout).toMatch(/^A\s+1\s+3\s+3\s+12\s+0\.6667\s+mem$/m);
  });

  it('exits 2 naming the file and each bad field, without a stack trace', () => {
    const r = ars('drf', 'test/fixtures/drf/bad-demand.yaml');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('bad-demand.yaml: users[0].demand.cpu');
    expect(r.stderr).toContain('users[1].demand.disk');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
