// A scenario shaped like PureEdgeSim's large published run (Mechalikh et al.): 10,000 devices, each
// a twin, 10 simulated minutes, about 1.13 million requests, on edge servers, a few fog servers and
// a cloud. Generated in code and passed through the model's schema and expansion (the same path as a
// scenario file), so nothing large is committed.
//
// Everything scales with `twins`: requests (0.188 per twin per second, so 10,000 twins give
// ~1,883 requests/s, ~1.13 M in 600 s), edge and fog servers (one edge server per 250 twins, one fog
// server per 2,500) and attention (enough for each twin to be refreshed about every 10 s). So the load
// per node stays the same and the cost of a run should grow with the number of events only.
import { expandScenario, scenarioSchema } from '../../dist/model/index.js';

/** Requests per twin per second: 1.13 M requests / (10,000 twins × 600 s). */
export const REQUESTS_PER_TWIN_SECOND = 1_130_000 / (10_000 * 600);

/**
 * The scenario object (schema input) for `twins` devices over `horizon` simulated seconds.
 * @param {{ twins: number, horizon?: number, seed?: number, policy?: string }} o
 */
export function edgeFleetSpec({ twins, horizon = 600, seed = 1, policy = 'least-loaded' }) {
  const edges = Math.max(1, Math.round(twins / 250));
  const fogs = Math.max(1, Math.round(twins / 2500));
  const clouds = Math.max(1, Math.round(twins / 10_000));
  const rate = twins * REQUESTS_PER_TWIN_SECOND;
  const sensors = Math.round(twins * 0.8);
  const cameras = twins - sensors;
  return {
    name: `edge-fleet-${twins}`,
    description: `${twins} device twins, ${Math.round(rate * horizon)} requests expected`,
    seed,
    horizon,
    warmup: 0,
    policy,
    tenants: [
      { id: 'operations', weight: 2 },
      { id: 'analytics', weight: 1 },
    ],
    nodes: [
      {
        id: 'edge',
        count: edges,
        tier: 'edge',
        zone: 'site',
        compute: 8,
        attention: 2,
        speed: 1,
        costPerSecond: 0.00001,
        power: { idle: 10, busy: 30 },
      },
      {
        id: 'fog',
        count: fogs,
        tier: 'fog',
        zone: 'site',
        compute: 32,
        attention: 4,
        speed: 2,
        costPerSecond: 0.0001,
        power: { idle: 60, busy: 150 },
      },
      {
        id: 'cloud',
        count: clouds,
        tier: 'cloud',
        compute: 256,
        attention: 0,
        speed: 3,
        costPerSecond: 0.001,
        power: { idle: 300, busy: 900 },
      },
    ],
    network: {
      default: { latency: 0.05, bandwidth: 12_500_000 },
      tiers: [
        { between: ['device', 'edge'], latency: 0.002, bandwidth: 12_500_000 },
        { between: ['device', 'fog'], latency: 0.008, bandwidth: 12_500_000 },
        { between: ['edge', 'edge'], latency: 0.001, bandwidth: 125_000_000 },
        { between: ['edge', 'fog'], latency: 0.005, bandwidth: 125_000_000 },
        { between: ['fog', 'cloud'], latency: 0.03, bandwidth: 50_000_000 },
        { between: ['edge', 'cloud'], latency: 0.04, bandwidth: 50_000_000 },
      ],
    },
    assets: [
      {
        id: 'sensor',
        count: sensors,
        tenant: 'operations',
        zone: 'site',
        dynamics: { kind: 'ornstein-uhlenbeck', initial: 20, mean: 20, reversion: 0.05, volatility: 1 },
        anomaly: { rate: 0.0002, kind: 'jump', magnitude: 10 },
        twin: {
          criticality: 1,
          sampleBytes: 2_000,
          refresh: { work: 0.08, compute: 1, attention: 1 },
          maxAge: 30,
        },
      },
      {
        id: 'camera',
        count: cameras,
        tenant: 'operations',
        zone: 'site',
        dynamics: { kind: 'random-walk', initial: 0, drift: 0, volatility: 0.5 },
        twin: {
          criticality: 3,
          sampleBytes: 50_000,
          refresh: { work: 0.1, compute: 1, attention: 1 },
          maxAge: 15,
        },
      },
    ],
    workloads: [
      {
        id: 'sensor-query',
        tenant: 'operations',
        priority: 2,
        deadline: 0.5,
        arrival: { kind: 'poisson', rate: rate * 0.7 },
        tasks: [{ id: 'read', work: 0.01, twin: { group: 'sensor', maxAge: 30 } }],
      },
      {
        id: 'video-analytics',
        tenant: 'analytics',
        priority: 1,
        deadline: 2,
        arrival: { kind: 'poisson', rate: rate * 0.3 },
        tasks: [
          { id: 'fetch', work: 0.02, twin: { group: 'camera', maxAge: 15 } },
          { id: 'infer', kind: 'infer', work: 0.1, compute: 2 },
        ],
        edges: [{ from: 'fetch', to: 'infer', bytes: 200_000 }],
      },
    ],
  };
}

/** The expanded, validated Scenario the world runs. */
export function edgeFleetScenario(options) {
  return expandScenario(scenarioSchema.parse(edgeFleetSpec(options)));
}
