import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createLiveMetrics } from '../server/metrics.js';
import { countDecisions } from './decision-metrics.js';
import type { LiveRuntime } from './runtime.js';

const line = (text: string, series: string) =>
  text
    .split('\n')
    .find((l) => l.startsWith(`${series} `))
    ?.slice(series.length + 1);

describe('countDecisions', () => {
  it('counts traced decisions by kind and observes assignment latencies, until stopped', async () => {
    const metrics = createLiveMetrics();
    // the runtime, or the cluster proxy's hub: only its events are read
    const rt = new EventEmitter() as unknown as LiveRuntime;
    const stop = countDecisions(rt, metrics);
    rt.emit('decision', { kind: 'place', subject: 'r-1/a', time: 0 });
    rt.emit('decision', { kind: 'place', subject: 'r-1/b', time: 0 });
    rt.emit('decision', { kind: 'attention', subject: 'pump-1', time: 0 });
    rt.emit('task', { state: 'assigned', decisionLatencyMs: 3 });
    // deferred for capacity (no latency) and other states are not observed
    rt.emit('task', { state: 'assigned' });
    rt.emit('task', { state: 'done', decisionLatencyMs: 5 });
    let text = await metrics.registry.metrics();
    expect(line(text, 'ars_decisions_total{kind="place"}')).toBe('2');
    expect(line(text, 'ars_decisions_total{kind="attention"}')).toBe('1');
    expect(line(text, 'ars_decision_latency_seconds_count')).toBe('1');
    expect(line(text, 'ars_decision_latency_seconds_sum')).toBe('0.003');
    expect(line(text, 'ars_decision_latency_seconds_bucket{le="0.005"}')).toBe('1');
    expect(line(text, 'ars_decision_latency_seconds_bucket{le="0.002"}')).toBe('0');
    stop();
    rt.emit('decision', { kind: 'place', subject: 'r-2/a', time: 1 });
    text = await metrics.registry.metrics();
    expect(line(text, 'ars_decisions_total{kind="place"}')).toBe('2');
  });
});
