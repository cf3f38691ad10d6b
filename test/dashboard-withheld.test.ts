// The dashboard under k-anonymity, in chromium: `ars serve --auth` with k = 5 over a plant where acme has a
// group of six twins and one of two, globex-corp one of four. Signed in as acme's user, the page says
// "1 group (k=5)" withheld and names it instead of showing its value, and nothing of globex-corp appears;
// signed in as the platform administrator, two groups are withheld.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../scripts/chromium.js';
import { type Service, startService } from '../src/live/service.js';
import { loadScenario } from '../src/model/index.js';
import { keyTables } from '../src/security/index.js';
import type { ServerSecurity } from '../src/server/auth-config.js';
import { writeAuth } from './live-helpers.js';
import { root } from './run-cli.js';

const haveChromium = existsSync(CHROMIUM_PATH);
if (!haveChromium)
  process.stderr.write(
    `dashboard-withheld: skipped, no chromium at ${CHROMIUM_PATH} (apt-get install -y chromium, or set ARS_CHROMIUM)\n`,
  );

const dir = mkdtempSync(join(tmpdir(), 'ars-dashboard-k-'));
let browser: Browser | undefined;
let service: Service | undefined;
let security: ServerSecurity | undefined;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  if (!haveChromium) return;
  const tables = keyTables({ apiKeys: [], nodeKeys: [] });
  tokens.admin = tables.apiKeys.issue({ tenant: undefined, roles: ['admin'], label: 'platform' }).secret;
  tokens.userA = tables.apiKeys.issue({ tenant: 'acme', roles: ['user'], label: 'acme' }).secret;
  security = writeAuth(dir, tables, { k: 5 });
  service = await startService({
    scenario: loadScenario(join(root, 'test/fixtures/live/k-groups.yaml')),
    security,
    port: 0,
  });
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await service?.close();
  security?.close();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe.skipIf(!haveChromium)('the dashboard under k-anonymity', () => {
  it('says how many groups it withholds and which, instead of their values', async () => {
    for (const [who, figure, named] of [
      ['userA', '1 group (k=5)', ['acme/criticality 3']],
      ['admin', '2 groups (k=5)', ['acme/criticality 3', 'globex-corp/criticality 1']],
    ] as const) {
      const page = await browser!.newPage();
      try {
        await page.goto(`${service!.url}/?interval=300`);
        await page.fill('#signin [name=token]', tokens[who]!);
        await page.click('#signin button');
        await page.waitForFunction(
          (f) => document.querySelector('[data-figure="withheld"] b')?.textContent === f,
          figure,
          { timeout: 60_000 },
        );
        // the freshness map has drawn from the summary's groups: one row, acme's released group
        await page.waitForFunction(
          () => document.querySelector('#chart-freshness svg')?.getAttribute('data-series') === '1',
          undefined,
          { timeout: 60_000 },
        );
        const note = (await page.textContent('#withheld')) ?? '';
        for (const group of named) expect(note).toContain(group);
        expect(note).toContain('k=5');
        if (who === 'userA') expect(await page.content()).not.toContain('globex');
      } finally {
        await page.close();
      }
    }
  }, 180_000);
});
