/**
 * The live service's Prometheus metrics, on a registry of its own (two servers in one process, as in tests,
 * never share counters). Ingest is counted here; the other families are filled by the scheduling runtime
 * (part B) through the same object.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { kAnonymize } from '../security/k-anonymity.js';

/** One twin as the age-of-information gauges group it. */
export interface TwinAge {
  readonly tenant: string;
  readonly criticality: number;
  readonly ageSeconds: number;
}

/** Where the twin gauges read the twins from at each scrape, and the k-anonymity threshold they apply. */
export type TwinSource = () => { readonly twins: readonly TwinAge[]; readonly k: number };

/** What the platform gauges (agents, queue, node utilisation) read at each scrape. */
export type RuntimeSource = () => {
  readonly agents: number;
  readonly queue: number;
  /** busy share of each up node's capacity, 0..1 */
  readonly nodes: readonly { readonly id: string; readonly compute: number; readonly attention: number }[];
};

export interface LiveMetrics {
  readonly registry: Registry;
  /** Samples durably stored, by transport (`http`, `mqtt`). */
  readonly ingestSamples: Counter<'transport'>;
  /** Samples or messages refused, by transport and reason (`malformed-json`, `schema`, `unknown-thing`, …). */
  readonly ingestRejects: Counter<'transport' | 'reason'>;
  /**
   * Age of information of twins now, in seconds: the mean per tenant and criticality, computed at each scrape
   * from {@link LiveMetrics.observeTwins}'s source; a group of fewer than k twins has no series.
   */
  readonly twinAoi: Gauge<'tenant' | 'criticality'>;
  /** Per tenant: how many of its (tenant, criticality) groups `twinAoi` withholds (fewer than k twins). */
  readonly twinGroupsWithheld: Gauge<'tenant'>;
  /** Sets where the twin gauges read the live twins from (the live routes call it). */
  observeTwins(source: TwinSource): void;
  /** Sets where the platform gauges read the live runtime from (the live routes call it). */
  observeRuntime(source: RuntimeSource): void;
  /** Request response time in seconds, by tenant. */
  readonly requestLatency: Histogram<'tenant'>;
  /** Requests finished after their deadline, by tenant. */
  readonly requestMisses: Counter<'tenant'>;
  /** Requests by final state (`done`, `failed`, `cancelled`) and tenant. */
  readonly requestsFinished: Counter<'tenant' | 'state'>;
  /** Scheduler decisions by kind. */
  readonly decisions: Counter<'kind'>;
  /** Time from a task becoming ready to its assignment being sent, in seconds. */
  readonly decisionLatency: Histogram;
  /** Busy share of each node's capacity, 0..1, by node and resource (`compute`, `attention`). */
  readonly nodeUtilisation: Gauge<'node' | 'resource'>;
  /** Ready tasks waiting for a node. */
  readonly queueLength: Gauge;
  /** Connected agents. */
  readonly agents: Gauge;
}

export function createLiveMetrics(options: { defaultMetrics?: boolean } = {}): LiveMetrics {
  const registry = new Registry();
  const registers = [registry];
  if (options.defaultMetrics) {
    // Process figures (CPU, memory, event loop lag) for a real deployment; off in tests.
    collectDefaultMetrics({ register: registry });
  }
  let twinSource: TwinSource | undefined;
  let runtimeSource: RuntimeSource | undefined;
  // both twin gauges read the same grouping at a scrape; recomputed per gauge (a pass over the twins)
  const twinGroups = () => {
    if (!twinSource) return undefined;
    const { twins, k } = twinSource();
    const groups = new Map<string, { tenant: string; criticality: number; ages: number[] }>();
    for (const t of twins) {
      const key = `${t.tenant}/criticality ${t.criticality}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { tenant: t.tenant, criticality: t.criticality, ages: [] }));
      g.ages.push(t.ageSeconds);
    }
    return kAnonymize(
      [...groups.entries()].map(([key, value]) => ({ key, members: value.ages.length, value })),
      k,
    );
  };
  return {
    registry,
    observeTwins(source) {
      twinSource = source;
    },
    observeRuntime(source) {
      runtimeSource = source;
    },
    twinGroupsWithheld: new Gauge({
      name: 'ars_twin_groups_withheld',
      help: 'Twin groups (tenant and criticality) whose age is withheld: fewer than k twins',
      labelNames: ['tenant'],
      registers,
      collect() {
        const g = twinGroups();
        if (!g) return;
        this.reset();
        const perTenant = new Map<string, number>();
        for (const r of g.released) perTenant.set(r.value.tenant, perTenant.get(r.value.tenant) ?? 0);
        for (const w of g.withheld) {
          const tenant = w.group.slice(0, w.group.lastIndexOf('/criticality '));
          perTenant.set(tenant, (perTenant.get(tenant) ?? 0) + 1);
        }
        for (const [tenant, n] of perTenant) this.set({ tenant }, n);
      },
    }),
    ingestSamples: new Counter({
      name: 'ars_ingest_samples_total',
      help: 'Telemetry samples durably stored',
      labelNames: ['transport'],
      registers,
    }),
    ingestRejects: new Counter({
      name: 'ars_ingest_rejects_total',
      help: 'Telemetry samples or messages refused, by reason',
      labelNames: ['transport', 'reason'],
      registers,
    }),
    twinAoi: new Gauge({
      name: 'ars_twin_aoi_seconds',
      help: 'Mean age of information of twins now, per group of at least k twins',
      labelNames: ['tenant', 'criticality'],
      registers,
      collect() {
        const g = twinGroups();
        if (!g) return;
        this.reset();
        for (const { value } of g.released)
          this.set(
            { tenant: value.tenant, criticality: String(value.criticality) },
            value.ages.reduce((a, b) => a + b, 0) / value.ages.length,
          );
      },
    }),
    requestLatency: new Histogram({
      name: 'ars_request_latency_seconds',
      help: 'Request response time from submission to completion',
      labelNames: ['tenant'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    }),
    requestMisses: new Counter({
      name: 'ars_request_deadline_misses_total',
      help: 'Requests that finished after their deadline',
      labelNames: ['tenant'],
      registers,
    }),
    requestsFinished: new Counter({
      name: 'ars_requests_finished_total',
      help: 'Requests by final state',
      labelNames: ['tenant', 'state'],
      registers,
    }),
    decisions: new Counter({
      name: 'ars_decisions_total',
      help: 'Scheduler decisions by kind',
      labelNames: ['kind'],
      registers,
    }),
    decisionLatency: new Histogram({
      name: 'ars_decision_latency_seconds',
      help: 'From a task becoming ready to its assignment being sent',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1],
      registers,
    }),
    nodeUtilisation: new Gauge({
      name: 'ars_node_utilisation_ratio',
      help: 'Busy share of a node capacity',
      labelNames: ['node', 'resource'],
      registers,
      collect() {
        if (!runtimeSource) return;
        this.reset();
        for (const n of runtimeSource().nodes) {
          this.set({ node: n.id, resource: 'compute' }, n.compute);
          this.set({ node: n.id, resource: 'attention' }, n.attention);
        }
      },
    }),
    queueLength: new Gauge({
      name: 'ars_queue_length',
      help: 'Ready tasks waiting for a node',
      registers,
      collect() {
        if (runtimeSource) this.set(runtimeSource().queue);
      },
    }),
    agents: new Gauge({
      name: 'ars_agents_connected',
      help: 'Connected agents',
      registers,
      collect() {
        if (runtimeSource) this.set(runtimeSource().agents);
      },
    }),
  };
}

/**
 * The part of a Prometheus exposition a tenant may see: only samples labelled with its own
 * `tenant="…"`; series without a tenant label (nodes, queue, process) are the platform's and are dropped.
 * `# HELP`/`# TYPE` lines stay (they hold no data). Anonymous callers never get here (401).
 */
export function metricsFor(text: string, tenant: string | undefined): string {
  if (tenant === undefined) return '';
  const own = `tenant="${tenant.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line === '') out.push(line);
    else {
      const labels = /^[^{\s]+\{(.*)\}\s/.exec(line)?.[1];
      if (labels === undefined) continue;
      // the label set must hold exactly our tenant label (a prefix match would let "a" see "ab")
      if (
        labels.split(/,(?=[a-zA-Z_][a-zA-Z0-9_]*=")/).some((l) => l === own) &&
        !labels.split(/,(?=[a-zA-Z_][a-zA-Z0-9_]*=")/).some((l) => l.startsWith('tenant=') && l !== own)
      )
        out.push(line);
    }
  }
  return out.join('\n');
}
