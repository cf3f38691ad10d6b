// A worker thread that runs sweep cells. Each cell may use another scenario, so a scenario comes with
// the first cell that needs it and is kept by its hash for the next ones (until the thread's next sweep).
import { performance } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';
import { ArsError } from '../errors.js';
import type { Scenario } from '../model/scenario.js';
import { runScenario } from './run.js';
import type { CellMessage } from './sweep-pool.js';

const scenarios = new Map<string, Scenario>();

parentPort!.on('message', (m: CellMessage) => {
  try {
    if (m.fresh) scenarios.clear();
    if (m.scenario) scenarios.set(m.scenarioHash, m.scenario);
    const scenario = scenarios.get(m.scenarioHash);
    if (!scenario) throw new Error(`sweep worker: scenario ${m.scenarioHash} was never sent`);
    const started = performance.now();
    const result = runScenario(scenario, {
      policy: m.policy,
      seed: m.seed,
      ...(m.horizon !== undefined ? { horizon: m.horizon } : {}),
    });
    const text = JSON.stringify(result);
    parentPort!.postMessage({ ok: true, text, elapsedMs: performance.now() - started });
  } catch (err) {
    parentPort!.postMessage({
      ok: false,
      error: err instanceof Error ? err.message : String(err),
      ...(err instanceof ArsError ? { code: err.code } : {}),
    });
  }
});
