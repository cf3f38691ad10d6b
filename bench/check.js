// `npm run bench -- --check`: compares a quick benchmark run with the figures recorded in
// bench/baseline.json and fails (exit 1) when one is grossly worse — more than `factor` times slower.
// Ordinary noise, a busy machine or a slower laptop stay far inside that; an accidental O(n²) or a lost
// index does not. Timing lives here, not in `npm test`, so the tests cannot fail because the machine is busy.

/** Reads a dotted path from the bench document; undefined when any step is missing. */
export function at(doc, path) {
  let cur = doc;
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = cur[key];
  }
  return cur;
}

/**
 * The best observation of a figure in the run: the fastest of its measured runs when the suite reports the
 * spread (`xMax` for a rate, `xMin` for a time), so that one run slowed by a busy machine does not count.
 */
export function observed(doc, f) {
  const best = at(doc, `${f.path}${f.better === 'higher' ? 'Max' : 'Min'}`);
  const v = typeof best === 'number' ? best : at(doc, f.path);
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/**
 * The figures that regressed grossly: worse than the recorded value by more than `baseline.factor`.
 * @param {unknown} doc a `bench/run.js --json` document
 * @param {{ factor: number, figures: { path: string, value: number, better: 'higher' | 'lower' }[] }} baseline
 * @returns {string[]} one line per regression, empty when none
 */
export function regressions(doc, baseline) {
  const out = [];
  for (const f of baseline.figures) {
    const v = observed(doc, f);
    if (v === undefined) out.push(`${f.path}: missing from the run`);
    else if (f.better === 'higher' ? v < f.value / baseline.factor : v > f.value * baseline.factor)
      out.push(`${f.path}: ${v.toPrecision(4)}, recorded ${f.value.toPrecision(4)} (${f.better} is better)`);
  }
  return out;
}

/** The suites a baseline has figures for (the first step of each path). */
export function suitesOf(baseline) {
  return [...new Set(baseline.figures.map((f) => f.path.split('.')[0]))];
}
