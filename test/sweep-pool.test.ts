// The sweep's worker threads, as compiled code runs them (under the TypeScript test runner cells run in
// this thread): threads are kept warm between two sweeps of one process and reused, a thread's scenarios
// do not leak into its next sweep, and the results are the bytes a run in this thread gives.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { root } from './run-cli.js';

const dist = (p: string) => import(join(root, 'dist', p));

describe('sweep worker threads', () => {
  afterAll(async () => {
    const pool = await dist('experiment/sweep-pool.js');
    await pool.closeSweepWorkers();
  });

  it('are kept warm after a sweep, reused by the next, and give the bytes of an in-thread run', async () => {
    const pool = await dist('experiment/sweep-pool.js');
    const { runScenario } = await dist('experiment/run.js');
    const { loadScenario } = await dist('model/index.js');
    const base = loadScenario(join(root, 'examples/smart-factory.yaml'));
    // two scenarios under one hash each; the second sweep reuses the first hash for another scenario,
    // so a thread that kept its old scenario would answer with the wrong one
    const other = { ...base, name: 'other' };
    const cell = (scenarioHash: string, scenario: unknown, seed: number, policy: string) => ({
      scenarioHash,
      scenario,
      policy: { name: policy, params: {} },
      seed,
      horizon: 30,
    });
    const first = [1, 2, 3, 4].map((s) => cell('h1', base, s, 'fifo'));
    const second = [1, 2, 3, 4].map((s) => cell('h1', other, s, 'least-loaded'));
    const run = async (cells: ReturnType<typeof cell>[]) => {
      const out: string[] = [];
      await pool.runCells(cells, 2, (i: number, text: string) => {
        out[i] = text;
      });
      return out;
    };
    expect(pool.warmSweepWorkers()).toBe(0);
    const a = await run(first);
    expect(pool.warmSweepWorkers()).toBe(2);
    const b = await run(second);
    expect(pool.warmSweepWorkers()).toBe(2);
    const here = (cells: ReturnType<typeof cell>[]) =>
      cells.map((c) =>
        JSON.stringify(runScenario(c.scenario, { policy: c.policy, seed: c.seed, horizon: c.horizon })),
      );
    expect(a).toEqual(here(first));
    expect(b).toEqual(here(second));
    expect(JSON.parse(b[0]!).scenario).toBe('other');
    await pool.closeSweepWorkers();
    expect(pool.warmSweepWorkers()).toBe(0);
  }, 120_000);
});
