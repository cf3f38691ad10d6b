// What the generated reports (scripts/evaluate.js, scripts/stress.js) share: how a number is written in a
// table, the check of their --replications option, and the examples they cover.
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';

/** A number for a table: 3 significant digits, whole above 1000, exponent below 0.001, – when missing. */
export function fmt(x, digits = 3) {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1000) return x.toFixed(0);
  if (a < 0.001) return x.toExponential(1);
  return String(Number(x.toPrecision(digits)));
}

/** Exits with status 2 and a message unless `replications` is an integer of at least 2 (a CI needs two). */
export function checkReplications(replications) {
  if (Number.isInteger(replications) && replications >= 2) return;
  process.stderr.write('error: --replications must be an integer >= 2\n');
  process.exit(2);
}

/** The domain examples (examples/*.yaml but the seed case study), by name, sorted; only `only` when given. */
export function domainExamples(root, only) {
  return readdirSync(join(root, 'examples'))
    .filter((f) => f.endsWith('.yaml') && f !== 'seed-case-study.yaml')
    .map((f) => basename(f, '.yaml'))
    .filter((f) => !only || only.includes(f))
    .sort();
}
