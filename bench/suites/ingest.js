// Telemetry ingest of the live service, durably stored (SQLite, synchronous = FULL), against a server in its own
// process (bench/workloads/live-server.js) with 1,000 registered things:
//
// - http: `POST /api/v1/telemetry` with batches of 100 samples from autocannon (16 connections, one request in
//   flight on each); the figure is samples answered 200 per second (each answer means stored and fsynced).
// - mqtt: QoS 1 PUBLISHes of one sample each through the embedded aedes broker from 32 mqtt.js clients, each
//   keeping 50 messages in flight; the figure is PUBACKs per second (each PUBACK means stored and fsynced).
//
// - http normal: the same HTTP load against a store with synchronous = NORMAL, the setting `ars serve` runs
//   with (a 2xx still comes after the commit, which survives a crash of the process but not a power loss).
//
// Every run checks that the store holds exactly what was acknowledged. Beside each wall-clock rate, the rate per
// CPU-second of the server process: on a machine shared with other work the wall rate falls with the load,
// the CPU-normalised one much less.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import mqtt from 'mqtt';
import { spreadOf } from '../workloads/child.js';

export const name = 'ingest';

const THINGS = 1000;
const BATCH = 100;
const MQTT_CLIENTS = 32;
const MQTT_IN_FLIGHT = 50;

function startServer(args = []) {
  const child = spawn(
    process.execPath,
    [fileURLToPath(new URL('../workloads/live-server.js', import.meta.url)), ...args],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: child.stdout });
  const next = () => new Promise((resolve) => lines.once('line', (l) => resolve(JSON.parse(l))));
  return {
    ports: next(),
    /** Samples stored and the server's CPU seconds so far. */
    count: async () => {
      const answer = next();
      child.stdin.write('count\n');
      return answer;
    },
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.stdin.end('stop\n');
      }),
  };
}

let batchSeq = 0;
function batchBody() {
  const now = Date.now();
  const samples = [];
  for (let i = 0; i < BATCH; i++) {
    samples.push({
      thingId: `bench:dev-${(batchSeq * BATCH + i) % THINGS}`,
      time: now + i,
      features: { temp: { value: 20 + (i % 10) / 10 }, vib: { rms: 0.1 * (i % 7) } },
    });
  }
  batchSeq++;
  return JSON.stringify(samples);
}

async function httpRun(port, seconds, server) {
  const before = await server.count();
  // A handful of distinct bodies, so that the thing ids vary between requests.
  const bodies = Array.from({ length: 10 }, batchBody);
  let i = 0;
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/api/v1/telemetry`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    connections: 16,
    pipelining: 1,
    duration: seconds,
    requests: [{ setupRequest: (req) => ({ ...req, body: bodies[i++ % bodies.length] }) }],
  });
  const ok = result['2xx'];
  const after = await server.count();
  const stored = after.samples - before.samples;
  // Requests still in flight when the run ends are stored but not counted by autocannon: at most one per connection.
  const inFlight = stored - ok * BATCH;
  if (
    result.non2xx > 0 ||
    result.errors > 0 ||
    stored % BATCH !== 0 ||
    inFlight < 0 ||
    inFlight > 16 * BATCH
  ) {
    throw new Error(
      `http ingest: ${ok} batches answered 200, ${stored} samples stored, ${result.non2xx} non-2xx, ${result.errors} errors`,
    );
  }
  return {
    samplesPerSecond: (ok * BATCH) / (result.duration || seconds),
    samplesPerCpuSecond: stored / (after.cpuSeconds - before.cpuSeconds),
    latencyP99Ms: result.latency.p99,
  };
}

async function mqttRun(port, messages, server) {
  const before = await server.count();
  const clientsN = MQTT_CLIENTS;
  const window = MQTT_IN_FLIGHT;
  const clients = await Promise.all(
    Array.from({ length: clientsN }, (_, c) =>
      mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
        clientId: `bench-${c}-${Date.now()}`,
        reconnectPeriod: 0,
      }),
    ),
  );
  const perClient = Math.ceil(messages / clientsN);
  const t0 = performance.now();
  await Promise.all(
    clients.map(async (client, c) => {
      let sent = 0;
      const worker = async () => {
        while (sent < perClient) {
          const k = sent++;
          const payload = JSON.stringify({ time: Date.now(), features: { temp: { value: k % 50 } } });
          await client.publishAsync(`telemetry/bench/bench:dev-${(c * perClient + k) % THINGS}`, payload, {
            qos: 1,
          });
        }
      };
      await Promise.all(Array.from({ length: window }, worker));
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  await Promise.all(clients.map((c) => c.endAsync()));
  const after = await server.count();
  const stored = after.samples - before.samples;
  const acked = perClient * clientsN;
  if (stored !== acked) throw new Error(`mqtt ingest: ${acked} PUBACKs, ${stored} samples stored`);
  return {
    messagesPerSecond: acked / seconds,
    messagesPerCpuSecond: stored / (after.cpuSeconds - before.cpuSeconds),
  };
}

export async function run({ quick, measure, log }) {
  const server = startServer();
  const { httpPort, mqttPort } = await server.ports;
  try {
    const seconds = quick ? 2 : 5;
    const httpCpu = [];
    const http = await measure(async () => {
      const r = await httpRun(httpPort, seconds, server);
      log(
        `http: ${Math.round(r.samplesPerSecond)} samples/s, ${Math.round(r.samplesPerCpuSecond)} per server CPU-second, p99 ${r.latencyP99Ms} ms`,
      );
      httpCpu.push(r.samplesPerCpuSecond);
      return r.samplesPerSecond;
    });
    const messages = quick ? 10_000 : 50_000;
    const mqttCpu = [];
    const mq = await measure(async () => {
      const r = await mqttRun(mqttPort, messages, server);
      log(
        `mqtt: ${Math.round(r.messagesPerSecond)} msg/s, ${Math.round(r.messagesPerCpuSecond)} per server CPU-second`,
      );
      mqttCpu.push(r.messagesPerCpuSecond);
      return r.messagesPerSecond;
    });
    // The same HTTP load on a store with synchronous = NORMAL (what `ars serve` runs with).
    const normal = startServer(['--synchronous', 'normal']);
    let httpNormal;
    try {
      const { httpPort: normalPort } = await normal.ports;
      httpNormal = await measure(async () => {
        const r = await httpRun(normalPort, seconds, normal);
        log(
          `http (synchronous=NORMAL): ${Math.round(r.samplesPerSecond)} samples/s, p99 ${r.latencyP99Ms} ms`,
        );
        return r.samplesPerSecond;
      });
    } finally {
      await normal.stop();
    }
    // The warm-up run is the first; the CPU figures are the median of the measured ones, like the rates.
    const cpuHttp = spreadOf(httpCpu.slice(1));
    const cpuMqtt = spreadOf(mqttCpu.slice(1));
    return {
      result: {
        things: THINGS,
        http: {
          batch: BATCH,
          connections: 16,
          secondsPerRun: seconds,
          samplesPerSecond: http.median,
          samplesPerSecondMin: http.min,
          samplesPerSecondMax: http.max,
          samplesPerServerCpuSecond: cpuHttp.median,
          samplesPerServerCpuSecondMin: cpuHttp.min,
          samplesPerServerCpuSecondMax: cpuHttp.max,
        },
        httpNormal: {
          synchronous: 'NORMAL',
          samplesPerSecond: httpNormal.median,
          samplesPerSecondMin: httpNormal.min,
          samplesPerSecondMax: httpNormal.max,
        },
        mqtt: {
          qos: 1,
          clients: MQTT_CLIENTS,
          inFlightPerClient: MQTT_IN_FLIGHT,
          messagesPerRun: messages,
          messagesPerSecond: mq.median,
          messagesPerSecondMin: mq.min,
          messagesPerSecondMax: mq.max,
          messagesPerServerCpuSecond: cpuMqtt.median,
          messagesPerServerCpuSecondMin: cpuMqtt.min,
          messagesPerServerCpuSecondMax: cpuMqtt.max,
        },
      },
      rows: [
        {
          figure: 'http.samplesPerSecond',
          median: http.median,
          min: http.min,
          max: http.max,
          unit: 'samples/s',
        },
        { figure: 'http.samplesPerServerCpuSecond', ...cpuHttp, unit: 'samples/CPU-s' },
        {
          figure: 'httpNormal.samplesPerSecond',
          median: httpNormal.median,
          min: httpNormal.min,
          max: httpNormal.max,
          unit: 'samples/s',
        },
        { figure: 'mqtt.messagesPerSecond', median: mq.median, min: mq.min, max: mq.max, unit: 'msg/s' },
        { figure: 'mqtt.messagesPerServerCpuSecond', ...cpuMqtt, unit: 'msg/CPU-s' },
      ],
    };
  } finally {
    await server.stop();
  }
}
