#!/usr/bin/env node
// Generates docs/scenario.md from the scenario schema's descriptions (via the JSON Schema that
// `ars schema` prints), so the reference cannot drift from the validator.
//   node scripts/gen-scenario-docs.js           writes docs/scenario.md (run `npm run build` first)
//   node scripts/gen-scenario-docs.js --check   exits 1 when docs/scenario.md is out of date
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_LIMITS, parseScenario, scenarioJsonSchema } from '../dist/model/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const docsFile = join(root, 'docs', 'scenario.md');

/** A small scenario using most sections; the docs test checks that it validates. */
export const workedExample = `name: press-shop
description: Two presses watched from the edge; what-if simulations run in the cloud.
horizon: 3600          # one simulated hour
warmup: 300            # the first five minutes are not measured
seed: 7
policy: fifo
tenants:
  - id: plant
    weight: 2
  - id: lab
nodes:
  - id: edge           # expands to edge-0 and edge-1
    count: 2
    tier: edge
    zone: hall
    compute: 4         # units, think cores
    attention: 8       # monitoring slots
    power: { idle: 20, busy: 60 }
  - id: cloud
    tier: cloud
    compute: 64
    attention: 16
    speed: { default: 2, kinds: { simulate: 4 } }
    costPerSecond: 0.001
network:
  tiers:
    - { between: [device, edge], latency: 0.002, bandwidth: 12500000 }
    - { between: [edge, cloud], latency: 0.04, bandwidth: 125000000 }
assets:
  - id: press          # expands to press-0 and press-1, each with its twin
    count: 2
    tenant: plant
    zone: hall
    dynamics: { kind: ornstein-uhlenbeck, mean: 50, reversion: 0.05, volatility: 2 }
    anomaly: { rate: 0.0005, kind: jump, magnitude: 10 }
    twin:
      criticality: 3
      sampleBytes: 2000
      refresh: { work: 0.02, compute: 1, attention: 1, tier: edge }
      maxAge: 10
workloads:
  - id: what-if
    tenant: lab
    priority: 1
    deadline: 30
    arrival: { kind: poisson, rate: 0.05 }
    tasks:
      - { id: snapshot, work: 0.1, twin: { group: press, maxAge: 5 } }
      - { id: simulate, kind: simulate, work: 8, compute: 4, tier: cloud }
      - { id: report, work: 0.5, after: [simulate], outputBytes: 50000 }
    edges:
      - { from: snapshot, to: simulate, bytes: 200000 }
`;

const unitWords = /seconds|bytes|watts|currency|units|per second|0\.\.1|square-root/;

/** Splits a trailing "(unit)" off a description when it names a unit. */
function splitUnit(description = '') {
  const m = /\s*\(([^()]*)\)\s*$/.exec(description);
  if (m && unitWords.test(m[1])) return { text: description.slice(0, m.index), unit: m[1] };
  return { text: description, unit: '' };
}

const isObject = (s) => s && s.type === 'object' && s.properties;
const kindOf = (s) => s.properties?.kind?.const;
/** The object options of a union, if any. */
const objectOptions = (s) => (s.oneOf ?? s.anyOf ?? []).filter(isObject);

function bounds(s) {
  const parts = [];
  if (s.exclusiveMinimum !== undefined) parts.push(`> ${s.exclusiveMinimum}`);
  if (s.minimum !== undefined && !(s.type === 'integer' && s.minimum <= Number.MIN_SAFE_INTEGER))
    parts.push(`≥ ${s.minimum}`);
  if (s.exclusiveMaximum !== undefined) parts.push(`< ${s.exclusiveMaximum}`);
  if (s.maximum !== undefined && !(s.type === 'integer' && s.maximum >= Number.MAX_SAFE_INTEGER))
    parts.push(`≤ ${s.maximum}`);
  if (s.minItems !== undefined && s.minItems > 0) return ` (at least ${s.minItems})`;
  if (s.minLength !== undefined && s.minLength > 0) return ', non-empty';
  return parts.length ? ` ${parts.join(', ')}` : '';
}

function typeOf(s) {
  if (s.const !== undefined) return `\`${JSON.stringify(s.const)}\``;
  if (s.enum) return s.enum.map((v) => `\`${v}\``).join(' | ');
  const union = s.oneOf ?? s.anyOf;
  if (union) {
    const kinds = union.map(kindOf).filter((k) => k !== undefined);
    if (kinds.length === union.length) return `mapping; \`kind\`: ${kinds.map((k) => `\`${k}\``).join(', ')}`;
    return union.map((o) => (isObject(o) ? 'mapping' : typeOf(o))).join(' or ');
  }
  if (s.pattern) return 'identifier';
  if (s.type === 'array') {
    const tuple = s.prefixItems ?? (Array.isArray(s.items) ? s.items : undefined);
    if (tuple) return `[${tuple.map(typeOf).join(', ')}]`;
    return `list of ${s.items ? (isObject(s.items) ? 'mappings' : typeOf(s.items)) : 'values'}${bounds(s)}`;
  }
  if (s.type === 'object') {
    if (s.properties) return 'mapping';
    const value = s.additionalProperties;
    return value && typeof value === 'object' && Object.keys(value).length
      ? `mapping of name → ${typeOf(value)}`
      : 'mapping';
  }
  if (s.type === 'number') return `number${bounds(s)}`;
  if (s.type === 'integer') return `integer${bounds(s)}`;
  if (s.type === 'string') return `string${bounds(s)}`;
  if (s.type === 'boolean') return 'boolean';
  return 'any';
}

/** A value as it would be written in a YAML flow collection. */
function flow(v) {
  if (Array.isArray(v)) return `[${v.map(flow).join(', ')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v).map(([k, x]) => `${k}: ${flow(x)}`);
    return entries.length ? `{ ${entries.join(', ')} }` : '{}';
  }
  if (typeof v === 'string') return v === '' || /[:#,[\]{}]/.test(v) ? JSON.stringify(v) : v;
  return String(v);
}

function defaultOf(s, required) {
  if (required) return 'required';
  if (s.default === undefined) return '—';
  const d = s.default;
  if (d && typeof d === 'object' && !Array.isArray(d) && Object.keys(d).length > 0) {
    // A mapping's default is spelled out in the section of its fields.
    return (s.oneOf ?? s.anyOf) && d.kind !== undefined
      ? `\`kind: ${d.kind}\` with its defaults`
      : 'its fields’ defaults';
  }
  return `\`${flow(d)}\``;
}

const cell = (text) => String(text).replace(/\|/g, '\\|').replace(/\n/g, ' ');
const selects = 'selects this variant';

/**
 * Renders one mapping: a table of its fields, then a section for every nested mapping, list of
 * mappings and union of mappings, depth first, so each section sits below the table that points to it.
 */
function renderObject(out, title, s, depth, note) {
  const [path, kind] = title.split(' kind: ');
  out.push(`${'#'.repeat(Math.min(depth, 4))} \`${path}\`${kind ? ` with \`kind: ${kind}\`` : ''}`, '');
  if (s.description) out.push(`${s.description[0].toUpperCase()}${s.description.slice(1)}.`, '');
  if (note) out.push(note, '');
  const required = new Set(s.required ?? []);
  const rows = [];
  const nested = [];
  for (const [name, field] of Object.entries(s.properties)) {
    const path = `${title}.${name}`.replace(/^scenario\./, '');
    const { text, unit } = splitUnit(field.description);
    const meaning = name === 'kind' && field.const !== undefined ? selects : text;
    rows.push(
      `| \`${name}\` | ${cell(typeOf(field))} | ${defaultOf(field, required.has(name))} | ${cell(unit || '—')} | ${cell(meaning)} |`,
    );
    if (isObject(field)) nested.push([path, field]);
    else if (field.type === 'array' && isObject(field.items)) nested.push([`${path}[]`, field.items]);
    for (const option of objectOptions(field)) {
      const kind = kindOf(option);
      const withDescription = { ...option, description: option.description ?? field.description };
      nested.push([
        kind ? `${path} kind: ${kind}` : path,
        withDescription,
        kind ? undefined : 'Written as a mapping, this field takes these fields:',
      ]);
    }
  }
  out.push('| field | type | default | unit | meaning |', '| --- | --- | --- | --- | --- |', ...rows, '');
  for (const [path, field, n] of nested) renderObject(out, path, field, depth + 1, n);
}

/** The whole of docs/scenario.md. */
export function renderScenarioDocs() {
  const schema = scenarioJsonSchema();
  const out = [
    '# Scenario reference',
    '',
    '<!-- Generated by scripts/gen-scenario-docs.js from src/model/schema.ts. Do not edit by hand:',
    '     change the schema descriptions, run `npm run build && node scripts/gen-scenario-docs.js`. -->',
    '',
    'A scenario file describes everything one simulation run needs: tenants, nodes, the network,',
    'assets with their twins, and workloads of request DAGs. It is YAML (`.yaml`, `.yml`) or JSON',
    '(`.json`); check one with `ars validate FILE`.',
    '',
    '**Units.** Times and durations are simulated seconds, data sizes bytes, bandwidth bytes per',
    'second, power watts, money the scenario’s own currency. Compute and attention are abstract',
    'capacity units: a node offers some of each, and a task or refresh holds its demand for as long as',
    'it runs, which is `work / speed` seconds on that node.',
    '',
    '**Groups.** An entry of `nodes` or `assets` with `count: n` makes n identical members named',
    '`id-0` … `id-(n-1)`; with `count: 1` (the default) the member keeps the id. Each asset has one',
    'twin with the same id. Links may name a node or a whole node group; tasks name an asset group',
    'and get one of its twins.',
    '',
    '**Dependencies.** A task’s `after` list and the workload’s `edges` both order tasks; `after`',
    'adds an edge carrying 0 bytes. The tasks must form a DAG.',
    '',
    '**Editor support.** `ars schema --out scenario.schema.json` writes the JSON Schema. Start a',
    'YAML scenario with the comment `# yaml-language-server: $schema=./scenario.schema.json`, or',
    'give a JSON scenario the field `"$schema": "./scenario.schema.json"`, to get completion and',
    'checks in your editor. Fields with a default are optional.',
    '',
    '## Worked example',
    '',
    '```yaml',
    workedExample.trimEnd(),
    '```',
    '',
    'It expands to nodes `edge-0`, `edge-1` and `cloud`, twins `press-0` and `press-1`, and one',
    'workload whose tasks run in the order snapshot, simulate, report. A larger example is',
    '`examples/seed-case-study.yaml`.',
    '',
  ];
  renderObject(out, 'scenario', schema, 2);
  out.push(
    '## Errors',
    '',
    'The loader reports every problem of a stage at once, each with the file, line, column and',
    'path (such as `nodes[2].compute`), what was expected and what was found. `ars validate` exits',
    'with 2 when a file is refused.',
    '',
    '| code | meaning |',
    '| --- | --- |',
    '| `ARS_E_INPUT_FILE` | missing, unreadable (the reason is given), a directory, a device or pipe, empty, not UTF-8 text, larger than 16 MiB, nested too deeply, or YAML aliases that expand too much |',
    '| `ARS_E_INPUT_SYNTAX` | YAML or JSON that does not parse (including duplicate keys) |',
    '| `ARS_E_INPUT_SCHEMA` | a wrong type, a value out of range, a missing required field, an unknown field (with a suggestion when one is close) |',
    '| `ARS_E_INPUT_SEMANTIC` | duplicate ids, unknown tenants, tasks, asset groups, nodes, zones or policies, a cycle among tasks, a task or refresh no node can run, an elastic `count` outside `min`..`max`, `warmup` not before `horizon`, a missing or unreadable trace file, more nodes, twins, tasks or simulation work than the limits below |',
    '',
    '## Limits',
    '',
    'A scenario can be valid and still impossible to run: a billion twins, an arrival rate of 1e308, a',
    'scheduling window of 1e-300 s, a horizon of 1e12 s. The loader checks these limits before it',
    'expands groups or starts a run, and refuses with the place in the file, the estimate and the',
    'limit. `ars --no-limits <command>` lifts them all; `ars --max-work <events> <command>` sets the',
    'work limit alone (see [cli.md](cli.md#limits)).',
    '',
    '| limit | default | what counts |',
    '| --- | --- | --- |',
    `| file size | ${DEFAULT_LIMITS.maxBytes} bytes (16 MiB) | the scenario file and every trace file it names; only regular files are read (no devices or pipes) |`,
    `| YAML aliases | ${DEFAULT_LIMITS.maxAliasCount} expansions | nodes copied through \`*alias\` while reading a file |`,
    `| nesting depth | ${DEFAULT_LIMITS.maxDepth} levels | lists and mappings inside each other |`,
    `| nodes | ${DEFAULT_LIMITS.maxNodes} | nodes after expanding groups; an elastic group counts with \`elastic.max\` |`,
    `| twins | ${DEFAULT_LIMITS.maxTwins} | twins after expanding asset groups |`,
    `| tasks | ${DEFAULT_LIMITS.maxTasks} per workload | tasks in one request DAG |`,
    `| events per simulated second | ${DEFAULT_LIMITS.maxEventsPerSecond} | the estimate below, per second of simulated time |`,
    `| work | ${DEFAULT_LIMITS.maxWork} events | the estimate below over the horizon, times the runs of the command |`,
    '',
    'The work estimate is an upper-side count of simulation events: per request its arrival and a start',
    'and an end per task; twin refreshes at the most the nodes can run at once (compute and attention',
    'slots over the shortest refresh) and at most one per twin at a time; the scheduling and feedback',
    'windows; anomalies; node failures and repairs; autoscaler looks. On the examples it is 1.5 to 2.5',
    'times the events the simulator reports. `__proto__` is refused as an id and as a key anywhere in',
    'the file: ids become keys of result maps, where that one name would be lost.',
    '',
  );
  return `${out.join('\n')}`;
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  parseScenario(workedExample, { file: 'worked example' });
  const text = renderScenarioDocs();
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(docsFile, 'utf8');
    } catch {}
    if (current !== text) {
      process.stderr.write('docs/scenario.md is out of date: run `node scripts/gen-scenario-docs.js`\n');
      process.exitCode = 1;
    }
  } else {
    writeFileSync(docsFile, text);
    process.stderr.write(`wrote ${docsFile}\n`);
  }
}
