#!/usr/bin/env node
// The benchmark runner behind `npm run bench`: loads every suite in bench/suites/*.js, runs them and
// prints one table (or, with --json, one JSON document on stdout). Progress goes to stderr.
//
//   node bench/run.js [--json] [--quick] [--only engine[,other]] [--check]
//
// --check runs the suites of bench/baseline.json in their quick form and exits 1 when a figure is grossly
// worse than the recorded one (bench/check.js); `npm test` has no timed assertion, this is where timing lives.
//
// A suite exports `name` and `async run({ quick, measure, log })` returning `{ result, rows }`:
// `result` is any JSON-able object (stored under the suite's name), `rows` are table lines
// `{ figure, median, min, max, unit }`. See bench/README.md.
import { readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { regressions, suitesOf } from './check.js';
import { makeMeasure } from './measure.js';

function parseArgs(argv) {
  const opts = { json: false, quick: false, only: null, runs: 5, check: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') opts.json = true;
    else if (a === '--quick') opts.quick = true;
    else if (a === '--check') opts.check = true;
    else if (a === '--only') opts.only = (argv[++i] ?? '').split(',').filter(Boolean);
    else if (a.startsWith('--only=')) opts.only = a.slice(7).split(',').filter(Boolean);
    else if (a === '--runs') opts.runs = Number(argv[++i]);
    else if (a === '--help' || a === '-h') {
      process.stdout.write(
        'usage: node bench/run.js [--json] [--quick] [--only suite[,suite]] [--runs n] [--check]\n',
      );
      process.exit(0);
    } else {
      process.stderr.write(`error: unknown argument ${a}\n`);
      process.exit(2);
    }
  }
  if (!(Number.isInteger(opts.runs) && opts.runs > 0)) {
    process.stderr.write('error: --runs needs a positive integer\n');
    process.exit(2);
  }
  return opts;
}

function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: typeof os.availableParallelism === 'function' ? os.availableParallelism() : cpus.length,
    memoryBytes: os.totalmem(),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}

const formatter = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 4 });
const fmt = (x) => (typeof x === 'number' ? formatter.format(x) : String(x ?? ''));

function renderTable(header, rows) {
  const cells = rows.map((r) => r.map(fmt));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i].length)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number'));
  const line = (r) =>
    r
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

async function loadSuites() {
  const dir = new URL('./suites/', import.meta.url);
  const files = (await readdir(dir)).filter((f) => f.endsWith('.js')).sort();
  const suites = [];
  for (const file of files) {
    const mod = await import(new URL(file, dir).href);
    if (typeof mod.name !== 'string' || typeof mod.run !== 'function')
      throw new Error(`bench/suites/${file} must export \`name\` and \`run\``);
    suites.push(mod);
  }
  return suites;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  let suites = await loadSuites();
  let baseline;
  if (opts.check) {
    // the baseline holds quick-run figures: measure the same way, and only what it records
    baseline = JSON.parse(await readFile(new URL('./baseline.json', import.meta.url), 'utf8'));
    opts.quick = true;
    opts.only ??= suitesOf(baseline);
  }
  if (opts.only) {
    const unknown = opts.only.filter((n) => !suites.some((s) => s.name === n));
    if (unknown.length > 0) {
      process.stderr.write(
        `error: unknown suite ${unknown.join(', ')} (have: ${suites.map((s) => s.name).join(', ')})\n`,
      );
      process.exit(2);
    }
    suites = suites.filter((s) => opts.only.includes(s.name));
  }

  const doc = { machine: machine() };
  const table = [];
  const log = (msg) => process.stderr.write(`  ${msg}\n`);
  let failed = false;
  for (const suite of suites) {
    process.stderr.write(`${suite.name}${opts.quick ? ' (quick)' : ''}...\n`);
    const t0 = performance.now();
    try {
      const { result, rows = [] } = await suite.run({
        quick: opts.quick,
        measure: makeMeasure(opts.runs),
        log,
      });
      doc[suite.name] = result;
      for (const r of rows) table.push([suite.name, r.figure, r.median, r.min, r.max, r.unit ?? '']);
    } catch (err) {
      failed = true;
      doc[suite.name] = { error: err instanceof Error ? err.message : String(err) };
      process.stderr.write(
        `${suite.name} failed: ${err instanceof Error ? (err.stack ?? err.message) : err}\n`,
      );
    }
    process.stderr.write(`${suite.name} done in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  }

  if (opts.json) {
    process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  } else {
    const m = doc.machine;
    process.stdout.write(
      `${m.cpu}, ${m.cores} cores, ${(m.memoryBytes / 2 ** 30).toFixed(1)} GiB, Node ${m.node}, ${m.os}\n` +
        `median of ${opts.runs} runs, with min and max\n\n`,
    );
    process.stdout.write(`${renderTable(['suite', 'figure', 'median', 'min', 'max', 'unit'], table)}\n`);
  }
  if (baseline) {
    const bad = regressions(doc, baseline);
    process.stderr.write(
      bad.length === 0
        ? `check: no figure worse than 1/${baseline.factor} of bench/baseline.json\n`
        : `check: ${bad.length} figure(s) grossly worse than bench/baseline.json:\n${bad.map((b) => `  ${b}\n`).join('')}`,
    );
    if (bad.length > 0) failed = true;
  }
  process.exitCode = failed ? 1 : 0;
}

await main();
