/**
 * `ars report`: from a run, a compare, a sweep, an evaluation or a plan document, the sections of one
 * self-contained HTML page (page.ts writes it).
 */
import { summarizeDocuments } from '../../experiment/summarize.js';
import type { SeriesDocument } from '../../metrics/series.js';
import type { Decision } from '../../scheduler/scheduler.js';
import { estimateAt } from '../compare-table.js';
import type { EstimateLike } from '../estimate.js';
import { bestIndexes, getPath, KEY_METRICS, type MetricDef } from '../metrics.js';
import { formatSignificant } from '../number.js';
import { DEFAULT_SWEEP_METRICS, metricByPath, type SweepDocument } from '../sweep-table.js';
import type { LineChart, LineSeries } from './client.js';
import { type ReportPage, type ReportSection, renderPage } from './page.js';
import { seriesSection } from './series-section.js';
import { barChart, cdfChart, colour, escapeXml, type GanttEntry, gantt, heatmap } from './svg.js';

export interface CompareDocument {
  scenario: string;
  replications: number;
  seeds: number[];
  results: { policy: string; metrics: unknown }[];
}

export interface PlanDocument {
  policy: string;
  makespan: number;
  schedule: GanttEntry[];
}

/** `scripts/evaluate.js --json`: example → policy → metric key → { values, mean, ci95 }. */
export type EvaluationDocument = Record<string, Record<string, Record<string, unknown>>>;

export type ReportInput =
  | {
      kind: 'run';
      doc: { scenario: string; policy: string; seed: number; horizon: number; series?: SeriesDocument };
    }
  | { kind: 'compare'; doc: CompareDocument }
  | { kind: 'sweep'; doc: SweepDocument & { sweep?: string; seeds?: number[] } }
  | { kind: 'evaluation'; doc: EvaluationDocument }
  | { kind: 'plan'; doc: PlanDocument };

export interface ReportOptions {
  title?: string;
  /** decisions of a `--trace` file about one subject, to explain */
  explain?: { subject: string; decisions: readonly Decision[] };
}

const isObject = (x: unknown): x is Record<string, unknown> =>
  x !== null && typeof x === 'object' && !Array.isArray(x);

/** Which kind of document this is, from its shape; undefined when it is none of them. */
export function detectInput(doc: unknown): ReportInput | undefined {
  if (!isObject(doc)) return undefined;
  if (Array.isArray(doc.points) && Array.isArray(doc.parameters) && Array.isArray(doc.policies))
    return { kind: 'sweep', doc: doc as unknown as SweepDocument };
  if (Array.isArray(doc.results) && typeof doc.scenario === 'string')
    return { kind: 'compare', doc: doc as unknown as CompareDocument };
  if (Array.isArray(doc.schedule) && typeof doc.makespan === 'number')
    return { kind: 'plan', doc: doc as unknown as PlanDocument };
  if (typeof doc.policy === 'string' && typeof doc.seed === 'number' && isObject(doc.requests))
    return {
      kind: 'run',
      doc: doc as ReportInput['doc'] as { scenario: string; policy: string; seed: number; horizon: number },
    };
  const examples = Object.values(doc);
  if (
    examples.length > 0 &&
    examples.every(
      (e) =>
        isObject(e) &&
        Object.values(e).every(
          (p) => isObject(p) && Object.values(p).some((m) => isObject(m) && 'mean' in m),
        ),
    )
  )
    return { kind: 'evaluation', doc: doc as EvaluationDocument };
  return undefined;
}

let chartCounter = 0;
const chartId = () => `c${++chartCounter}`;

/** Key-metric bars, one chart per metric, one bar per policy. */
function metricBars(columns: readonly { name: string; metrics: unknown }[]): string {
  const charts: string[] = [];
  for (const m of KEY_METRICS) {
    const ests = columns.map((c) => estimateAt(c.metrics, m.path));
    if (ests.every((e) => e === undefined)) continue;
    const best = bestIndexes(
      m,
      ests.map((e) => e?.mean),
    );
    const bars = columns.flatMap((c, i) => {
      const e = ests[i];
      return e ? [{ label: c.name, mean: e.mean, ci95: e.ci95, colour: colour(i), best: best.has(i) }] : [];
    });
    charts.push(barChart(m.label, bars, { sketched: m.sketched ?? false }));
  }
  return `<div class="charts">${charts.join('')}</div>`;
}

/** Quantile levels of the latency summary, placed at −log10(1 − q) so that the tail gets the room. */
const LATENCY_LEVELS: readonly { key: string; x: number; label: string }[] = [
  { key: 'p50', x: Math.log10(2), label: 'p50' },
  { key: 'p95', x: Math.log10(20), label: 'p95' },
  { key: 'p99', x: 2, label: 'p99' },
  { key: 'max', x: 3, label: 'max' },
];

function latencyChart(columns: readonly { name: string; metrics: unknown }[], charts: LineChart[]): string {
  const series: LineSeries[] = columns.map((c, i) => ({
    label: c.name,
    colour: colour(i),
    values: LATENCY_LEVELS.map((l) => estimateAt(c.metrics, `requests.latency.${l.key}`)?.mean ?? null),
  }));
  if (series.every((s) => s.values.every((v) => v === null))) return '';
  const id = chartId();
  charts.push({
    id,
    title: 'request latency by quantile (s)',
    xLabel: 'quantile',
    yLabel: 'latency (s)',
    x: LATENCY_LEVELS.map((l) => l.x),
    xLabels: LATENCY_LEVELS.map((l) => l.label),
    series,
  });
  return `<div class="uplot-chart" data-chart="line" data-chart-id="${id}" data-expected-series="${series.length}"></div>`;
}

/** Quantile levels a result keeps, as cumulative shares (the maximum at 1). */
const CDF_LEVELS: readonly [string, number][] = [
  ['p50', 0.5],
  ['p95', 0.95],
  ['p99', 0.99],
  ['max', 1],
];

/** The latency CDF of each policy, through the quantiles its result keeps. */
function latencyCdf(columns: readonly { name: string; metrics: unknown }[]): string {
  const lines = columns.map((c, i) => ({
    label: c.name,
    colour: colour(i),
    points: CDF_LEVELS.flatMap(([key, q]) => {
      const v = estimateAt(c.metrics, `requests.latency.${key}`)?.mean;
      return v !== undefined && Number.isFinite(v) ? [[v, q] as const] : [];
    }),
  }));
  if (lines.every((l) => l.points.length === 0)) return '';
  return cdfChart('request latency CDF (share of requests done within)', 'latency (s), log scale', lines);
}

/** Keys of a per-entity map (tenants, nodes) across every column, in first-seen order. */
function entityKeys(columns: readonly { metrics: unknown }[], path: string): string[] {
  const keys = new Set<string>();
  for (const c of columns) {
    const m = getPath(c.metrics, path);
    if (isObject(m)) for (const k of Object.keys(m)) keys.add(k);
  }
  return [...keys];
}

function entityHeatmap(
  title: string,
  columns: readonly { name: string; metrics: unknown }[],
  path: string,
  field: string,
): string {
  const keys = entityKeys(columns, path);
  if (keys.length === 0) return '';
  const values = columns.map((c) =>
    keys.map((k) => estimateAt(c.metrics, `${path}.${k}.${field}`)?.mean ?? null),
  );
  if (values.flat().every((v) => v === null)) return '';
  return heatmap(
    title,
    columns.map((c) => c.name),
    keys,
    values,
  );
}

function policySections(
  columns: readonly { name: string; metrics: unknown }[],
  charts: LineChart[],
  replications: number,
): ReportSection[] {
  const ci =
    replications > 1
      ? `Bars are means over ${replications} replications, whiskers the 95 % confidence interval; ★ marks the best where lower or higher is better.`
      : 'One replication: the bars are single values and no confidence interval can be given.';
  const sections: ReportSection[] = [
    { id: 'metrics', title: 'Key metrics', intro: ci, html: metricBars(columns) },
  ];
  const latency = latencyChart(columns, charts);
  if (latency)
    sections.push({
      id: 'latency',
      title: 'Latency distribution',
      intro:
        'Request latency at the median, the 95th and 99th percentiles and the maximum (quantiles from a sketch accurate to 0.5 %): as a CDF, the share of requests done within a latency, and as quantiles, the horizontal axis stretching the tail. Results keep these four quantiles, so the CDF joins four points per policy.',
      html: `<div class="charts">${latencyCdf(columns)}</div>${latency}`,
    });
  const heatmaps = (path: string, charts: readonly [string, string][]) =>
    charts.map(([title, field]) => entityHeatmap(title, columns, path, field)).filter(Boolean);
  const groups: [ReportSection, string[]][] = [
    [
      {
        id: 'tenants',
        title: 'Per-tenant service',
        intro:
          "What each tenant got under each policy; Jain's index in the key metrics is taken over the service.",
        html: '',
      },
      heatmaps('fairness.tenants', [
        ['service per tenant (ideal / actual latency, 1 = no wait)', 'service'],
        ['latency p95 per tenant (s)', 'latencyP95'],
        ['deadline miss rate per tenant', 'deadlineMissRate'],
      ]),
    ],
    [
      {
        id: 'nodes',
        title: 'Node utilisation',
        intro: 'Busy share of each node over the run (after warm-up), per policy.',
        html: '',
      },
      heatmaps('resources.byNode', [
        ['compute utilisation per node', 'compute.utilization'],
        ['attention utilisation per node', 'attention.utilization'],
      ]),
    ],
  ];
  for (const [section, charts] of groups)
    if (charts.length > 0)
      sections.push({ ...section, html: `<div class="charts">${charts.join('')}</div>` });
  return sections;
}

/** A numeric x for a sweep value label: `0.5x` → 0.5, `8` → 8; undefined when not a number. */
function numericLabel(label: string): number | undefined {
  const x = Number(label.endsWith('x') ? label.slice(0, -1) : label);
  return Number.isFinite(x) ? x : undefined;
}

const MAX_SWEEP_GROUPS = 8;

function sweepSections(doc: SweepDocument, charts: LineChart[]): ReportSection[] {
  const [first, ...others] = doc.parameters;
  if (!first) return [];
  const numeric = first.values.map(numericLabel);
  const allNumeric = numeric.every((x) => x !== undefined);
  const x = allNumeric ? (numeric as number[]) : first.values.map((_, i) => i);
  // one chart per metric and per combination of the other parameters' values
  const groups = new Map<string, SweepDocument['points']>();
  for (const p of doc.points) {
    const key = others.map((o) => `${o.path}=${p.parameters[o.path]}`).join(', ');
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  const metrics = [...new Set([...DEFAULT_SWEEP_METRICS, 'requests.latency.p99', 'fairness.jain'])].map(
    metricByPath,
  );
  const sections: ReportSection[] = [];
  for (const m of metrics) {
    const html: string[] = [];
    for (const [key, points] of [...groups].slice(0, MAX_SWEEP_GROUPS)) {
      const series: LineSeries[] = [];
      doc.policies.forEach((policy, q) => {
        const ests = first.values.map((v) => {
          const pt = points.find((p) => p.parameters[first.path] === v);
          return pt ? estimateAt(pt.results[q]?.metrics, m.path) : undefined;
        });
        series.push({ label: policy, colour: colour(q), values: ests.map((e) => e?.mean ?? null) });
        if (ests.some((e) => e && e.ci95 !== null && Number.isFinite(e.ci95))) {
          const bound = (sign: number) =>
            ests.map((e) => (e && e.ci95 !== null ? e.mean + sign * e.ci95 : null));
          series.push({ label: `${policy} 95% low`, colour: colour(q), values: bound(-1), dash: true });
          series.push({ label: `${policy} 95% high`, colour: colour(q), values: bound(1), dash: true });
        }
      });
      if (series.every((s) => s.values.every((v) => v === null))) continue;
      const id = chartId();
      charts.push({
        id,
        title: `${m.label} against ${first.path}${key ? ` (${key})` : ''}`,
        xLabel: first.path,
        yLabel: m.label,
        x,
        ...(allNumeric && first.values.every((v) => !v.endsWith('x')) ? {} : { xLabels: first.values }),
        series,
      });
      html.push(
        `<div class="uplot-chart" data-chart="line" data-chart-id="${id}" data-expected-series="${series.length}"></div>`,
      );
    }
    if (html.length > 0)
      sections.push({ id: `sweep-${sections.length}`, title: m.label, html: html.join('') });
  }
  if (sections[0])
    sections[0].intro = `Each line is a policy's mean over ${doc.replications} replication${doc.replications === 1 ? '' : 's'}; the dashed lines around it bound the 95 % confidence interval.${groups.size > MAX_SWEEP_GROUPS ? ` The first ${MAX_SWEEP_GROUPS} of ${groups.size} combinations of the other parameters are drawn.` : ''}`;
  return sections;
}

/** Metric keys of `scripts/evaluate.js` and how to show them. */
const EVALUATION_METRICS: Record<string, MetricDef> = {
  wAoI: { path: 'wAoI', label: 'weighted AoI (s)', better: 'lower' },
  anomaly: { path: 'anomaly', label: 'anomaly delay p95 (s)', better: 'lower', sketched: true },
  p95: { path: 'p95', label: 'latency p95 (s)', better: 'lower', sketched: true },
  p99: { path: 'p99', label: 'latency p99 (s)', better: 'lower', sketched: true },
  miss: { path: 'miss', label: 'deadline miss rate', better: 'lower' },
  jain: { path: 'jain', label: "Jain's index", better: 'higher' },
  util: { path: 'util', label: 'compute utilisation', better: null },
  energy: { path: 'energy', label: 'energy (kJ)', better: 'lower' },
  cost: { path: 'cost', label: 'cost', better: 'lower' },
};

function evaluationSections(doc: EvaluationDocument): ReportSection[] {
  return Object.entries(doc).map(([example, byPolicy], e) => {
    const policies = Object.keys(byPolicy);
    const charts: string[] = [];
    for (const [key, m] of Object.entries(EVALUATION_METRICS)) {
      const ests = policies.map((p) => {
        const v = byPolicy[p]?.[key];
        return isObject(v) && typeof v.mean === 'number' && Number.isFinite(v.mean)
          ? ({ mean: v.mean, ci95: typeof v.ci95 === 'number' ? v.ci95 : null } satisfies EstimateLike)
          : undefined;
      });
      if (ests.every((x) => x === undefined)) continue;
      const best = bestIndexes(
        m,
        ests.map((x) => x?.mean),
      );
      const bars = policies.flatMap((p, i) => {
        const x = ests[i];
        return x ? [{ label: p, mean: x.mean, ci95: x.ci95, colour: colour(i), best: best.has(i) }] : [];
      });
      charts.push(barChart(m.label, bars, { sketched: m.sketched ?? false }));
    }
    return {
      id: `example-${e}`,
      title: example,
      intro: `${policies.length} policies on held-out seeds; bars are means, whiskers 95 % confidence intervals.`,
      html: `<div class="charts">${charts.join('')}</div>`,
    };
  });
}

function explanationSection(subject: string, decisions: readonly Decision[]): ReportSection {
  const shown = decisions.slice(0, 200);
  const rows = shown
    .map((d) => {
      const candidates = d.candidates
        .map(
          (c) =>
            `${escapeXml(c.id)} ${escapeXml(formatSignificant(c.score, 3))}${
              Object.keys(c.parts).length > 0
                ? ` <small>(${Object.entries(c.parts)
                    .map(([k, v]) => `${escapeXml(k)} ${escapeXml(formatSignificant(v, 3))}`)
                    .join(', ')})</small>`
                : ''
            }`,
        )
        .join('<br>');
      return `<tr><td class="n">${escapeXml(formatSignificant(d.time, 6))}</td><td>${escapeXml(d.kind)}</td><td>${escapeXml(d.chosen ?? 'none')}</td><td>${escapeXml(('runnerUp' in d ? d.runnerUp : undefined) ?? '–')}</td><td>${candidates}</td></tr>`;
    })
    .join('');
  const last = decisions[decisions.length - 1];
  const chart =
    last && last.candidates.length > 0
      ? barChart(
          `scores of the last decision at t = ${formatSignificant(last.time, 6)} (chosen: ${last.chosen ?? 'none'})`,
          last.candidates.map((c, i) => ({
            label: c.id,
            mean: c.score,
            ci95: null,
            colour: colour(i),
            best: c.id === last.chosen,
          })),
        )
      : '';
  return {
    id: 'explain',
    title: `Decisions about ${subject}`,
    intro: `${decisions.length} decision${decisions.length === 1 ? '' : 's'} in the trace name ${subject}${decisions.length > shown.length ? `; the first ${shown.length} are listed` : ''}: what was chosen, the runner-up, and each candidate's score with each plugin's part of it.`,
    html: `<div class="charts">${chart}</div><table><thead><tr><th>time (s)</th><th>kind</th><th>chosen</th><th>runner-up</th><th>candidates: score (parts)</th></tr></thead><tbody>${rows}</tbody></table>`,
  };
}

/** How many time columns a node × time heatmap gets at most; finer windows are averaged into them. */
const MAX_TIME_COLUMNS = 40;

/** Busy share of each processor of a plan in each of `bins` equal slices of [0, makespan]. */
export function planUtilisation(
  schedule: readonly GanttEntry[],
  makespan: number,
  bins = 20,
): { processors: string[]; edges: number[]; busy: number[][] } {
  const processors = [...new Set(schedule.map((e) => String(e.processor)))].sort((a, b) =>
    a.localeCompare(b, 'en', { numeric: true }),
  );
  const end = Math.max(makespan, ...schedule.map((e) => e.finish), 1e-12);
  const width = end / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => i * width);
  const busy = processors.map((p) => {
    const row = new Array<number>(bins).fill(0);
    for (const e of schedule) {
      if (String(e.processor) !== p) continue;
      for (let b = 0; b < bins; b++) {
        const overlap = Math.min(e.finish, edges[b + 1]!) - Math.max(e.start, edges[b]!);
        if (overlap > 0) row[b]! += overlap / width;
      }
    }
    return row.map((v) => Math.min(1, v));
  });
  return { processors, edges, busy };
}

function planUtilisationSection(d: PlanDocument): ReportSection | undefined {
  if (d.schedule.length === 0) return undefined;
  const { processors, edges, busy } = planUtilisation(d.schedule, d.makespan);
  return {
    id: 'utilisation',
    title: 'Processor × time utilisation',
    intro:
      'The busy share of each processor in each twentieth of the makespan (darker is busier): where the plan leaves processors idle.',
    html: heatmap(
      'busy share per processor and time slice',
      processors,
      edges.slice(0, -1).map((t) => formatSignificant(t, 3)),
      busy,
    ),
  };
}

/** A run's per-window series (`--series`), as far as this page reads them. */
interface SeriesLike {
  start: number;
  window: number;
  windows: number;
  series: Record<string, { kind: string; mean?: (number | null)[] }>;
}

const isSeries = (x: unknown): x is SeriesLike =>
  isObject(x) &&
  typeof x.start === 'number' &&
  typeof x.window === 'number' &&
  typeof x.windows === 'number' &&
  isObject(x.series);

/**
 * The utilisation series of a run (every level series whose name contains `util`: compute and
 * attention per node kind) as one heatmap, a row per series and a column per window, windows averaged
 * in groups when there are more than {@link MAX_TIME_COLUMNS}.
 */
function seriesUtilisationSection(series: unknown): ReportSection | undefined {
  if (!isSeries(series)) return undefined;
  const names = Object.keys(series.series)
    .filter((n) => /util/i.test(n) && series.series[n]!.kind === 'level')
    .sort();
  if (names.length === 0 || series.windows === 0) return undefined;
  const group = Math.ceil(series.windows / MAX_TIME_COLUMNS);
  const columns = Math.ceil(series.windows / group);
  const values = names.map((n) => {
    const mean = series.series[n]!.mean ?? [];
    return Array.from({ length: columns }, (_, c) => {
      const part = mean.slice(c * group, (c + 1) * group).filter((v): v is number => typeof v === 'number');
      return part.length > 0 ? part.reduce((a, v) => a + v, 0) / part.length : null;
    });
  });
  const labels = Array.from({ length: columns }, (_, c) =>
    formatSignificant(series.start + c * group * series.window, 4),
  );
  return {
    id: 'utilisation-time',
    title: 'Utilisation over time',
    intro: `Time-weighted utilisation of each kind of node in windows of ${formatSignificant(group * series.window, 3)} s of simulated time (columns start at the time shown; darker is busier).`,
    html: heatmap('utilisation per node kind and window', names, labels, values),
  };
}

/** The page for a document. */
export function buildReport(input: ReportInput, options: ReportOptions = {}): ReportPage {
  chartCounter = 0;
  const charts: LineChart[] = [];
  let page: ReportPage;
  switch (input.kind) {
    case 'run': {
      const { series, ...d } = input.doc;
      const columns = [{ name: d.policy, metrics: summarizeDocuments([d]) }];
      const sections = policySections(columns, charts, 1);
      const utilisation = seriesUtilisationSection(series);
      if (utilisation) sections.push(utilisation);
      const overTime = seriesSection(series, charts);
      if (overTime) sections.push(overTime);
      page = {
        title: `${d.scenario} · ${d.policy}`,
        subtitle: `one run, seed ${d.seed}, ${formatSignificant(d.horizon)} s simulated`,
        sections,
        charts,
      };
      break;
    }
    case 'compare': {
      const d = input.doc;
      const columns = d.results.map((r) => ({ name: r.policy, metrics: r.metrics }));
      page = {
        title: `${d.scenario} · ${columns.length} policies`,
        subtitle: `${d.replications} replication${d.replications === 1 ? '' : 's'} per policy on common seeds (${d.seeds[0]}–${d.seeds[d.seeds.length - 1]})`,
        sections: policySections(columns, charts, d.replications),
        charts,
      };
      break;
    }
    case 'sweep': {
      const d = input.doc;
      page = {
        title: `${d.scenario} · sweep${d.sweep ? ` ${d.sweep}` : ''}`,
        subtitle: `${d.parameters.map((p) => `${p.path} ∈ {${p.values.join(', ')}}`).join(' × ')} · ${d.policies.length} policies · ${d.replications} replication${d.replications === 1 ? '' : 's'} per cell`,
        sections: sweepSections(d, charts),
        charts,
      };
      break;
    }
    case 'evaluation': {
      const sections = evaluationSections(input.doc);
      page = {
        title: 'Evaluation',
        subtitle: `${sections.length} example${sections.length === 1 ? '' : 's'}, every policy on the same held-out seeds`,
        sections,
        charts,
      };
      break;
    }
    case 'plan': {
      const d = input.doc;
      page = {
        title: `Plan · ${d.policy}`,
        subtitle: `makespan ${formatSignificant(d.makespan, 6)} on ${new Set(d.schedule.map((e) => String(e.processor))).size} processors, ${d.schedule.length} tasks`,
        sections: [
          {
            id: 'gantt',
            title: 'Gantt chart',
            intro:
              'Each row is a processor, each box a task from its start to its finish; the dashed line is the makespan.',
            html: gantt(`${d.policy}: makespan ${formatSignificant(d.makespan, 6)}`, d.schedule, d.makespan),
          },
          ...[planUtilisationSection(d)].filter((x): x is ReportSection => x !== undefined),
        ],
        charts,
      };
      break;
    }
  }
  if (options.explain)
    page.sections.push(explanationSection(options.explain.subject, options.explain.decisions));
  if (options.title) page.title = options.title;
  return page;
}

/** The HTML text of the report of a document. */
export function renderReport(input: ReportInput, options: ReportOptions = {}): string {
  return renderPage(buildReport(input, options));
}
