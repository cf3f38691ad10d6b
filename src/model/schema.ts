/**
 * The scenario schema: one source for validation, the TypeScript types and the exported JSON Schema.
 *
 * Units: times and durations in simulated seconds, data sizes in bytes, bandwidth in bytes per second,
 * power in watts, energy in joules, money in the scenario's currency. Every field's description states
 * its unit; docs/scenario.md is generated from these descriptions.
 *
 * Resource model: a node offers `compute` units (think cores) and `attention` units (monitor slots,
 * sync channels). A task or refresh reserves some of each for as long as it runs (space sharing,
 * as Kubernetes and DRF do), and runs for `work / speed` seconds on the node. Durations therefore do
 * not depend on what else runs there, which is what lets a planner such as HEFT promise a finish
 * time that execution then keeps.
 */
import { z } from 'zod';

// `__proto__` is refused: ids become keys of result maps (dominant shares by tenant, utilisation by
// node), where that one name would set the object's prototype instead of adding an entry.
const id = z
  .string()
  .regex(
    /^(?!__proto__$)[A-Za-z_][A-Za-z0-9_.:-]*$/,
    'an identifier: a letter or _, then letters, digits, _ . : - (and not __proto__)',
  )
  .describe(
    'identifier: a letter or underscore, then letters, digits, `_`, `.`, `:` or `-` (not `__proto__`)',
  );
const seconds = (what: string) => z.number().nonnegative().describe(`${what} (seconds)`);
const positiveSeconds = (what: string) => z.number().positive().describe(`${what} (seconds)`);

export const tierSchema = z.enum(['edge', 'fog', 'cloud']).describe('node tier');
/** Where a transfer starts or ends: a node's tier, or `device` for the physical asset itself. */
export const endpointTierSchema = z
  .enum(['device', 'edge', 'fog', 'cloud'])
  .describe('`device` is the physical asset, the others are node tiers');

// ---------------------------------------------------------------- nodes

const speedSchema = z
  .union([
    z.number().positive(),
    z.strictObject({
      default: z.number().positive().default(1).describe('speed factor for task kinds not listed'),
      kinds: z
        .record(z.string(), z.number().positive())
        .default({})
        .describe('speed factor per task kind, e.g. `{ simulate: 0.5 }`'),
    }),
  ])
  .default(1)
  .describe(
    'speed factor: a task of `work` w runs w / speed seconds here. A number applies to every kind; an object sets it per task kind',
  );

const failureSchema = z
  .strictObject({
    mtbf: positiveSeconds('mean time between failures, exponential'),
    mttr: positiveSeconds('mean time to repair, exponential'),
  })
  .describe('random crash and repair of a node; running work is retried or lost per `failures.onFailure`');

const scalingRuleSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('target-utilization'),
    target: z.number().gt(0).lte(1).describe('compute utilisation the pool aims for (0..1)'),
  }),
  z.strictObject({
    kind: z.literal('queue-length'),
    perNode: z.number().positive().describe('waiting tasks per node above which the pool grows'),
  }),
  z.strictObject({
    kind: z.literal('forecast'),
    target: z.number().gt(0).lte(1).describe('utilisation the pool aims for at the forecast demand (0..1)'),
  }),
]);

const elasticSchema = z
  .strictObject({
    min: z.number().int().nonnegative().describe('fewest nodes the pool shrinks to'),
    max: z.number().int().positive().describe('most nodes the pool grows to'),
    rule: scalingRuleSchema.describe('when to grow or shrink'),
    interval: positiveSeconds('how often the scaler looks').default(30),
    provisioningDelay: seconds('time from the decision to grow until the new node is up').default(60),
    provisioningCost: z
      .number()
      .nonnegative()
      .default(0)
      .describe('cost charged per node started (currency)'),
  })
  .describe('lets a node group grow and shrink; the group `count` is its starting size');

export const nodeGroupSchema = z
  .strictObject({
    id: id.describe('node id, or the id prefix of a group: `edge` with count 3 gives edge-0, edge-1, edge-2'),
    count: z.number().int().positive().default(1).describe('how many identical nodes this entry makes'),
    tier: tierSchema,
    zone: id.optional().describe('network zone; transfers across zones use `network.zones`'),
    labels: z
      .record(
        id.refine(
          (k) => !['tier', 'zone', 'group'].includes(k),
          'a label other than tier, zone or group (built in)',
        ),
        z.string(),
      )
      .optional()
      .describe(
        'free labels (e.g. `site: on-prem`) that `privacy.sensitiveNodes` can select on, beside the built-in `tier`, `zone` and `group`',
      ),
    compute: z.number().positive().describe('compute capacity (units, e.g. cores) shared by running work'),
    attention: z
      .number()
      .nonnegative()
      .default(0)
      .describe('attention capacity (units: monitoring slots, sync channels)'),
    speed: speedSchema,
    costPerSecond: z
      .number()
      .nonnegative()
      .default(0)
      .describe('cost of keeping the node up (currency per second)'),
    power: z
      .strictObject({
        idle: z.number().nonnegative().default(0).describe('power drawn when idle (watts)'),
        busy: z.number().nonnegative().default(0).describe('power drawn when all compute is busy (watts)'),
      })
      .default({ idle: 0, busy: 0 })
      .describe('linear power model between idle and fully busy'),
    failure: failureSchema.optional(),
    elastic: elasticSchema.optional(),
  })
  .describe('a node, or a group of identical nodes');

// ---------------------------------------------------------------- network

const linkPropsSchema = {
  latency: seconds('one-way latency'),
  bandwidth: z.number().positive().describe('bandwidth (bytes per second)'),
};

export const networkSchema = z
  .strictObject({
    default: z
      .strictObject(linkPropsSchema)
      .default({ latency: 0.01, bandwidth: 125_000_000 })
      .describe('used for any pair of endpoints that nothing more specific covers'),
    tiers: z
      .array(
        z.strictObject({
          between: z.tuple([endpointTierSchema, endpointTierSchema]).describe('the two tiers'),
          ...linkPropsSchema,
        }),
      )
      .default([])
      .describe('latency and bandwidth between two tiers (symmetric)'),
    zones: z
      .array(z.strictObject({ between: z.tuple([id, id]).describe('the two zones'), ...linkPropsSchema }))
      .default([])
      .describe('latency added and bandwidth cap when a transfer crosses two zones (symmetric)'),
    links: z
      .array(
        z.strictObject({
          between: z.tuple([id, id]).describe('two node ids or node group ids'),
          ...linkPropsSchema,
          shared: z
            .boolean()
            .default(false)
            .describe(
              'transfers on this link queue for it one at a time instead of each getting full bandwidth',
            ),
        }),
      )
      .default([])
      .describe('explicit links between nodes; they take precedence over tier and zone pairs'),
  })
  .default({ default: { latency: 0.01, bandwidth: 125_000_000 }, tiers: [], zones: [], links: [] })
  .describe('how long data takes between endpoints: latency + bytes / bandwidth');

// ---------------------------------------------------------------- tenants

export const tenantSchema = z
  .strictObject({
    id: id.describe('tenant id'),
    weight: z.number().positive().default(1).describe('share weight in weighted fairness (DRF)'),
    quota: z
      .strictObject({
        compute: z
          .number()
          .gt(0)
          .lte(1)
          .optional()
          .describe('most of the total compute the tenant may hold (0..1)'),
        attention: z
          .number()
          .gt(0)
          .lte(1)
          .optional()
          .describe('most of the total attention the tenant may hold (0..1)'),
      })
      .default({})
      .describe('caps on the tenant’s share of each resource'),
  })
  .describe('a customer of the platform; twins and workloads belong to one');

// ---------------------------------------------------------------- assets and twins

const dynamicsSchema = z
  .discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('random-walk'),
      initial: z.number().default(0).describe('state at time 0'),
      drift: z.number().default(0).describe('mean change per second'),
      volatility: z
        .number()
        .nonnegative()
        .default(1)
        .describe('standard deviation of the change over one second'),
    }),
    z.strictObject({
      kind: z.literal('ornstein-uhlenbeck'),
      initial: z.number().default(0).describe('state at time 0'),
      mean: z.number().default(0).describe('level the state reverts to'),
      reversion: z.number().positive().default(0.1).describe('reversion rate theta (per second)'),
      volatility: z.number().nonnegative().default(1).describe('noise scale sigma (per square-root second)'),
    }),
    z.strictObject({
      kind: z.literal('periodic'),
      mean: z.number().default(0).describe('average level'),
      amplitude: z.number().nonnegative().default(1).describe('half the peak-to-peak swing'),
      period: positiveSeconds('period of the cycle').default(86_400),
      phase: seconds('time of the first peak').default(0),
      noise: z.number().nonnegative().default(0.1).describe('standard deviation of white measurement noise'),
    }),
  ])
  .default({ kind: 'random-walk', initial: 0, drift: 0, volatility: 1 })
  .describe('how the hidden true state evolves');

const anomalySchema = z
  .strictObject({
    rate: z.number().nonnegative().describe('anomalies per second per asset (Poisson)'),
    kind: z.enum(['jump', 'drift']).default('jump').describe('a sudden jump, or the onset of a drift'),
    magnitude: z.number().positive().default(5).describe('jump size, or drift per second, in state units'),
    threshold: z
      .number()
      .positive()
      .optional()
      .describe('a refresh sees the anomaly when the state moved at least this much; default magnitude / 2'),
  })
  .describe('random anomalies that a refresh must catch');

const twinSchema = z
  .strictObject({
    criticality: z
      .number()
      .positive()
      .default(1)
      .describe('importance weight, used in weighted age of information'),
    sampleBytes: z
      .number()
      .nonnegative()
      .default(1_000)
      .describe('size of one sample moved by a refresh (bytes)'),
    refresh: z
      .strictObject({
        work: z
          .number()
          .positive()
          .default(0.01)
          .describe('processing time of one refresh at speed 1 (seconds)'),
        compute: z.number().positive().default(1).describe('compute units held while the refresh runs'),
        attention: z
          .number()
          .nonnegative()
          .default(1)
          .describe('attention units held while the refresh runs'),
        kind: z.string().default('refresh').describe('task kind, for node speed factors'),
        tier: tierSchema.optional().describe('if set, refreshes run only on nodes of this tier'),
      })
      .default({ work: 0.01, compute: 1, attention: 1, kind: 'refresh' })
      .describe('what one synchronisation costs'),
    maxAge: seconds(
      'age the platform promises not to exceed for this twin; runs report the share of time it is exceeded (`twins.maxAgeViolation`)',
    ).optional(),
    sensitive: z
      .array(z.string())
      .default([])
      .describe(
        'names of fields of the twin’s state that are sensitive; with `privacy.sensitiveNodes` set, its refreshes and the tasks reading it run only on the nodes it selects',
      ),
    forecaster: z
      .enum(['none', 'last-value', 'linear'])
      .default('last-value')
      .describe('how the twin extrapolates between refreshes'),
  })
  .describe('the virtual model of an asset');

export const assetGroupSchema = z
  .strictObject({
    id: id.describe('asset id, or the id prefix of a group; its twin has the same id'),
    count: z.number().int().positive().default(1).describe('how many identical assets this entry makes'),
    tenant: id.describe('owning tenant'),
    zone: id.optional().describe('network zone the asset sends from'),
    dynamics: dynamicsSchema,
    anomaly: anomalySchema.optional(),
    twin: twinSchema.default({
      criticality: 1,
      sampleBytes: 1_000,
      refresh: { work: 0.01, compute: 1, attention: 1, kind: 'refresh' },
      sensitive: [],
      forecaster: 'last-value',
    }),
  })
  .describe('a physical asset (or a group of identical ones), each mirrored by one twin');

// ---------------------------------------------------------------- workloads

const arrivalSchema = z
  .discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('poisson'),
      rate: z.number().positive().describe('mean arrivals per second'),
    }),
    z.strictObject({
      kind: z.literal('periodic'),
      period: positiveSeconds('time between arrivals'),
      offset: seconds('time of the first arrival').default(0),
      jitter: seconds('uniform random jitter added to each arrival').default(0),
    }),
    z.strictObject({
      kind: z.literal('bursty'),
      onRate: z.number().positive().describe('arrivals per second during a burst'),
      offRate: z.number().nonnegative().default(0).describe('arrivals per second between bursts'),
      onMean: positiveSeconds('mean burst length, exponential'),
      offMean: positiveSeconds('mean quiet length, exponential'),
    }),
    z.strictObject({
      kind: z.literal('diurnal'),
      meanRate: z.number().positive().describe('average arrivals per second over a period'),
      amplitude: z
        .number()
        .min(0)
        .max(1)
        .default(0.5)
        .describe('relative swing: rate = mean (1 + a sin(...))'),
      period: positiveSeconds('length of a day').default(86_400),
      peak: seconds('time of the daily peak').default(50_400),
    }),
    z.strictObject({
      kind: z.literal('trace'),
      file: z.string().min(1).describe('CSV file of arrival times, relative to the scenario file'),
      column: z.string().default('time').describe('column holding the arrival time (seconds)'),
      scale: z.number().positive().default(1).describe('multiply every time by this'),
    }),
  ])
  .describe('when requests arrive');

const twinNeedSchema = z
  .strictObject({
    group: id.describe('asset group id; each request picks one twin of it at random'),
    maxAge: seconds(
      'oldest acceptable age of the twin when the task starts; a staler twin is refreshed first',
    ),
  })
  .describe('a twin the task reads');

export const taskSchema = z
  .strictObject({
    id: id.describe('task id, unique within the workload'),
    kind: z.string().default('generic').describe('task kind, for node speed factors'),
    work: z.number().positive().describe('processing time at speed 1 (seconds)'),
    compute: z.number().positive().default(1).describe('compute units held while the task runs'),
    attention: z.number().nonnegative().default(0).describe('attention units held while the task runs'),
    after: z.array(id).default([]).describe('tasks that must finish first (edges carrying no data)'),
    twin: twinNeedSchema.optional(),
    tier: tierSchema.optional().describe('if set, the task runs only on nodes of this tier'),
    sensitive: z
      .boolean()
      .optional()
      .describe(
        'the task’s input is sensitive: with `privacy.sensitiveNodes` set, it runs only on the nodes selected there',
      ),
    outputBytes: z.number().nonnegative().default(0).describe('result size returned to the user (bytes)'),
  })
  .describe('one vertex of a request DAG');

export const workloadSchema = z
  .strictObject({
    id: id.describe('workload id'),
    tenant: id.describe('tenant that sends these requests'),
    priority: z.number().int().default(0).describe('larger runs first under priority-aware policies'),
    deadline: positiveSeconds('time from arrival by which the request should complete').optional(),
    arrival: arrivalSchema,
    tasks: z.array(taskSchema).min(1).describe('the task DAG of each request'),
    edges: z
      .array(
        z.strictObject({
          from: id.describe('task that produces the data'),
          to: id.describe('task that needs the data; it starts after `from` finishes and the data arrives'),
          bytes: z.number().nonnegative().default(0).describe('data moved from `from` to `to` (bytes)'),
        }),
      )
      .default([])
      .describe('data-carrying dependencies; `after` lists add edges of 0 bytes'),
  })
  .describe('a stream of requests of one type from one tenant');

// ---------------------------------------------------------------- policy and run

export const policySchema = z
  .union([
    z.string().min(1),
    z.strictObject({
      name: z.string().min(1).describe('a name from `ars policies`'),
      params: z
        .record(z.string(), z.unknown())
        .default({})
        .describe('policy parameters, see docs/policies.md'),
    }),
  ])
  .default('fifo')
  .describe('the scheduling policy: a name, or `{ name, params }`');

export const privacySchema = z
  .strictObject({
    sensitiveNodes: z
      .record(id, z.union([z.string(), z.array(z.string()).min(1)]))
      .describe(
        'the nodes allowed to process sensitive data, as a label selector: every label listed must match (a list means any of its values); labels are a node’s `labels` plus `tier`, `zone` and `group`',
      ),
  })
  .describe(
    'where sensitive data may be processed: twins with `sensitive` fields and tasks marked `sensitive`',
  );
export type PrivacySpec = z.output<typeof privacySchema>;

export const scenarioSchema = z
  .strictObject({
    $schema: z.string().optional().describe('path or URL of the JSON Schema, for editors'),
    name: id.describe('scenario name, written into every result'),
    description: z.string().default('').describe('free text'),
    seed: z.number().int().nonnegative().default(1).describe('root seed of every random stream'),
    horizon: positiveSeconds('simulated time to run'),
    warmup: seconds('initial time excluded from the metrics').default(0),
    policy: policySchema,
    failures: z
      .strictObject({
        onFailure: z
          .enum(['retry', 'lose'])
          .default('retry')
          .describe('what happens to work on a failed node'),
        maxRetries: z.number().int().nonnegative().default(3).describe('retries before a task is lost'),
      })
      .default({ onFailure: 'retry', maxRetries: 3 })
      .describe('what node failures do to running work'),
    scheduling: z
      .strictObject({
        window: positiveSeconds(
          'batch planners plan the ready tasks every window; default: a twentieth of the tightest deadline per DAG step, within 0.01–1 s (1 s without deadlines)',
        ).optional(),
        feedbackWindow: positiveSeconds('feedback controllers read the metrics every window').default(60),
      })
      .default({ feedbackWindow: 60 })
      .describe('how often planners and feedback controllers act'),
    tenants: z.array(tenantSchema).min(1).describe('the customers of the platform (at least one)'),
    nodes: z
      .array(nodeGroupSchema)
      .min(1)
      .describe('the machines that run tasks and refreshes (at least one)'),
    network: networkSchema,
    assets: z.array(assetGroupSchema).default([]).describe('physical assets, each mirrored by a twin'),
    workloads: z.array(workloadSchema).default([]).describe('streams of user requests'),
    privacy: privacySchema.optional(),
  })
  .describe('an ARS scenario: everything one simulation run needs');

/** A scenario as written in a file (defaults not yet applied). */
export type ScenarioInput = z.input<typeof scenarioSchema>;
/** A scenario after validation with every default applied; groups are not expanded yet. */
export type ScenarioSpec = z.output<typeof scenarioSchema>;
export type NodeGroupSpec = z.output<typeof nodeGroupSchema>;
export type AssetGroupSpec = z.output<typeof assetGroupSchema>;
export type TwinSpec = AssetGroupSpec['twin'];
export type WorkloadSpec = z.output<typeof workloadSchema>;
export type TaskSpec = z.output<typeof taskSchema>;
export type TenantSpec = z.output<typeof tenantSchema>;
export type NetworkSpec = z.output<typeof networkSchema>;
export type ArrivalSpec = WorkloadSpec['arrival'];
export type DynamicsSpec = AssetGroupSpec['dynamics'];
export type PolicySpec = z.output<typeof policySchema>;
export type Tier = z.output<typeof tierSchema>;
export type EndpointTier = z.output<typeof endpointTierSchema>;
