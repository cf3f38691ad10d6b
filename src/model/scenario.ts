/**
 * The expanded, immutable scenario that the world runs: groups turned into individual nodes and twins,
 * dependencies normalised into edges, trace files read. Built by `loadScenario` / `parseScenario`.
 */
import type {
  AssetGroupSpec,
  DynamicsSpec,
  NetworkSpec,
  NodeGroupSpec,
  PrivacySpec,
  ScenarioSpec,
  TenantSpec,
  Tier,
  TwinSpec,
} from './schema.js';

export interface NodeDef {
  readonly id: string;
  /** id of the `nodes` entry this node came from */
  readonly group: string;
  readonly index: number;
  readonly tier: Tier;
  readonly zone: string | undefined;
  readonly compute: number;
  readonly attention: number;
  readonly speedDefault: number;
  readonly speedByKind: Readonly<Record<string, number>>;
  readonly costPerSecond: number;
  readonly powerIdle: number;
  readonly powerBusy: number;
  readonly failure: { readonly mtbf: number; readonly mttr: number } | undefined;
}

export interface TwinDef {
  readonly id: string;
  /** id of the `assets` entry this twin came from */
  readonly group: string;
  readonly index: number;
  readonly tenant: string;
  readonly zone: string | undefined;
  readonly dynamics: DynamicsSpec;
  readonly anomaly: AssetGroupSpec['anomaly'];
  readonly criticality: number;
  readonly sampleBytes: number;
  readonly refresh: TwinSpec['refresh'];
  readonly maxAge: number | undefined;
  readonly sensitive: readonly string[];
  readonly forecaster: TwinSpec['forecaster'];
}

export interface TaskDef {
  readonly id: string;
  readonly index: number;
  readonly kind: string;
  readonly work: number;
  readonly compute: number;
  readonly attention: number;
  readonly tier: Tier | undefined;
  readonly twin: { readonly group: string; readonly maxAge: number } | undefined;
  /** present (true) only when the scenario marks the task's input sensitive */
  readonly sensitive?: true;
  readonly outputBytes: number;
  /** indices into `WorkloadDef.edges` */
  readonly inEdges: readonly number[];
  readonly outEdges: readonly number[];
}

export interface EdgeDef {
  readonly from: number;
  readonly to: number;
  readonly bytes: number;
}

export interface WorkloadDef {
  readonly id: string;
  readonly index: number;
  readonly tenant: string;
  readonly priority: number;
  readonly deadline: number | undefined;
  readonly arrival: ScenarioSpec['workloads'][number]['arrival'];
  /** arrival times read from a trace file, ascending; present only for `kind: trace` */
  readonly traceTimes: readonly number[] | undefined;
  /** tasks in a topological order (every edge goes from a lower to a higher index) */
  readonly tasks: readonly TaskDef[];
  readonly edges: readonly EdgeDef[];
}

export interface PolicyRef {
  readonly name: string;
  readonly params: Readonly<Record<string, unknown>>;
}

export interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly seed: number;
  readonly horizon: number;
  readonly warmup: number;
  readonly policy: PolicyRef;
  readonly failures: ScenarioSpec['failures'];
  /** the batch window resolved: the file's, or the default from the deadlines (`batchWindow`) */
  readonly scheduling: { readonly window: number; readonly feedbackWindow: number };
  readonly tenants: readonly TenantSpec[];
  readonly nodeGroups: readonly NodeGroupSpec[];
  readonly nodes: readonly NodeDef[];
  readonly network: NetworkSpec;
  readonly assetGroups: readonly AssetGroupSpec[];
  readonly twins: readonly TwinDef[];
  readonly workloads: readonly WorkloadDef[];
  /** present only when the scenario restricts where sensitive data may be processed */
  readonly privacy?: PrivacySpec;
  /** the file it was loaded from, if any */
  readonly file: string | undefined;
}
