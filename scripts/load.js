#!/usr/bin/env node
// Load against the live service (benchmarks, not tests): `npm run build` first.
//
//   node scripts/load.js [--phase http,mqtt,twins,soak] [--duration 60] [--rate 2000] [--mqtt-rate 10000]
//                        [--twins 10000] [--soak 600] [--soak-rate 1000] [--store DIR|postgres://…] [--json]
//
// The server runs in its own process (this file with --serve): createServer on the store given (a fresh temp
// SQLite directory by default, synchronous = FULL), the embedded MQTT broker, on free ports. Phases:
//   http  — autocannon at a fixed overall rate (--rate req/s, 50 connections) for --duration s, one sample per
//           POST /api/v1/telemetry; reports achieved rate, errors, non-2xx and latency percentiles;
//   mqtt  — mqtt.js devices publishing QoS 1 (one sample per message) paced at --mqtt-rate msg/s for
//           --duration s; a message counts once its PUBACK (sent after the store commit) arrives;
//   twins — registers --twins things over HTTP (32 at a time), then the server's RSS;
//   soak  — HTTP telemetry at --soak-rate req/s for --soak s, sampling the server's RSS and heap every 10 s.
// Every phase ends by checking that the store holds at least what was acknowledged, and reports the server's
// CPU-seconds (and, with a PostgreSQL store on this machine, its backends' CPU-seconds: `dbCpuSeconds`, read
// from /proc for the connections named `ars` every 500 ms) per 1,000 samples acknowledged.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import mqtt from 'mqtt';

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const THING = 'load:dev-0';

async function serve() {
  const { createServer, startMqttIngest } = await import('../dist/server/index.js');
  const { openStore } = await import('../dist/store/index.js');
  const spec = arg('store', undefined);
  const dir = spec ? undefined : mkdtempSync(join(tmpdir(), 'ars-load-'));
  const store = await openStore(spec ?? dir);
  await store.putThing({ thingId: THING, tenant: 'load', attributes: {}, features: {} });
  const app = await createServer({ store, retentionSweepMs: 0 });
  const db = spec?.startsWith('postgres') ? await backendCpu(spec) : undefined;
  app.get('/load/count', async () => ({
    dbCpu: db?.seconds(),
    samples: await store.countSamples(),
    things: await store.countThings(),
    rss: process.memoryUsage().rss,
    heap: process.memoryUsage().heapUsed,
    cpu: process.cpuUsage(),
  }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const ingest = await startMqttIngest({ context: app.ars, port: 0 });
  process.stdout.write(`${JSON.stringify({ http: app.server.address().port, mqtt: ingest.url })}\n`);
  createInterface({ input: process.stdin }).on('close', async () => {
    await ingest.close();
    await app.close();
    await store.close();
    await db?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  });
}

/**
 * CPU-seconds used by the PostgreSQL backends of this server's pool (application_name `ars`), when the
 * database runs on this machine: their /proc/<pid>/stat utime + stime, polled every 500 ms so that a backend
 * that ends still counts up to its last poll. Other sessions' backends have other names or other PIDs.
 */
async function backendCpu(spec) {
  const { default: pg } = await import('pg');
  const url = new URL(spec);
  url.searchParams.delete('schema');
  const client = new pg.Client({ connectionString: url.toString(), application_name: 'ars-load-probe' });
  await client.connect();
  const tick = 100; // USER_HZ on Linux
  const last = new Map();
  let closed = false;
  const poll = async () => {
    const r = await client.query(
      "SELECT pid FROM pg_stat_activity WHERE application_name = 'ars' AND datname = current_database()",
    );
    for (const { pid } of r.rows) {
      try {
        const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
        last.set(pid, (Number(f[11]) + Number(f[12])) / tick);
      } catch {
        // not on this machine, or gone
      }
    }
  };
  await poll();
  const timer = setInterval(() => void poll().catch(() => {}), 500);
  return {
    seconds: () => [...last.values()].reduce((a, b) => a + b, 0),
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      await client.end();
    },
  };
}

function startServer() {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--serve', ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', (line) => resolve({ child, ...JSON.parse(line) }));
    child.once('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
}

const log = (...m) => process.stderr.write(`${m.join(' ')}\n`);
const mb = (bytes) => Math.round(bytes / 1024 / 1024);

/** Server (and database backend) CPU-seconds between two stats, in total and per 1,000 acknowledged samples. */
function cpuFigures(before, after, acknowledged) {
  const round = (x) => Math.round(x * 10_000) / 10_000;
  const server = (after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system) / 1e6;
  const out = { serverCpuSeconds: round(server), serverCpuPer1k: round((server / acknowledged) * 1000) };
  if (typeof after.dbCpu === 'number' && typeof before.dbCpu === 'number') {
    const db = after.dbCpu - before.dbCpu;
    out.dbCpuSeconds = round(db);
    out.dbCpuPer1k = round((db / acknowledged) * 1000);
  }
  return out;
}

async function stats(base) {
  return (await fetch(`${base}/load/count`)).json();
}

async function httpPhase(base, rate, seconds, label) {
  const before = await stats(base);
  const result = await autocannon({
    url: `${base}/api/v1/telemetry`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ thingId: THING, features: { load: { v: 1 } } }),
    connections: 50,
    overallRate: rate,
    duration: seconds,
  });
  const after = await stats(base);
  const ok = result['2xx'];
  return {
    phase: label,
    targetRate: rate,
    seconds,
    requests: result.requests.total,
    achievedRate: Math.round(ok / seconds),
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
    },
    storedDelta: after.samples - before.samples,
    acknowledged: ok,
    ...cpuFigures(before, after, ok),
    rssMB: mb(after.rss),
  };
}

async function mqttPhase(base, url, rate, seconds) {
  const before = await stats(base);
  const clients = await Promise.all(
    Array.from({ length: 16 }, (_, i) =>
      mqtt.connectAsync(url, { clientId: `load-${i}`, reconnectPeriod: 0 }),
    ),
  );
  const payload = JSON.stringify({ features: { load: { v: 1 } } });
  let sent = 0;
  let acked = 0;
  let failed = 0;
  const latencies = [];
  const started = Date.now();
  const end = started + seconds * 1000;
  const maxInFlight = 20_000;
  await new Promise((resolve) => {
    const tick = () => {
      const now = Date.now();
      if (now >= end) return resolve();
      const due = Math.floor(((now - started) / 1000) * rate);
      while (sent < due && sent - acked - failed < maxInFlight) {
        const t0 = performance.now();
        clients[sent % clients.length].publish(`telemetry/load/${THING}`, payload, { qos: 1 }, (err) => {
          if (err) failed++;
          else {
            acked++;
            if (acked % 10 === 0) latencies.push(performance.now() - t0);
          }
        });
        sent++;
      }
      setTimeout(tick, 5);
    };
    tick();
  });
  const drainBy = Date.now() + 30_000;
  while (acked + failed < sent && Date.now() < drainBy) await new Promise((r) => setTimeout(r, 50));
  const elapsed = (Date.now() - started) / 1000;
  await Promise.all(clients.map((c) => c.endAsync()));
  const after = await stats(base);
  latencies.sort((a, b) => a - b);
  const pct = (p) =>
    Math.round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] * 10) / 10;
  return {
    phase: 'mqtt',
    targetRate: rate,
    seconds,
    sent,
    acknowledged: acked,
    failed,
    achievedRate: Math.round(acked / elapsed),
    pubackLatencyMs: { p50: pct(0.5), p99: pct(0.99), max: pct(1) },
    storedDelta: after.samples - before.samples,
    ...cpuFigures(before, after, acked),
    rssMB: mb(after.rss),
  };
}

async function twinsPhase(base, count) {
  const before = await stats(base);
  const started = Date.now();
  let next = 0;
  let failed = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < count) {
        const i = next++;
        const res = await fetch(`${base}/api/v1/things/load:twin-${i}`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            tenant: 'load',
            attributes: { i },
            features: { temp: { properties: { value: 20 } } },
          }),
        });
        await res.arrayBuffer();
        if (res.status >= 300) failed++;
      }
    }),
  );
  const seconds = (Date.now() - started) / 1000;
  const after = await stats(base);
  return {
    phase: 'twins',
    registered: after.things - before.things,
    failed,
    seconds,
    ratePerSecond: Math.round(count / seconds),
    rssMB: mb(after.rss),
    heapMB: mb(after.heap),
  };
}

async function soakPhase(base, rate, seconds) {
  const samples = [];
  const every = 10;
  const timer = setInterval(async () => {
    const s = await stats(base);
    samples.push({ t: samples.length * every + every, rssMB: mb(s.rss), heapMB: mb(s.heap) });
    log(`soak ${samples.at(-1).t}s rss ${samples.at(-1).rssMB} MB heap ${samples.at(-1).heapMB} MB`);
  }, every * 1000);
  const http = await httpPhase(base, rate, seconds, 'soak');
  clearInterval(timer);
  const half = samples.slice(Math.floor(samples.length / 2));
  return {
    ...http,
    memory: samples,
    rssFirstMB: samples[0]?.rssMB,
    rssLastMB: samples.at(-1)?.rssMB,
    rssMaxSecondHalfMB: Math.max(...half.map((s) => s.rssMB)),
    heapFirstMB: samples[0]?.heapMB,
    heapLastMB: samples.at(-1)?.heapMB,
  };
}

async function main() {
  const phases = arg('phase', 'http,mqtt,twins,soak').split(',');
  const duration = Number(arg('duration', '60'));
  const server = await startServer();
  const base = `http://127.0.0.1:${server.http}`;
  const results = {
    startedAt: new Date().toISOString(),
    loadavgBefore: loadavg().map((l) => l.toFixed(2)),
    phases: [],
  };
  try {
    for (const phase of phases) {
      log(`== ${phase}`);
      let r;
      if (phase === 'http') r = await httpPhase(base, Number(arg('rate', '2000')), duration, 'http');
      else if (phase === 'mqtt')
        r = await mqttPhase(base, server.mqtt, Number(arg('mqtt-rate', '10000')), duration);
      else if (phase === 'twins') r = await twinsPhase(base, Number(arg('twins', '10000')));
      else if (phase === 'soak')
        r = await soakPhase(base, Number(arg('soak-rate', '1000')), Number(arg('soak', '600')));
      else throw new Error(`unknown phase ${phase}`);
      r.loadavg = loadavg().map((l) => l.toFixed(2));
      if ('acknowledged' in r && r.storedDelta < r.acknowledged) r.LOST = r.acknowledged - r.storedDelta;
      results.phases.push(r);
      log(JSON.stringify(r));
    }
  } finally {
    server.child.stdin.end();
  }
  if (args.includes('--json')) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
}

if (args.includes('--help') || args.includes('-h')) {
  // the comment at the top of this file is the help
  const text = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n');
  const end = text.findIndex((l, i) => i > 1 && !l.startsWith('//'));
  process.stdout.write(
    `${text
      .slice(1, end)
      .map((l) => l.replace(/^\/\/ ?/, ''))
      .join('\n')}\n`,
  );
} else if (args.includes('--serve')) await serve();
else await main();
