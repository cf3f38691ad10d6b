// Static planners: HEFT and PEFT on a seeded random DAG of 1,000 tasks on 64 processors, and GA / PSO
// on the Braun et al. 512×16 instances with a wall-clock budget per instance.
//
//   node bench/suites/planners.js [--quick] [--json]     (alone; or through bench/run.js --only planners)
//
// The metaheuristic rows take 10 s per instance and algorithm (4 minutes for all 24 runs); --quick
// uses 1 s and three instances.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { RandomStreams } from '../../dist/engine/random.js';
import {
  BRAUN_BEST_KNOWN,
  buildDagProblem,
  ga,
  heft,
  minmin,
  parseEtc,
  peft,
  pso,
  validateSchedule,
} from '../../dist/policies/planning/index.js';
import { makeMeasure } from '../measure.js';

export const name = 'planners';

/**
 * A layered random DAG: tasks in index order, each with 1–4 predecessors among the 50 tasks
 * before it; costs uniform in [10, 100) scaled by a per-processor speed in [0.5, 2); communication
 * uniform in [0, 50).
 */
export function randomDag(tasks, processors, seed) {
  const rng = new RandomStreams(seed).stream('bench.dag');
  const speed = Array.from({ length: processors }, () => 0.5 + 1.5 * rng.next());
  const cost = {};
  const edges = [];
  for (let t = 0; t < tasks; t++) {
    const base = 10 + 90 * rng.next();
    cost[`t${t}`] = speed.map((s) => Number((base * s * (0.75 + 0.5 * rng.next())).toFixed(3)));
    if (t === 0) continue;
    const preds = new Set();
    const k = 1 + rng.int(4);
    for (let i = 0; i < k; i++) preds.add(Math.max(0, t - 1 - rng.int(Math.min(t, 50))));
    for (const p of preds) edges.push([`t${p}`, `t${t}`, Number((50 * rng.next()).toFixed(3))]);
  }
  return buildDagProblem({ processors: Array.from({ length: processors }, (_, p) => `p${p}`), cost, edges });
}

const dataDir = new URL('../../data/braun-512x16/', import.meta.url);

const defaultMeasure = makeMeasure(5);

export async function run({
  quick = false,
  measure = defaultMeasure,
  log = (m) => process.stderr.write(`  ${m}\n`),
} = {}) {
  const dag = randomDag(1000, 64, 1);
  const timePlanner = (plan) =>
    measure(() => {
      const t0 = performance.now();
      const s = plan(dag);
      const ms = performance.now() - t0;
      if (validateSchedule(dag, s).length > 0) throw new Error(`${plan.name} returned an invalid schedule`);
      return ms;
    });
  log('HEFT, 1,000 tasks × 64 processors');
  const heftMs = await timePlanner(heft);
  log('PEFT, 1,000 tasks × 64 processors');
  const peftMs = await timePlanner(peft);

  const budgetMs = quick ? 1000 : 10_000;
  const instances = quick ? ['u_c_hihi.0', 'u_i_lolo.0', 'u_s_lohi.0'] : Object.keys(BRAUN_BEST_KNOWN);
  const braun = [];
  for (const instance of instances) {
    const problem = parseEtc(readFileSync(new URL(instance, dataDir), 'utf8'), instance);
    const bestKnown = BRAUN_BEST_KNOWN[instance];
    const start = minmin(problem).makespan;
    const row = { instance, minMin: start, bestKnown };
    for (const [algo, search] of [
      ['ga', ga],
      ['pso', pso],
    ]) {
      log(`${algo} on ${instance}, ${budgetMs} ms`);
      const t0 = performance.now();
      const s = search(problem, { seed: 1, budgetMs, bestKnown });
      const seconds = (performance.now() - t0) / 1000;
      if (validateSchedule(problem, s).length > 0) throw new Error(`${algo} returned an invalid schedule`);
      row[algo] = {
        makespan: s.makespan,
        gapToBestKnown: s.search.gapToBestKnown,
        beatsMinMin: s.makespan < start,
        iterations: s.search.iterations,
        seconds,
      };
    }
    braun.push(row);
  }

  const dagResult = {
    tasks: 1000,
    processors: 64,
    heftMakespan: heft(dag).makespan,
    peftMakespan: peft(dag).makespan,
  };
  const rows = [
    { figure: 'heft1000x64Ms', median: heftMs.median, min: heftMs.min, max: heftMs.max, unit: 'ms' },
    { figure: 'peft1000x64Ms', median: peftMs.median, min: peftMs.min, max: peftMs.max, unit: 'ms' },
  ];
  for (const r of braun) {
    for (const algo of ['ga', 'pso']) {
      const gap = r[algo].gapToBestKnown * 100;
      rows.push({
        figure: `${algo} ${r.instance} gap to best known`,
        median: gap,
        min: gap,
        max: gap,
        unit: '%',
      });
    }
  }
  return {
    result: {
      heft1000x64Ms: heftMs.median,
      heft1000x64MsMin: heftMs.min,
      heft1000x64MsMax: heftMs.max,
      peft1000x64Ms: peftMs.median,
      peft1000x64MsMin: peftMs.min,
      peft1000x64MsMax: peftMs.max,
      dag: dagResult,
      braun: { budgetMs, seed: 1, instances: braun },
    },
    rows,
  };
}

/** The Braun table as Markdown, as in docs/policies.md. */
export function braunTable(braun) {
  const f = (x) => x.toFixed(2);
  const lines = [
    '| instance | Min-Min | GA | GA gap | GA iterations | PSO | PSO gap | PSO iterations | best known (MS) |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of braun.instances) {
    lines.push(
      `| ${r.instance} | ${f(r.minMin)} | ${f(r.ga.makespan)} | ${f(r.ga.gapToBestKnown * 100)}% | ${r.ga.iterations} | ` +
        `${f(r.pso.makespan)} | ${f(r.pso.gapToBestKnown * 100)}% | ${r.pso.iterations} | ${r.bestKnown} |`,
    );
  }
  return lines.join('\n');
}

// Run alone: `node bench/suites/planners.js [--quick] [--json]`.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const quick = process.argv.includes('--quick');
  const { result, rows } = await run({ quick });
  if (process.argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify({ [name]: result }, null, 2)}\n`);
  } else {
    for (const r of rows.slice(0, 2))
      process.stdout.write(
        `${r.figure}: median ${r.median.toFixed(2)} ms (min ${r.min.toFixed(2)}, max ${r.max.toFixed(2)})\n`,
      );
    process.stdout.write(
      `DAG makespans: HEFT ${result.dag.heftMakespan.toFixed(2)}, PEFT ${result.dag.peftMakespan.toFixed(2)}\n\n`,
    );
    process.stdout.write(`${braunTable(result.braun)}\n`);
  }
}
