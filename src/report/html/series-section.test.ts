import { describe, expect, it } from 'vitest';
import { SeriesRecorder } from '../../metrics/series.js';
import type { LineChart } from './client.js';
import { buildReport } from './report.js';
import { seriesSection } from './series-section.js';

/** A small series document through the real recorder: 4 windows of 5 s from t = 10. */
function doc() {
  const r = new SeriesRecorder({ window: 5, start: 10 });
  r.level('aoi.weighted', 10, 2);
  r.level('aoi.tenant.a', 10, 1);
  r.level('aoi.tenant.b', 10, 3);
  r.level('aoi.criticality.1', 10, 2);
  r.level('utilization.compute.edge', 10, 0.5);
  r.level('utilization.attention.edge', 10, 0.9);
  r.level('queue.length', 10, 4);
  r.level('cost.perSecond', 10, 0.01);
  for (const t of [11, 12, 17, 23, 28]) {
    r.count('requests.arrived', t);
    r.count('requests.completed', t);
    r.sample('requests.latency', t, t / 10);
  }
  r.count('requests.missed', 23);
  return r.finish(30);
}

describe('the report section of a run’s series', () => {
  it('draws one uPlot chart per quantity, one line per series, x at the window middles', () => {
    const charts: LineChart[] = [];
    const section = seriesSection(doc(), charts)!;
    expect(section.id).toBe('series');
    expect(charts.map((c) => c.series.length)).toEqual([3, 1, 3, 3, 1, 2, 1]);
    expect(charts[0]!.x).toEqual([12.5, 17.5, 22.5, 27.5]);
    expect(charts[0]!.series.map((s) => s.label)).toEqual(['all twins', 'tenant a', 'tenant b']);
    expect(charts[3]!.series.map((s) => s.label)).toEqual(['arrived', 'completed', 'missed']);
    expect(charts[3]!.series[0]!.values).toEqual([2, 1, 1, 1]);
    // every chart has a placeholder that the browser test counts
    expect(section.html.match(/data-series-chart="true"/g)).toHaveLength(charts.length);
  });

  it('adds a node × time heatmap when the run has per-node series', () => {
    const r = new SeriesRecorder({ window: 1, start: 0 });
    for (let t = 0; t < 100; t++) {
      r.level('utilization.node.a', t, 0.5);
      r.level('utilization.node.b', t, t % 2);
    }
    const charts: LineChart[] = [];
    const html = seriesSection(r.finish(100), charts)!.html;
    expect(charts).toHaveLength(0); // no line chart reads per-node series
    const svg = html.match(/<svg[^>]*data-chart="heatmap"[\s\S]*?<\/svg>/)?.[0] ?? '';
    expect(svg).toContain('compute utilisation per node over time');
    expect(svg.match(/<g class="series">/g)).toHaveLength(2);
    // 100 windows averaged down to 34 columns of 3 (the last of 1): b alternates, so 1/3, 2/3 or 1
    expect(svg.match(/<rect /g)?.length).toBe(2 * 34);
    expect(svg).toContain('a · 0 s: 0.5');
  });

  it('is left out of runs without series, and added to a run report with them', () => {
    expect(seriesSection(undefined, [])).toBeUndefined();
    const run = { scenario: 's', policy: 'fifo', seed: 1, horizon: 30, requests: {} };
    expect(buildReport({ kind: 'run', doc: run }).sections.some((s) => s.id === 'series')).toBe(false);
    const page = buildReport({ kind: 'run', doc: { ...run, series: doc() } });
    expect(page.sections.at(-1)?.id).toBe('series');
    expect(page.charts.filter((c) => c.id.startsWith('series-'))).toHaveLength(7);
  });
});
