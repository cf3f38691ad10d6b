#!/usr/bin/env node
// Generates scenarios of varied structure for learning and checking ARS's defaults (issue 15, part 3):
// load level, node heterogeneity, tenant mix, anomaly rates, link latencies, twin counts and request
// shapes all vary with the generator seed. Each is a scenario object that goes through the model's schema
// like a file. Training uses seeds 1…n; the evaluation's held-out generated scenarios use seeds from 1001.
//
//   node scripts/generator/scenarios.js --seed 3 [--horizon 300] [--out file.json]   (prints or writes one scenario;
//   the evaluation and generalisation use --horizon 600)
import { writeFileSync } from 'node:fs';
import { rng } from './traces.js';

/** One generated scenario (schema input) for generator seed `seed`. */
export function generatedScenario(seed, { horizon = 300 } = {}) {
  const r = rng(1_000_003 * seed + 17);
  const pick = (xs) => xs[Math.floor(r() * xs.length)];
  const between = (a, b) => a + (b - a) * r();
  const round = (x, d = 3) => Number(x.toPrecision(d));
  const load = pick([0.5, 1, 1.5, 2]); // request rate multiplier
  const hetero = pick([1, 2, 4]); // speed spread between tiers
  const latency = pick([0.5, 1, 3]); // network latency multiplier
  const anomalies = pick([0, 1, 4]); // anomaly rate multiplier
  const tenantCount = pick([1, 2, 3]);
  const tenants = Array.from({ length: tenantCount }, (_, i) => ({
    id: `t${i}`,
    weight: round(pick([1, 2, 0.5])),
    ...(i > 0 && r() < 0.4 ? { quota: { compute: round(between(0.3, 0.7)) } } : {}),
  }));
  const tenant = () => `t${Math.floor(r() * tenantCount)}`;
  const edges = 3 + Math.floor(r() * 10);
  const nodes = [
    {
      id: 'edge',
      count: edges,
      tier: 'edge',
      compute: pick([1, 2, 4]),
      attention: pick([1, 2, 3]),
      speed: { default: round(1 / hetero), kinds: { refresh: 1 } },
      costPerSecond: 0.00001,
      power: { idle: 8, busy: 20 },
      ...(r() < 0.4 ? { failure: { mtbf: round(between(600, 3000)), mttr: round(between(30, 300)) } } : {}),
    },
    {
      id: 'fog',
      count: 1 + Math.floor(r() * 3),
      tier: 'fog',
      compute: 16,
      attention: pick([2, 4, 6]),
      speed: { default: round(Math.min(2, hetero)), kinds: { refresh: 1 } },
      costPerSecond: 0.0001,
      power: { idle: 60, busy: 150 },
    },
    {
      id: 'cloud',
      count: 1,
      tier: 'cloud',
      compute: 32,
      attention: 0,
      speed: round(Math.min(3, 1.5 * hetero)),
      costPerSecond: 0.001,
      power: { idle: 100, busy: 300 },
    },
  ];
  const groups = 2 + Math.floor(r() * 2);
  const assets = Array.from({ length: groups }, (_, g) => ({
    id: `a${g}`,
    count: 40 + Math.floor(r() * 200),
    tenant: tenant(),
    dynamics:
      r() < 0.5
        ? { kind: 'random-walk', initial: 0, drift: 0, volatility: round(between(0.1, 1)) }
        : {
            kind: 'ornstein-uhlenbeck',
            initial: 10,
            mean: 10,
            reversion: 0.05,
            volatility: round(between(0.2, 2)),
          },
    ...(anomalies > 0 && r() < 0.7
      ? {
          anomaly: {
            rate: round(anomalies * between(0.0002, 0.001)),
            kind: pick(['jump', 'drift']),
            magnitude: 3,
          },
        }
      : {}),
    twin: {
      criticality: pick([1, 2, 3, 5]),
      sampleBytes: pick([1000, 10000, 50000]),
      refresh: { work: round(between(0.2, 0.6)), compute: 1, attention: 1 },
    },
  }));
  const workloads = [
    {
      id: 'query',
      tenant: tenant(),
      priority: 2,
      deadline: round(pick([0.5, 1, 2])),
      arrival: { kind: 'poisson', rate: round(load * between(2, 6)) },
      tasks: [
        { id: 'fetch', work: 0.02, twin: { group: 'a0', maxAge: pick([3, 5, 10]) } },
        { id: 'answer', work: round(between(0.05, 0.3)), after: ['fetch'] },
      ],
    },
    {
      id: 'analytics',
      tenant: tenant(),
      priority: 0,
      deadline: round(pick([10, 30, 60])),
      arrival:
        r() < 0.5
          ? { kind: 'poisson', rate: round(load * between(0.05, 0.3)) }
          : { kind: 'bursty', onRate: round(load), offRate: 0.02, onMean: 15, offMean: 60 },
      tasks: [
        { id: 'load', work: 0.3, twin: { group: `a${groups - 1}`, maxAge: 30 } },
        { id: 'compute', kind: 'simulate', work: round(between(2, 10)), compute: pick([2, 4]) },
      ],
      edges: [{ from: 'load', to: 'compute', bytes: pick([100000, 5000000]) }],
    },
  ];
  if (r() < 0.6)
    workloads.push({
      id: 'monitor',
      tenant: tenant(),
      priority: 1,
      deadline: round(pick([2, 5])),
      arrival: {
        kind: 'diurnal',
        meanRate: round(load * between(0.5, 2)),
        amplitude: 0.8,
        period: horizon,
        peak: round(horizon * between(0.3, 0.8)),
      },
      tasks: [
        { id: 'read', work: 0.05, twin: { group: 'a1', maxAge: pick([5, 10]) } },
        { id: 'check', kind: 'check', work: round(between(0.2, 1)), compute: 1 },
      ],
    });
  return {
    name: `generated-${seed}`,
    description: `generated: load ×${load}, speed spread ${hetero}, latency ×${latency}, anomalies ×${anomalies}, ${tenantCount} tenant(s)`,
    seed: 1,
    horizon,
    warmup: 60,
    policy: 'least-loaded',
    tenants,
    nodes,
    network: {
      default: { latency: round(0.05 * latency), bandwidth: 12500000 },
      tiers: [
        { between: ['device', 'edge'], latency: round(0.003 * latency), bandwidth: 12500000 },
        { between: ['device', 'fog'], latency: round(0.01 * latency), bandwidth: 12500000 },
        { between: ['edge', 'fog'], latency: round(0.005 * latency), bandwidth: 125000000 },
        { between: ['fog', 'cloud'], latency: round(0.03 * latency), bandwidth: 50000000 },
      ],
    },
    assets,
    workloads,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const opt = (name, fallback) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : fallback;
  };
  const seed = Number(opt('seed', '1'));
  const horizon = Number(opt('horizon', '300'));
  if (!Number.isInteger(seed) || !(horizon > 60)) {
    process.stderr.write(
      'error: --seed needs a whole number and --horizon a number of seconds above 60 (the warm-up)\n',
    );
    process.exit(2);
  }
  const doc = `${JSON.stringify(generatedScenario(seed, { horizon }), null, 2)}\n`;
  const out = opt('out', undefined);
  if (out) writeFileSync(out, doc);
  else process.stdout.write(doc);
}
