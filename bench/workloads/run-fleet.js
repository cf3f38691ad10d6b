#!/usr/bin/env node
// Runs the edge-fleet scenario once in this process and prints one JSON line: wall and CPU seconds of
// building and simulating it, peak resident memory, and what was simulated. The scale and growth suites
// start it as a child process so that each run has a fresh heap and its own peak RSS.
//
//   node bench/workloads/run-fleet.js --twins 10000 [--horizon 600] [--policy least-loaded] [--seed 1]
import { performance } from 'node:perf_hooks';
import { runScenario } from '../../dist/experiment/run.js';
import { edgeFleetScenario } from './edge-fleet.js';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const twins = Number(opt('twins', '10000'));
const horizon = Number(opt('horizon', '600'));
const seed = Number(opt('seed', '1'));
const policy = opt('policy', 'least-loaded');

const cpu0 = process.cpuUsage();
const t0 = performance.now();
const scenario = edgeFleetScenario({ twins, horizon, seed, policy });
const t1 = performance.now();
const result = runScenario(scenario, { policy });
const t2 = performance.now();
const cpu = process.cpuUsage(cpu0);
process.stdout.write(
  `${JSON.stringify({
    twins,
    horizon,
    policy,
    nodes: scenario.nodes.length,
    wallSeconds: (t2 - t0) / 1000,
    buildSeconds: (t1 - t0) / 1000,
    runSeconds: (t2 - t1) / 1000,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    // maxRSS is in kilobytes: the peak of the whole process, Node itself included
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    requests: result.requests.arrived,
    completed: result.requests.completed,
    events: result.scheduler.events,
    decisions: result.scheduler.decisions,
    meanAoI: result.twins.meanAoI,
    latencyP95: result.requests.latency.p95,
  })}\n`,
);
