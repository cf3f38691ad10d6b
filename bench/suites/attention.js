// Attention choices per second of each attention rule, and slots per second of the paper's broadcast simulator.
//
// The allocators run against a bare snapshot of N twins (criticality 1, 3 or 9, refreshes of 0.05-0.4 s):
// every step advances the clock by 0.01 s, asks for one twin, and completes that twin's refresh at once
// (refreshStarted, then refreshed with a new sample), so each rule sees the same kind of stream as in the world
// without the rest of the world's cost. Max-Weight and Whittle scan every twin per choice, max-age-first
// compares heap heads per criticality, uniform-refresh is a cursor, the randomized rule draws from a table.
import { performance } from 'node:perf_hooks';
import { RandomStreams } from '../../dist/engine/random.js';
import {
  aoiIndexAllocator,
  aoiRandomizedAllocator,
  simulateBroadcast,
} from '../../dist/policies/aoi/index.js';
import { WaterFiller } from '../../dist/policies/ars/softmax.js';
import { maxAgeFirst, uniformRefresh } from '../../dist/policies/baseline/attention.js';

export const name = 'attention';

const RULES = {
  'uniform-refresh': uniformRefresh,
  'max-age-first': maxAgeFirst,
  'max-weight': () => aoiIndexAllocator('max-weight'),
  whittle: () => aoiIndexAllocator('whittle'),
  'aoi-randomized': aoiRandomizedAllocator,
};

function snapshot(n) {
  const rng = new RandomStreams(1).stream('bench.attention');
  const crit = [1, 3, 9];
  const twins = Array.from({ length: n }, (_, index) => ({
    index,
    id: `t${index}`,
    group: 'g',
    tenant: 0,
    zone: undefined,
    criticality: crit[index % 3],
    lastSample: 0,
    lastValue: 0,
    refreshing: false,
    waiting: 0,
    suspicion: 0,
    anomalyRate: 0,
    seconds: 0.05 + 0.35 * rng.next(),
  }));
  return { now: 0, twins, random: () => rng.next() };
}

function choicesPerSecond(rule, n, steps) {
  const s = snapshot(n);
  const a = RULES[rule]();
  a.init?.(s);
  const t0 = performance.now();
  for (let k = 0; k < steps; k++) {
    s.now += 0.01;
    const [c] = a.select(s, 1);
    if (!c) continue;
    const t = s.twins[c.twin];
    t.refreshing = true;
    a.refreshStarted?.(c.twin, s);
    const now = s.now;
    s.now += t.seconds;
    t.refreshing = false;
    t.lastSample = s.now;
    a.refreshed?.(c.twin, true, s);
    s.now = now;
  }
  return steps / ((performance.now() - t0) / 1000);
}

/**
 * ARS's per-window water-filling of n twins' softmax weights (two tenants with floors, a cap per twin, a
 * freshness floor on every tenth twin), the weights drifting by ±0.5 % between calls as they do from one
 * window to the next: fills per second, and the passes over the twins each fill made.
 */
function waterFills(n, calls) {
  const rng = new RandomStreams(2).stream('bench.waterfill');
  const base = Float64Array.from({ length: n }, () => Math.exp(3 * rng.next()));
  const group = Int32Array.from({ length: n }, (_, i) => i % 2);
  const itemFloors = Float64Array.from({ length: n }, (_, i) => (i % 10 === 0 ? 0.5 / n : 0));
  const inputs = Array.from({ length: 16 }, () => {
    const w = Float64Array.from(base, (x) => x * (1 + 0.01 * (rng.next() - 0.5)));
    const sum = w.reduce((a, b) => a + b, 0);
    return w.map((x) => x / sum);
  });
  const options = { group, floors: [0.2, 0.2], cap: 4 / n, negligible: 0.01 / n, itemFloors };
  const filler = new WaterFiller();
  let passes = 0;
  const t0 = performance.now();
  for (let k = 0; k < calls; k++) {
    filler.fill(inputs[k % inputs.length], options);
    passes += filler.passes;
  }
  return { fillsPerSecond: calls / ((performance.now() - t0) / 1000), passes: passes / calls };
}

export async function run({ quick, measure, log }) {
  const sizes = quick ? [1_000] : [1_000, 10_000];
  const steps = quick ? 500 : 20_000;
  const result = { steps, choicesPerSecond: {}, broadcast: {} };
  const rows = [];
  for (const n of sizes) {
    result.choicesPerSecond[n] = {};
    for (const rule of Object.keys(RULES)) {
      const m = await measure(() => choicesPerSecond(rule, n, steps), { runs: quick ? 2 : 3, warmup: 1 });
      result.choicesPerSecond[n][rule] = { median: m.median, min: m.min, max: m.max };
      log(`${rule} at ${n} twins: ${Math.round(m.median)} choices/s`);
      rows.push({
        figure: `${rule} @ ${n} twins`,
        median: m.median,
        min: m.min,
        max: m.max,
        unit: 'choices/s',
      });
    }
  }
  {
    const n = quick ? 1_000 : 10_000;
    const calls = quick ? 200 : 2_000;
    let passes = 0;
    const m = await measure(
      () => {
        const r = waterFills(n, calls);
        passes = r.passes;
        return r.fillsPerSecond;
      },
      { runs: quick ? 2 : 3, warmup: 1 },
    );
    result.waterFill = { twins: n, fillsPerSecond: m.median, min: m.min, max: m.max, passesPerFill: passes };
    log(
      `ARS water filler at ${n} twins: ${Math.round(m.median)} fills/s, ${passes.toFixed(2)} passes a fill`,
    );
    rows.push({
      figure: `ARS water fill @ ${n} twins`,
      median: m.median,
      min: m.min,
      max: m.max,
      unit: 'fills/s',
    });
  }
  // the paper's model: N = 20 clients, p_i = i/N, α_i = (N+1−i)/N
  const n = 20;
  const net = {
    p: Array.from({ length: n }, (_, i) => (i + 1) / n),
    alpha: Array.from({ length: n }, (_, i) => (n - i) / n),
  };
  const slots = quick ? 5_000 : 200_000;
  for (const policy of ['randomized', 'max-weight', 'whittle']) {
    const m = await measure(
      () => {
        const t0 = performance.now();
        simulateBroadcast(net, policy, { slots, warmup: 0 });
        return slots / ((performance.now() - t0) / 1000);
      },
      { runs: quick ? 2 : 3, warmup: 1 },
    );
    result.broadcast[policy] = { slotsPerSecond: m.median, min: m.min, max: m.max };
    rows.push({
      figure: `broadcast ${policy}, N = 20`,
      median: m.median,
      min: m.min,
      max: m.max,
      unit: 'slots/s',
    });
  }
  return { result, rows };
}
