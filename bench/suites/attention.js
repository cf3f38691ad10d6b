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
