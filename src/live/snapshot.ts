/**
 * What-if from live state: the live system written as a scenario (agents as nodes, the served scenario's
 * tenants, assets and workloads, each workload arriving at the rate forecast from live arrivals), then
 * simulated for the next minutes under each candidate policy and load factor with the simulator's
 * replications, answering predicted metrics as mean ± 95 % CI half-width. The live what-if starts the
 * simulation from a fork of the live state (the twins at their live ages); the snapshot as YAML cannot
 * carry the ages and starts its twins fresh.
 */
import { stringify } from 'yaml';
import { z } from 'zod';
import { type CompareResult, compare } from '../experiment/compare.js';
import { compareFromAges } from '../experiment/what-if-fork.js';
import { parseScenario } from '../model/index.js';
import type { Scenario } from '../model/scenario.js';
import type { LiveState } from './model.js';

export const whatIfSchema = z.strictObject({
  /** minutes to simulate from now */
  minutes: z
    .number()
    .positive()
    .max(24 * 60)
    .default(5),
  /** candidate policies; default: the live one */
  policies: z.array(z.string().min(1)).min(1).max(20).optional(),
  /** arrival rates × this factor (changed load) */
  loadFactor: z.number().positive().max(1000).default(1),
  replications: z.number().int().min(2).max(50).default(5),
  seed: z.number().int().nonnegative().default(1),
});
export type WhatIfBody = z.output<typeof whatIfSchema>;

/** The live state as a scenario document (plain data, ready for YAML), plus the twins' ages it cannot carry. */
export function snapshotSpec(
  rt: LiveState,
  source: Record<string, unknown> | undefined,
  options: { minutes?: number; loadFactor?: number; seed?: number } = {},
): { spec: Record<string, unknown>; ages: Record<string, number> } {
  const now = rt.now;
  const minutes = options.minutes ?? 5;
  const factor = options.loadFactor ?? 1;
  const nodes = rt.nodes
    .filter((n) => n.up)
    .map((n) => ({
      id: n.id,
      tier: n.tier,
      ...(n.zone !== undefined ? { zone: n.zone } : {}),
      compute: n.computeCapacity,
      attention: n.attentionCapacity,
      speed: { default: n.speedDefault, kinds: { ...n.speedKinds } },
      costPerSecond: n.costPerSecond,
    }));
  const workloads = ((source?.workloads as Record<string, unknown>[] | undefined) ?? []).map((w) => {
    const id = String(w.id);
    const rate = rt.arrivalRates.predictRate(id, 1);
    // a workload seen live arrives at its forecast rate; one not seen yet keeps its declared process
    const arrival =
      Number.isFinite(rate) && rate > 0
        ? { kind: 'poisson', rate: rate * factor }
        : scaleArrival(w.arrival as Record<string, unknown>, factor);
    return { ...w, arrival };
  });
  const ages: Record<string, number> = {};
  for (const t of rt.twins) ages[t.id] = now - t.lastSample;
  const spec: Record<string, unknown> = {
    name: `${String(source?.name ?? 'live')}-snapshot`,
    description: `live state at ${new Date(rt.startMs + now * 1000).toISOString()} (service time ${now.toFixed(1)} s)`,
    seed: options.seed ?? 1,
    horizon: minutes * 60,
    warmup: 0,
    policy: { name: rt.policy.name, params: { ...rt.policy.params } },
    tenants:
      (source?.tenants as unknown[] | undefined) ?? rt.tenants.map((t) => ({ id: t.id, weight: t.weight })),
    nodes:
      nodes.length > 0
        ? nodes
        : // a scenario needs a node; with no agent connected the snapshot says so with an idle placeholder
          [{ id: 'no-agent-connected', tier: 'edge', compute: 1e-9, attention: 0 }],
    ...(source?.network ? { network: source.network } : {}),
    ...(source?.scheduling ? { scheduling: source.scheduling } : {}),
    assets: (source?.assets as unknown[] | undefined) ?? [],
    workloads,
  };
  return { spec, ages };
}

function scaleArrival(a: Record<string, unknown>, f: number): Record<string, unknown> {
  if (f === 1) return a;
  switch (a.kind) {
    case 'poisson':
      return { ...a, rate: Number(a.rate) * f };
    case 'periodic':
      return { ...a, period: Number(a.period) / f };
    case 'bursty':
      return { ...a, onRate: Number(a.onRate) * f, offRate: Number(a.offRate ?? 0) * f };
    case 'diurnal':
      return { ...a, meanRate: Number(a.meanRate) * f };
    default:
      return { ...a, scale: Number(a.scale ?? 1) / f };
  }
}

/** The snapshot as YAML, with the twins' current ages as a comment (the scenario format starts twins fresh). */
export function snapshotYaml(
  rt: LiveState,
  source: Record<string, unknown> | undefined,
  options: { minutes?: number; loadFactor?: number; seed?: number } = {},
): string {
  const { spec, ages } = snapshotSpec(rt, source, options);
  const oldest = Object.entries(ages)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 10);
  const head = [
    `# ARS live snapshot: ${String(spec.description)}`,
    `# ${rt.nodes.filter((n) => n.up).length} agents up, ${rt.twins.length} twins, ${rt.queue.size} items queued`,
    ...(oldest.length > 0
      ? [
          '# oldest twins now (age of information, s):',
          ...oldest.map(([id, a]) => `#   ${id}: ${a.toFixed(2)}`),
        ]
      : []),
  ];
  return `${head.join('\n')}\n${stringify(spec)}`;
}

export interface WhatIfAnswer {
  readonly scenario: string;
  readonly minutes: number;
  readonly loadFactor: number;
  readonly replications: number;
  readonly results: {
    readonly policy: string;
    readonly weightedAoI: Ci | null;
    readonly latencyP95: Ci | null;
    readonly deadlineMissRate: Ci | null;
    readonly computeUtilization: Ci | null;
    readonly metrics: unknown;
  }[];
}

interface Ci {
  readonly mean: number;
  readonly ci95: number;
}

/**
 * Runs the snapshot in the simulator under each candidate policy, from a fork of the live state: every twin
 * starts as old as the service reports it (`compareFromAges`), one fork per replication seed, the same
 * forks for every policy (common random numbers), on worker threads.
 */
export async function whatIf(
  rt: LiveState,
  source: Record<string, unknown> | undefined,
  body: WhatIfBody,
  knownPolicies: readonly string[],
): Promise<WhatIfAnswer> {
  const { spec, ages } = snapshotSpec(rt, source, {
    minutes: body.minutes,
    loadFactor: body.loadFactor,
    seed: body.seed,
  });
  const scenario: Scenario = parseScenario(JSON.stringify(spec), { knownPolicies });
  const table = await compareFromAges(scenario, ages, {
    policies: body.policies ?? [rt.policy.name],
    replications: body.replications,
    firstSeed: body.seed,
    // worker threads (in compiled code): the caller's event loop keeps serving agents and heartbeats
    workers: 2,
  });
  return answerOf(table, body);
}

/**
 * Simulates a snapshot scenario from fresh twins under each policy (default: `fallback`) with common random
 * numbers (the what-if task on an agent, which reads the snapshot as YAML and has no ages).
 */
export async function simulateSnapshot(
  scenario: Scenario,
  body: Pick<WhatIfBody, 'minutes' | 'loadFactor' | 'replications' | 'seed'> & {
    policies?: string[] | undefined;
  },
  fallback: readonly string[],
): Promise<WhatIfAnswer> {
  const table = await compare(scenario, {
    policies: body.policies ?? fallback,
    replications: body.replications,
    firstSeed: body.seed,
    // worker threads (in compiled code): the caller's event loop keeps serving agents and heartbeats
    workers: 2,
  });
  return answerOf(table, body);
}

/** A comparison table as a what-if answer: the headline metrics as mean ± 95 % CI, and every metric. */
function answerOf(
  table: CompareResult,
  body: Pick<WhatIfBody, 'minutes' | 'loadFactor' | 'replications'>,
): WhatIfAnswer {
  return {
    scenario: table.scenario,
    minutes: body.minutes,
    loadFactor: body.loadFactor,
    replications: body.replications,
    results: table.results.map((r) => {
      const m = r.metrics as Record<string, Record<string, unknown>>;
      const pick = (x: unknown) => (x && typeof x === 'object' && 'mean' in x ? (x as Ci) : null);
      const latency = m.requests?.latency as Record<string, unknown> | undefined;
      const resources = m.resources as Record<string, unknown> | undefined;
      return {
        policy: r.policy,
        weightedAoI: pick(m.twins?.weightedAoI),
        latencyP95: pick(latency?.p95),
        deadlineMissRate: pick(m.requests?.deadlineMissRate),
        computeUtilization: pick((resources?.compute as Record<string, unknown> | undefined)?.utilization),
        metrics: r.metrics,
      };
    }),
  };
}
