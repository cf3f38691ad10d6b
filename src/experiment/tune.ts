/**
 * Offline tuning of an ARS variant by simulation (`ars tune`): the cross-entropy method over its tunable
 * parameters, scored by the objective of policies/ars/tune.ts against the best of the reference baselines,
 * each candidate run on every training seed. The result is the profile document `--param profile=FILE` loads.
 */
import { ArsError } from '../errors.js';
import { didYouMean } from '../model/index.js';
import type { Scenario } from '../model/scenario.js';
import { type ArsParams, type ParamName, resolveParams, TUNABLE } from '../policies/ars/index.js';
import {
  bestOf,
  crossEntropySearch,
  type MetricValues,
  meanMetrics,
  objective,
} from '../policies/ars/tune.js';
import { BASELINES, policyNames, registry } from '../policies/index.js';
import { compare } from './compare.js';

export interface TuneOptions {
  /** the ARS variant to tune; default `ars` */
  readonly policy?: string;
  /** the parameters to tune; default every tunable one (the others keep their start values) */
  readonly parameters?: readonly ParamName[];
  readonly seeds: readonly number[];
  readonly iterations: number;
  readonly population: number;
  readonly horizon?: number;
  readonly workers?: number;
  /** reference policies of the objective; default the catalogue's `BASELINES` (unregistered names are skipped) */
  readonly baselines?: readonly string[];
  /** start from this profile file instead of the defaults */
  readonly start?: string;
  readonly log?: (line: string) => void;
  /** a progress display for each step (reference runs, each iteration, the tuned profile): `total` runs */
  readonly progress?: (label: string, total: number) => { update(done: number): void; stop(): void };
}

/** The profile document `ars tune` writes. */
export interface TunedProfile {
  readonly policy: string;
  readonly scenario: string;
  readonly method: 'cross-entropy';
  readonly trainedOn: { readonly seeds: readonly number[]; readonly horizon: number };
  readonly search: {
    readonly iterations: number;
    readonly population: number;
    readonly evaluations: number;
    readonly history: unknown;
  };
  readonly objective: {
    readonly start: number;
    readonly best: number;
    readonly references: readonly string[];
    readonly reference: MetricValues;
    readonly tuned: MetricValues | undefined;
  };
  readonly tunedParameters?: readonly ParamName[];
  readonly params: Partial<ArsParams>;
}

export async function tunePolicy(scenario: Scenario, o: TuneOptions): Promise<TunedProfile> {
  const policy = o.policy ?? 'ars';
  if (!policy.startsWith('ars'))
    throw new ArsError('ARS_E_INPUT_ARGUMENT', `--policy must be an ARS variant, got "${policy}"`);
  registry.get(policy);
  const tuned = [...(o.parameters ?? TUNABLE)];
  const baselines = o.baselines ? [...o.baselines] : BASELINES.filter((n) => registry.has(n));
  for (const n of baselines)
    if (!registry.has(n))
      throw new ArsError(
        'ARS_E_INPUT_ARGUMENT',
        `--baselines: unknown policy "${n}"${didYouMean(n, policyNames())}; the profile would have no reference`,
      );
  if (baselines.length === 0)
    throw new ArsError('ARS_E_INPUT_ARGUMENT', '--baselines needs at least one policy name');
  // read the start profile before the long work, so a bad file is refused at once
  const start = resolveParams(policy, o.start ? { profile: o.start } : {});
  const seeds = o.seeds;
  const log = o.log ?? (() => {});
  const common = {
    replications: 1,
    ...(o.horizon !== undefined ? { horizon: o.horizon } : {}),
    ...(o.workers !== undefined ? { workers: o.workers } : {}),
  };
  /** mean objective metrics of each policy over the training seeds */
  const measure = async (label: string, policies: { name: string; params: Record<string, unknown> }[]) => {
    const perSeed: Awaited<ReturnType<typeof compare>>[] = [];
    // one display over every run of this step (policies × seeds)
    const bar = o.progress?.(label, policies.length * seeds.length);
    try {
      for (const seed of seeds) {
        const before = perSeed.length * policies.length;
        perSeed.push(
          await compare(scenario, {
            ...common,
            policies,
            firstSeed: seed,
            ...(bar ? { onProgress: (done: number) => bar.update(before + done) } : {}),
          }),
        );
      }
    } finally {
      bar?.stop();
    }
    return policies.map((_, p) => meanMetrics(perSeed.map((c) => c.results[p]!.runs[0])));
  };
  log(`tune ${scenario.name}: references ${baselines.join(', ')} on seeds ${seeds.join(', ')}`);
  const refs = await measure(
    'reference runs',
    baselines.map((name) => ({ name, params: {} })),
  );
  const reference: MetricValues = bestOf(refs);
  // the tunable parameters left out keep their start values in every candidate and in the profile
  const fixed = Object.fromEntries(
    TUNABLE.filter((k) => !tuned.includes(k)).map((k) => [k, start[k]]),
  ) as Partial<ArsParams>;
  let iteration = 0;
  const result = await crossEntropySearch(
    async (candidates) => {
      iteration++;
      const values = await measure(
        `iteration ${iteration}/${o.iterations}`,
        candidates.map((c) => ({ name: policy, params: { ...fixed, ...c } })),
      );
      return values.map((v) => objective(v, reference));
    },
    {
      parameters: tuned,
      start,
      iterations: o.iterations,
      population: o.population,
      seed: seeds[0]!,
      onIteration: (i, best) => log(`  iteration ${i}/${o.iterations}: best objective ${best.toFixed(4)}`),
    },
  );
  const params = { ...fixed, ...result.best };
  const [values] = await measure('tuned profile', [{ name: policy, params: { ...params } }]);
  return {
    policy,
    scenario: scenario.name,
    method: 'cross-entropy',
    trainedOn: { seeds, horizon: o.horizon ?? scenario.horizon },
    search: {
      iterations: o.iterations,
      population: o.population,
      evaluations: result.evaluations,
      history: result.history,
    },
    objective: {
      start: result.startScore,
      best: result.bestScore,
      references: baselines,
      reference,
      tuned: values,
    },
    ...(tuned.length < TUNABLE.length ? { tunedParameters: tuned } : {}),
    params,
  };
}
