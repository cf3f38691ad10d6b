/**
 * `dashboardRoutes`: the live dashboard as a Fastify plugin. `GET /` is the page; `/dashboard/*` are its
 * stylesheets and scripts (uPlot from the installed package, our client code from client.ts). Nothing is
 * fetched from anywhere else: the Content-Security-Policy allows scripts, styles and connections to this
 * origin only (the event stream's WebSocket included), no inline code and no `eval`. The page reads the
 * live state through the public API only, so whatever the API hides from a signed-in subject the page
 * never shows.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { PALETTE } from '../report/html/svg.js';
import { dashboardApp } from './client.js';
import { DASHBOARD_CSS, dashboardHtml } from './page.js';

export const DASHBOARD_ASSETS = '/dashboard';
/** The live event stream (src/server/stream.ts, under the API prefix). */
const EVENTS_PATH = '/api/v1/events';

interface Asset {
  type: string;
  body: string;
  etag: string;
}

let assets: Map<string, Asset> | undefined;

function asset(type: string, body: string): Asset {
  return { type, body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` };
}

/** The page's files, built once: uPlot's minified build and stylesheet, our stylesheet and client code. */
function dashboardAssets(): Map<string, Asset> {
  if (!assets) {
    const require = createRequire(import.meta.url);
    const read = (p: string) => readFileSync(require.resolve(p), 'utf8');
    assets = new Map([
      ['uPlot.iife.min.js', asset('text/javascript; charset=utf-8', read('uplot/dist/uPlot.iife.min.js'))],
      ['uPlot.min.css', asset('text/css; charset=utf-8', read('uplot/dist/uPlot.min.css'))],
      ['dashboard.css', asset('text/css; charset=utf-8', DASHBOARD_CSS)],
      [
        'dashboard.js',
        asset(
          'text/javascript; charset=utf-8',
          `(${dashboardApp.toString()})(uPlot, ${JSON.stringify(PALETTE)});\n`,
        ),
      ],
      ['index.html', asset('text/html; charset=utf-8', dashboardHtml(DASHBOARD_ASSETS))],
    ]);
  }
  return assets;
}

/** Only this origin: scripts, styles, fetches and the event stream's WebSocket. */
export function dashboardCsp(host: string | undefined): string {
  // `'self'` covers ws: on the same host in current browsers; the explicit ws/wss sources cover older ones
  const safeHost = host && /^[A-Za-z0-9.[\]:-]{1,255}$/.test(host) ? host : undefined;
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `connect-src 'self'${safeHost ? ` ws://${safeHost} wss://${safeHost}` : ''}`,
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function send(reply: FastifyReply, a: Asset, ifNoneMatch: string | undefined, csp?: string) {
  reply
    .header('content-type', a.type)
    .header('etag', a.etag)
    .header('cache-control', 'no-cache')
    .header('x-content-type-options', 'nosniff');
  if (csp) reply.header('content-security-policy', csp).header('referrer-policy', 'no-referrer');
  if (ifNoneMatch === a.etag) return reply.code(304).send();
  return reply.send(a.body);
}

export async function dashboardRoutes(app: FastifyInstance): Promise<void> {
  const files = dashboardAssets();
  app.get('/', async (req, reply) =>
    send(reply, files.get('index.html')!, req.headers['if-none-match'], dashboardCsp(req.headers.host)),
  );
  // what the page can count on on this server: the event stream is there once the service is built on
  // src/server (asked at request time, when every route is registered)
  app.get(`${DASHBOARD_ASSETS}/config.json`, async (_req, reply) =>
    reply.header('cache-control', 'no-store').send({
      events: app.hasRoute({ method: 'GET', url: EVENTS_PATH }),
    }),
  );
  app.get<{ Params: { file: string } }>(`${DASHBOARD_ASSETS}/:file`, async (req, reply) => {
    const a = req.params.file === 'index.html' ? undefined : files.get(req.params.file);
    if (!a)
      return reply
        .code(404)
        .type('application/problem+json')
        .send({
          status: 404,
          title: 'no such route',
          code: 'ARS_E_NOT_FOUND',
          detail: `no dashboard file "${req.params.file}"`,
        });
    return send(reply, a, req.headers['if-none-match']);
  });
}
