import { describe, expect, it } from 'vitest';
import { SeriesRecorder } from './series.js';

describe('SeriesRecorder', () => {
  it('averages a level over time within each window', () => {
    const r = new SeriesRecorder({ window: 10 });
    r.level('queue', 0, 2);
    r.level('queue', 5, 4); // window 0: 2 for 5 s, 4 for 5 s → 3
    r.level('queue', 25, 0); // window 1: 4; window 2: 4 for 5 s, 0 for 5 s → 2
    expect(r.finish(30).series.queue).toEqual({ kind: 'level', mean: [3, 4, 2] });
  });

  it('counts events per window and summarises samples with their quantiles', () => {
    const r = new SeriesRecorder({ window: 1, start: 10 });
    r.count('missed', 9.5); // before the start (warm-up): not recorded
    r.count('missed', 10.2);
    r.count('missed', 11.7, 2);
    for (let i = 1; i <= 100; i++) r.sample('latency', 10.5, i / 100);
    const doc = r.finish(12);
    expect(doc.series.missed).toEqual({ kind: 'count', count: [1, 2] });
    const latency = doc.series.latency as {
      count: number[];
      p95: (number | null)[];
      mean: (number | null)[];
    };
    expect(latency.count).toEqual([100, 0]);
    expect(latency.p95[0]).toBeCloseTo(0.95, 1);
    expect(latency.mean[1]).toBeNull();
  });

  it('stays within maxWindows by merging windows pairwise, with the totals unchanged', () => {
    const r = new SeriesRecorder({ window: 1, maxWindows: 8 });
    for (let t = 0; t < 100; t++) {
      r.count('done', t + 0.5);
      r.level('busy', t, t % 2);
    }
    const doc = r.finish(100);
    expect(doc.windows).toBeLessThanOrEqual(8);
    expect(doc.window).toBe(16);
    const done = doc.series.done as { count: number[] };
    expect(done.count.reduce((a, b) => a + b, 0)).toBe(100);
    const busy = doc.series.busy as { mean: (number | null)[] };
    expect(busy.mean.slice(0, 6)).toEqual([0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
  });

  it('after merging, equals a recorder that used the wide window from the start', () => {
    const feed = (r: SeriesRecorder) => {
      for (let t = 0; t < 500; t += 0.37) {
        r.sample('latency', t, 1 + (t % 3));
        r.count('done', t);
        r.level('aoi', t, t % 5);
      }
      return r.finish(500);
    };
    const merged = feed(new SeriesRecorder({ window: 2, maxWindows: 16 }));
    const wide = feed(new SeriesRecorder({ window: merged.window, maxWindows: 1000 }));
    expect(merged.window).toBe(32); // 250 windows of 2 s do not fit in 16; 16 of 32 s do
    expect(merged.series.done).toEqual(wide.series.done);
    // sketches merge exactly; means are sums taken in another order, equal to rounding
    const { mean: latencyMean, ...latency } = merged.series.latency as { mean: number[] };
    const { mean: wideLatencyMean, ...wideLatency } = wide.series.latency as { mean: number[] };
    expect(latency).toEqual(wideLatency);
    for (const [i, m] of latencyMean.entries()) expect(m).toBeCloseTo(wideLatencyMean[i]!, 9);
    const aoi = (d: typeof merged) => (d.series.aoi as { mean: number[] }).mean;
    for (const [i, m] of aoi(merged).entries()) expect(m).toBeCloseTo(aoi(wide)[i]!, 9);
  });

  it('refuses a window that is not a positive number', () => {
    expect(() => new SeriesRecorder({ window: 0 })).toThrow(
      expect.objectContaining({ code: 'ARS_E_INPUT_ARGUMENT' }),
    );
  });
});

describe('window bounds that do not divide exactly', () => {
  it('spreads a level over windows whose bounds round (0.2 s windows from 60 s) and ends', () => {
    const r = new SeriesRecorder({ window: 0.2, start: 60 });
    r.level('x', 60, 1);
    for (let k = 1; k < 100; k++) r.level('x', 60 + k * 0.2, k % 2);
    const d = r.finish(80);
    expect(d.windows).toBe(100);
    const mean = d.series.x;
    expect(mean?.kind).toBe('level');
    if (mean?.kind === 'level') {
      expect(mean.mean.every((v) => v !== null)).toBe(true);
      const total = mean.mean.reduce<number>((a, v) => a + (v ?? 0) * 0.2, 0);
      // window 0 holds 1, then windows k = 1…99 hold k mod 2: 51 windows at 1
      expect(total).toBeCloseTo(51 * 0.2, 9);
    }
  });
});
