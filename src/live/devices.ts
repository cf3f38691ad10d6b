/**
 * Devices for demos and tests: the scenario's assets played on the wall clock with the simulator's own drift
 * and anomaly models (src/world/asset.ts), each publishing a sample every `period` seconds, staggered so the
 * load is even. Publishes over MQTT (`telemetry/<tenant>/<thingId>`, QoS 1 by default) or HTTP batches
 * (`POST /api/v1/telemetry`), each sample as `{ time, features: { value: { value } } }`.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { RandomStreams } from '../engine/random.js';
import type { Scenario } from '../model/scenario.js';
import { AssetStates } from '../world/asset.js';
import { thingIdFor } from './model.js';

export interface DevicesOptions {
  readonly mqtt?: string;
  readonly http?: string;
  /** seconds between two samples of one device (default 1) */
  readonly period?: number;
  readonly qos?: 0 | 1;
  readonly seed?: number;
  /** how often the player wakes to publish what is due, ms (default 50) */
  readonly tickMs?: number;
  readonly onError?: (err: Error) => void;
}

export interface DevicePlayer {
  readonly published: number;
  readonly errors: number;
  stop(): Promise<void>;
}

export async function playDevices(scenario: Scenario, options: DevicesOptions): Promise<DevicePlayer> {
  const period = options.period ?? 1;
  const tickMs = options.tickMs ?? 50;
  const streams = new RandomStreams(options.seed ?? scenario.seed);
  const assets = new AssetStates(scenario.twins, streams.stream('assets'));
  const anomalies = streams.stream('anomalies');
  const start = Date.now();
  const n = scenario.twins.length;
  const next = new Float64Array(n);
  const nextAnomaly = new Float64Array(n);
  scenario.twins.forEach((t, i) => {
    next[i] = (i / Math.max(n, 1)) * period;
    const rate = t.anomaly?.rate ?? 0;
    nextAnomaly[i] = rate > 0 ? anomalies.exponential(rate) : Number.POSITIVE_INFINITY;
  });
  let client: MqttClient | undefined;
  if (options.mqtt)
    client = await mqtt.connectAsync(options.mqtt, { clientId: `ars-devices-${process.pid}-${start}` });
  const telemetryUrl = options.http ? new URL('/api/v1/telemetry', options.http).toString() : undefined;
  let published = 0;
  let errors = 0;
  let inflight: Promise<void> = Promise.resolve();
  const report = (err: Error) => {
    errors++;
    options.onError?.(err);
  };
  const tick = () => {
    const t = (Date.now() - start) / 1000;
    const batch: { thingId: string; tenant: string; time: number; value: number }[] = [];
    for (let i = 0; i < n; i++) {
      const def = scenario.twins[i]!;
      while (nextAnomaly[i]! <= t) {
        assets.startAnomaly(i, nextAnomaly[i]!, def.anomaly!.kind, def.anomaly!.magnitude);
        nextAnomaly[i] = nextAnomaly[i]! + anomalies.exponential(def.anomaly!.rate);
      }
      if (next[i]! > t) continue;
      const at = next[i]!;
      next[i] = at + period;
      // skip samples missed while the process was stalled rather than bursting them out
      if (next[i]! <= t) next[i] = t + period;
      const value = assets.valueAt(i, at);
      batch.push({
        thingId: thingIdFor(def.tenant, def.id),
        tenant: def.tenant,
        time: Math.round(start + at * 1000),
        value,
      });
    }
    if (batch.length === 0) return;
    if (client) {
      for (const s of batch) {
        client.publish(
          `telemetry/${s.tenant}/${s.thingId}`,
          JSON.stringify({ time: s.time, features: { value: { value: s.value } } }),
          { qos: options.qos ?? 1 },
          (err) => {
            if (err) report(err);
          },
        );
      }
      published += batch.length;
    } else if (telemetryUrl) {
      inflight = inflight.then(async () => {
        try {
          const res = await fetch(telemetryUrl, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(
              batch.map((s) => ({
                thingId: s.thingId,
                time: s.time,
                features: { value: { value: s.value } },
              })),
            ),
          });
          if (!res.ok) report(new Error(`telemetry answered ${res.status}: ${await res.text()}`));
          else {
            await res.arrayBuffer();
            published += batch.length;
          }
        } catch (err) {
          report(err as Error);
        }
      });
    }
  };
  const timer = setInterval(tick, tickMs);
  return {
    get published() {
      return published;
    },
    get errors() {
      return errors;
    },
    async stop() {
      clearInterval(timer);
      await inflight;
      if (client) await client.endAsync();
    },
  };
}
