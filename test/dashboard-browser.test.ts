// The live dashboard in a real browser (Debian's chromium driven by playwright-core) against a short demo
// of the smart factory served by startService on a free port: the page loads with no console error (a
// Content-Security-Policy violation would be one) and no request off its origin, every chart draws (a
// non-blank canvas with the expected number of series, SVG with rows), the values change while the demo
// runs, clicking a decision shows its explanation, and the what-if form answers with intervals.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../scripts/chromium.js';
import { dashboardRoutes } from '../src/dashboard/plugin.js';
import { type Service, startService } from '../src/live/service.js';
import { loadScenario } from '../src/model/index.js';
import { createServer } from '../src/server/index.js';
import { openSqliteStore } from '../src/store/index.js';
import { root } from './run-cli.js';

const haveChromium = existsSync(CHROMIUM_PATH);
if (!haveChromium)
  process.stderr.write(
    `dashboard-browser: skipped, no chromium at ${CHROMIUM_PATH} (apt-get install -y chromium, or set ARS_CHROMIUM)\n`,
  );

let browser: Browser | undefined;
let service: Service | undefined;

beforeAll(async () => {
  if (!haveChromium) return;
  service = await startService({
    scenario: loadScenario(join(root, 'examples/smart-factory.yaml')),
    port: 0,
    demo: true,
  });
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}, 60_000);

afterAll(async () => {
  const timed = async (what: string, f: () => Promise<void> | undefined) => {
    const t0 = Date.now();
    await f();
    if (Date.now() - t0 > 5000)
      process.stderr.write(`dashboard-browser: ${what} took ${Date.now() - t0} ms\n`);
  };
  await timed('closing chromium', () => browser?.close());
  await timed('closing the demo service', () => service?.close());
}, 120_000);

interface Drawn {
  id: string;
  kind: string;
  expected: number;
  drawn: number;
  blank: boolean;
  updates: number;
}

/** What every chart of the page has drawn so far. */
function charts(page: Page): Promise<Drawn[]> {
  return page.evaluate(() => {
    const out: Drawn[] = [];
    for (const el of document.querySelectorAll<HTMLElement>('.uplot-chart')) {
      const canvas = el.querySelector('canvas');
      let blank = true;
      if (canvas && canvas.width > 0 && canvas.height > 0) {
        const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        for (let i = 3; i < pixels.length && blank; i += 4) if (pixels[i] !== 0) blank = false;
      }
      out.push({
        id: el.id,
        kind: 'line',
        expected: Number(el.dataset.expectedSeries),
        // uPlot's legend has one row per series, the x series first
        drawn: el.querySelectorAll('.u-legend .u-series').length - 1,
        blank,
        updates: Number(el.dataset.updates ?? 0),
      });
    }
    for (const host of document.querySelectorAll<HTMLElement>(
      'div[data-chart="heatmap"], div[data-chart="bars"]',
    )) {
      const svg = host.querySelector<SVGSVGElement>('svg.chart');
      const box = svg?.getBBox();
      out.push({
        id: host.id,
        kind: host.dataset.chart ?? 'svg',
        expected: Number(svg?.dataset.series ?? 0),
        drawn: svg?.querySelectorAll('g.series').length ?? 0,
        blank:
          !svg || !box || box.width === 0 || box.height === 0 || svg.querySelectorAll('rect').length === 0,
        updates: Number(host.dataset.updates ?? 0),
      });
    }
    return out;
  });
}

describe.skipIf(!haveChromium)('the live dashboard in chromium', () => {
  it('draws every panel, follows the demo, explains a decision and answers a what-if', async () => {
    const page = await browser!.newPage({ viewport: { width: 1280, height: 1000 } });
    const errors: string[] = [];
    const foreign: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('request', (r) => {
      if (!r.url().startsWith(service!.url)) foreign.push(r.url());
    });
    const res = await page.goto(`${service!.url}/?interval=400`);
    expect(res?.status()).toBe(200);
    expect(res?.headers()['content-security-policy']).toContain("script-src 'self'");

    // every chart drawn at least twice (the twin panels refresh every other round)
    await page.waitForFunction(
      () => {
        const all = [...document.querySelectorAll<HTMLElement>('.uplot-chart, div[data-chart]')];
        return all.length > 0 && all.every((e) => Number(e.dataset.updates ?? 0) >= 2);
      },
      undefined,
      { timeout: 30_000 },
    );
    const first = await charts(page);
    expect(first.map((c) => c.id).sort()).toEqual(
      [
        'chart-aoi',
        'chart-freshness',
        'chart-latency',
        'chart-load',
        'chart-misses',
        'chart-node-time',
        'chart-nodes',
        'chart-queue',
      ].sort(),
    );
    for (const c of first) {
      expect(c.blank, `${c.id} is blank`).toBe(false);
      expect(c.drawn, `${c.id} draws ${c.drawn} of ${c.expected} series`).toBe(c.expected);
    }
    const byId = new Map(first.map((c) => [c.id, c]));
    expect(byId.get('chart-latency')!.expected).toBe(3); // p50, p95, p99
    expect(byId.get('chart-queue')!.expected).toBe(2); // queue, in flight
    expect(byId.get('chart-misses')!.expected).toBe(1); // miss rate
    // the smart factory: edge, fog and cloud tiers, compute and attention each
    expect(byId.get('chart-load')!.expected).toBe(6);
    // nodes: one row per agent of the demo
    expect(byId.get('chart-nodes')!.expected).toBe(service!.agents.length);
    expect(byId.get('chart-node-time')!.expected).toBe(service!.agents.length);
    // freshness: one row per tenant that owns twins
    const tenants = new Set(service!.runtime.twins.map((t) => t.thingId.split(':')[0]));
    expect(byId.get('chart-freshness')!.expected).toBe(tenants.size);
    const crits = new Set(service!.runtime.twins.map((t) => t.criticality));
    expect(byId.get('chart-aoi')!.expected).toBe(crits.size);

    // values change while the demo runs
    const read = () =>
      page.evaluate(() => ({
        clock: document.getElementById('clock')!.textContent,
        arrived: document.querySelector('[data-figure="arrived"] b')!.textContent,
        decisions: document.querySelector('[data-figure="decisions"] b')!.textContent,
        firstDecision: document.querySelector('#decisions-list li')?.textContent ?? '',
      }));
    const before = await read();
    const updatesBefore = byId.get('chart-latency')!.updates;
    await page.waitForFunction(
      (b) =>
        document.querySelector('[data-figure="arrived"] b')!.textContent !== b.arrived &&
        document.querySelector('[data-figure="decisions"] b')!.textContent !== b.decisions,
      before,
      { timeout: 30_000 },
    );
    const after = await read();
    expect(after.clock).not.toBe(before.clock);
    expect(Number(after.arrived)).toBeGreaterThan(Number(before.arrived));
    expect(Number(after.decisions)).toBeGreaterThan(Number(before.decisions));
    const later = new Map((await charts(page)).map((c) => [c.id, c]));
    expect(later.get('chart-latency')!.updates).toBeGreaterThan(updatesBefore);
    // the node × time strip grows a column per refresh
    const columns = () =>
      page.evaluate(() => document.querySelectorAll('#chart-node-time g.series:first-of-type rect').length);
    const c0 = await columns();
    await page.waitForFunction(
      (n) => document.querySelectorAll('#chart-node-time g.series:first-of-type rect').length > n,
      c0,
      { timeout: 30_000 },
    );

    // clicking a task's placement shows its candidates and its request's story. The list holds still under
    // the pointer (it would otherwise move several times a second); if it was caught holding no placed task
    // (on a busy machine the last 40 decisions can all be refreshes, or tasks that wait because no node has
    // room, which have no candidates to show), the pointer leaves and tries again.
    const tasks = '#decisions-list li[data-subject*="/"][data-kind="place"]:not([data-chosen=""])';
    for (let attempt = 0; ; attempt++) {
      await page.mouse.move(0, 0);
      await page.waitForSelector('#decisions-list[data-held="false"]', { timeout: 20_000 });
      await page.locator(tasks).first().waitFor({ timeout: 20_000 });
      await page.hover('#decisions-list');
      await page.waitForSelector('#decisions-list[data-held="true"]', { timeout: 20_000 });
      if ((await page.locator(tasks).count()) > 0) break;
      expect(attempt).toBeLessThan(20);
    }
    const item = page.locator(tasks).first();
    const subject = await item.getAttribute('data-subject');
    await item.click();
    await page.waitForSelector('#explanation[data-explained="true"]', { timeout: 20_000 });
    const explanation = await page.evaluate(() => ({
      subject: document.getElementById('explanation')!.dataset.subject,
      text: document.getElementById('explanation')!.textContent ?? '',
      candidates: document.querySelectorAll('#explanation table.candidates tbody tr').length,
      story: document.querySelectorAll('#explanation ol.story li').length,
    }));
    expect(explanation.subject).toBe(subject);
    expect(explanation.text).toContain(`Why: ${subject}`);
    expect(explanation.candidates).toBeGreaterThan(0);
    expect(explanation.story).toBeGreaterThan(0);
    expect(explanation.text).toContain(`Request ${subject!.split('/')[0]}`);

    // the what-if form answers with a row and a bar per policy
    await page.fill('#whatif-form [name=minutes]', '0.5');
    await page.fill('#whatif-form [name=replications]', '2');
    await page.fill('#whatif-form [name=policies]', 'fifo, least-loaded');
    await page.click('#whatif-form button');
    await page.waitForSelector('#whatif-result[data-state="done"], #whatif-result[data-state="error"]', {
      timeout: 120_000,
    });
    const whatIf = await page.evaluate(() => ({
      state: document.getElementById('whatif-result')!.dataset.state,
      text: document.getElementById('whatif-result')!.textContent ?? '',
      rows: [...document.querySelectorAll<HTMLElement>('#whatif-result tr[data-policy]')].map(
        (r) => r.dataset.policy,
      ),
      bars: document.querySelectorAll('#whatif-result svg.chart g.series').length,
    }));
    expect(whatIf.state, whatIf.text).toBe('done');
    expect(whatIf.rows).toEqual(['fifo', 'least-loaded']);
    expect(whatIf.bars).toBe(2);
    expect(whatIf.text).toContain('±');

    expect(errors).toEqual([]);
    expect(foreign).toEqual([]);

    // a bad what-if shows the API's error, not a broken page (the browser logs the 400 itself)
    await page.fill('#whatif-form [name=policies]', 'no-such-policy');
    await page.click('#whatif-form button');
    await page.waitForSelector('#whatif-result[data-state="error"]', { timeout: 30_000 });
    expect(await page.textContent('#whatif-result')).toContain('no-such-policy');
    expect(errors.filter((e) => !e.includes('400 (Bad Request)'))).toEqual([]);

    // signed in, the page sends the token with every API call (the server decides what it may see)
    const signedIn = page.waitForRequest(
      (r) =>
        r.url().includes('/api/v1/live/summary') && r.headers().authorization === 'Bearer ars_test_token',
      { timeout: 30_000 },
    );
    await page.fill('#signin [name=token]', 'ars_test_token');
    await page.click('#signin button');
    await signedIn;
    expect(await page.textContent('#signin-state')).toBe('signed in');
    expect(page.url()).not.toContain('ars_test_token');
    await page.close();
  }, 240_000);

  it('serves its files with a strict policy and answers 404 for others', async () => {
    const base = service!.url;
    const page = await fetch(`${base}/`);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    const html = await page.text();
    expect(html).not.toMatch(/<script>|<style>|https?:\/\//);
    for (const f of ['uPlot.iife.min.js', 'uPlot.min.css', 'dashboard.js', 'dashboard.css']) {
      const r = await fetch(`${base}/dashboard/${f}`);
      expect(r.status, f).toBe(200);
      const again = await fetch(`${base}/dashboard/${f}`, {
        headers: { 'if-none-match': r.headers.get('etag')! },
      });
      expect(again.status, f).toBe(304);
    }
    // a Host header cannot write into the policy
    const hostile = await service!.app.inject({
      url: '/',
      headers: { host: "x; script-src 'unsafe-inline' *" },
    });
    expect(hostile.statusCode).toBe(200);
    const policy = String(hostile.headers['content-security-policy']);
    expect(policy).not.toContain('unsafe-inline');
    expect(policy).toContain("connect-src 'self';");
    const missing = await fetch(`${base}/dashboard/nothing.js`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { code: string }).code).toBe('ARS_E_NOT_FOUND');
  });

  it('follows the event stream where the server has one (src/server createServer)', async () => {
    // the server the live service moves onto: the event stream at /api/v1/events, no live routes yet
    const dir = mkdtempSync(join(tmpdir(), 'ars-dash-'));
    const store = openSqliteStore({ path: join(dir, 'ars.db') });
    const app = await createServer({ store });
    await app.register(dashboardRoutes);
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const page = await browser!.newPage();
    const policyViolations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) policyViolations.push(m.text());
    });
    try {
      const config = (await (await fetch(`${url}/dashboard/config.json`)).json()) as { events: boolean };
      expect(config.events).toBe(true);
      let summaries = 0;
      page.on('request', (r) => {
        if (r.url().endsWith('/api/v1/live/summary')) summaries++;
      });
      await page.goto(`${url}/?interval=60000`);
      await page.waitForSelector('#status[data-state="stream"]', { timeout: 20_000 });
      // this server has no live summary yet: the page says so rather than breaking
      await page.waitForSelector('#errors:not([hidden])', { timeout: 10_000 });
      expect(await page.textContent('#errors')).toContain('ARS_E_NOT_FOUND');
      // the stream's events drive a refresh between the (here: one-minute) polls
      const before = summaries;
      for (let i = 0; i < 3; i++)
        app.ars.events.emit({ type: 'decision', kind: 'place', subject: `r-${i}/task`, time: Date.now() });
      await page.waitForFunction(
        () => Number(document.getElementById('events')!.textContent) === 3,
        undefined,
        {
          timeout: 20_000,
        },
      );
      await expect.poll(() => summaries, { timeout: 10_000 }).toBeGreaterThan(before);
      expect(policyViolations).toEqual([]);
    } finally {
      await page.close();
      await app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
