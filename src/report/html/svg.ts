/**
 * The small SVG charts of the HTML report, drawn here rather than in the browser: horizontal bars
 * with 95 % interval whiskers, heatmaps and a Gantt chart. Each chart is an `<svg>` with
 * `data-chart` (its kind) and `data-series` (how many bars, rows or processors it draws), which the
 * browser tests count.
 */
import { formatEstimate } from '../estimate.js';
import { formatSignificant } from '../number.js';

/** Colours that stay apart for 13 policies and read on white (Tableau 10 and three more). */
export const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
  '#1f77b4',
  '#8c564b',
  '#17becf',
];

export const colour = (i: number) => PALETTE[i % PALETTE.length]!;

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const num = (x: number) => String(Math.round(x * 10) / 10);

export interface Bar {
  label: string;
  mean: number;
  /** half-width of the 95 % interval; null when undefined */
  ci95: number | null;
  colour: string;
  best?: boolean;
}

/** Horizontal bars, one per policy, with whiskers at mean ± ci95; the axis starts at 0. */
export function barChart(title: string, bars: readonly Bar[], options: { sketched?: boolean } = {}): string {
  const labelWidth = Math.min(220, 8 + 7 * Math.max(...bars.map((b) => b.label.length), 4));
  const valueWidth = 140;
  const plot = 250;
  const row = 20;
  const top = 24;
  const height = top + row * bars.length + 8;
  const width = labelWidth + plot + valueWidth;
  const hi = Math.max(...bars.map((b) => b.mean + (b.ci95 ?? 0)), 0);
  const lo = Math.min(...bars.map((b) => b.mean - (b.ci95 ?? 0)), 0);
  const span = hi - lo || 1;
  const x = (v: number) => labelWidth + ((v - lo) / span) * plot;
  const parts = bars.map((b, i) => {
    const y = top + i * row;
    const x0 = x(Math.min(0, b.mean));
    const x1 = x(Math.max(0, b.mean));
    const whisker =
      b.ci95 !== null && b.ci95 > 0
        ? `<line class="ci" x1="${num(x(b.mean - b.ci95))}" x2="${num(x(b.mean + b.ci95))}" y1="${y + 8}" y2="${y + 8}" stroke="#222"/>` +
          `<line x1="${num(x(b.mean - b.ci95))}" x2="${num(x(b.mean - b.ci95))}" y1="${y + 4}" y2="${y + 12}" stroke="#222"/>` +
          `<line x1="${num(x(b.mean + b.ci95))}" x2="${num(x(b.mean + b.ci95))}" y1="${y + 4}" y2="${y + 12}" stroke="#222"/>`
        : '';
    const text = formatEstimate(b, { sketched: options.sketched ?? false });
    return (
      `<g class="series" data-label="${escapeXml(b.label)}">` +
      `<text x="${labelWidth - 6}" y="${y + 12}" text-anchor="end">${escapeXml(b.label)}</text>` +
      `<rect x="${num(x0)}" y="${y + 2}" width="${num(Math.max(1, x1 - x0))}" height="${row - 5}" fill="${b.colour}"/>` +
      whisker +
      `<text x="${labelWidth + plot + 6}" y="${y + 12}"${b.best ? ' font-weight="bold"' : ''}>${escapeXml(text)}${b.best ? ' ★' : ''}</text>` +
      '</g>'
    );
  });
  return (
    `<svg class="chart" data-chart="bars" data-series="${bars.length}" role="img" aria-label="${escapeXml(title)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">` +
    `<text class="title" x="0" y="14">${escapeXml(title)}</text>` +
    `<line x1="${num(x(0))}" x2="${num(x(0))}" y1="${top}" y2="${height - 6}" stroke="#999"/>` +
    `${parts.join('')}</svg>`
  );
}

/** A rows × columns grid of values, shaded from light (low) to dark (high) per chart. */
export function heatmap(
  title: string,
  rows: readonly string[],
  columns: readonly string[],
  values: readonly (readonly (number | null)[])[],
  options: { digits?: number; maxColumns?: number } = {},
): string {
  const cols = columns.slice(0, options.maxColumns ?? 60);
  const labelWidth = Math.min(220, 8 + 7 * Math.max(...rows.map((r) => r.length), 4));
  const cell = cols.length > 20 ? 22 : 56;
  const longest = Math.max(...cols.map((c) => c.length), 1);
  // column names longer than a cell are written at an angle
  const rotated = longest * 7 > cell;
  const top = 24 + (rotated ? Math.min(120, longest * 5.5 + 8) : 18);
  const width = Math.max(labelWidth + cell * cols.length + 8, title.length * 7 + 8);
  const height = top + 20 * rows.length + 8;
  const finite = values.flat().filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  const lo = Math.min(...finite, 0);
  const hi = Math.max(...finite, lo + 1e-12);
  const shade = (v: number) => {
    const t = (v - lo) / (hi - lo || 1);
    const l = Math.round(96 - t * 56);
    return `hsl(210 60% ${l}%)`;
  };
  const header = cols
    .map((c, j) => {
      const cx = labelWidth + j * cell + cell / 2;
      return rotated
        ? `<text x="${cx}" y="${top - 4}" transform="rotate(-45 ${cx} ${top - 4})">${escapeXml(c)}</text>`
        : `<text x="${cx}" y="${top - 4}" text-anchor="middle">${escapeXml(c)}</text>`;
    })
    .join('');
  const body = rows
    .map((r, i) => {
      const y = top + i * 20;
      const cells = cols
        .map((c, j) => {
          const v = values[i]?.[j] ?? null;
          const fill = v === null || !Number.isFinite(v) ? '#eee' : shade(v);
          const text =
            v === null || !Number.isFinite(v) || cell < 56
              ? ''
              : `<text x="${labelWidth + j * cell + cell / 2}" y="${y + 14}" text-anchor="middle" fill="${(v - lo) / (hi - lo || 1) > 0.55 ? '#fff' : '#111'}">${escapeXml(formatSignificant(v, options.digits ?? 2))}</text>`;
          return `<rect x="${labelWidth + j * cell}" y="${y}" width="${cell - 1}" height="19" fill="${fill}"><title>${escapeXml(`${r} · ${c}: ${v === null ? 'no value' : formatSignificant(v, 4)}`)}</title></rect>${text}`;
        })
        .join('');
      return `<g class="series"><text x="${labelWidth - 6}" y="${y + 14}" text-anchor="end">${escapeXml(r)}</text>${cells}</g>`;
    })
    .join('');
  return (
    `<svg class="chart" data-chart="heatmap" data-series="${rows.length}" role="img" aria-label="${escapeXml(title)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">` +
    `<text class="title" x="0" y="14">${escapeXml(title)}</text>${header}${body}</svg>`
  );
}

export interface GanttEntry {
  task: string | number;
  processor: string | number;
  start: number;
  finish: number;
}

/** One row per processor, one box per task from its start to its finish; the makespan is marked. */
export function gantt(title: string, schedule: readonly GanttEntry[], makespan?: number): string {
  const processors = [...new Set(schedule.map((e) => String(e.processor)))].sort((a, b) =>
    a.localeCompare(b, 'en', { numeric: true }),
  );
  const end = Math.max(makespan ?? 0, ...schedule.map((e) => e.finish), 1e-9);
  const labelWidth = Math.min(160, 8 + 7 * Math.max(...processors.map((p) => p.length), 4));
  const plot = 640;
  const top = 24;
  const row = 24;
  const height = top + row * processors.length + 24;
  const width = labelWidth + plot + 16;
  const x = (t: number) => labelWidth + (t / end) * plot;
  const lanes = processors
    .map((p, i) => {
      const y = top + i * row;
      const boxes = schedule
        .filter((e) => String(e.processor) === p)
        .map((e) => {
          const w = Math.max(1, x(e.finish) - x(e.start));
          const label = String(e.task);
          const text =
            w > 7 * label.length + 4
              ? `<text x="${num(x(e.start) + w / 2)}" y="${y + 15}" text-anchor="middle" fill="#fff">${escapeXml(label)}</text>`
              : '';
          return `<rect x="${num(x(e.start))}" y="${y + 2}" width="${num(w)}" height="${row - 6}" fill="${colour(Number.parseInt(label.replace(/\D/g, '') || '0', 10))}" stroke="#fff"><title>${escapeXml(`task ${label} on ${p}: ${formatSignificant(e.start)} → ${formatSignificant(e.finish)}`)}</title></rect>${text}`;
        })
        .join('');
      return `<g class="series"><text x="${labelWidth - 6}" y="${y + 15}" text-anchor="end">${escapeXml(p)}</text>${boxes}</g>`;
    })
    .join('');
  const axisY = top + row * processors.length + 4;
  const ticks = Array.from({ length: 6 }, (_, i) => (end * i) / 5)
    .map(
      (t) =>
        `<text x="${num(x(t))}" y="${axisY + 14}" text-anchor="middle">${escapeXml(formatSignificant(t, 3))}</text>`,
    )
    .join('');
  const mark =
    makespan !== undefined
      ? `<line x1="${num(x(makespan))}" x2="${num(x(makespan))}" y1="${top}" y2="${axisY}" stroke="#e15759" stroke-dasharray="4 3"/>`
      : '';
  return (
    `<svg class="chart" data-chart="gantt" data-series="${processors.length}" role="img" aria-label="${escapeXml(title)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">` +
    `<text class="title" x="0" y="14">${escapeXml(title)}</text>${lanes}` +
    `<line x1="${labelWidth}" x2="${labelWidth + plot}" y1="${axisY}" y2="${axisY}" stroke="#999"/>${ticks}${mark}</svg>`
  );
}

export interface CdfLine {
  label: string;
  colour: string;
  /** (value, cumulative share) points, in increasing value */
  points: readonly (readonly [number, number])[];
}

/**
 * Cumulative distribution curves, one per policy: the value on a logarithmic horizontal axis, the share
 * of observations at or below it upwards. Each line joins the points it is given (the quantiles a result
 * keeps), with a marker at each.
 */
export function cdfChart(title: string, xLabel: string, given: readonly CdfLine[]): string {
  const lines = given
    .map((l) => ({ ...l, points: l.points.filter((p) => p[0] > 0 && Number.isFinite(p[0])) }))
    .filter((l) => l.points.length > 0);
  const values = lines.flatMap((l) => l.points.map((p) => p[0])).filter((v) => v > 0 && Number.isFinite(v));
  const left = 44;
  const plot = { w: 560, h: 240 };
  const legendWidth = Math.min(220, 24 + 7 * Math.max(...lines.map((l) => l.label.length), 4));
  const top = 26;
  const width = left + plot.w + 12 + legendWidth;
  const height = top + plot.h + 40;
  if (values.length === 0) return '';
  let lo = Math.floor(Math.log10(Math.min(...values)));
  let hi = Math.ceil(Math.log10(Math.max(...values)));
  if (hi <= lo) hi = lo + 1;
  if (hi - lo > 8) lo = hi - 8;
  const x = (v: number) => left + ((Math.log10(Math.max(v, 10 ** lo)) - lo) / (hi - lo)) * plot.w;
  const y = (q: number) => top + (1 - q) * plot.h;
  const grid: string[] = [];
  for (let e = lo; e <= hi; e++)
    grid.push(
      `<line x1="${num(x(10 ** e))}" x2="${num(x(10 ** e))}" y1="${top}" y2="${top + plot.h}" stroke="#eee"/>` +
        `<text x="${num(x(10 ** e))}" y="${top + plot.h + 14}" text-anchor="middle">${escapeXml(formatSignificant(10 ** e, 1))}</text>`,
    );
  for (const q of [0, 0.25, 0.5, 0.75, 1])
    grid.push(
      `<line x1="${left}" x2="${left + plot.w}" y1="${num(y(q))}" y2="${num(y(q))}" stroke="#eee"/>` +
        `<text x="${left - 4}" y="${num(y(q) + 4)}" text-anchor="end">${q}</text>`,
    );
  const series = lines
    .map((l, i) => {
      const pts = l.points;
      const path = pts.map((p) => `${num(x(p[0]))},${num(y(p[1]))}`).join(' ');
      const marks = pts
        .map(
          (p) =>
            `<circle cx="${num(x(p[0]))}" cy="${num(y(p[1]))}" r="2.5" fill="${l.colour}"><title>${escapeXml(`${l.label}: ${formatSignificant(p[1] * 100, 3)} % at or below ${formatSignificant(p[0], 4)}`)}</title></circle>`,
        )
        .join('');
      const ly = top + 10 + i * 16;
      return `<g class="series"><polyline points="${path}" fill="none" stroke="${l.colour}" stroke-width="2"/>${marks}<rect x="${left + plot.w + 12}" y="${ly - 8}" width="10" height="10" fill="${l.colour}"/><text x="${left + plot.w + 26}" y="${ly + 1}">${escapeXml(l.label)}</text></g>`;
    })
    .join('');
  return (
    `<svg class="chart" data-chart="cdf" data-series="${lines.length}" role="img" aria-label="${escapeXml(title)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">` +
    `<text class="title" x="0" y="14">${escapeXml(title)}</text>${grid.join('')}` +
    `<rect x="${left}" y="${top}" width="${plot.w}" height="${plot.h}" fill="none" stroke="#999"/>${series}` +
    `<text x="${left + plot.w / 2}" y="${top + plot.h + 32}" text-anchor="middle">${escapeXml(xLabel)}</text></svg>`
  );
}
