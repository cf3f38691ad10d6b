// The live what-if starts from a fork of the live state: twins as old as the service reports them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { registerMessage } from '../src/live/protocol.js';
import { LiveRuntime } from '../src/live/runtime.js';
import { whatIf, whatIfSchema } from '../src/live/snapshot.js';
import { loadScenario } from '../src/model/index.js';
import { policyNames } from '../src/policies/index.js';
import { root } from './run-cli.js';

const plantFile = join(root, 'test/fixtures/live/small-plant.yaml');
const runtimes: LiveRuntime[] = [];
afterEach(() => {
  for (const rt of runtimes.splice(0)) rt.stop();
});

describe('the live what-if from a fork of the live state', () => {
  it('reports a higher weighted AoI when the twins are already old', async () => {
    let ms = 1_000_000;
    const scenario = loadScenario(plantFile);
    const source = parse(readFileSync(plantFile, 'utf8')) as Record<string, unknown>;
    // a clock the test moves; the agent is never taken down for silence, and never answers its refreshes
    const rt = new LiveRuntime({ scenario, clockMs: () => ms, heartbeatMs: 1e12 });
    runtimes.push(rt);
    rt.connectAgent(
      registerMessage.parse({ type: 'register', id: 'edge-a', kind: 'edge', compute: 2, attention: 2 }),
      () => {},
    );
    const body = whatIfSchema.parse({ minutes: 0.5, policies: ['fifo', 'max-age-first'], replications: 3 });
    const ask = () => whatIf(rt, source, body, policyNames());
    const fresh = await ask();
    ms += 600_000; // ten minutes without a sample
    const old = await ask();
    const again = await ask();
    expect(JSON.stringify(again)).toBe(JSON.stringify(old));
    expect(old.results.map((r) => r.policy)).toEqual(['fifo', 'max-age-first']);
    for (let i = 0; i < 2; i++) {
      const [f, o] = [fresh.results[i]!.weightedAoI!, old.results[i]!.weightedAoI!];
      expect(o.ci95).toBeGreaterThanOrEqual(0);
      // the 95 % intervals do not even overlap: ten minutes of staleness show in the next half minute
      expect(o.mean - o.ci95).toBeGreaterThan(f.mean + f.ci95);
    }
  });

  it('runs the replications on worker threads in compiled code, with the same answer as in one thread', async () => {
    const url = join(root, 'dist/experiment/what-if-fork.js');
    const { compareFromAges } = (await import(url)) as typeof import('../src/experiment/what-if-fork.js');
    const s = loadScenario('examples/smart-factory.yaml');
    const ages = Object.fromEntries(s.twins.map((t, i) => [t.id, (i % 7) * 30]));
    const o = { policies: ['least-loaded', 'ars'], replications: 2, firstSeed: 5, horizon: 20 };
    const [threads, here] = [
      await compareFromAges(s, ages, { ...o, workers: 2 }),
      await compareFromAges(s, ages, { ...o, workers: 1 }),
    ];
    expect(JSON.stringify(threads)).toBe(JSON.stringify(here));
    expect(threads.results.map((r) => r.policy)).toEqual(['least-loaded', 'ars']);
  }, 120_000);
});
