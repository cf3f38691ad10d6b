/**
 * Telemetry ingest shared by HTTP and MQTT: store a batch durably, then count it and announce it on the
 * event bus (one `telemetry` event per thing in the batch). A refused batch is counted by reason. A batch
 * with an idempotency key that the store already holds (a client's retry, a broker's redelivery) is answered
 * as the first time and neither stored, counted nor announced again.
 */
import { createHash } from 'node:crypto';
import type { IdempotencyKey, SampleAppend, SampleInput, Store } from '../store/store.js';
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
  options: {
    transport: Transport;
    tenant?: string;
    receivedAt?: number;
    key?: IdempotencyKey;
    redelivery?: boolean;
  },
): Promise<SampleAppend> {
  const receivedAt = options.receivedAt ?? Date.now();
  const result = await ctx.store.appendSamples(samples, {
    receivedAt,
    ...(options.tenant !== undefined ? { tenant: options.tenant } : {}),
    ...(options.key ? { key: options.key } : {}),
    ...(options.redelivery ? { redelivery: true } : {}),
  });
  if (result.ok && result.duplicate) return result;
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

/** The digest of a batch as received (its body, or a message's topic and payload), for idempotency keys. */
export function batchDigest(...parts: (string | Buffer)[]): string {
  const h = createHash('sha256');
  for (const p of parts) {
    h.update(p);
    h.update('\0');
  }
  return h.digest('base64url');
}
