/**
 * A quick version of the evaluation (docs/evaluation.md, `npm run evaluate`): on the two examples where the
 * full evaluation shows ARS's clearest, significant leads, with two seeds and a shorter horizon, ARS with its
 * tuned profile must still beat the baselines that come closest there — on smart-factory the weighted AoI
 * (without missing more deadlines), on smart-hospital the deadline-miss rate (at most half theirs). It guards
 * the ranking against regressions in ARS or in the world; the full numbers come from the generated document.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compare } from '../src/experiment/compare.js';
import { loadScenario } from '../src/model/index.js';

const root = join(import.meta.dirname, '..');
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
  // the baselines that come closest on each (the full evaluation runs every baseline)
  { example: 'smart-factory', rivals: ['least-loaded', 'max-age-first'], lead: 'aoi' },
  { example: 'smart-hospital', rivals: ['max-age-first', 'earliest-deadline-first'], lead: 'misses' },
])('ARS ranking on $example', ({ example, rivals, lead }) => {
  it(`leads the closest baselines on ${lead === 'aoi' ? 'weighted AoI' : 'deadline misses'}`, async () => {
    const scenario = loadScenario(join(root, 'examples', `${example}.yaml`));
    const profile = join(root, 'profiles', `${example}.json`);
    const ars = { name: 'ars', params: existsSync(profile) ? { profile } : {} };
    const result = await compare(scenario, {
      ...SEEDS,
      horizon: HORIZON,
      workers: 1,
      policies: [ars, ...rivals.map((name) => ({ name, params: {} }))],
    });
    const [mine, ...others] = result.results;
    for (const o of others) {
      if (lead === 'aoi') {
        expect(mean(mine!.runs), `weighted AoI of ars vs ${o.policy}`).toBeLessThan(mean(o.runs));
        expect(missRate(mine!.runs), `miss rate of ars vs ${o.policy}`).toBeLessThanOrEqual(
          missRate(o.runs) + MISS_SLACK,
        );
      } else {
        expect(missRate(mine!.runs), `miss rate of ars vs ${o.policy}`).toBeLessThan(missRate(o.runs) / 2);
      }
    }
  });
});
