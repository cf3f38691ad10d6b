/**
 * One self-contained HTML page: styles, scripts (uPlot and our chart code) and data inline, nothing
 * fetched, so it opens offline and can be mailed as one file. A Content-Security-Policy allows exactly
 * the inline script and style blocks it carries (by hash) and nothing else.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { drawCharts, type LineChart } from './client.js';
import { escapeXml } from './svg.js';

export interface ReportSection {
  id: string;
  title: string;
  /** a sentence or two above the charts: what they show and how to read them */
  intro?: string;
  html: string;
}

export interface ReportPage {
  title: string;
  subtitle: string;
  sections: ReportSection[];
  charts: LineChart[];
}

let uplot: { js: string; css: string } | undefined;

/** uPlot's minified build and stylesheet, read once from the installed package. */
function uplotAssets(): { js: string; css: string } {
  if (!uplot) {
    const require = createRequire(import.meta.url);
    uplot = {
      js: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
      css: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
    };
  }
  return uplot;
}

const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d2329; margin: 0 auto; max-width: 1100px; padding: 16px 24px 48px; }
h1 { font-size: 22px; margin: 8px 0 2px; } h2 { font-size: 17px; margin: 28px 0 6px; border-bottom: 1px solid #ddd; padding-bottom: 3px; }
.subtitle, .intro { color: #555; } nav a { margin-right: 12px; }
.charts { display: flex; flex-wrap: wrap; gap: 18px 28px; }
svg.chart { font-size: 12px; max-width: 100%; height: auto; } svg.chart text.title { font-weight: 600; font-size: 13px; }
table { border-collapse: collapse; font-size: 13px; margin: 6px 0; } th, td { padding: 3px 8px; border-bottom: 1px solid #eee; text-align: left; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; } .uplot-chart { min-height: 320px; width: 100%; max-width: 900px; }
code { background: #f4f4f4; padding: 0 3px; }
`;

/** JSON that cannot end the <script> element holding it. */
function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

const hash = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

export function renderPage(page: ReportPage): string {
  const assets = uplotAssets();
  const css = `${assets.css}\n${STYLE}`;
  const client = `(${drawCharts.toString()})(uPlot);`;
  const csp = [
    "default-src 'none'",
    `script-src ${hash(assets.js)} ${hash(client)}`,
    `style-src ${hash(css)}`,
    'img-src data:',
  ].join('; ');
  const nav = page.sections.map((s) => `<a href="#${s.id}">${escapeXml(s.title)}</a>`).join('');
  const sections = page.sections
    .map(
      (s) =>
        `<section id="${s.id}"><h2>${escapeXml(s.title)}</h2>${s.intro ? `<p class="intro">${escapeXml(s.intro)}</p>` : ''}${s.html}</section>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeXml(page.title)}</title>
<style>${css}</style>
</head>
<body>
<header><h1>${escapeXml(page.title)}</h1><p class="subtitle">${escapeXml(page.subtitle)}</p><nav>${nav}</nav></header>
${sections}
<script type="application/json" id="ars-data">${scriptSafeJson({ charts: page.charts })}</script>
<script>${assets.js}</script>
<script>${client}</script>
</body>
</html>
`;
}
