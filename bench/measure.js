// How every benchmark figure is taken: warm-up runs, then the median of the measured runs with the spread.

/**
 * Runs `fn` `warmup` times unmeasured (JIT), then `runs` times; `fn` returns the figure of one run
 * (a rate, a duration...). Returns the median with the spread.
 */
export function makeMeasure(defaultRuns) {
  return async function measure(fn, { runs = defaultRuns, warmup = 1 } = {}) {
    for (let i = 0; i < warmup; i++) await fn();
    const samples = [];
    for (let i = 0; i < runs; i++) samples.push(await fn());
    const sorted = [...samples].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    return { median, min: sorted[0], max: sorted[sorted.length - 1], runs, samples };
  };
}
