// The HTML reports in a real browser (Debian's chromium driven by playwright-core): every page loads
// without a console error (a Content-Security-Policy violation included), and every chart draws:
// a non-blank canvas with the expected number of series for uPlot charts, an SVG with the expected
// number of bars, rows or lanes for ours.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../scripts/chromium.js';
import { ars } from './run-cli.js';

const CHROMIUM = CHROMIUM_PATH;
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium)
  process.stderr.write(`report-browser: skipped, no chromium at ${CHROMIUM} (apt-get install -y chromium)\n`);

const dir = mkdtempSync(join(tmpdir(), 'ars-report-'));
let browser: Browser | undefined;

beforeAll(async () => {
  if (!haveChromium) return;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface ChartCheck {
  kind: string;
  expected: number;
  drawn: number;
  blank: boolean;
}

/** Opens a report and reports the console errors and what each chart drew. */
async function inspect(
  file: string,
): Promise<{ errors: string[]; charts: ChartCheck[]; requests: string[] }> {
  const page = await browser!.newPage({ viewport: { width: 1100, height: 900 } });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('request', (r) => {
    if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) requests.push(r.url());
  });
  await page.goto(`file://${file}`);
  await page.waitForFunction(
    () =>
      document.querySelectorAll('.uplot-chart').length ===
      document.querySelectorAll('.uplot-chart[data-drawn="true"]').length,
    undefined,
    { timeout: 20_000 },
  );
  const charts = await page.evaluate(() => {
    const out: { kind: string; expected: number; drawn: number; blank: boolean }[] = [];
    for (const el of document.querySelectorAll<HTMLElement>('.uplot-chart')) {
      const canvas = el.querySelector('canvas');
      let blank = true;
      if (canvas && canvas.width > 0 && canvas.height > 0) {
        const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) blank = false;
      }
      out.push({
        kind: 'line',
        expected: Number(el.dataset.expectedSeries),
        // uPlot's legend has one row per series, the x series first
        drawn: el.querySelectorAll('.u-legend .u-series').length - 1,
        blank,
      });
    }
    for (const svg of document.querySelectorAll<SVGSVGElement>('svg.chart')) {
      const box = svg.getBBox();
      out.push({
        kind: svg.dataset.chart ?? 'svg',
        expected: Number(svg.dataset.series),
        drawn: svg.querySelectorAll('g.series').length,
        blank: box.width === 0 || box.height === 0 || svg.querySelectorAll('rect').length === 0,
      });
    }
    return out;
  });
  await page.close();
  return { errors, charts, requests };
}

function expectAllDrawn(charts: readonly ChartCheck[]) {
  expect(charts.length).toBeGreaterThan(0);
  for (const c of charts) {
    expect(c.blank, `${c.kind} chart is blank`).toBe(false);
    expect(c.expected).toBeGreaterThan(0);
    expect(c.drawn, `${c.kind} chart draws ${c.drawn} of ${c.expected} series`).toBe(c.expected);
  }
}

describe.skipIf(!haveChromium)('HTML reports in chromium', () => {
  it('a compare report: bars with intervals per policy, latency quantiles, tenants and nodes', async () => {
    const out = join(dir, 'compare.html');
    const r = await ars(
      'compare',
      'examples/smart-factory.yaml',
      '--policies',
      'fifo,least-loaded,max-age-first',
      '-n',
      '2',
      '--horizon',
      '90',
      '--html',
      out,
    );
    expect(r.code, r.stderr).toBe(0);
    const { errors, charts, requests } = await inspect(out);
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    expectAllDrawn(charts);
    expect(charts.filter((c) => c.kind === 'line')).toEqual([
      { kind: 'line', expected: 3, drawn: 3, blank: false },
    ]);
    expect(charts.filter((c) => c.kind === 'cdf')).toEqual([
      { kind: 'cdf', expected: 3, drawn: 3, blank: false },
    ]);
    expect(charts.filter((c) => c.kind === 'bars').length).toBeGreaterThan(8);
    expect(charts.filter((c) => c.kind === 'heatmap').length).toBeGreaterThanOrEqual(2);
  }, 180_000);

  it('a run report with the decisions about one twin, and a plan report with its Gantt chart', async () => {
    const html = join(dir, 'run.html');
    const run = await ars(
      'run',
      'examples/smart-factory.yaml',
      '--horizon',
      '120',
      '--trace',
      join(dir, 'trace.jsonl'),
      '--html',
      html,
      '--subject',
      'press-3',
    );
    expect(run.code, run.stderr).toBe(0);
    const page = await inspect(html);
    expect(page.errors).toEqual([]);
    expectAllDrawn(page.charts);

    const planJson = join(dir, 'plan.json');
    const plan = await ars('plan', 'test/fixtures/plan/peft-paper.json', '--policy', 'peft', '--json');
    expect(plan.code).toBe(0);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(planJson, plan.stdout);
    expect((await ars('report', planJson)).code).toBe(0);
    const gantt = await inspect(join(dir, 'plan.html'));
    expect(gantt.errors).toEqual([]);
    expect(gantt.charts).toEqual([
      { kind: 'gantt', expected: 3, drawn: 3, blank: false },
      // processor × time utilisation: a row per processor
      { kind: 'heatmap', expected: 3, drawn: 3, blank: false },
    ]);
  }, 180_000);

  it('a run report with --series: one uPlot chart per quantity over time, every line drawn', async () => {
    const html = join(dir, 'series.html');
    const run = await ars(
      'run',
      'examples/smart-factory.yaml',
      '--horizon',
      '160',
      '--series-window',
      '10',
      '--html',
      html,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/series: \d+ series × 10 windows of 10 s/);
    const page = await inspect(html);
    expect(page.errors).toEqual([]);
    expectAllDrawn(page.charts);
    const lines = page.charts.filter((c) => c.kind === 'line');
    // the latency quantiles of the run, then the series: AoI (all + per tenant), AoI by criticality,
    // latency p50/p95/p99, request counts, queue, utilisation per node kind, cost
    expect(lines.length).toBe(8);
    expect(lines.slice(1).map((c) => c.expected)).toEqual(
      expect.arrayContaining([3]), // p50, p95, p99
    );
  }, 180_000);

  it('a sweep report: each metric against the varied parameter, with interval bounds', async () => {
    const json = join(dir, 'sweep.json');
    const r = await ars(
      'sweep',
      'examples/seed-case-study.yaml',
      '--vary',
      'workloads.*.rate=0.5x,1x,2x',
      '--policies',
      'fifo,drf',
      '-n',
      '2',
      '--horizon',
      '40',
      '--store',
      join(dir, 'runs.db'),
      '--json',
    );
    expect(r.code, r.stderr).toBe(0);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(json, r.stdout);
    expect((await ars('report', json, '--out', join(dir, 'sweep.html'))).code).toBe(0);
    const { errors, charts } = await inspect(join(dir, 'sweep.html'));
    expect(errors).toEqual([]);
    expectAllDrawn(charts);
    // two policies, each a mean line and, where replications differ, two interval bounds
    for (const c of charts) expect([2, 4, 6]).toContain(c.expected);
  }, 180_000);
});
