/**
 * The "over time" section of a run's report: the per-window series of `ars run --series` (the result's
 * `series` field, src/world/series.ts) as uPlot line charts, one chart per quantity, x = simulated time at
 * the middle of each window.
 */
import type { SeriesDocument } from '../../metrics/series.js';
import type { LineChart, LineSeries } from './client.js';
import type { ReportSection } from './page.js';
import { colour, heatmap } from './svg.js';

/** Columns of the node × time heatmap at most: adjacent windows are averaged down to it. */
const HEATMAP_COLUMNS = 40;

/** Node × time compute utilisation (the per-node series of small clusters), or '' without them. */
function nodeHeatmap(doc: SeriesDocument): string {
  const prefix = 'utilization.node.';
  const rows = Object.keys(doc.series).filter((k) => k.startsWith(prefix));
  if (rows.length === 0) return '';
  const per = Math.ceil(doc.windows / HEATMAP_COLUMNS);
  const columns: string[] = [];
  for (let j = 0; j * per < doc.windows; j++)
    columns.push(`${Math.round(doc.start + j * per * doc.window)} s`);
  const values = rows.map((k) =>
    columns.map((_, j) => {
      const mean = levelMean(doc.series[k]) ?? [];
      let sum = 0;
      let n = 0;
      for (let i = j * per; i < Math.min(doc.windows, (j + 1) * per); i++) {
        const v = mean[i];
        if (v !== null && v !== undefined) {
          sum += v;
          n++;
        }
      }
      return n > 0 ? sum / n : null;
    }),
  );
  return heatmap(
    'compute utilisation per node over time',
    rows.map((k) => k.slice(prefix.length)),
    columns,
    values,
    { maxColumns: HEATMAP_COLUMNS },
  );
}

type Entry = SeriesDocument['series'][string];

interface ChartSpec {
  title: string;
  yLabel: string;
  /** the series of the document drawn on this chart, with their legend labels and values */
  lines: (doc: SeriesDocument) => { label: string; values: (number | null)[] }[];
}

const levelMean = (e: Entry | undefined) => (e && e.kind === 'level' ? e.mean : undefined);
const countOf = (e: Entry | undefined) => (e && e.kind === 'count' ? e.count : undefined);

/** Level series whose names start with `prefix`, labelled by the rest of the name. */
const levelsUnder =
  (prefix: string) =>
  (doc: SeriesDocument): { label: string; values: (number | null)[] }[] =>
    Object.keys(doc.series)
      .filter((k) => k.startsWith(prefix))
      .flatMap((k) => {
        const v = levelMean(doc.series[k]);
        return v ? [{ label: k.slice(prefix.length), values: v }] : [];
      });

const CHARTS: readonly ChartSpec[] = [
  {
    title: 'age of information, criticality-weighted (s)',
    yLabel: 'mean AoI (s)',
    lines: (doc) => {
      const all = levelMean(doc.series['aoi.weighted']);
      return [
        ...(all ? [{ label: 'all twins', values: all }] : []),
        ...levelsUnder('aoi.tenant.')(doc).map((l) => ({ ...l, label: `tenant ${l.label}` })),
      ];
    },
  },
  {
    title: 'age of information by criticality (s)',
    yLabel: 'mean AoI (s)',
    lines: (doc) =>
      levelsUnder('aoi.criticality.')(doc).map((l) => ({ ...l, label: `criticality ${l.label}` })),
  },
  {
    title: 'request latency (s)',
    yLabel: 'latency (s)',
    lines: (doc) => {
      const e = doc.series['requests.latency'];
      if (e?.kind !== 'sample') return [];
      return [
        { label: 'p50', values: e.p50 },
        { label: 'p95', values: e.p95 },
        { label: 'p99', values: e.p99 },
      ];
    },
  },
  {
    title: 'requests per window',
    yLabel: 'requests',
    lines: (doc) =>
      (['arrived', 'completed', 'missed', 'lost'] as const).flatMap((k) => {
        const c = countOf(doc.series[`requests.${k}`]);
        return c ? [{ label: k, values: c }] : [];
      }),
  },
  {
    title: 'ready work waiting (at each window’s end)',
    yLabel: 'queue length',
    lines: (doc) => {
      const q = levelMean(doc.series['queue.length']);
      return q ? [{ label: 'queue', values: q }] : [];
    },
  },
  {
    title: 'utilisation by node kind',
    yLabel: 'reserved / capacity up',
    lines: (doc) => levelsUnder('utilization.')(doc).filter((l) => !l.label.startsWith('node.')),
  },
  {
    title: 'cost rate',
    yLabel: 'cost per second',
    lines: (doc) => {
      const c = levelMean(doc.series['cost.perSecond']);
      return c ? [{ label: 'cost / s', values: c }] : [];
    },
  },
];

/** The section, or undefined when the document has no series. */
export function seriesSection(
  doc: SeriesDocument | undefined,
  charts: LineChart[],
): ReportSection | undefined {
  if (!doc || doc.windows === 0) return undefined;
  const x = Array.from({ length: doc.windows }, (_, i) => doc.start + (i + 0.5) * doc.window);
  const html: string[] = [];
  for (const spec of CHARTS) {
    const lines = spec.lines(doc).filter((l) => l.values.some((v) => v !== null));
    if (lines.length === 0) continue;
    const series: LineSeries[] = lines.map((l, i) => ({
      label: l.label,
      colour: colour(i),
      values: l.values,
    }));
    const id = `series-${charts.length}`;
    charts.push({ id, title: spec.title, xLabel: 'simulated time (s)', yLabel: spec.yLabel, x, series });
    html.push(
      `<div class="uplot-chart" data-chart="line" data-chart-id="${id}" data-series-chart="true" data-expected-series="${series.length}"></div>`,
    );
  }
  const nodes = nodeHeatmap(doc);
  if (nodes) html.push(nodes);
  if (html.length === 0) return undefined;
  return {
    id: 'series',
    title: 'Over time',
    intro: `Per-window series from the warm-up on: ${doc.windows} windows of ${doc.window} s each (levels are time-weighted means over the window; the queue is read at each window’s end).`,
    html: `<div class="charts">${html.join('')}</div>`,
  };
}
