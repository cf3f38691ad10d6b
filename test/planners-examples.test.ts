// Every planner policy on every example: the schedules they emit in the world pass the validator
// (a violation throws inside the run) and the world completes requests under each of them.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../src/experiment/run.js';
import { loadScenario } from '../src/model/index.js';

const PLANNERS = ['heft', 'cpop', 'peft', 'minmin', 'maxmin', 'ga', 'pso'];
const examples = readdirSync('examples').filter((f) => f.endsWith('.yaml'));

describe.each(examples)('%s', (file) => {
  const scenario = loadScenario(`examples/${file}`);
  it.each(PLANNERS)('runs under %s with valid plans', (policy) => {
    const r = runScenario(scenario, { policy, horizon: Math.min(scenario.horizon, 120) });
    if (scenario.workloads.length > 0) expect(r.requests.completed + r.requests.open).toBeGreaterThan(0);
  });
});
