// Sweep throughput: cells per second of `ars sweep` on one worker thread and on every core, and the
// speed-up. Each measured sweep starts from an empty in-memory run store, so every cell runs; the
// worker threads are started inside the measured time, as a user's sweep starts them.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { parse } from 'yaml';
import { sweep } from '../../dist/experiment/sweep.js';
import { parseVary } from '../../dist/experiment/sweep-grid.js';
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
  const all = await measure(() => once(cores, cpu.all), { runs, warmup: 0 });
  log(`sweep: ${cells} cells, ${cores} workers: ${all.median.toFixed(2)} cells/s`);
  const speedUp = all.median / one.median;
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
    ],
  };
}
