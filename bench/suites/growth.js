// How the cost of a run grows with its size: the edge-fleet scenario at 1,000, 10,000 and 100,000 twins.
// Requests and nodes grow with the twins, so a simulator whose cost per event does not depend on the
// size of the system grows linearly; the goal is no faster than n log n. The horizon is one simulated
// minute, so the largest run (~1.13 M requests) is as big as the scale suite's.
import { runFleet, spreadOf } from '../workloads/child.js';

export const name = 'growth';

export async function run({ quick, log }) {
  const sizes = quick ? [500, 2_000, 8_000] : [1_000, 10_000, 100_000];
  const horizon = quick ? 20 : 60;
  const runs = quick ? 1 : 3;
  const result = { horizon, runs };
  const rows = [];
  let previous;
  for (const twins of sizes) {
    const samples = [];
    for (let i = 0; i < runs; i++) samples.push(runFleet({ twins, horizon }));
    const wall = spreadOf(samples.map((r) => r.wallSeconds));
    const rss = spreadOf(samples.map((r) => r.peakRssMB));
    const entry = {
      twins,
      nodes: samples[0].nodes,
      requests: samples[0].requests,
      events: samples[0].events,
      wallSeconds: wall.median,
      wallSecondsMin: wall.min,
      wallSecondsMax: wall.max,
      peakRssMB: rss.median,
      microsecondsPerRequest: (wall.median / samples[0].requests) * 1e6,
      requestsPerSecond: samples[0].requests / wall.median,
      requestsPerSecondMin: samples[0].requests / wall.max,
      requestsPerSecondMax: samples[0].requests / wall.min,
    };
    if (previous) {
      // time ratio against what n log n allows for the same step
      const nlogn = (twins * Math.log(twins)) / (previous.twins * Math.log(previous.twins));
      entry.ratioToPrevious = wall.median / previous.wallSeconds;
      entry.nlognRatio = nlogn;
      entry.growthExponent = Math.log(wall.median / previous.wallSeconds) / Math.log(twins / previous.twins);
    }
    log(
      `${twins} twins: ${wall.median.toFixed(2)} s, ${rss.median.toFixed(0)} MB, ${entry.requests} requests`,
    );
    result[twins] = entry;
    rows.push({ figure: `${twins}.wallSeconds`, ...wall, unit: 's' });
    previous = entry;
  }
  return { result, rows };
}
