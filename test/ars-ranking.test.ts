/**
 * A quick version of the evaluation (docs/evaluation.md, `npm run evaluate`): on two examples where the full
 * evaluation shows a clear lead, with two seeds and a shorter horizon, ARS with its tuned profile must still
 * beat the strongest baselines on the criticality-weighted age of information, and on the factory not miss
 * more deadlines than they do (on the home example its miss rate is within noise of theirs). It guards the ranking
 * against regressions in ARS or in the world; the full numbers come from the generated document.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compare } from '../src/experiment/compare.js';
import { loadScenario } from '../src/model/index.js';

const root = join(import.meta.dirname, '..');
/** the baselines that come closest on these examples (the full evaluation runs every baseline) */
const RIVALS = ['least-loaded', 'max-age-first'];
const SEEDS = { firstSeed: 1, replications: 2 };
const HORIZON = 180;
/** misses are rare events: ARS may be behind by this much absolute rate and still count as not worse */
const MISS_SLACK = 0.001;

const mean = (runs: readonly { twins: { weightedAoI: number | null } }[]) =>
  runs.reduce((a, r) => a + (r.twins.weightedAoI ?? Number.NaN), 0) / runs.length;
const missRate = (runs: readonly { requests: { missed: number; withDeadline: number } }[]) => {
  const missed = runs.reduce((a, r) => a + r.requests.missed, 0);
  const all = runs.reduce((a, r) => a + r.requests.withDeadline, 0);
  return all > 0 ? missed / all : 0;
};

describe.each([
  { example: 'smart-factory', misses: true },
  { example: 'smart-home', misses: false },
])('ARS ranking on $example', ({ example, misses }) => {
  it('has a lower weighted AoI than the strongest baselines (and, where it leads, no more misses)', async () => {
    const scenario = loadScenario(join(root, 'examples', `${example}.yaml`));
    const profile = join(root, 'profiles', `${example}.json`);
    const ars = { name: 'ars', params: existsSync(profile) ? { profile } : {} };
    const result = await compare(scenario, {
      ...SEEDS,
      horizon: HORIZON,
      workers: 1,
      policies: [ars, ...RIVALS.map((name) => ({ name, params: {} }))],
    });
    const [mine, ...others] = result.results;
    const aoi = mean(mine!.runs);
    for (const o of others) {
      expect(aoi, `weighted AoI of ars vs ${o.policy}`).toBeLessThan(mean(o.runs));
      if (misses)
        expect(missRate(mine!.runs), `miss rate of ars vs ${o.policy}`).toBeLessThanOrEqual(
          missRate(o.runs) + MISS_SLACK,
        );
    }
  });
});
