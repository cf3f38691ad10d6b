// Starts bench/workloads/run-fleet.js in a fresh Node process and returns its JSON line.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('./run-fleet.js', import.meta.url));

/** @param {{ twins: number, horizon: number, policy?: string, seed?: number }} o */
export function runFleet({ twins, horizon, policy = 'least-loaded', seed = 1 }) {
  const out = execFileSync(
    process.execPath,
    [
      script,
      '--twins',
      String(twins),
      '--horizon',
      String(horizon),
      '--policy',
      policy,
      '--seed',
      String(seed),
    ],
    { encoding: 'utf8', maxBuffer: 1 << 20, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return JSON.parse(out.trim().split('\n').pop());
}

/** Median, min and max of `values`. */
export function spreadOf(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return {
    median: s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2,
    min: s[0],
    max: s[s.length - 1],
  };
}
