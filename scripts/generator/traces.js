#!/usr/bin/env node
// Writes the arrival traces of the non-stationary examples (examples/traces/storm-faults.csv and
// flash-crowd.csv): Poisson arrivals whose rate changes in time, drawn from a fixed seed, so the files are
// reproducible. The engine's own arrival processes are stationary (or diurnal), so a time-limited surge is
// replayed from a trace.
//
//   node scripts/generator/traces.js        (rewrites both files)
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** mulberry32: a small seeded generator, enough for arrival times. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Arrival times of a Poisson process with a piecewise-constant rate, by thinning.
 * @param {{ horizon: number, pieces: { from: number, rate: number }[], seed: number }} o
 */
export function piecewisePoisson({ horizon, pieces, seed }) {
  const rand = rng(seed);
  const max = Math.max(...pieces.map((p) => p.rate));
  const rateAt = (t) => {
    let r = 0;
    for (const p of pieces) if (t >= p.from) r = p.rate;
    return r;
  };
  const out = [];
  let t = 0;
  for (;;) {
    t += -Math.log(1 - rand()) / max;
    if (t >= horizon) break;
    if (rand() < rateAt(t) / max) out.push(t);
  }
  return out;
}

const TRACES = {
  // a storm crosses the north feeders from t = 240 s to t = 420 s: fault-location requests rise 30-fold
  'storm-faults.csv': {
    horizon: 600,
    seed: 7,
    pieces: [
      { from: 0, rate: 0.05 },
      { from: 240, rate: 1.5 },
      { from: 420, rate: 0.05 },
    ],
  },
  // a news item sends one tenant's users to the app at t = 240 s (30× the usual rate); the crowd halves at 300 s and is gone at 330 s
  'flash-crowd.csv': {
    horizon: 600,
    seed: 11,
    pieces: [
      { from: 0, rate: 1 },
      { from: 240, rate: 30 },
      { from: 300, rate: 15 },
      { from: 330, rate: 1 },
    ],
  },
};

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = join(import.meta.dirname, '..', '..', 'examples', 'traces');
  for (const [file, spec] of Object.entries(TRACES)) {
    const times = piecewisePoisson(spec);
    writeFileSync(join(dir, file), `time\n${times.map((t) => t.toFixed(3)).join('\n')}\n`);
    process.stderr.write(`${file}: ${times.length} arrivals\n`);
  }
}
