// Property tests: valid scenarios, mutated at random, never make the loader fail any other way than an
// InputError that names the file; what it accepts fits the work limits.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../errors.js';
import { DEFAULT_LIMITS, workProblem } from './limits.js';
import { parseScenario } from './load.js';
import { parseText } from './read.js';

/** `ARS_FUZZ_RUNS=5000` explores further with fresh seeds; by default the runs are fixed and few. */
const fuzz = process.env.ARS_FUZZ_RUNS
  ? { numRuns: Number(process.env.ARS_FUZZ_RUNS) }
  : { numRuns: 150, seed: 13 };
const examples = join(import.meta.dirname, '../../examples');
const sources = ['seed-case-study.yaml', 'smart-grid.yaml', 'smart-traffic.yaml'].map((name) => {
  const file = join(examples, name);
  const text = readFileSync(file, 'utf8');
  return { file, text, data: parseText(text).data };
});

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Segment = string | number;

/** Every path to a value in `data`, the root included. */
function paths(data: Json, at: Segment[] = [], out: Segment[][] = []): Segment[][] {
  out.push(at);
  if (Array.isArray(data)) {
    for (const [i, v] of data.entries()) paths(v, [...at, i], out);
  } else if (data !== null && typeof data === 'object')
    for (const [k, v] of Object.entries(data)) paths(v, [...at, k], out);
  return out;
}

/** Values a hostile user writes: extremes, wrong types, `__proto__`, long text, nesting. */
const hostileValue: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(
    1e308,
    -1e308,
    1e-300,
    -1,
    0,
    1e9,
    2 ** 53 + 1,
    '__proto__',
    '',
    'x'.repeat(10_000),
    null,
    true,
    [],
    {},
    [[[[[[]]]]]],
  ),
  fc.constant(JSON.parse('{"__proto__": {"id": 1}}') as Json),
  fc.double(),
  fc.integer(),
  fc.string(),
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
);

function mutate(data: Json, path: Segment[], kind: 'set' | 'delete' | 'copy', value: Json): Json {
  const copy = structuredClone(data);
  if (path.length === 0) return kind === 'set' ? value : copy;
  let parent: Json = copy;
  for (const seg of path.slice(0, -1)) parent = (parent as Record<Segment, Json>)[seg]!;
  const last = path[path.length - 1]!;
  const holder = parent as Record<Segment, Json>;
  if (kind === 'set') Object.defineProperty(holder, last, { value, enumerable: true, writable: true });
  else if (kind === 'delete') {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete holder[last];
  } else if (Array.isArray(parent)) parent.push(structuredClone(parent[Number(last)]!));
  return copy;
}

/** The loader either returns a scenario within the limits or throws an InputError naming the file. */
function checkOutcome(text: string, file: string, format: 'yaml' | 'json') {
  let scenario: ReturnType<typeof parseScenario>;
  try {
    scenario = parseScenario(text, { file, format, baseDir: examples });
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    expect(err.code).toMatch(/^ARS_E_INPUT_/);
    expect(err.issues.length).toBeGreaterThan(0);
    for (const issue of err.issues) {
      expect(issue.file).toBe(file);
      expect(typeof issue.message).toBe('string');
    }
    return;
  }
  expect(workProblem(scenario, { horizon: scenario.horizon, runs: 1 }, DEFAULT_LIMITS)).toBeUndefined();
  for (const t of scenario.tenants) expect(t.id).not.toBe('__proto__');
}

describe('the scenario loader on mutated scenarios', () => {
  it('refuses or accepts structural mutations, never crashes', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...sources),
        fc.array(fc.tuple(fc.nat(), fc.constantFrom('set', 'delete', 'copy'), hostileValue), {
          minLength: 1,
          maxLength: 3,
        }),
        (source, mutations) => {
          let data = source.data as Json;
          for (const [pick, kind, value] of mutations) {
            const all = paths(data);
            data = mutate(data, all[pick % all.length]!, kind as 'set' | 'delete' | 'copy', value);
          }
          checkOutcome(JSON.stringify(data), source.file.replace(/\.yaml$/, '.json'), 'json');
        },
      ),
      fuzz,
    );
  }, 900_000);

  it('refuses or accepts text mutations (inserted, deleted, repeated bytes), never crashes', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...sources),
        fc.nat(),
        fc.nat({ max: 40 }),
        fc.oneof(
          fc.string({ maxLength: 20 }),
          fc.constantFrom(
            '&a',
            '*a',
            '[',
            '{',
            ': ',
            '\n  - ',
            '\t',
            '\0',
            '---\n',
            '__proto__: 1\n',
            '!!js/function',
          ),
        ),
        fc.nat({ max: 200 }),
        (source, at, cut, insert, repeat) => {
          const pos = at % (source.text.length + 1);
          const text =
            source.text.slice(0, pos) + insert.repeat(1 + (repeat % 50)) + source.text.slice(pos + cut);
          checkOutcome(text, source.file, 'yaml');
        },
      ),
      fuzz,
    );
  }, 900_000);
});
