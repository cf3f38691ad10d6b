/**
 * Fills the scheduler series of `/metrics` (src/server/metrics.ts) from the live runtime:
 * `ars_decisions_total{kind}` counts every decision as the runtime traces it (`place`, `attention`, `plan`,
 * `scale`, `feedback`: the same decisions `/api/v1/decisions` serves), and `ars_decision_latency_seconds`
 * observes, for each task assignment, the wall time from the task entering the ready queue (its upstream
 * tasks done and its twins fresh enough) to its `assign` message being handed to the agent's socket. Only assignments
 * decided in the scheduling cycle the task became ready for are observed: a task that waited in the queue
 * for capacity is queueing, not deciding, and is left out (as the summary's `decisionLatencyMs` does);
 * twin refreshes are not observed either. Both are platform series (no tenant label): administrators only.
 */
import type { Decision } from '../scheduler/decision.js';
import type { LiveMetrics } from '../server/metrics.js';
import type { LiveRuntime } from './runtime.js';

type DecisionSeries = Pick<LiveMetrics, 'decisions' | 'decisionLatency'>;

/** Counts the decisions and assignment latencies of `rt` (a runtime or the cluster's proxy); returns the stop. */
export function countDecisions(rt: LiveRuntime, metrics: DecisionSeries): () => void {
  const onDecision = (d: Decision) => {
    metrics.decisions.inc({ kind: d.kind });
  };
  const onTask = (e: { state: string; decisionLatencyMs?: number }) => {
    if (e.state === 'assigned' && e.decisionLatencyMs !== undefined)
      metrics.decisionLatency.observe(e.decisionLatencyMs / 1000);
  };
  rt.on('decision', onDecision);
  rt.on('task', onTask);
  return () => {
    rt.off('decision', onDecision);
    rt.off('task', onTask);
  };
}
