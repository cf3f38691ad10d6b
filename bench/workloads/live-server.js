// The server side of the ingest benchmark, in its own process so that the load generator does not share its
// event loop: a SQLite store (synchronous = FULL, a fresh temp dir), the HTTP API and the embedded MQTT broker
// on free ports, and `things` registered things. Prints `{ "httpPort", "mqttPort" }` as one JSON line; on
// "count\n" on stdin prints `{ "samples", "cpuSeconds" }` (samples stored, CPU time used so far); on "stop\n" (or stdin closing) shuts down and removes the data.
//
//   node bench/workloads/live-server.js [--things 1000] [--synchronous full|normal]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createServer, startMqttIngest } from '../../dist/server/index.js';
import { openSqliteStore } from '../../dist/store/index.js';

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const things = Number(arg('things', '1000'));
const dir = mkdtempSync(join(tmpdir(), 'ars-bench-live-'));
const store = openSqliteStore({ path: join(dir, 'ars.db'), synchronous: arg('synchronous', 'full') });
for (let i = 0; i < things; i++) {
  await store.putThing({ thingId: `bench:dev-${i}`, tenant: 'bench', attributes: {}, features: {} });
}
const app = await createServer({ store, bodyLimit: 16 * 1024 * 1024 });
await app.listen({ host: '127.0.0.1', port: 0 });
const mqtt = await startMqttIngest({ context: app.ars, port: 0 });
process.stdout.write(`${JSON.stringify({ httpPort: app.server.address().port, mqttPort: mqtt.port })}\n`);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await mqtt.close();
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}
const lines = createInterface({ input: process.stdin });
lines.on('line', async (line) => {
  if (line === 'count') {
    const { user, system } = process.cpuUsage();
    process.stdout.write(
      `${JSON.stringify({ samples: await store.countSamples(), cpuSeconds: (user + system) / 1e6 })}\n`,
    );
  } else if (line === 'stop') await stop();
});
lines.on('close', stop);
