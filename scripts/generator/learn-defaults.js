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
//        [--params wFresh,wDemand] [--objective tune|goal] [--aggregate geo|mean] [--tighten 0.6667]
//   node scripts/generator/learn-defaults.js --line anomalyWeight=0,0.5,1,2.394 [--seeds 3] [--horizon 600] ...
//   node scripts/generator/learn-defaults.js --line wHazard=0,0.2,0.4 --line wFresh=0,3.3,6.644 --seeds 3 ...
//
// --line name=v1,v2,…: instead of the search, one parameter is set to each value in turn (the others stay at
// the start's) and each value is judged by the evaluation's goals themselves (`goalsMet`: lowest weighted AoI
// and misses, the rest within 5 % of the best baseline, Jain ≥ 0.9) against every baseline on the training
// scenarios and seeds; the value that meets the most goals in all is kept, a tie going to the value nearest
// the start (the smallest move). Given more than once, the lines run in the order given, each from the values
// the ones before chose (one pass of coordinate descent; the baselines are run once for all of them).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { HELD_OUT_EXAMPLES } from './held-out.js';
import { generatedScenario } from './scenarios.js';
import { hasDeadlines, TIGHTER } from './tighten.js';

const root = join(fileURLToPath(import.meta.url), '..', '..', '..');
const {
  crossEntropySearch,
  objective: tuneObjective,
  goalObjective,
  goalsMet,
  meanMetrics,
  bestOf,
} = await import(join(root, 'dist/policies/ars/tune.js'));
const { defaultParams, TUNABLE } = await import(join(root, 'dist/policies/ars/params.js'));
const { BASELINES } = await import(join(root, 'dist/policies/index.js'));

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
// --line name=v1,v2,…: a line search over one parameter, judged by the goals met (see the head of this file)
const lines = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] !== '--line') continue;
  const lineArg = args[i + 1] ?? '';
  const [name, list] = lineArg.split('=');
  const values = (list ?? '').split(',').filter(Boolean).map(Number);
  if (!TUNABLE.includes(name) || values.length === 0 || values.some((v) => !Number.isFinite(v))) {
    process.stderr.write(
      `error: --line expects name=v1,v2,… with a tunable parameter and numbers, got ${lineArg}\n`,
    );
    process.exit(2);
  }
  if (lines.some((l) => l.name === name)) {
    process.stderr.write(`error: --line ${name} is given twice; give each parameter once\n`);
    process.exit(2);
  }
  lines.push({ name, values });
}
const seeds = Array.from({ length: seedCount }, (_, i) => 101 + i);
// --tighten f: every example with a deadline is trained on a second time with its workloads' deadlines × f
// (the evaluation's tighter-deadline study uses 2/3), where a read that finds its twin stale often cannot wait
// for an on-demand refresh: what the freshness floors buy shows only there, and a search that never sees such
// reads would turn them off for what they cost elsewhere. 1 trains on the examples as written only.
const tighten = Number(opt('tighten', String(TIGHTER)));
if (!(tighten > 0 && tighten <= 1)) {
  process.stderr.write(`error: --tighten expects a factor in (0, 1], got ${opt('tighten')}\n`);
  process.exit(2);
}

// scenarios: every example but the seed case study and the held-out ones (by file), and generated ones (as
// objects)
const examples = readdirSync(join(root, 'examples'))
  .filter((f) => f.endsWith('.yaml') && f !== 'seed-case-study.yaml')
  .filter((f) => !HELD_OUT_EXAMPLES.includes(basename(f, '.yaml')))
  .map((f) => ({ name: basename(f, '.yaml'), file: join(root, 'examples', f) }));
const { loadScenario } = await import(join(root, 'dist/model/index.js'));
const tightVariants =
  tighten < 1
    ? examples
        .filter((e) => hasDeadlines(loadScenario(e.file)))
        .map((e) => ({ name: `${e.name}@tight`, example: e.name, file: e.file, tighten }))
    : [];
const scenarios = [
  ...examples,
  ...tightVariants,
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
  const { tightened } = await import(root + '/scripts/generator/tighten.js');
  parentPort.on('message', (job) => {
    let sc = cache.get(job.scenario.name);
    if (!sc) {
      sc = job.scenario.file ? loadScenario(job.scenario.file)
        : parseScenario(JSON.stringify(job.scenario.spec), { format: 'json', file: job.scenario.name + '.json' });
      if (job.scenario.tighten !== undefined) sc = tightened(sc, job.scenario.tighten);
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
// a run that cannot start (a scenario the options make invalid, e.g. a horizon within the warm-up) says why
for (const w of pool)
  w.on('error', (e) => {
    process.stderr.write(`error: ${e.message}\n`);
    process.exit(2);
  });
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
if (lines.length > 0) {
  await lineSearch(lines);
  process.exit(0);
}
/** Per scenario, the best value of each metric among `policies` (their means over the seeds). */
async function bestPerScenario(policies) {
  const best = {};
  await Promise.all(
    scenarios.map(async (sc) => {
      const refs = await Promise.all(
        policies.map(async (p) => meanMetrics(await Promise.all(seeds.map((seed) => run(sc, p, {}, seed))))),
      );
      best[sc.name] = bestOf(refs);
    }),
  );
  return best;
}

/** What the defaults were learned on (the record's `trainedOn`). */
function trainedOn() {
  return {
    seeds,
    horizon,
    examples: examples.map((e) => e.name),
    ...(tightVariants.length > 0
      ? { tightened: { factor: tighten, examples: tightVariants.map((e) => e.example) } }
      : {}),
    generated: Array.from({ length: generated }, (_, i) => i + 1),
  };
}

/** The tunable parameters' values of `params` (what a record keeps as `start` and `params`). */
function tunableOf(params) {
  return Object.fromEntries(TUNABLE.map((k) => [k, params[k]]));
}

/** The record already at --out (the defaults learned before), or null where there is none. */
function earlierRecord() {
  try {
    return JSON.parse(readFileSync(resolve(root, out), 'utf8'));
  } catch {
    return null;
  }
}

/** Where a search starts: the current defaults, with a --start profile's values over them. */
function startValues() {
  const start = defaultParams();
  if (startFile !== undefined) {
    Object.assign(start, JSON.parse(readFileSync(resolve(startFile), 'utf8')).params);
  }
  return start;
}

const reference = await bestPerScenario(REFERENCES);
process.stderr.write(`references in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);

/**
 * The --line mode: each value of one parameter against every baseline, by the goals it meets; for several
 * parameters, one after the other, each from the values chosen before it.
 */
async function lineSearch(lines) {
  const baselines = await bestPerScenario(BASELINES);
  process.stderr.write(`baselines in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
  const start = startValues();
  const at = { ...start };
  const done = [];
  for (const l of lines) {
    const best = await lineOf(l, at, baselines);
    done.push({
      parameter: l.name,
      from: at[l.name],
      chosen: best.value,
      tried: best.tried,
    });
    process.stderr.write(
      `${l.name}: ${at[l.name]} → ${best.value} (${best.met} goals met, ${best.tried.find((t) => t.value === at[l.name])?.met ?? '–'} at the start)\n`,
    );
    at[l.name] = best.value;
  }
  for (const w of pool) await w.terminate();
  const previous = earlierRecord();
  const names = lines.map((l) => l.name);
  const doc = {
    policy: 'ars',
    scenario: 'all examples + generated',
    method:
      names.length === 1
        ? `line search over ${names[0]}, each value judged by the evaluation's goals met against every baseline (goalsMet), the others held at the defaults before`
        : `line searches over ${names.join(', ')} in that order (one pass of coordinate descent), each value judged by the evaluation's goals met against every baseline (goalsMet), each search from the values chosen before it`,
    previous: previous ?? undefined,
    trainedOn: trainedOn(),
    references: BASELINES,
    start: tunableOf(start),
    searched: names,
    ...(done.length === 1 ? { line: done[0] } : { lines: done }),
    params: tunableOf(at),
  };
  writeFileSync(resolve(root, out), `${JSON.stringify(doc, null, 2)}\n`);
  const moved = done.filter((d) => d.chosen !== d.from);
  process.stderr.write(
    `wrote ${out} in ${((Date.now() - t0) / 1000).toFixed(0)} s: ${moved.length === 0 ? 'nothing moved' : moved.map((d) => `${d.parameter} ${d.from} → ${d.chosen}`).join(', ')}\n`,
  );
}

/** One line: each value of `name` with the rest at `at`; the value meeting the most goals (ties: nearest `at`). */
async function lineOf({ name, values }, at, baselines) {
  const tried = [];
  for (const value of values) {
    const params = { ...tunableOf(at), [name]: value };
    const byScenario = Object.fromEntries(
      await Promise.all(
        scenarios.map(async (sc) => {
          const runs = await Promise.all(seeds.map((seed) => run(sc, 'ars', params, seed)));
          return [sc.name, goalsMet(meanMetrics(runs), baselines[sc.name])];
        }),
      ),
    );
    const met = Object.values(byScenario).reduce((a, g) => a + g.met, 0);
    const goals = Object.values(byScenario).reduce((a, g) => a + g.goals, 0);
    tried.push({ value, met, goals, byScenario });
    process.stderr.write(
      `${name} = ${value}: ${met} of ${goals} goals (${((Date.now() - t0) / 1000).toFixed(0)} s)\n`,
    );
  }
  const best = tried.reduce((a, b) =>
    b.met > a.met || (b.met === a.met && Math.abs(b.value - at[name]) < Math.abs(a.value - at[name])) ? b : a,
  );
  return { value: best.value, met: best.met, tried };
}

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

const start = startValues();
if (only) fixed = Object.fromEntries(TUNABLE.filter((k) => !only.includes(k)).map((k) => [k, start[k]]));
// a search that starts from defaults learned before keeps that search's record
const before = earlierRecord();
const previous = before && {
  method: before.method,
  search: before.search,
  objective: before.objective,
  params: before.params,
};
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
  trainedOn: trainedOn(),
  references: REFERENCES,
  // where the search started (the defaults before it, with a --start profile's values over them) and what it moved
  start: tunableOf(start),
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
  params: { ...tunableOf(start), ...result.best },
};
writeFileSync(resolve(root, out), `${JSON.stringify(doc, null, 2)}\n`);
process.stderr.write(
  `wrote ${out} in ${((Date.now() - t0) / 1000).toFixed(0)} s: objective ${result.startScore.toFixed(4)} → ${result.bestScore.toFixed(4)}\n`,
);
