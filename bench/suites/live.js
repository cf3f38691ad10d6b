// The live service: decision latency from a task becoming ready to its assignment being sent, with requests
// submitted over HTTP to a real server and run by in-process agents over WebSocket; an overload, where far
// more requests arrive at once than the one agent runs, so that a long queue is tried at every cycle; and
// (full mode) 10,000 twins fed by HTTP devices and refreshed by agents.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from '../../dist/live/agent.js';
import { playDevices } from '../../dist/live/devices.js';
import { startService } from '../../dist/live/service.js';
import { parseScenario } from '../../dist/model/index.js';

export const name = 'live';

const AGENTS = 8;

/** Posts `count` copies of `body` to the service's requests, `burst` at a time, `pauseMs` between bursts. */
async function postInBursts(serviceUrl, body, count, burst, pauseMs) {
  const url = `${serviceUrl}/api/v1/requests`;
  const headers = { 'content-type': 'application/json' };
  for (let i = 0; i < count; i += burst) {
    await Promise.all(
      Array.from({ length: Math.min(burst, count - i) }, () =>
        fetch(url, { method: 'POST', headers, body }).then((r) => r.text()),
      ),
    );
    if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
  }
}

/** Resolves once every request the runtime holds has completed or failed. */
async function allFinished(rt) {
  while ([...rt.requests.values()].some((r) => r.status !== 'completed' && r.status !== 'failed'))
    await new Promise((r) => setTimeout(r, 20));
}

async function decisionLatency(requests) {
  const service = await startService({ port: 0, policy: { name: 'least-loaded', params: {} } });
  const agents = [];
  try {
    for (let i = 0; i < AGENTS; i++) {
      const a = new Agent({ server: service.url, id: `a${i}`, kind: 'edge', compute: 8, attention: 0 });
      await a.start();
      agents.push(a);
    }
    const body = JSON.stringify({
      tasks: [
        { id: 'a', work: 0.01 },
        { id: 'b', work: 0.01, after: ['a'] },
      ],
    });
    // paced at 500 requests/s in bursts of 10, below the agents' capacity: latency, not queueing
    await postInBursts(service.url, body, requests, 10, 20);
    const rt = service.runtime;
    await allFinished(rt);
    return rt.accounting.summary().decisionLatencyMs;
  } finally {
    for (const a of agents) await a.stop();
    await service.close();
  }
}

/**
 * `requests` one-task requests (5 ms of work each) posted in bursts of 50 to an `ars` service whose one agent
 * has 2 cores: wall seconds until all are done, and the decision trace it wrote (`--data`).
 */
async function overload(requests) {
  const data = mkdtempSync(join(tmpdir(), 'ars-bench-overload-'));
  try {
    const service = await startService({ port: 0, data, policy: { name: 'ars', params: {} } });
    const agent = new Agent({ server: service.url, id: 'a0', kind: 'edge', compute: 2, attention: 0 });
    let run;
    try {
      await agent.start();
      const t0 = performance.now();
      await postInBursts(service.url, JSON.stringify({ tasks: [{ id: 'a', work: 0.005 }] }), requests, 50, 0);
      const rt = service.runtime;
      await allFinished(rt);
      const seconds = (performance.now() - t0) / 1000;
      run = { requests, seconds, decisionsKept: rt.decisionLog.length, repeatedWaits: rt.repeatedWaits };
    } finally {
      await agent.stop();
      await service.close();
    }
    // the trace file is complete once the service has closed
    return { ...run, traceBytes: statSync(join(data, 'decisions.jsonl')).size };
  } finally {
    rmSync(data, { recursive: true, force: true });
  }
}

async function twins10k(seconds) {
  const scenario = parseScenario(`
name: ten-thousand
horizon: 60
tenants: [{ id: fleet }]
nodes: [{ id: n, tier: edge, compute: 1, attention: 1 }]
assets:
  - { id: meter, count: 10000, tenant: fleet, twin: { refresh: { work: 0.001, compute: 0.01, attention: 0.01 } } }
`);
  const service = await startService({ scenario, port: 0, policy: { name: 'max-age-first', params: {} } });
  const agents = [];
  const devices = await playDevices(scenario, { http: service.url, period: 2, tickMs: 100 });
  try {
    for (let i = 0; i < 4; i++) {
      const a = new Agent({ server: service.url, id: `r${i}`, kind: 'edge', compute: 4, attention: 4 });
      await a.start();
      agents.push(a);
    }
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const s = service.runtime.accounting.summary();
    const refreshedTwins = service.runtime.twins.filter((t) => t.refreshes > 0).length;
    return {
      twins: 10000,
      seconds,
      samples: s.twins.samples,
      refreshes: s.twins.refreshes.proactive + s.twins.refreshes.onDemand,
      refreshedTwins,
      meanAoI: s.twins.meanAoI,
      decisionLatencyMs: s.decisionLatencyMs,
    };
  } finally {
    await devices.stop();
    for (const a of agents) await a.stop();
    await service.close();
  }
}

export async function run({ quick, measure, log }) {
  const requests = quick ? 300 : 3000;
  let last;
  const p99 = await measure(
    async () => {
      last = await decisionLatency(requests);
      return last.p99;
    },
    { runs: quick ? 1 : 3, warmup: quick ? 0 : 1 },
  );
  const result = {
    decisions: {
      requests,
      agents: AGENTS,
      runs: p99.runs,
      p99Ms: p99.median,
      p99MsMin: p99.min,
      p99MsMax: p99.max,
      last,
    },
  };
  const rows = [
    {
      figure: 'decision latency p99 (ready → assign sent)',
      median: p99.median,
      min: p99.min,
      max: p99.max,
      unit: 'ms',
    },
  ];
  log?.('live: an overload ...');
  const over = await overload(quick ? 500 : 2000);
  result.overload = over;
  rows.push(
    {
      figure: `overload: ${over.requests} requests at once, 1 agent`,
      median: over.seconds,
      min: over.seconds,
      max: over.seconds,
      unit: 's',
    },
    {
      figure: 'overload: decision trace written',
      median: over.traceBytes / 1e6,
      min: over.traceBytes / 1e6,
      max: over.traceBytes / 1e6,
      unit: 'MB',
    },
  );
  if (!quick) {
    log?.('live: 10,000 twins for 30 s ...');
    result.twins10k = await twins10k(30);
    rows.push({
      figure: '10,000 twins: refreshes in 30 s',
      median: result.twins10k.refreshes,
      min: result.twins10k.refreshes,
      max: result.twins10k.refreshes,
      unit: 'refreshes',
    });
  }
  return { result, rows };
}
