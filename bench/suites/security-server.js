// The cost of enforcement on the live server's surfaces, before/after in one process: the same requests
// (telemetry ingest in batches and one by one, reading a thing, a search) through `createServer` in local
// dev mode (no authentication: the "before"), with authentication + a tenant policy + limits, with the
// hash-chained audit log added, and with sensitive fields sealed at rest (AES-256-GCM) as well. The
// enforcing configurations also limit failed logins per address, as an auth file does by default.
// Requests go through Fastify's inject (no sockets), so the figures are the server's own cost.
//
//   npm run build && node bench/run.js --only security-server
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  ApiKeys,
  AuditLog,
  FieldCipher,
  generateKey,
  LoginThrottle,
  PolicySet,
  parseKeyring,
  SensitiveFields,
  SqliteAuditStore,
  TenantLimiter,
} from '../../dist/security/index.js';
import { ServerGuard } from '../../dist/server/guard.js';
import { createServer } from '../../dist/server/server.js';
import { openSqliteStore } from '../../dist/store/sqlite.js';

export const name = 'security-server';

const THINGS = 100;
const POLICY = {
  entries: {
    admins: {
      subjects: ['role:admin'],
      resources: { 'thing:/': { grant: ['READ', 'WRITE'] }, 'policy:/': { grant: ['READ', 'WRITE'] } },
    },
    users: {
      subjects: ['tenant:icu/role:user'],
      resources: {
        'thing:/': { grant: ['READ', 'WRITE'] },
        'thing:/attributes/identity': { revoke: ['READ'] },
      },
    },
  },
};

async function makeServer(kind, dir) {
  const store = openSqliteStore({ path: join(dir, `${kind}.db`) });
  const keys = new ApiKeys();
  const key = keys.issue({ tenant: 'icu', roles: ['user'] }).secret;
  let auth;
  let audit;
  if (kind !== 'dev') {
    const policies = new PolicySet();
    policies.put('icu', POLICY);
    if (kind !== 'auth') audit = new SqliteAuditStore(join(dir, `${kind}-audit.db`));
    auth = new ServerGuard({
      auth: { apiKeys: keys },
      policies,
      tenantPolicies: { icu: 'icu' },
      policyTenants: { icu: 'icu' },
      limiter: new TenantLimiter({
        requestsPerSecond: 1e9,
        requestBurst: 1e9,
        samplesPerSecond: 1e9,
        sampleBurst: 1e9,
        maxMessageBytes: 16 * 1024 * 1024,
        maxThings: 1e9,
      }),
      // what an auth file configures by default: failed logins limited per address (a lookup per request)
      loginThrottle: new LoginThrottle(),
      ...(audit ? { audit: new AuditLog(audit) } : {}),
    });
  }
  const sensitive =
    kind === 'encrypt'
      ? {
          fields: new SensitiveFields(['heartRate', 'identity']),
          atRest: 'encrypt',
          cipher: new FieldCipher(parseKeyring(generateKey(), 'bench')),
        }
      : undefined;
  const app = await createServer({
    store,
    retentionSweepMs: 0,
    bodyLimit: 16 * 1024 * 1024,
    ...(auth ? { auth } : {}),
    ...(sensitive ? { sensitive } : {}),
  });
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${key}` };
  for (let i = 0; i < THINGS; i++) {
    const r = await app.inject({
      method: 'PUT',
      url: `/api/v1/things/icu:bed-${i}`,
      headers,
      payload: JSON.stringify({
        tenant: 'icu',
        attributes: { ward: 'icu', identity: { name: `patient ${i}` } },
        features: { vitals: { properties: { heartRate: 70, spo2: 97 } } },
      }),
    });
    if (r.statusCode !== 201) throw new Error(`${kind}: seeding answered ${r.statusCode} ${r.body}`);
  }
  return {
    app,
    headers,
    close: async () => {
      await app.close();
      await store.close();
      audit?.close();
    },
  };
}

export async function run({ quick, log }) {
  const dir = mkdtempSync(join(tmpdir(), 'ars-bench-secsrv-'));
  const kinds = ['dev', 'auth', 'audit', 'encrypt'];
  const servers = {};
  try {
    for (const k of kinds) servers[k] = await makeServer(k, dir);
    const batches = quick ? 5 : 40;
    const singles = quick ? 100 : 400;
    const reads = quick ? 200 : 2000;
    const searches = quick ? 20 : 200;
    const batchBody = (n) =>
      JSON.stringify(
        Array.from({ length: 100 }, (_, i) => ({
          thingId: `icu:bed-${(n + i) % THINGS}`,
          features: { vitals: { heartRate: 60 + (i % 40), spo2: 95 } },
        })),
      );
    const single = (n) =>
      JSON.stringify({ thingId: `icu:bed-${n % THINGS}`, features: { vitals: { heartRate: 71, spo2: 96 } } });
    const workloads = {
      'ingest.batch100.samplesPerSecond': async ({ app, headers }) => {
        for (let b = 0; b < batches; b++) {
          const r = await app.inject({
            method: 'POST',
            url: '/api/v1/telemetry',
            headers,
            payload: batchBody(b),
          });
          if (r.statusCode !== 200) throw new Error(`ingest answered ${r.statusCode} ${r.body}`);
        }
        return batches * 100;
      },
      'ingest.single.requestsPerSecond': async ({ app, headers }) => {
        for (let i = 0; i < singles; i++) {
          const r = await app.inject({
            method: 'POST',
            url: '/api/v1/telemetry',
            headers,
            payload: single(i),
          });
          if (r.statusCode !== 200) throw new Error(`ingest answered ${r.statusCode}`);
        }
        return singles;
      },
      'read.thing.requestsPerSecond': async ({ app, headers }) => {
        for (let i = 0; i < reads; i++) {
          const r = await app.inject({ method: 'GET', url: `/api/v1/things/icu:bed-${i % THINGS}`, headers });
          if (r.statusCode !== 200) throw new Error(`read answered ${r.statusCode}`);
        }
        return reads;
      },
      'search.100things.requestsPerSecond': async ({ app, headers }) => {
        for (let i = 0; i < searches; i++) {
          const r = await app.inject({
            method: 'GET',
            url: `/api/v1/things?limit=100&filter=${encodeURIComponent('eq(attributes/ward,"icu")')}`,
            headers,
          });
          if (r.statusCode !== 200 || r.json().items.length !== THINGS)
            throw new Error(`search answered ${r.statusCode}`);
        }
        return searches;
      },
    };
    // Each measured round runs every configuration once, in a rotating order, so that the other load on a
    // shared machine falls on all of them alike; a figure is the median over rounds.
    const rounds = quick ? 3 : 7;
    /** One run: operations per wall-clock second and per CPU second of this process (user + system). */
    const timed = async (fn, server) => {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const n = await fn(server);
      const wall = (performance.now() - t0) / 1000;
      const c = process.cpuUsage(c0);
      return { wall: n / wall, cpu: n / ((c.user + c.system) / 1e6) };
    };
    const median = (xs) => {
      const s = [...xs].sort((a, b) => a - b);
      const mid = s.length >> 1;
      return { median: s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2, min: s[0], max: s.at(-1) };
    };
    const result = {};
    const rows = [];
    for (const [figure, fn] of Object.entries(workloads)) {
      log(`security-server: ${figure}`);
      for (const k of kinds) await fn(servers[k]); // warm-up
      const samples = Object.fromEntries(kinds.map((k) => [k, []]));
      for (let r = 0; r < rounds; r++) {
        for (let j = 0; j < kinds.length; j++) {
          const k = kinds[(r + j) % kinds.length];
          samples[k].push(await timed(fn, servers[k]));
        }
      }
      for (const k of kinds) {
        const wall = median(samples[k].map((x) => x.wall));
        const cpu = median(samples[k].map((x) => x.cpu));
        result[k] ??= {};
        result[k][figure] = Math.round(wall.median);
        result[k][`${figure}.perCpuSecond`] = Math.round(cpu.median);
        rows.push({ figure: `${k}.${figure}`, ...wall, unit: '/s' });
        rows.push({ figure: `${k}.${figure}`, ...cpu, unit: '/CPU-s' });
      }
      result.ratio ??= {};
      result.ratio[figure] = Object.fromEntries(
        kinds.slice(1).map((k) => [
          k,
          {
            wall: Number((result[k][figure] / result.dev[figure]).toFixed(3)),
            cpu: Number(
              (result[k][`${figure}.perCpuSecond`] / result.dev[`${figure}.perCpuSecond`]).toFixed(3),
            ),
          },
        ]),
      );
    }
    return { result, rows };
  } finally {
    for (const s of Object.values(servers)) await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
