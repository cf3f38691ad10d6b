// The simulation kernel: raw event throughput on both paths, and the M/M/c reference model.
import { performance } from 'node:perf_hooks';
import { RandomStreams, Simulation, simulateMmc, simulateMmcProcesses } from '../../dist/engine/index.js';

export const name = 'engine';

const PROCESSES = 1000;

/** 1,000 independent loops, each waiting exponential(1) between events, on the callback path. */
function timeoutsCallbacks(until) {
  const sim = new Simulation();
  const rng = new RandomStreams(1).stream('bench');
  const tick = (i) => {
    sim.schedule(rng.exponential(1), tick, i);
  };
  for (let i = 0; i < PROCESSES; i++) sim.schedule(rng.exponential(1), tick, i);
  const t0 = performance.now();
  sim.run(until);
  const seconds = (performance.now() - t0) / 1000;
  return { events: sim.eventsProcessed, seconds };
}

/** The same workload as 1,000 generator processes yielding timeouts. */
function timeoutsGenerators(until) {
  const sim = new Simulation();
  const rng = new RandomStreams(1).stream('bench');
  function* loop() {
    for (;;) yield sim.timeout(rng.exponential(1));
  }
  for (let i = 0; i < PROCESSES; i++) sim.process(loop());
  const t0 = performance.now();
  sim.run(until);
  const seconds = (performance.now() - t0) / 1000;
  return { events: sim.eventsProcessed, seconds };
}

function mmcRate(simulate, customers, seed) {
  const t0 = performance.now();
  const r = simulate({ servers: 10, arrivalRate: 9, serviceRate: 1, seed, customers, warmup: 0, batches: 1 });
  const seconds = (performance.now() - t0) / 1000;
  return { customers: r.served, events: r.eventsProcessed, seconds };
}

const spread = (key, m) => ({ [key]: m.median, [`${key}Min`]: m.min, [`${key}Max`]: m.max });

export async function run({ quick, measure }) {
  const until = quick ? 100 : 1000;
  const customers = quick ? 20_000 : 100_000;

  let events = 0;
  const callbacks = await measure(() => {
    const r = timeoutsCallbacks(until);
    events = r.events;
    return r.events / r.seconds;
  });
  let eventsGenerators = 0;
  const generators = await measure(() => {
    const r = timeoutsGenerators(until);
    eventsGenerators = r.events;
    return r.events / r.seconds;
  });

  let seed = 0;
  const mmc = await measure(() => {
    const r = mmcRate(simulateMmc, customers, ++seed);
    return r.customers / r.seconds;
  });
  const mmcProcesses = await measure(() => {
    const r = mmcRate(simulateMmcProcesses, customers, ++seed);
    return r.customers / r.seconds;
  });

  const result = {
    timeouts: {
      processes: PROCESSES,
      until,
      events,
      eventsGenerators,
      runs: callbacks.runs,
      ...spread('eventsPerSecond', callbacks),
      ...spread('eventsPerSecondGenerators', generators),
    },
    mmc: {
      servers: 10,
      arrivalRate: 9,
      serviceRate: 1,
      customers,
      runs: mmc.runs,
      ...spread('customersPerSecond', mmc),
      ...spread('customersPerSecondProcesses', mmcProcesses),
    },
  };
  const row = (figure, m, unit) => ({ figure, median: m.median, min: m.min, max: m.max, unit });
  const rows = [
    row('timeouts.eventsPerSecond (callbacks)', callbacks, 'events/s'),
    row('timeouts.eventsPerSecondGenerators', generators, 'events/s'),
    row('mmc.customersPerSecond (callbacks)', mmc, 'customers/s'),
    row('mmc.customersPerSecondProcesses', mmcProcesses, 'customers/s'),
  ];
  return { result, rows };
}
