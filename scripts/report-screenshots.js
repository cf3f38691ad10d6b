#!/usr/bin/env node
// Regenerates the report screenshots in docs/img/ from the built CLI and Debian's chromium:
//
//   npm run build && node scripts/report-screenshots.js [--only reports|dashboard]
//
// It writes a compare report (smart factory, five policies), a sweep report (load from 0.5x to 2x) and a
// plan report (PEFT on the paper's DAG) into a temporary directory, then photographs one part of each;
// then it serves the smart-factory demo (startService, free port), lets it run for 12 s, clicks a decision,
// asks a what-if and photographs the live dashboard (docs/img/dashboard.png).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.js';

const root = join(fileURLToPath(import.meta.url), '..', '..');
const chromiumPath = CHROMIUM_PATH;
if (!existsSync(chromiumPath)) {
  process.stderr.write(`no chromium at ${chromiumPath}: apt-get install -y chromium\n`);
  process.exit(2);
}
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
if (only !== undefined && only !== 'reports' && only !== 'dashboard') {
  process.stderr.write('usage: node scripts/report-screenshots.js [--only reports|dashboard]\n');
  process.exit(2);
}
const tmp = mkdtempSync(join(tmpdir(), 'ars-shots-'));
const ars = (...args) => {
  process.stderr.write(`ars ${args.join(' ')}\n`);
  return execFileSync(process.execPath, [join(root, 'dist/cli/main.js'), ...args], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
};

/** The report screenshots: a compare, a sweep and a plan report, one part of each. */
async function reports(browser, out) {
  const compare = join(tmp, 'compare.html');
  ars(
    'compare',
    'examples/smart-factory.yaml',
    '--policies',
    'fifo,least-loaded,max-age-first,drf,ars',
    '-n',
    '3',
    '--horizon',
    '300',
    '--html',
    compare,
  );
  const sweepJson = join(tmp, 'sweep.json');
  writeFileSync(
    sweepJson,
    ars(
      'sweep',
      'examples/smart-factory.yaml',
      '--vary',
      'workloads.*.rate=0.5x..2x:4',
      '--policies',
      'fifo,least-loaded,ars',
      '-n',
      '3',
      '--horizon',
      '200',
      '--store',
      join(tmp, 'runs.db'),
      '--json',
    ),
  );
  ars('report', sweepJson);
  const planJson = join(tmp, 'plan.json');
  writeFileSync(planJson, ars('plan', 'test/fixtures/plan/peft-paper.json', '--policy', 'peft', '--json'));
  ars('report', planJson);
  const shoot = async (file, selector, name) => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 800 }, deviceScaleFactor: 1 });
    await page.goto(`file://${file}`);
    await page.waitForFunction(() =>
      [...document.querySelectorAll('.uplot-chart')].every((e) => e.dataset.drawn === 'true'),
    );
    await page
      .locator(selector)
      .first()
      .screenshot({ path: join(out, name) });
    process.stderr.write(`wrote docs/img/${name}\n`);
    await page.close();
  };
  await shoot(join(tmp, 'sweep.html'), '.uplot-chart', 'report-sweep.png');
  await shoot(compare, '#metrics svg.chart >> nth=5', 'report-bars.png');
  await shoot(compare, '#latency .uplot-chart', 'report-latency.png');
  await shoot(join(tmp, 'plan.html'), 'svg.chart', 'report-gantt.png');
}

/** The live dashboard of the smart-factory demo after 12 s, a decision explained, a what-if answered. */
async function dashboard(browser, out) {
  const { startService } = await import(join(root, 'dist/live/service.js'));
  const { loadScenario } = await import(join(root, 'dist/model/index.js'));
  process.stderr.write('serving the smart-factory demo for the dashboard\n');
  const service = await startService({
    scenario: loadScenario(join(root, 'examples/smart-factory.yaml')),
    port: 0,
    demo: true,
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, deviceScaleFactor: 1 });
    await page.goto(`${service.url}/?interval=500`);
    await page.waitForTimeout(12_000);
    await page.locator('#decisions-list li[data-subject*="/"]').first().click();
    await page.waitForSelector('#explanation[data-explained="true"]');
    await page.fill('#whatif-form [name=policies]', 'fifo, least-loaded, ars');
    await page.click('#whatif-form button');
    await page.waitForSelector('#whatif-result[data-state="done"]', { timeout: 120_000 });
    await page.screenshot({ path: join(out, 'dashboard.png'), fullPage: true });
    process.stderr.write('wrote docs/img/dashboard.png\n');
    await page.close();
  } finally {
    await service.close();
  }
}

try {
  const browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
  const out = join(root, 'docs', 'img');
  mkdirSync(out, { recursive: true });
  try {
    if (only !== 'dashboard') await reports(browser, out);
    if (only !== 'reports') await dashboard(browser, out);
  } finally {
    await browser.close();
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
