import { describe, expect, it } from 'vitest';
import { runScenario } from '../../experiment/run.js';
import { loadScenario } from '../../model/index.js';
import { forkOf } from '../../scheduler/fork.js';
import type { Feedback } from '../../scheduler/plugins.js';
import { buildProfile } from '../../scheduler/profile.js';
import { World } from '../../world/world.js';
import { registry } from '../index.js';
import { cloneGraph } from './ahead-clone.js';
import { StoryBuilder } from './explain.js';

const shift = loadScenario('examples/shift-change.yaml');

/** A world under `ars` whose feedback hook also runs `probe` at every metric window. */
function worldWithProbe(probe: Feedback['observe'], horizon: number): World {
  const ars = registry.create('ars', { feedback: false });
  const inner = ars.feedback!;
  const profile = buildProfile({
    name: ars.name,
    description: ars.description,
    queueSort: ars.queueSort,
    filters: [...ars.filters],
    scores: [...ars.scores],
    ...(ars.placer ? { placer: ars.placer } : {}),
    ...(ars.scaler ? { scaler: ars.scaler } : {}),
    attention: ars.attention,
    feedback: {
      name: inner.name,
      observe: (w, s) => {
        inner.observe(w, s);
        probe(w, s);
      },
      parameters: () => inner.parameters(),
    },
    params: { ...ars.params },
  });
  return new World(shift, profile, { seed: 3, horizon });
}

describe('the world fork', () => {
  it('runs from the copied state, the same way every time (common random numbers), and leaves the world alone', () => {
    const outcomes: string[][] = [];
    const times: number[] = [];
    const probed = worldWithProbe((_w, s) => {
      const fork = forkOf(s)!;
      times.push(fork.time);
      const run = () =>
        JSON.stringify(fork.run({ profile: registry.create('ars', { feedback: false }), horizon: 20 }));
      outcomes.push([run(), run()]);
    }, 200);
    const a = probed.run();
    const b = worldWithProbe(() => {}, 200).run();
    expect(times).toEqual([60, 120, 180]);
    for (const [x, y] of outcomes) expect(x).toBe(y);
    // forking and running the forks changed nothing in the live run
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });

  it('measures the fork from its own time on, with the open requests and twin ages it copied', () => {
    let seen: { start: number; end: number; result: unknown; events: number } | undefined;
    let maxAgeAtFork = 0;
    worldWithProbe((_w, s) => {
      if (seen) return;
      for (const t of s.twins) maxAgeAtFork = Math.max(maxAgeAtFork, s.now - t.lastSample);
      seen = forkOf(s)!.run({ profile: registry.create('least-loaded', {}), horizon: 30 });
    }, 100).run();
    expect(seen!.start).toBe(60);
    expect(seen!.end).toBe(90);
    const r = seen!.result as { horizon: number; warmup: number; twins: { maxAoI: number } };
    expect(r.warmup).toBe(60);
    expect(r.horizon).toBe(90);
    // ages continue from the copied samples: a twin as old as maxAgeAtFork is at least that old at the start
    expect(r.twins.maxAoI).toBeGreaterThanOrEqual(Math.min(maxAgeAtFork, 1e9));
  });

  it('runs on another set of streams when asked: the same for the same set, other draws than the first', () => {
    const runs: string[] = [];
    worldWithProbe((_w, s) => {
      if (runs.length > 0) return;
      const fork = forkOf(s)!;
      const run = (stream?: number) =>
        JSON.stringify(
          fork.run({
            profile: registry.create('least-loaded', {}),
            horizon: 30,
            ...(stream !== undefined ? { stream } : {}),
          }).result,
        );
      runs.push(run(), run(0), run(1), run(1), run(2));
    }, 70).run();
    const [own, zero, one, oneAgain, two] = runs;
    expect(zero).toBe(own);
    expect(oneAgain).toBe(one);
    expect(one).not.toBe(own);
    expect(two).not.toBe(one);
  });

  it('stops at the event cap and says so', () => {
    let out: { truncated: boolean; events: number; end: number } | undefined;
    worldWithProbe((_w, s) => {
      out ??= forkOf(s)!.run({ profile: registry.create('ars', {}), horizon: 60, maxEvents: 500 });
    }, 70).run();
    expect(out!.truncated).toBe(true);
    expect(out!.end).toBeLessThan(120);
  });
});

describe('ars-ahead', () => {
  it('is deterministic: same seed, same bytes', () => {
    const run = () => JSON.stringify(runScenario(shift, { policy: 'ars-ahead', seed: 2, horizon: 200 }));
    expect(run()).toBe(run());
  });

  it('reports its cost and decisions in the result', () => {
    const r = runScenario(shift, { policy: 'ars-ahead', seed: 2, horizon: 200 });
    const fb = r.scheduler.feedback!;
    // 3 forks × 9 candidates × 3 sets of streams
    expect(fb.aheadForks).toBe(3);
    expect(fb.aheadRollouts).toBe(81);
    expect(fb.aheadSimSeconds).toBe(81 * 30);
    const one = runScenario(shift, {
      policy: { name: 'ars-ahead', params: { aheadStreams: 1, rollouts: 5 } },
      seed: 2,
      horizon: 200,
    }).scheduler.feedback!;
    expect(one.aheadRollouts).toBe(15);
    expect(fb.aheadEvents).toBeGreaterThan(0);
    expect(r.policy).toBe('ars-ahead');
  });

  it('with a margin nothing beats, changes nothing: the same run as ARS without feedback', () => {
    const strip = (x: ReturnType<typeof runScenario>) =>
      JSON.stringify({ ...x, policy: '', params: null, scheduler: { ...x.scheduler, feedback: null } });
    const ahead = runScenario(shift, {
      policy: { name: 'ars-ahead', params: { aheadMargin: 10 } },
      seed: 4,
      horizon: 200,
    });
    const plain = runScenario(shift, {
      policy: { name: 'ars', params: { feedback: false } },
      seed: 4,
      horizon: 200,
    });
    expect(ahead.scheduler.feedback!.aheadChanges).toBe(0);
    expect(strip(ahead)).toBe(strip(plain));
  });

  it('writes each fork into the trace, and ars explain tells which candidate was best and by how much', () => {
    const story = new StoryBuilder('ars-ahead');
    runScenario(shift, {
      policy: 'ars-ahead',
      seed: 2,
      horizon: 200,
      trace: { record: (d) => story.add(d) },
    });
    const texts = story
      .story()
      .events.filter((e) => e.kind === 'feedback')
      .map((e) => e.text);
    expect(texts).toHaveLength(3);
    for (const t of texts)
      expect(t).toMatch(
        /simulated ahead \(\d+ rollouts so far\): best alternative \w+ = [\d.]+, objective (lower|higher) by [\d.e-]+ than the current setting's — (applied|kept the current setting)/,
      );
  });

  it('refuses bad simulate-ahead parameters with the policy error', () => {
    expect(() => registry.create('ars-ahead', { rollouts: 0 })).toThrow(
      /rollouts must be a number in \[3, 17\]/,
    );
    expect(() => registry.create('ars-ahead', { aheadStreams: 0 })).toThrow(
      /aheadStreams must be a number in \[1, 8\]/,
    );
    // counts are whole numbers
    expect(() => registry.create('ars-ahead', { aheadStreams: 2.5 })).toThrow(
      /aheadStreams must be a number in \[1, 8\] \(a whole number\), got 2\.5/,
    );
    expect(() => registry.create('ars-ahead', { rollouts: 4.5 })).toThrow(/\(a whole number\)/);
    expect(() => registry.create('ars', { ahead: true, aheadArrivals: 'oracle' })).toThrow(
      /aheadArrivals must be forecast or scenario/,
    );
  });
});

describe('cloneGraph', () => {
  it('copies records, class instances, maps and typed arrays, keeping shared references shared', () => {
    class P {
      v = new Float64Array([1, 2]);
      m = new Map<string, number[]>([['a', [1]]]);
      get first(): number {
        return this.v[0]!;
      }
    }
    const shared = { k: 1 };
    const x = { p: new P(), s: shared, t: shared };
    const y = cloneGraph(x);
    expect(y.p).toBeInstanceOf(P);
    expect(y.p.first).toBe(1);
    y.p.v[0] = 9;
    y.p.m.get('a')!.push(2);
    expect(x.p.v[0]).toBe(1);
    expect(x.p.m.get('a')).toEqual([1]);
    expect(y.s).toBe(y.t);
    expect(y.s).not.toBe(shared);
  });
});
