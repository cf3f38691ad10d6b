#!/usr/bin/env node
// Byte-identity check for refactors: runs every example × every registered policy (untraced and traced),
// each example with the ARS profile tuned for it, and the 10,000-twin edge fleet of bench/, and prints one
// SHA-256 per run (of the result JSON, and of the JSON lines of the trace). Compare two outputs with diff.
//
//   npm run build && node scripts/hash-runs.js [--horizon 200] [--fleet-horizon 120] [--no-fleet | --fleet-only] [--only smart-grid] [--ignore-waits] > hashes.txt
//
// --ignore-waits leaves out what counts decisions that placed nothing: the result's `scheduler.decisions` and
// the trace's records of work that waited (no node chosen), for a change that only stops trying work no node
// can take.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { edgeFleetScenario } from '../bench/workloads/edge-fleet.js';

// ARS_DIST=/path/to/another/dist hashes another build (e.g. a copy of the untouched code's dist/)
const dist = process.env.ARS_DIST
  ? pathToFileURL(`${process.env.ARS_DIST}/`).href
  : new URL('../dist/', import.meta.url).href;
const { runScenario } = await import(`${dist}experiment/run.js`);
const { loadScenario } = await import(`${dist}model/index.js`);
const { policyNames } = await import(`${dist}policies/index.js`);

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const horizon = opt('horizon', 200);
const fleetHorizon = opt('fleet-horizon', 120);
const only = (() => {
  const i = args.indexOf('--only');
  return i >= 0 ? args[i + 1] : undefined;
})();

const ignoreWaits = args.includes('--ignore-waits');
const sha = (s) => createHash('sha256').update(s).digest('hex').slice(0, 16);
const hashed = (result) => {
  if (!ignoreWaits) return result;
  const { decisions: _, ...scheduler } = result.scheduler;
  return { ...result, scheduler };
};

class HashSink {
  #h = createHash('sha256');
  count = 0;
  record(d) {
    if (ignoreWaits && d.kind === 'place' && d.chosen === null) return;
    this.#h.update(`${JSON.stringify(d)}\n`);
    this.count++;
  }
  digest() {
    return this.#h.digest('hex').slice(0, 16);
  }
}

const examples = readdirSync('examples')
  .filter((f) => f.endsWith('.yaml'))
  .sort();
for (const file of args.includes('--fleet-only') ? [] : examples) {
  const name = file.replace(/\.yaml$/, '');
  if (only && !name.includes(only)) continue;
  const scenario = loadScenario(join('examples', file));
  const runs = policyNames().map((p) => ({ label: p, policy: p }));
  runs.push({ label: 'scenario-default', policy: undefined });
  const profile = join('profiles', `${name}.json`);
  if (existsSync(profile)) {
    const tuned = JSON.parse(readFileSync(profile, 'utf8'));
    runs.push({ label: 'ars-tuned', policy: { name: tuned.policy, params: tuned.params } });
  }
  for (const r of runs) {
    const plain = runScenario(scenario, { policy: r.policy, horizon });
    const sink = new HashSink();
    const traced = runScenario(scenario, { policy: r.policy, horizon, trace: sink });
    process.stdout.write(
      `${name} ${r.label} result=${sha(JSON.stringify(hashed(plain)))} traced=${sha(JSON.stringify(hashed(traced)))} trace=${sink.digest()} lines=${sink.count}\n`,
    );
  }
}
if (!args.includes('--no-fleet') && !only) {
  for (const policy of ['least-loaded', 'ars']) {
    const scenario = edgeFleetScenario({ twins: 10_000, horizon: fleetHorizon, seed: 1, policy });
    const result = runScenario(scenario, { policy });
    process.stdout.write(`edge-fleet-10000 ${policy} result=${sha(JSON.stringify(hashed(result)))}\n`);
  }
}
