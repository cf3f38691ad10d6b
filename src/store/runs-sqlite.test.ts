import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RunStore, type StoredRun } from './runs-sqlite.js';

const dir = mkdtempSync(join(tmpdir(), 'ars-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (key: string, result = '{"x":1}'): StoredRun => ({
  key,
  scenario: 's',
  scenarioHash: 'h',
  policy: 'fifo',
  policyParams: '{}',
  parameters: '{}',
  seed: 1,
  horizon: 10,
  result,
  elapsedMs: 1,
  createdAt: '2026-01-01T00:00:00.000Z',
});

describe('the SQLite run store', () => {
  it('keeps the first result of a key: a cell delivered twice changes nothing', () => {
    const store = new RunStore(join(dir, 'a', 'runs.db'));
    expect(store.put(run('k1', '{"first":true}'))).toBe(true);
    expect(store.put(run('k1', '{"second":true}'))).toBe(false);
    expect(store.results(['k1', 'k2'])).toEqual(['{"first":true}', undefined]);
    expect(store.existing(['k1', 'k2'])).toEqual(new Set(['k1']));
    store.close();
    // and it is on disk
    const again = new RunStore(join(dir, 'a', 'runs.db'));
    expect(again.count()).toBe(1);
    again.close();
  });

  it('removing a sweep keeps the runs another sweep still uses', () => {
    const store = new RunStore(join(dir, 'b.db'));
    for (const k of ['k1', 'k2', 'k3']) store.put(run(k));
    const sweep = (id: string) => ({
      id,
      scenario: 's',
      baseHash: 'h',
      spec: '{}',
      cells: 2,
      createdAt: 'now',
    });
    store.putSweep(sweep('aaaa1'), ['k1', 'k2']);
    store.putSweep(sweep('bbbb2'), ['k2', 'k3']);
    expect(store.sweeps().map((s) => [s.id, s.done])).toEqual([
      ['aaaa1', 2],
      ['bbbb2', 2],
    ]);
    expect(store.removeSweep('aaaa1')).toBe(1);
    expect(store.existing(['k1', 'k2', 'k3'])).toEqual(new Set(['k2', 'k3']));
    expect(store.resolve('bbbb')).toEqual({ sweeps: ['bbbb2'], runs: [] });
    store.close();
  });

  it('says which file it could not open', () => {
    // a directory is not a database file
    expect(() => new RunStore(dir)).toThrow(expect.objectContaining({ code: 'ARS_E_INPUT_FILE' }));
  });
});
