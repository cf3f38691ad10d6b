// A queue of tens of thousands: the smart hospital with its ward rounds every millisecond instead of every
// second (a thousand requests a second against a hospital sized for a few), 60 simulated seconds, under
// fifo, least-loaded and ARS. By the end some 57,000 requests wait. A cycle that visited a thousand of them
// in vain, and uniform-refresh's list of twins handed back, which grew by half the free slots a pick, made
// this run take minutes under fifo (docs/performance.md, "A queue of tens of thousands").
//
//   node bench/run.js --only overload [--quick]
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { runScenario } from '../../dist/experiment/run.js';
import { parseScenario } from '../../dist/model/load.js';
import { parseText } from '../../dist/model/read.js';

export const name = 'overload';

const POLICIES = ['fifo', 'least-loaded', 'ars'];

function scenario() {
  const file = fileURLToPath(new URL('../../examples/smart-hospital.yaml', import.meta.url));
  const data = parseText(readFileSync(file, 'utf8')).data;
  const rounds = data.workloads.find((w) => w.id === 'ward-round');
  rounds.arrival = { ...rounds.arrival, period: 0.001 };
  return parseScenario(JSON.stringify(data), {
    file: 'smart-hospital-overload.json',
    format: 'json',
    baseDir: fileURLToPath(new URL('../../examples/', import.meta.url)),
  });
}

export async function run({ quick, measure, log }) {
  const sc = scenario();
  const horizon = quick ? 20 : 60;
  const result = {};
  const rows = [];
  for (const policy of POLICIES) {
    let last;
    const m = await measure(
      () => {
        const t0 = performance.now();
        last = runScenario(sc, { policy, seed: 1, horizon });
        return (performance.now() - t0) / 1000;
      },
      { runs: quick ? 1 : 3, warmup: 0 },
    );
    log(`${policy}: ${horizon} s, ${m.median.toFixed(2)} s, ${last.requests.open} requests open at the end`);
    result[policy] = {
      horizon,
      wallSeconds: m.median,
      wallSecondsMin: m.min,
      wallSecondsMax: m.max,
      open: last.requests.open,
      decisions: last.scheduler.decisions,
    };
    rows.push({ figure: `${policy}.wallSeconds`, median: m.median, min: m.min, max: m.max, unit: 's' });
  }
  return { result, rows };
}
