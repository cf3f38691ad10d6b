// The gross-regression guard: the only timed check in the test suite. It runs the benchmark suite in its
// quick form on the built code (npm test builds first) and fails only when a figure is worse than a third
// of the one recorded in bench/baseline.json (three times slower). Ordinary noise, a busy CI machine or a
// slower laptop stay far inside that; an accidental O(n²) or a lost index does not. The full figures and
// how to reproduce them are in docs/performance.md.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

interface Figure {
  /** where the figure sits in the quick run's JSON document, dot-separated */
  readonly path: string;
  readonly value: number;
  readonly better: 'higher' | 'lower';
}

interface Baseline {
  readonly command: string;
  readonly factor: number;
  readonly figures: readonly Figure[];
}

/** Reads a dotted path from the bench document; undefined when any step is missing. */
function at(doc: unknown, path: string): unknown {
  let cur: unknown = doc;
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/**
 * The best observation of a figure in the run: the fastest of its measured runs when the suite reports the
 * spread (`xMax` for a rate, `xMin` for a time), so that one run slowed by a busy machine does not count.
 */
function observed(doc: unknown, f: Figure): number | undefined {
  const best = at(doc, `${f.path}${f.better === 'higher' ? 'Max' : 'Min'}`);
  const v = typeof best === 'number' ? best : at(doc, f.path);
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** The figures that regressed grossly: worse than the recorded value by more than `factor`. */
function regressions(doc: unknown, baseline: Baseline): string[] {
  const out: string[] = [];
  for (const f of baseline.figures) {
    const v = observed(doc, f);
    if (v === undefined) out.push(`${f.path}: missing from the run`);
    else if (f.better === 'higher' ? v < f.value / baseline.factor : v > f.value * baseline.factor)
      out.push(`${f.path}: ${v.toPrecision(4)}, recorded ${f.value.toPrecision(4)} (${f.better} is better)`);
  }
  return out;
}

const baseline = JSON.parse(readFileSync('bench/baseline.json', 'utf8')) as Baseline;

describe('performance guard', () => {
  it('flags a figure worse than a third of the recorded one, and only then', () => {
    const b: Baseline = {
      command: '',
      factor: 3,
      figures: [
        { path: 'a.rate', value: 300, better: 'higher' },
        { path: 'b.ms', value: 10, better: 'lower' },
      ],
    };
    expect(regressions({ a: { rate: 101 }, b: { ms: 29 } }, b)).toEqual([]);
    expect(regressions({ a: { rate: 99, rateMax: 120 }, b: { ms: 31, msMin: 20 } }, b)).toEqual([]);
    expect(regressions({ a: { rate: 99 }, b: { ms: 31 } }, b)).toHaveLength(2);
    expect(regressions({ a: {} }, b)).toEqual(['a.rate: missing from the run', 'b.ms: missing from the run']);
  });

  it('finds no gross regression in a quick benchmark run', () => {
    expect(existsSync('dist/index.js'), 'build first (npm test does)').toBe(true);
    // Only the suites the baseline has figures for: the others (ingest, live) are not guarded and take minutes.
    const suites = [...new Set(baseline.figures.map((f) => f.path.split('.')[0]))].join(',');
    const out = execFileSync(process.execPath, ['bench/run.js', '--quick', '--json', '--only', suites], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 16 << 20,
      timeout: 120_000,
    });
    expect(regressions(JSON.parse(out), baseline)).toEqual([]);
  }, 150_000);
});
