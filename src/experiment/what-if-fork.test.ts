import { describe, expect, it } from 'vitest';
import { loadScenario } from '../model/index.js';
import { whatIfFromAges } from './what-if-fork.js';

describe('a fork of a snapshot taken elsewhere (the live what-if)', () => {
  it('starts the twins as old as the live service says, so stale twins show in the weighted AoI', () => {
    const s = loadScenario('examples/smart-factory.yaml');
    const old = Object.fromEntries(s.twins.map((t) => [t.id, 120]));
    const run = (ages: Record<string, number>) =>
      whatIfFromAges(s, ages, ['least-loaded', 'ars'], { horizon: 20 }).map((r) => r.outcome);
    const [fresh, stale, again] = [run({}), run(old), run(old)];
    const aoi = (o: { result: unknown }) =>
      (o.result as { twins: { weightedAoI: number } }).twins.weightedAoI;
    for (let i = 0; i < 2; i++) {
      expect(aoi(stale[i]!)).toBeGreaterThan(aoi(fresh[i]!));
      expect(JSON.stringify(again[i])).toBe(JSON.stringify(stale[i]));
      expect(stale[i]!.start).toBe(0);
      expect(stale[i]!.end).toBe(20);
    }
  });
});
