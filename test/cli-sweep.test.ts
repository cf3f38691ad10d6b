// `ars sweep` and `ars runs` on the built CLI: the store makes a sweep resumable, and a resumed sweep,
// a sweep on one worker and a sweep on two give the same bytes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { ars } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'ars-sweep-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const scenario = 'examples/seed-case-study.yaml';
const common = ['--policies', 'fifo,drf', '-n', '2', '--horizon', '40', '--json'];
const grid = ['--vary', 'workloads.*.rate=0.5x,2x', '--vary', 'nodes.edge.count=1,2'];
const planned = (stderr: string) =>
  /(\d+) cells, (\d+) in .* already, (\d+) to run/.exec(stderr)!.slice(1).map(Number);

describe('ars sweep', () => {
  it('resumes: a sweep run in two halves runs each cell once and gives the bytes of a sweep run at once', async () => {
    const whole = await ars(
      'sweep',
      scenario,
      ...grid,
      ...common,
      '--store',
      join(dir, 'whole.db'),
      '--workers',
      '2',
    );
    expect(whole.code, whole.stderr).toBe(0);
    expect(planned(whole.stderr)).toEqual([16, 0, 16]);

    const halves = join(dir, 'halves.db');
    const half = await ars(
      'sweep',
      scenario,
      '--vary',
      'workloads.*.rate=0.5x,2x',
      '--vary',
      'nodes.edge.count=1',
      ...common,
      '--store',
      halves,
    );
    expect(planned(half.stderr)).toEqual([8, 0, 8]);
    const rest = await ars('sweep', scenario, ...grid, ...common, '--store', halves, '--workers', '1');
    expect(rest.code, rest.stderr).toBe(0);
    // the half already stored is not run again
    expect(planned(rest.stderr)).toEqual([16, 8, 8]);
    expect(rest.stdout).toBe(whole.stdout);

    const again = await ars('sweep', scenario, ...grid, ...common, '--store', halves);
    expect(planned(again.stderr)).toEqual([16, 16, 0]);
    expect(again.stdout).toBe(whole.stdout);
    const db = new Database(halves, { readonly: true });
    expect(db.prepare('SELECT COUNT(*) AS n FROM runs').get()).toEqual({ n: 16 });
    db.close();

    const doc = JSON.parse(whole.stdout) as {
      sweep: string;
      points: { parameters: Record<string, string> }[];
    };
    expect(doc.points.map((p) => Object.values(p.parameters).join(' '))).toEqual([
      '0.5x 1',
      '0.5x 2',
      '2x 1',
      '2x 2',
    ]);
    const shown = await ars('runs', 'show', doc.sweep.slice(0, 8), '--store', halves, '--json');
    expect(shown.stdout).toBe(whole.stdout);
  }, 180_000);

  it('lists, shows and removes what the store holds; a removed cell is run again', async () => {
    const store = join(dir, 'rm.db');
    const first = await ars('sweep', scenario, '--vary', 'nodes.edge.count=1,2', ...common, '--store', store);
    const { sweep } = JSON.parse(first.stdout) as { sweep: string };
    const list = await ars('runs', 'list', '--store', store, '--all', '--json');
    const listing = JSON.parse(list.stdout) as {
      runs: number;
      sweeps: { id: string; done: number; cells: number }[];
      recent: { key: string }[];
    };
    expect(listing.runs).toBe(8);
    expect(listing.sweeps).toMatchObject([{ id: sweep, done: 8, cells: 8 }]);

    const key = listing.recent[0]!.key;
    const run = await ars('runs', 'show', key.slice(0, 10), '--store', store);
    expect(JSON.parse(run.stdout)).toMatchObject({ scenario: 'seed-case-study', horizon: 40 });
    expect((await ars('runs', 'rm', key, '--store', store)).code).toBe(0);
    const incomplete = await ars('runs', 'show', sweep, '--store', store);
    expect(incomplete.code).toBe(2);
    expect(incomplete.stderr).toMatch(/incomplete \(7 of 8 cells stored\)/);
    const resumed = await ars(
      'sweep',
      scenario,
      '--vary',
      'nodes.edge.count=1,2',
      ...common,
      '--store',
      store,
    );
    expect(planned(resumed.stderr)).toEqual([8, 7, 1]);
    expect(resumed.stdout).toBe(first.stdout);

    expect((await ars('runs', 'rm', sweep, '--store', store)).code).toBe(0);
    const empty = JSON.parse((await ars('runs', 'list', '--store', store, '--json')).stdout) as {
      runs: number;
    };
    expect(empty.runs).toBe(0);
    const unknown = await ars('runs', 'show', 'abcdef', '--store', store);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no sweep or run "abcdef"/);
  }, 180_000);

  it('reports a bad --vary with exit 2 and no stack trace', async () => {
    const r = await ars('sweep', scenario, '--vary', 'nodes.edge.count=0,2', '--store', join(dir, 'bad.db'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nodes.edge.count=0 makes the scenario invalid: nodes\[0\]\.count/);
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
  });
});
