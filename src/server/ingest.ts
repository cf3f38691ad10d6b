/**
 * Telemetry ingest shared by HTTP and MQTT: store a batch durably, then count it and announce it on the
 * event bus (one `telemetry` event per thing in the batch). A refused batch is counted by reason.
 */
import type { SampleAppend, SampleInput, Store } from '../store/store.js';
import type { EventBus } from './events.js';
import type { LiveMetrics } from './metrics.js';

export interface LiveContext {
  readonly store: Store;
  readonly events: EventBus;
  readonly metrics: LiveMetrics;
}

export type Transport = 'http' | 'mqtt';

export async function ingestSamples(
  ctx: LiveContext,
  samples: SampleInput[],
  options: { transport: Transport; tenant?: string; receivedAt?: number },
): Promise<SampleAppend> {
  const receivedAt = options.receivedAt ?? Date.now();
  const result = await ctx.store.appendSamples(samples, {
    receivedAt,
    ...(options.tenant !== undefined ? { tenant: options.tenant } : {}),
  });
  if (!result.ok) {
    ctx.metrics.ingestRejects.inc({ transport: options.transport, reason: result.reason }, samples.length);
    return result;
  }
  ctx.metrics.ingestSamples.inc({ transport: options.transport }, samples.length);
  if (ctx.events.size > 0) {
    const perThing = new Map<
      string,
      { count: number; newestTime: number; latest: SampleInput['features'] }
    >();
    for (const s of samples) {
      const seen = perThing.get(s.thingId);
      if (!seen) perThing.set(s.thingId, { count: 1, newestTime: s.time, latest: s.features });
      else {
        seen.count++;
        if (s.time >= seen.newestTime) {
          seen.newestTime = s.time;
          seen.latest = s.features;
        }
      }
    }
    for (const [thingId, { count, newestTime, latest }] of perThing) {
      const tenant = result.tenants[thingId] ?? '';
      ctx.events.emit({
        type: 'telemetry',
        thingId,
        tenant,
        count,
        newestTime,
        latest,
        transport: options.transport,
        time: receivedAt,
      });
    }
  }
  return result;
}
