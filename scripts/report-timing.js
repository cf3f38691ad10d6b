#!/usr/bin/env node
// Measures an HTML report: its size, and in Debian's chromium the time to first contentful paint and
// the time until every chart has drawn (median and range over fresh page loads).
//
//   npm run build && node scripts/report-timing.js report.html [--runs 7]
//
// To measure the 13-policy evaluation report of docs/reports.md:
//   ars compare examples/smart-factory.yaml --policies ars,ars-no-forecast,ars-no-feedback,ars-uniform-attention,fifo,random,round-robin,least-loaded,earliest-deadline-first,uniform-refresh,max-age-first,drf,heft --json > eval.json
//   ars report eval.json && node scripts/report-timing.js eval.html
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.js';

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--'));
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 7;
if (!file || !(Number.isInteger(runs) && runs > 0)) {
  process.stderr.write('usage: node scripts/report-timing.js report.html [--runs n]\n');
  process.exit(2);
}
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
const samples = [];
for (let i = 0; i <= runs; i++) {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  await page.goto(`file://${resolve(file)}`);
  await page.waitForFunction(() =>
    [...document.querySelectorAll('.uplot-chart')].every((e) => e.dataset.drawn === 'true'),
  );
  const t = await page.evaluate(() => ({
    firstContentfulPaintMs:
      performance.getEntriesByType('paint').find((e) => e.name === 'first-contentful-paint')?.startTime ??
      null,
    allChartsDrawnMs: performance.now(),
    charts: document.querySelectorAll('svg.chart, .uplot-chart').length,
  }));
  await context.close();
  if (i > 0) samples.push(t); // the first load warms the browser's caches
}
await browser.close();
const stat = (key) => {
  const xs = samples.map((s) => s[key]).sort((a, b) => a - b);
  return { median: xs[xs.length >> 1], min: xs[0], max: xs[xs.length - 1] };
};
process.stdout.write(
  `${JSON.stringify(
    {
      file,
      bytes: statSync(file).size,
      charts: samples[0].charts,
      runs,
      firstContentfulPaintMs: stat('firstContentfulPaintMs'),
      allChartsDrawnMs: stat('allChartsDrawnMs'),
    },
    null,
    2,
  )}\n`,
);
