/**
 * Durability of acknowledged telemetry across `kill -9`: a child-process replica (createServer + a real SQLite
 * file + the embedded MQTT broker) under HTTP and MQTT QoS 1 load is killed with SIGKILL at random points and
 * restarted on the same data; every sample acknowledged (HTTP 2xx, PUBACK) must be stored exactly once. Then
 * SIGTERM under load: the replica stops accepting, flushes and exits 0 within its bound, losing nothing
 * acknowledged. Runs on the built code (`npm test` builds first).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../src/store/sqlite.js';
import { putThing, type Replica, startReplica } from './reliability-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'ars-durability-'));
const running: Replica[] = [];
afterAll(() => {
  for (const r of running) r.child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const THING = 'plant:k';

/** HTTP and MQTT writers that record the id of every sample the replica acknowledged, until told to stop. */
function load(replica: Replica, tag: string, acked: Set<string>) {
  let stop = false;
  const http = Array.from({ length: 6 }, async (_, w) => {
    for (let n = 0; !stop; n++) {
      const id = `${tag}-h${w}-${n}`;
      try {
        const res = await fetch(`${replica.base}/api/v1/telemetry`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ thingId: THING, features: { d: { id } } }),
        });
        await res.arrayBuffer();
        if (res.status === 200) acked.add(id);
        else throw new Error(`unexpected ${res.status}`);
      } catch {
        return; // the replica died under us
      }
    }
  });
  const device = (async () => {
    let client: mqtt.MqttClient;
    try {
      client = await mqtt.connectAsync(replica.mqtt, { reconnectPeriod: 0, connectTimeout: 3000 });
    } catch {
      return;
    }
    client.on('error', () => {});
    // Without reconnection, QoS 1 publishes in flight when the replica dies stay pending until the client ends.
    client.on('close', () => client.end(true));
    let n = 0;
    const writer = async () => {
      while (!stop && client.connected) {
        const id = `${tag}-m-${n++}`;
        try {
          await client.publishAsync(`telemetry/acme/${THING}`, JSON.stringify({ features: { d: { id } } }), {
            qos: 1,
          });
          acked.add(id);
        } catch {
          return;
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, writer));
    client.end(true);
  })();
  return {
    stop: async () => {
      stop = true;
      // A client of a dead replica can be left waiting by its library (a connect that never settles, a
      // publish never answered): nothing more can be acknowledged by then, so wait for the writers only so long.
      await Promise.race([Promise.all([...http, device]), new Promise((r) => setTimeout(r, 15_000))]);
    },
  };
}

function storedIds(): string[] {
  const store = openSqliteStore({ path: join(dir, 'ars.db') });
  const ids: string[] = [];
  const db = (store as unknown as { db: { prepare(s: string): { pluck(): { all(): string[] } } } }).db;
  for (const features of db
    .prepare("SELECT features FROM samples WHERE thing_id = 'plant:k'")
    .pluck()
    .all()) {
    ids.push((JSON.parse(features) as { d: { id: string } }).d.id);
  }
  void store.close();
  return ids;
}

function expectExactlyOnce(acked: Set<string>, ids: string[]) {
  const count = new Map<string, number>();
  for (const id of ids) count.set(id, (count.get(id) ?? 0) + 1);
  const missing = [...acked].filter((id) => !count.has(id));
  const twice = [...count].filter(([, n]) => n > 1).map(([id]) => id);
  expect(missing, 'acknowledged but not stored').toEqual([]);
  expect(twice, 'stored more than once').toEqual([]);
}

describe('kill -9 and SIGTERM of a replica under load', () => {
  const acked = new Set<string>();

  it('keeps every acknowledged sample exactly once across SIGKILL at random points', {
    timeout: 300_000,
  }, async () => {
    const rounds = 5;
    let ackedBeforeKill = 0;
    for (let round = 0; round < rounds; round++) {
      const replica = await startReplica(dir);
      running.push(replica);
      if (round === 0) await putThing(replica.base, THING);
      const writers = load(replica, `r${round}`, acked);
      // A random point in the first 1.5 s of load: early (group commit pending) or late.
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 1400));
      replica.child.kill('SIGKILL');
      expect((await replica.exited).signal).toBe('SIGKILL');
      await writers.stop();
      ackedBeforeKill = acked.size;
    }
    expect(ackedBeforeKill, 'the load acknowledged samples').toBeGreaterThan(rounds * 10);
    expectExactlyOnce(acked, storedIds());
  });

  it('SIGTERM under load stops accepting, flushes and exits 0 within the bound, losing nothing acknowledged', {
    timeout: 180_000,
  }, async () => {
    const replica = await startReplica(dir, { ARS_FIXTURE_SHUTDOWN_MS: '5000' });
    running.push(replica);
    const writers = load(replica, 'term', acked);
    await new Promise((r) => setTimeout(r, 500));
    const sent = Date.now();
    replica.child.kill('SIGTERM');
    const exit = await replica.exited;
    await writers.stop();
    expect(exit.code).toBe(0);
    // The fixture's bound is 5 s; a clean shutdown reports itself (its own duration is below the bound).
    const outcome = JSON.parse(replica.lines.find((l) => l.includes('shutdown')) ?? '{}') as {
      shutdown?: { clean: boolean; ms: number };
    };
    expect(outcome.shutdown?.clean).toBe(true);
    expect(Date.now() - sent).toBeLessThan(30_000);
    expectExactlyOnce(acked, storedIds());
  });
});
