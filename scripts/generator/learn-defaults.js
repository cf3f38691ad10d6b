#!/usr/bin/env node
// Learns ARS's default weights across all examples at once (but the held-out ones, held-out.js) plus
// generated scenarios of varied structure (scripts/generator/scenarios.js), not per example (issue 15,
// part 3). The cross-entropy search of `ars tune` (src/policies/ars/tune.ts) minimises the mean over the
// scenarios of the tuning objective (each scenario's metrics against the best of the reference policies on
// it), on training seeds only (101 up; the evaluation uses 1–10 and generated scenarios from seed 1001). Writes profiles/defaults.json; the
// values are then copied into the `fallback`s of src/policies/ars/params.ts by hand (the defaults are code).
//
//   npm run build && node scripts/generator/learn-defaults.js [--generated 6] [--seeds 1] [--horizon 300]
//        [--iterations 3] [--population 8] [--workers 2] [--out profiles/defaults.json] [--start profile.json]
//        [--params wFresh,wDemand] [--objective tune|goal] [--aggregate geo|mean]
import { readdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { HELD_OUT_EXAMPLES } from './held-out.js';
import { generatedScenario } from './scenarios.js';

const root = join(fileURLToPath(import.meta.url), '..', '..', '..');
const {
  crossEntropySearch,
  objective: tuneObjective,
  goalObjective,
  meanMetrics,
  bestOf,
} = await import(join(root, 'dist/policies/ars/tune.js'));
const { defaultParams, TUNABLE } = await import(join(root, 'dist/policies/ars/params.js'));

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const generated = Number(opt('generated', '6'));
const seedCount = Number(opt('seeds', '1'));
const horizon = Number(opt('horizon', '300'));
const iterations = Number(opt('iterations', '3'));
const population = Number(opt('population', '8'));
const workers = Number(opt('workers', String(Math.min(2, availableParallelism()))));
const out = opt('out', 'profiles/defaults.json');
// how the scenarios' objectives are combined: `geo` (geometric mean: a relative gain counts the same on every
// scenario, so one badly served scenario cannot dominate) or `mean`
const aggregate = opt('aggregate', 'geo');
// --objective goal: the evaluation's goal itself — lead on weighted AoI and misses, no credit past 10 % better
// than the best reference (leading is the goal, not the margin), every other metric only guarded (5 % worse
// than the best reference, Jain ≥ 0.9); `tune` (default): the objective of `ars tune`, which also rewards
// gains on the other metrics
const objectiveName = opt('objective', 'tune');
const objective = objectiveName === 'goal' ? goalObjective : tuneObjective;
const REFERENCES = [
  'least-loaded',
  'earliest-deadline-first',
  'max-age-first',
  'whittle',
  'max-weight',
  'aoi-randomized',
  'drf',
];
// --start profile.json: the search starts from these values (the rest from the current defaults)
const startFile = opt('start', undefined);
// --params a,b,c: search only these tunable parameters (the others stay at the start's values)
const only = opt('params', undefined)?.split(',').filter(Boolean);
const seeds = Array.from({ length: seedCount }, (_, i) => 101 + i);

// scenarios: every example but the seed case study and the held-out ones (by file), and generated ones (as
// objects)
const examples = readdirSync(join(root, 'examples'))
  .filter((f) => f.endsWith('.yaml') && f !== 'seed-case-study.yaml')
  .filter((f) => !HELD_OUT_EXAMPLES.includes(basename(f, '.yaml')))
  .map((f) => ({ name: basename(f, '.yaml'), file: join(root, 'examples', f) }));
const scenarios = [
  ...examples,
  ...Array.from({ length: generated }, (_, i) => ({
    name: `generated-${i + 1}`,
    spec: generatedScenario(i + 1, { horizon }),
  })),
];

// a small pool of worker threads, each running one simulation per message
const WORKER = `
const { parentPort } = require('node:worker_threads');
const root = ${JSON.stringify(root)};
const cache = new Map();
(async () => {
  const { runScenario } = await import(root + '/dist/experiment/run.js');
  const { loadScenario, parseScenario } = await import(root + '/dist/model/index.js');
  parentPort.on('message', (job) => {
    let sc = cache.get(job.scenario.name);
    if (!sc) {
      sc = job.scenario.file ? loadScenario(job.scenario.file)
        : parseScenario(JSON.stringify(job.scenario.spec), { format: 'json', file: job.scenario.name + '.json' });
      cache.set(job.scenario.name, sc);
    }
    const r = runScenario(sc, { policy: { name: job.policy, params: job.params }, seed: job.seed, horizon: job.horizon });
    parentPort.postMessage({ id: job.id, result: { twins: r.twins, requests: r.requests, fairness: { jain: r.fairness.jain }, resources: { compute: r.resources.compute, energyJ: r.resources.energyJ, cost: r.resources.cost } } });
  });
  parentPort.postMessage({ ready: true });
})();
`;
const pool = [];
for (let i = 0; i < workers; i++) {
  const w = new Worker(WORKER, { eval: true });
  await new Promise((ok) => w.once('message', ok));
  pool.push(w);
}
let nextId = 0;
const pending = new Map();
const queue = [];
const idle = [...pool];
for (const w of pool)
  w.on('message', (m) => {
    const done = pending.get(m.id);
    pending.delete(m.id);
    done(m.result);
    idle.push(w);
    pump();
  });
function pump() {
  while (idle.length > 0 && queue.length > 0) {
    const w = idle.pop();
    const job = queue.shift();
    pending.set(job.id, job.resolve);
    w.postMessage({ ...job, resolve: undefined });
  }
}
const run = (scenario, policy, params, seed) =>
  new Promise((resolve) => {
    queue.push({ id: nextId++, scenario, policy, params, seed, horizon, resolve });
    pump();
  });

const t0 = Date.now();
process.stderr.write(
  `${scenarios.length} scenarios × ${seeds.length} seed(s), horizon ${horizon} s, ${workers} workers\n`,
);
const reference = {};
await Promise.all(
  scenarios.map(async (sc) => {
    const refs = await Promise.all(
      REFERENCES.map(async (p) => meanMetrics(await Promise.all(seeds.map((seed) => run(sc, p, {}, seed))))),
    );
    reference[sc.name] = bestOf(refs);
  }),
);
process.stderr.write(`references in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);

const perScenario = new Map();
// the tunable values a search over some parameters holds fixed (set once the start is known)
let fixed = {};
async function score(params) {
  const parts = await Promise.all(
    scenarios.map(async (sc) => {
      const runs = await Promise.all(seeds.map((seed) => run(sc, 'ars', { ...fixed, ...params }, seed)));
      return [sc.name, objective(meanMetrics(runs), reference[sc.name])];
    }),
  );
  perScenario.set(JSON.stringify(params), Object.fromEntries(parts));
  return aggregate === 'geo'
    ? Math.exp(parts.reduce((a, [, j]) => a + Math.log(j), 0) / parts.length)
    : parts.reduce((a, [, j]) => a + j, 0) / parts.length;
}

const start = defaultParams();
if (startFile !== undefined) {
  const { readFileSync } = await import('node:fs');
  Object.assign(start, JSON.parse(readFileSync(resolve(startFile), 'utf8')).params);
}
if (only) fixed = Object.fromEntries(TUNABLE.filter((k) => !only.includes(k)).map((k) => [k, start[k]]));
// a search that starts from defaults learned before keeps that search's record
let previous = null;
try {
  const { readFileSync } = await import('node:fs');
  const before = JSON.parse(readFileSync(resolve(root, out), 'utf8'));
  previous = {
    method: before.method,
    search: before.search,
    objective: before.objective,
    params: before.params,
  };
} catch {
  // no earlier defaults
}
const result = await crossEntropySearch((cands) => Promise.all(cands.map((c) => score(c))), {
  parameters: only ?? TUNABLE,
  start,
  iterations,
  population,
  seed: 15,
  onIteration: (i, best) =>
    process.stderr.write(
      `iteration ${i}: best ${best.toFixed(4)} (${((Date.now() - t0) / 1000).toFixed(0)} s)\n`,
    ),
});
for (const w of pool) await w.terminate();
const doc = {
  policy: 'ars',
  scenario: 'all examples + generated',
  method: `cross-entropy over the ${aggregate === 'geo' ? 'geometric mean' : 'mean'} of the scenarios' objectives (${objectiveName === 'goal' ? "the evaluation's goal: lead on weighted AoI and misses, guard the rest" : 'the objective of ars tune'})`,
  previous: previous ?? undefined,
  trainedOn: {
    seeds,
    horizon,
    examples: examples.map((e) => e.name),
    generated: Array.from({ length: generated }, (_, i) => i + 1),
  },
  references: REFERENCES,
  // where the search started (the defaults before it, with a --start profile's values over them) and what it moved
  start: Object.fromEntries(TUNABLE.map((k) => [k, start[k]])),
  searched: only ?? TUNABLE,
  search: { iterations, population, evaluations: result.evaluations, history: result.history },
  objective: {
    start: result.startScore,
    best: result.bestScore,
    startByScenario:
      perScenario.get(
        JSON.stringify(
          Object.fromEntries((only ?? TUNABLE).map((k) => [k, Number(start[k].toPrecision(4))])),
        ),
      ) ?? null,
    bestByScenario: perScenario.get(JSON.stringify(result.best)) ?? null,
  },
  // the searched values over the start's (a search over some parameters keeps the others where it started)
  params: { ...Object.fromEntries(TUNABLE.map((k) => [k, start[k]])), ...result.best },
};
writeFileSync(resolve(root, out), `${JSON.stringify(doc, null, 2)}\n`);
process.stderr.write(
  `wrote ${out} in ${((Date.now() - t0) / 1000).toFixed(0)} s: objective ${result.startScore.toFixed(4)} → ${result.bestScore.toFixed(4)}\n`,
);
