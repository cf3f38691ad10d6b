import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ArsContext, DEMAND_WINDOW } from './context.js';
import { defaultParams } from './params.js';

/** The forecast compute load summed afresh over the bank's `:compute` keys (what `computeLoad` caches). */
function freshLoad(ctx: ArsContext): number {
  let load = 0;
  for (const key of ctx.demand.keys()) if (key.endsWith(':compute')) load += ctx.rate(key);
  return load;
}

describe('ArsContext.computeLoad', () => {
  it('equals the sum over the compute keys afresh at every step (cached within a demand window)', () => {
    const step = fc.record({
      dt: fc.constantFrom(0, 0.01, 0.5, 3, DEMAND_WINDOW, 2.5 * DEMAND_WINDOW),
      key: fc.constantFrom('t/a', 't/b', 'u/c'),
      demand: fc.constantFrom(0, 0.5, 2),
      read: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 80 }), (steps) => {
        const cached = new ArsContext(defaultParams(), true);
        const plain = new ArsContext(defaultParams(), true);
        let t = 0;
        for (const s of steps) {
          t += s.dt;
          for (const ctx of [cached, plain]) {
            ctx.tick(t);
            ctx.demand.record(s.key, t);
            if (s.demand > 0) ctx.demand.record(`${s.key}:compute`, t, s.demand);
          }
          // both are read at the same times: the cache must not change what is read, nor when keys catch up
          if (s.read) expect(cached.computeLoad()).toBe(freshLoad(plain));
        }
        expect(cached.computeLoad()).toBe(freshLoad(plain));
        expect(cached.switches).toEqual(plain.switches);
      }),
      { numRuns: 200, seed: 7 },
    );
  });
});
