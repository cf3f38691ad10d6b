/**
 * Sweeps: every policy on every point of a parameter grid, on the same seeds, with every run kept in
 * the run store under a key of what determines it. Running the same sweep again runs only the cells
 * the store lacks; the document it returns is assembled from the store in grid order, so it does not
 * depend on the number of workers, on which finished first, or on how many times the sweep stopped.
 */
import { createHash } from 'node:crypto';
import { cpus } from 'node:os';
import { ArsError, InputError } from '../errors.js';
import { parseScenario } from '../model/index.js';
import type { PolicyRef, Scenario } from '../model/scenario.js';
import { policyNames, registry } from '../policies/index.js';
import type { RunStore } from '../store/runs-sqlite.js';
import type { RunResult } from '../world/results.js';
import { resolvePolicy } from './run.js';
import { summarizeDocuments } from './summarize.js';
import { applyPoint, type GridPoint, gridPoints, pointLabels, type VarySpec } from './sweep-grid.js';
import { type PoolCell, runCells } from './sweep-pool.js';
import type { QueueOptions } from './sweep-queue.js';

/** The scenario as written (parsed YAML or JSON, before validation), and where it came from. */
export interface SweepSource {
  document: unknown;
  /** for messages, and to resolve files the scenario names (arrival traces) */
  file?: string;
  baseDir?: string;
}

export interface SweepOptions {
  vary: readonly VarySpec[];
  policies: readonly (string | PolicyRef)[];
  replications: number;
  firstSeed?: number;
  horizon?: number;
  /** worker threads; default one per core */
  workers?: number;
  store: RunStore;
  /** run the cells on BullMQ workers (`ars worker`) instead of local threads */
  queue?: QueueOptions;
  /** told once the grid is known: how many cells, how many the store holds already */
  onPlan?: (plan: { cells: number; stored: number; toRun: number; sweep: string }) => void;
  onProgress?: (done: number, total: number) => void;
}

export interface SweepPoint {
  /** varied path → value label (`0.5x`, `8`) */
  parameters: Record<string, string>;
  results: { policy: string; params: Readonly<Record<string, unknown>>; metrics: unknown }[];
}

export interface SweepResult {
  sweep: string;
  scenario: string;
  scenarioHash: string;
  parameters: { path: string; values: string[] }[];
  policies: string[];
  replications: number;
  seeds: number[];
  horizon: number;
  points: SweepPoint[];
}

/** JSON with object keys sorted, so equal values always give equal text (and equal hashes). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The store key of one run: the scenario it ran, the policy and its parameters, the seed, the horizon. */
export function runKey(scenarioHash: string, policy: PolicyRef, seed: number, horizon: number): string {
  return sha256(
    canonicalJson({ scenario: scenarioHash, policy: policy.name, params: policy.params, seed, horizon }),
  );
}

/** The scenario at one grid point (the source's document changed by `applyPoint`); bad values exit 2 with the point. */
export function scenarioAt(source: SweepSource, point: GridPoint): Scenario {
  return parseCell(source, applyPoint(source.document, point), point);
}

function parseCell(source: SweepSource, document: unknown, point: GridPoint): Scenario {
  try {
    return parseScenario(JSON.stringify(document), {
      format: 'json',
      ...(source.file !== undefined ? { file: source.file } : {}),
      ...(source.baseDir !== undefined ? { baseDir: source.baseDir } : {}),
      knownPolicies: policyNames(),
    });
  } catch (err) {
    if (!(err instanceof InputError) || point.length === 0) throw err;
    const values = point.map((p) => `${p.path}=${p.value.label}`).join(', ');
    const first = err.issues[0];
    throw new ArsError(
      'ARS_E_INPUT_ARGUMENT',
      `--vary ${values} makes the scenario invalid: ${first?.path ? `${first.path}: ` : ''}${first?.message ?? err.message}${first?.expected ? ` (expected ${first.expected})` : ''}`,
    );
  }
}

interface Cell extends PoolCell {
  key: string;
  point: number;
  policyIndex: number;
  parameters: string;
}

/** Runs (or resumes) a sweep. */
export async function sweep(source: SweepSource, options: SweepOptions): Promise<SweepResult> {
  const base = parseCell(source, source.document, []);
  const baseHash = sha256(JSON.stringify(base));
  const first = options.firstSeed ?? base.seed;
  const seeds = Array.from({ length: options.replications }, (_, i) => first + i);
  const points = gridPoints(options.vary);
  const policies = options.policies.map((p) => resolvePolicy(base, p));
  // bad policy names or parameters are the user's error: report them here, not from inside a worker
  for (const p of policies) registry.create(p.name, p.params);

  const cells: Cell[] = [];
  points.forEach((point, pi) => {
    const scenario = parseCell(source, applyPoint(source.document, point), point);
    const scenarioHash = sha256(JSON.stringify(scenario));
    const parameters = canonicalJson(pointLabels(point));
    policies.forEach((policy, qi) => {
      for (const seed of seeds) {
        // a varied horizon belongs to the cell's scenario; --horizon overrides every cell's
        const key = runKey(scenarioHash, policy, seed, options.horizon ?? scenario.horizon);
        cells.push({
          key,
          scenarioHash,
          scenario,
          policy,
          seed,
          horizon: options.horizon,
          point: pi,
          policyIndex: qi,
          parameters,
        });
      }
    });
  });

  const spec = canonicalJson({
    base: baseHash,
    vary: options.vary.map((v) => ({ path: v.path, values: v.values.map((x) => x.label) })),
    policies,
    seeds,
    horizon: options.horizon ?? null,
    scenarioHorizon: base.horizon,
  } satisfies StoredSpec);
  const sweepId = sha256(spec).slice(0, 12);
  const { store } = options;
  store.putSweep(
    {
      id: sweepId,
      scenario: base.name,
      baseHash,
      spec,
      cells: cells.length,
      createdAt: new Date().toISOString(),
    },
    cells.map((c) => c.key),
  );

  // a cell is run once: not when the store has it, not twice when two grid points give one scenario
  const stored = store.existing(cells.map((c) => c.key));
  const toRun: Cell[] = [];
  const queued = new Set<string>();
  for (const c of cells) {
    if (stored.has(c.key) || queued.has(c.key)) continue;
    queued.add(c.key);
    toRun.push(c);
  }
  options.onPlan?.({
    cells: cells.length,
    stored: cells.length - toRun.length,
    toRun: toRun.length,
    sweep: sweepId,
  });
  let done = 0;
  const record = (i: number, text: string, elapsedMs: number) => {
    const c = toRun[i]!;
    store.put({
      key: c.key,
      scenario: c.scenario.name,
      scenarioHash: c.scenarioHash,
      policy: c.policy.name,
      policyParams: canonicalJson(c.policy.params),
      parameters: c.parameters,
      seed: c.seed,
      horizon: c.horizon ?? c.scenario.horizon,
      result: text,
      elapsedMs,
      createdAt: new Date().toISOString(),
    });
    options.onProgress?.(++done, toRun.length);
  };
  if (options.queue) {
    // BullMQ and its Redis client load only for distributed sweeps
    const { runCellsOnQueue } = await import('./sweep-queue.js');
    await runCellsOnQueue(toRun, options.queue, record);
  } else await runCells(toRun, options.workers ?? cpus().length, record);

  const result = sweepFromStore(store, sweepId);
  if (!result) throw new Error(`run store lost cells of sweep ${sweepId}`);
  return result;
}

/** What the store keeps of a sweep's definition; with the cell keys it rebuilds the sweep's document. */
interface StoredSpec {
  base: string;
  vary: { path: string; values: string[] }[];
  policies: PolicyRef[];
  seeds: number[];
  horizon: number | null;
  scenarioHorizon: number;
}

/**
 * The document of a sweep from the store alone (`ars runs show`): the same bytes `sweep` returned.
 * undefined when the sweep is unknown or some of its cells are not stored yet.
 */
export function sweepFromStore(store: RunStore, id: string): SweepResult | undefined {
  const record = store.sweep(id);
  if (!record) return undefined;
  const spec = JSON.parse(record.spec) as StoredSpec;
  const texts = store.results(record.keys);
  if (texts.some((t) => t === undefined)) return undefined;
  const runs = texts.map((t) => JSON.parse(t as string) as RunResult);
  let points: Record<string, string>[] = [{}];
  for (const v of spec.vary) points = points.flatMap((p) => v.values.map((x) => ({ ...p, [v.path]: x })));
  const perPolicy = spec.seeds.length;
  const perPoint = spec.policies.length * perPolicy;
  return {
    sweep: id,
    scenario: record.scenario,
    scenarioHash: spec.base,
    parameters: spec.vary,
    policies: spec.policies.map((p) => p.name),
    replications: spec.seeds.length,
    seeds: spec.seeds,
    horizon: spec.horizon ?? spec.scenarioHorizon,
    points: points.map((parameters, pi) => ({
      parameters,
      results: spec.policies.map((policy, qi) => {
        const from = pi * perPoint + qi * perPolicy;
        return {
          policy: policy.name,
          params: policy.params,
          metrics: summarizeDocuments(runs.slice(from, from + perPolicy)),
        };
      }),
    })),
  };
}
