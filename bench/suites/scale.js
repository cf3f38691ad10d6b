// The large run: 10,000 device twins, 10 simulated minutes, ~1.13 million requests, shaped like
// PureEdgeSim's published 10,000-device run (58 s there). Each run is a fresh Node process, so the
// wall time includes no JIT warm-up from earlier runs and the peak RSS is that run's own.
import { runFleet, spreadOf } from '../workloads/child.js';

export const name = 'scale';

/** The policies the large run is timed under: the headline least-loaded, and ARS (key suffix `Ars`). */
const POLICIES = [
  { policy: 'least-loaded', suffix: '' },
  { policy: 'ars', suffix: 'Ars' },
];

export async function run({ quick, log }) {
  const result = {};
  const rows = [];
  for (const { policy, suffix } of POLICIES) {
    const one = fleetRuns({ quick, log, policy, suffix });
    Object.assign(result, one.result);
    rows.push(...one.rows);
  }
  return { result, rows };
}

function fleetRuns({ quick, log, policy, suffix }) {
  const twins = quick ? 2_000 : 10_000;
  const horizon = quick ? 60 : 600;
  const runs = quick ? 2 : 3;
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const r = runFleet({ twins, horizon, policy });
    log(
      `${policy}: ${twins} twins, ${horizon} s: ${r.wallSeconds.toFixed(2)} s (cpu ${r.cpuSeconds.toFixed(2)} s), ${r.peakRssMB.toFixed(0)} MB, ${r.requests} requests`,
    );
    samples.push(r);
  }
  const wall = spreadOf(samples.map((r) => r.wallSeconds));
  const cpu = spreadOf(samples.map((r) => r.cpuSeconds));
  const rss = spreadOf(samples.map((r) => r.peakRssMB));
  const first = samples[0];
  const key = `${quick ? 'twins2k' : 'twins10k'}${suffix}`;
  const result = {
    [key]: {
      twins,
      horizon,
      policy: first.policy,
      nodes: first.nodes,
      runs,
      requests: first.requests,
      events: first.events,
      decisions: first.decisions,
      wallSeconds: wall.median,
      wallSecondsMin: wall.min,
      wallSecondsMax: wall.max,
      cpuSeconds: cpu.median,
      peakRssMB: rss.median,
      peakRssMBMin: rss.min,
      peakRssMBMax: rss.max,
      requestsPerSecond: first.requests / wall.median,
      requestsPerSecondMin: first.requests / wall.max,
      requestsPerSecondMax: first.requests / wall.min,
    },
  };
  const rows = [
    { figure: `${key}.wallSeconds`, ...wall, unit: 's' },
    { figure: `${key}.peakRssMB`, ...rss, unit: 'MB' },
    {
      figure: `${key}.requestsPerSecond`,
      median: first.requests / wall.median,
      min: first.requests / wall.max,
      max: first.requests / wall.min,
      unit: 'requests/s',
    },
  ];
  return { result, rows };
}
