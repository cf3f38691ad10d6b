import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ars, root } from './run-cli.js';

describe('ars tune', () => {
  it('refuses a --params name that is not tunable, with exit 2 and the list of tunable ones', async () => {
    const r = await ars('tune', 'examples/smart-factory.yaml', '--params', 'anomalyWeight,window');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('"window" is not a tunable parameter');
    expect(r.stderr).toContain('wCriticality');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('tunes only the --params it is given and keeps the start profile’s other weights', async () => {
    const start = join(root, 'profiles', 'smart-factory.json');
    const r = await ars(
      'tune',
      'examples/smart-factory.yaml',
      '--start',
      start,
      '--params',
      'anomalyWeight,wHazard',
      '--seeds',
      '101',
      '--horizon',
      // just past the scenario's 60 s warm-up: a shorter horizon measures nothing and is refused
      '70',
      '--iterations',
      '2',
      '--population',
      '4',
      '--baselines',
      'fifo',
      '--workers',
      '1',
      '--json',
    );
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { params: Record<string, number>; tunedParameters: string[] };
    expect(doc.tunedParameters).toEqual(['anomalyWeight', 'wHazard']);
    const before = (JSON.parse(readFileSync(start, 'utf8')) as { params: Record<string, number> }).params;
    for (const [k, v] of Object.entries(before)) {
      if (k === 'anomalyWeight' || k === 'wHazard') continue;
      expect(doc.params[k], k).toBe(v);
    }
    expect(Object.keys(doc.params)).toContain('anomalyWeight');
  });
});
