// The gross-regression guard's rule, tested without timing anything. The timed check itself is
// `npm run bench -- --check` (bench/check.js against bench/baseline.json): a test that measures wall time
// fails when the machine is busy, so `npm test` asserts only that the rule flags what it should.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- plain JavaScript beside the benchmarks, no type declarations
import { observed, regressions, suitesOf } from '../bench/check.js';

describe('performance guard (bench --check)', () => {
  const b = {
    factor: 3,
    figures: [
      { path: 'a.rate', value: 300, better: 'higher' },
      { path: 'b.ms', value: 10, better: 'lower' },
    ],
  };

  it('flags a figure worse than a third of the recorded one, and only then', () => {
    expect(regressions({ a: { rate: 101 }, b: { ms: 29 } }, b)).toEqual([]);
    expect(regressions({ a: { rate: 99 }, b: { ms: 31 } }, b)).toEqual([
      'a.rate: 99.00, recorded 300.0 (higher is better)',
      'b.ms: 31.00, recorded 10.00 (lower is better)',
    ]);
    expect(regressions({ a: {} }, b)).toEqual(['a.rate: missing from the run', 'b.ms: missing from the run']);
  });

  it('judges a figure by its best run, so one run slowed by a busy machine does not count', () => {
    expect(regressions({ a: { rate: 99, rateMax: 120 }, b: { ms: 31, msMin: 20 } }, b)).toEqual([]);
    expect(observed({ a: { rate: 99, rateMax: 120 } }, b.figures[0])).toBe(120);
    expect(observed({ a: { rate: Number.NaN } }, b.figures[0])).toBeUndefined();
  });

  it('the recorded baseline names figures of existing suites, with a factor above 1', () => {
    const baseline = JSON.parse(readFileSync('bench/baseline.json', 'utf8'));
    expect(baseline.factor).toBeGreaterThan(1);
    const suites = suitesOf(baseline);
    for (const s of suites) expect(() => readFileSync(`bench/suites/${s}.js`)).not.toThrow();
    for (const f of baseline.figures) expect(['higher', 'lower']).toContain(f.better);
  });
});
