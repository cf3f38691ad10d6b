/**
 * Fills the per-tenant request series of `/metrics` (src/server/metrics.ts) from the live runtime: when a
 * request finishes, its response time (service seconds from submission to completion) goes into
 * `ars_request_latency_seconds`, a completion after its deadline counts in `ars_request_deadline_misses_total`,
 * and its final state (`done` or `failed`) in `ars_requests_finished_total`, each under the tenant the
 * request was submitted for (an authenticated tenant's id). These are request counts of one tenant, seen by
 * that tenant (and administrators) only; k-anonymity applies to twin aggregates, not here.
 */
import type { LiveMetrics } from '../server/metrics.js';
import type { LiveRuntime } from './runtime.js';

type RequestSeries = Pick<LiveMetrics, 'requestLatency' | 'requestMisses' | 'requestsFinished'>;

/** Counts each request of `rt` once as it finishes; returns the function that stops counting. */
export function countRequests(rt: LiveRuntime, metrics: RequestSeries): () => void {
  const onRequest = (e: { id: string; status: string }) => {
    if (e.status !== 'completed' && e.status !== 'failed') return;
    const r = rt.requests.get(e.id);
    if (!r) return;
    const tenant = r.tenantId;
    if (r.status === 'failed') {
      metrics.requestsFinished.inc({ tenant, state: 'failed' });
      return;
    }
    metrics.requestsFinished.inc({ tenant, state: 'done' });
    metrics.requestLatency.observe({ tenant }, r.finish - r.arrival);
    if (r.finish > r.deadline) metrics.requestMisses.inc({ tenant });
  };
  rt.on('request', onRequest);
  return () => {
    rt.off('request', onRequest);
  };
}
