import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../experiment/run.js';
import type { SeriesDocument } from '../metrics/series.js';
import { loadScenario } from '../model/index.js';
import type { RunResult } from './results.js';

const factory = loadScenario(join(import.meta.dirname, '../../examples/smart-factory.yaml'));
const HORIZON = 160; // 100 s past the 60 s warm-up

const level = (d: SeriesDocument, name: string) => {
  const e = d.series[name];
  if (e?.kind !== 'level') throw new Error(`${name} is not a level series`);
  return e.mean;
};
const count = (d: SeriesDocument, name: string) => {
  const e = d.series[name];
  if (e?.kind !== 'count') throw new Error(`${name} is not a count series`);
  return e.count.reduce((a, b) => a + b, 0);
};
/** Time-weighted mean of a level series over the measured span (windows of equal width, the last one cut). */
const overall = (d: SeriesDocument, name: string, end: number) => {
  let area = 0;
  let span = 0;
  level(d, name).forEach((v, i) => {
    const from = d.start + i * d.window;
    const w = Math.min(end, from + d.window) - from;
    if (v !== null && w > 0) {
      area += v * w;
      span += w;
    }
  });
  return area / span;
};

describe('--series: per-window series of a run', () => {
  const plain = runScenario(factory, { policy: 'ars', horizon: HORIZON });
  const withSeries = runScenario(factory, { policy: 'ars', horizon: HORIZON, series: { window: 7 } });
  const doc = withSeries.series!;

  it('changes no other figure of the result (one more event per window only)', () => {
    expect(plain.series).toBeUndefined();
    expect('series' in plain).toBe(false);
    const strip = (r: RunResult) => {
      const { series: _s, ...rest } = r;
      return { ...rest, scheduler: { ...rest.scheduler, events: 0 } };
    };
    expect(JSON.stringify(strip(withSeries))).toBe(JSON.stringify(strip(plain)));
    expect(withSeries.scheduler.events - plain.scheduler.events).toBe(Math.ceil(100 / 7) - 1);
  });

  it('is deterministic: the same run gives the same bytes', () => {
    const again = runScenario(factory, { policy: 'ars', horizon: HORIZON, series: { window: 7 } });
    expect(JSON.stringify(again.series)).toBe(JSON.stringify(doc));
  });

  it('adds up to the run’s own totals', () => {
    expect(doc.start).toBe(60);
    expect(doc.windows).toBe(Math.ceil(100 / 7));
    expect(count(doc, 'requests.arrived')).toBe(withSeries.requests.arrived);
    expect(count(doc, 'requests.completed')).toBe(withSeries.requests.completed);
    const lat = doc.series['requests.latency'];
    expect(lat?.kind).toBe('sample');
    if (lat?.kind === 'sample')
      expect(lat.count.reduce((a, b) => a + b, 0)).toBe(withSeries.requests.completed);
    // the windows' AoI, utilisation and cost, weighted by their widths, give the run's figures back
    expect(overall(doc, 'aoi.weighted', HORIZON)).toBeCloseTo(withSeries.twins.weightedAoI!, 9);
    for (const [tier, r] of Object.entries(withSeries.resources.byTier)) {
      expect(overall(doc, `utilization.compute.${tier}`, HORIZON)).toBeCloseTo(r.compute.utilization, 9);
      expect(overall(doc, `utilization.attention.${tier}`, HORIZON)).toBeCloseTo(r.attention.utilization, 9);
    }
    expect(overall(doc, 'cost.perSecond', HORIZON) * 100).toBeCloseTo(withSeries.resources.cost, 6);
    // a small cluster: every node has its own compute utilisation series
    for (const [id, n] of Object.entries(withSeries.resources.byNode))
      expect(overall(doc, `utilization.node.${id}`, HORIZON)).toBeCloseTo(n.compute.utilization, 9);
    // per tenant that owns twins, and per criticality class
    expect(Object.keys(doc.series).some((k) => k.startsWith('aoi.tenant.'))).toBe(true);
    expect(Object.keys(doc.series).some((k) => k.startsWith('aoi.criticality.'))).toBe(true);
    expect(level(doc, 'queue.length').every((q) => q !== null && q >= 0)).toBe(true);
  });

  it('stays bounded in memory: windows merge pairwise past maxWindows, totals unchanged', () => {
    const small = runScenario(factory, {
      policy: 'ars',
      horizon: HORIZON,
      series: { window: 2, maxWindows: 8 },
    }).series!;
    expect(small.windows).toBeLessThanOrEqual(8);
    expect(small.window).toBe(16);
    expect(count(small, 'requests.completed')).toBe(withSeries.requests.completed);
    expect(overall(small, 'aoi.weighted', HORIZON)).toBeCloseTo(withSeries.twins.weightedAoI!, 9);
  });
});
