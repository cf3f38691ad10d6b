// Sweep throughput: cells per second of `ars sweep` on one worker thread and on every core, and the
// speed-up, measured two ways, each sweep from an empty run store so that every cell runs:
// - in this process, after one warm-up sweep each (the warm threads of the pool are reused, as a
//   library caller's second sweep reuses them; the one-worker sweep runs in this warm thread);
// - as a user runs it: a fresh `ars sweep` process per sweep (`--workers 1` and one per core), every
//   isolate starting cold, wall time and the child's CPU time (from /usr/bin/time when it is there).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parse } from 'yaml';
import { sweep } from '../../dist/experiment/sweep.js';
import { parseVary } from '../../dist/experiment/sweep-grid.js';
import { closeSweepWorkers } from '../../dist/experiment/sweep-pool.js';
import { RunStore } from '../../dist/store/runs-sqlite.js';

export const name = 'sweep';

const file = 'examples/smart-factory.yaml';

export async function run({ quick, measure, log }) {
  const document = parse(readFileSync(file, 'utf8'));
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  const vary = [parseVary(quick ? 'workloads.*.rate=1x,2x' : 'workloads.*.rate=0.5x..2x:4')];
  const policies = quick ? ['fifo'] : ['fifo', 'least-loaded', 'max-age-first'];
  const replications = quick ? 1 : 2;
  // cells of a few CPU-seconds each, as in a real sweep: a worker's start-up (loading the modules,
  // a cold JIT) is paid once per worker and should not be what is measured
  const horizon = quick ? 20 : 600;
  const cells = vary[0].values.length * policies.length * replications;
  // CPU seconds of the whole process (every thread), per cell: what the work costs, whatever the load
  const cpu = { 1: [], all: [] };
  const once = async (workers, into) => {
    const store = new RunStore(':memory:');
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await sweep({ document, file }, { vary, policies, replications, horizon, workers, store });
    const seconds = (performance.now() - t0) / 1000;
    const used = process.cpuUsage(c0);
    into.push((used.user + used.system) / 1e6 / cells);
    store.close();
    return cells / seconds;
  };
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const runs = quick ? 1 : 3;
  const one = await measure(() => once(1, cpu[1]), { runs, warmup: quick ? 0 : 1 });
  log(`sweep: ${cells} cells, 1 worker: ${one.median.toFixed(2)} cells/s`);
  const all = await measure(() => once(cores, cpu.all), { runs, warmup: quick ? 0 : 1 });
  log(`sweep: ${cells} cells, ${cores} warm workers: ${all.median.toFixed(2)} cells/s`);
  await closeSweepWorkers();
  const speedUp = all.median / one.median;

  // fresh processes, as `ars sweep` runs
  const tmp = mkdtempSync(join(os.tmpdir(), 'ars-bench-sweep-'));
  const timer = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
  const coldCpu = { 1: [], all: [] };
  let n = 0;
  /** One fresh `ars sweep` process: its wall seconds and, with /usr/bin/time, its CPU seconds. */
  const cliRun = (workers) => {
    const args = [
      'dist/cli/main.js',
      'sweep',
      file,
      '--vary',
      quick ? 'workloads.*.rate=1x,2x' : 'workloads.*.rate=0.5x..2x:4',
      '--policies',
      policies.join(','),
      '-n',
      String(replications),
      '--horizon',
      String(horizon),
      '--workers',
      String(workers),
      '--store',
      join(tmp, `runs-${n++}.db`),
      '--json',
    ];
    const timeFile = join(tmp, 'time.txt');
    const t0 = performance.now();
    if (timer)
      execFileSync(timer, ['-f', '%U %S', '-o', timeFile, process.execPath, ...args], { stdio: 'ignore' });
    else execFileSync(process.execPath, args, { stdio: 'ignore' });
    const seconds = (performance.now() - t0) / 1000;
    if (!timer) return { seconds, cpu: null };
    const [user, sys] = readFileSync(timeFile, 'utf8').trim().split(/\s+/).map(Number);
    return { seconds, cpu: user + sys };
  };
  const sample = (workers) => async () => {
    const r = cliRun(workers);
    if (r.cpu !== null) coldCpu[workers === 1 ? 1 : 'all'].push(r.cpu / cells);
    return cells / r.seconds;
  };
  let cold1;
  let coldAll;
  try {
    cold1 = await measure(sample(1), { runs, warmup: 0 });
    coldAll = await measure(sample(cores), { runs, warmup: 0 });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  log(
    `sweep: fresh processes, 1 worker ${cold1.median.toFixed(2)} cells/s, ${cores} workers ${coldAll.median.toFixed(2)} cells/s`,
  );
  const coldSpeedUp = coldAll.median / cold1.median;
  return {
    result: {
      scenario: file,
      cells,
      horizon,
      cores,
      cellsPerSecond1: one.median,
      cellsPerSecond1Min: one.min,
      cellsPerSecond1Max: one.max,
      cellsPerSecondAll: all.median,
      cellsPerSecondAllMin: all.min,
      cellsPerSecondAllMax: all.max,
      speedUp,
      cpuSecondsPerCell1: median(cpu[1]),
      cpuSecondsPerCellAll: median(cpu.all),
      coldCellsPerSecond1: cold1.median,
      coldCellsPerSecondAll: coldAll.median,
      coldSpeedUp,
      coldCpuSecondsPerCell1: coldCpu[1].length > 0 ? median(coldCpu[1]) : null,
      coldCpuSecondsPerCellAll: coldCpu.all.length > 0 ? median(coldCpu.all) : null,
      loadAverage: os.loadavg()[0],
    },
    rows: [
      {
        figure: 'cellsPerSecond1 (1 worker)',
        median: one.median,
        min: one.min,
        max: one.max,
        unit: 'cells/s',
      },
      {
        figure: `cellsPerSecondAll (${cores} workers)`,
        median: all.median,
        min: all.min,
        max: all.max,
        unit: 'cells/s',
      },
      { figure: 'speedUp', median: speedUp, min: speedUp, max: speedUp, unit: '×' },
      {
        figure: 'coldCellsPerSecond1 (fresh process, 1 worker)',
        median: cold1.median,
        min: cold1.min,
        max: cold1.max,
        unit: 'cells/s',
      },
      {
        figure: `coldCellsPerSecondAll (fresh process, ${cores} workers)`,
        median: coldAll.median,
        min: coldAll.min,
        max: coldAll.max,
        unit: 'cells/s',
      },
      { figure: 'coldSpeedUp', median: coldSpeedUp, min: coldSpeedUp, max: coldSpeedUp, unit: '×' },
    ],
  };
}
