// Runs the built CLI (`npm test` builds first) on every broken fixture and on the examples.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { safeLoadScenario } from '../src/model/index.js';
import { ars, type Run, root } from './run-cli.js';

const bad = (name: string) => `test/fixtures/bad/${name}`;

/** Each broken fixture: the error code, and the `line:column: path` (or file-level message) it must name. */
const cases: { file: string; code: string; where: string }[] = [
  { file: bad('syntax-error.yaml'), code: 'ARS_E_INPUT_SYNTAX', where: ':7:1: YAML syntax error' },
  { file: bad('syntax-error.json'), code: 'ARS_E_INPUT_SYNTAX', where: ':5:1: JSON syntax error' },
  { file: bad('wrong-type.yaml'), code: 'ARS_E_INPUT_SCHEMA', where: ':2:10: horizon: wrong type' },
  { file: bad('wrong-type.json'), code: 'ARS_E_INPUT_SCHEMA', where: ':6:48: nodes[0].compute: wrong type' },
  {
    file: bad('unknown-field.yaml'),
    code: 'ARS_E_INPUT_SCHEMA',
    where: ':9:5: nodes[0].atention: unknown field `atention`; did you mean `attention`?',
  },
  {
    file: bad('negative-capacity.yaml'),
    code: 'ARS_E_INPUT_SCHEMA',
    where: ':8:14: nodes[0].compute: too small',
  },
  {
    file: bad('missing-field.yaml'),
    code: 'ARS_E_INPUT_SCHEMA',
    where: ':1:1: horizon: missing required field',
  },
  {
    file: bad('dag-cycle.yaml'),
    code: 'ARS_E_INPUT_SEMANTIC',
    where: ':14:9: workloads[0].tasks[0]: tasks form a cycle: fetch → analyse → render → fetch',
  },
  {
    file: bad('dangling-edge.yaml'),
    code: 'ARS_E_INPUT_SEMANTIC',
    where: ':17:28: workloads[0].edges[0].to: unknown task `analyse`',
  },
  {
    file: bad('unknown-tenant.yaml'),
    code: 'ARS_E_INPUT_SEMANTIC',
    where: ':11:13: workloads[0].tenant: unknown tenant `acne`',
  },
  {
    file: bad('impossible-task.yaml'),
    code: 'ARS_E_INPUT_SEMANTIC',
    where: ':16:9: workloads[0].tasks[0]: no node can run this task',
  },
  {
    file: bad('duplicate-ids.yaml'),
    code: 'ARS_E_INPUT_SEMANTIC',
    where: ':10:9: nodes[1].id: duplicate node id',
  },
  {
    file: bad('missing-trace.yaml'),
    code: 'ARS_E_INPUT_SEMANTIC',
    where: ':12:35: workloads[0].arrival.file: trace file not found',
  },
  {
    file: bad('empty.yaml'),
    code: 'ARS_E_INPUT_FILE',
    where: ': the file is empty (expected a scenario mapping',
  },
  { file: bad('comments-only.yaml'), code: 'ARS_E_INPUT_FILE', where: ': the file is empty' },
  { file: bad('binary.yaml'), code: 'ARS_E_INPUT_FILE', where: ': not a text file' },
  {
    file: bad('alias-bomb.yaml'),
    code: 'ARS_E_INPUT_FILE',
    where: ':3:8: refused: YAML aliases expand too much',
  },
];

// Policy names are checked only once the catalogue is filled (`policyNames()` is not empty).
const { policyNames } = (await import(join(root, 'dist/policies/index.js'))) as {
  policyNames: () => string[];
};
if (policyNames().length > 0)
  cases.push({
    file: bad('unknown-policy.yaml'),
    code: 'ARS_E_INPUT_SEMANTIC',
    where: ':4:9: policy: unknown policy `no-such-policy`',
  });

const examples = readdirSync(join(root, 'examples'))
  .filter((f) => /\.(ya?ml|json)$/.test(f))
  .map((f) => `examples/${f}`);

const tmp = mkdtempSync(join(tmpdir(), 'ars-cli-validate-'));
const big = join(tmp, 'big.yaml');
let text: Run;
let json: Run;
let good: Run;
let huge: Run;
let schema: Run;
let schemaOut: Run;

beforeAll(async () => {
  // 20 MB of comment lines: over the 16 MiB limit, which must be checked before the file is read.
  writeFileSync(big, `${'#'.repeat(99)}\n`.repeat(200_000));
  const files = cases.map((c) => c.file);
  [text, json, good, huge, schema, schemaOut] = await Promise.all([
    ars('validate', ...files),
    ars('validate', '--json', ...files, ...examples),
    ars('validate', ...examples),
    ars('validate', big),
    ars('schema'),
    ars('schema', '--out', join(tmp, 'scenario.schema.json')),
  ]);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('ars validate on broken scenarios', () => {
  it('exits 2 without a stack trace', () => {
    expect(text.code).toBe(2);
    expect(text.stderr).not.toContain('    at ');
    expect(text.stderr).not.toContain('internal error');
    expect(text.stdout).toBe('');
  });
  it.each(cases)('names the file, the location and the code for $file', ({ file, code, where }) => {
    const lines = text.stderr.split('\n').filter((l) => l.startsWith(`${file}:`));
    expect(lines.some((l) => l.startsWith(`${file}${where}`))).toBe(true);
    expect(lines).toContain(`${file}: error ${code}: 1 problem`);
  });
  it('names a file on every line of stderr', () => {
    for (const line of text.stderr.trimEnd().split('\n'))
      expect(cases.some((c) => line.startsWith(`${c.file}:`))).toBe(true);
  });
  it('prints one JSON document with each file’s errors, and keeps the good files', () => {
    expect(json.code).toBe(2);
    const doc = JSON.parse(json.stdout) as {
      files: {
        file: string;
        ok: boolean;
        summary?: unknown;
        errors?: { code: string; line: number | null }[];
      }[];
    };
    expect(doc.files.map((f) => f.file)).toEqual([...cases.map((c) => c.file), ...examples]);
    doc.files.forEach((f, i) => {
      const c = cases[i];
      if (c) {
        expect(f.ok).toBe(false);
        expect(f.errors![0]!.code).toBe(c.code);
        const line = /^:(\d+):/.exec(c.where);
        expect(f.errors![0]!.line).toBe(line ? Number(line[1]) : null);
      } else {
        expect(f).toMatchObject({ ok: true, summary: expect.any(Object) });
      }
    });
  });
  it('refuses a 20 MB file by its size', () => {
    expect(huge.code).toBe(2);
    expect(huge.stderr).toContain(`${big}: file too large`);
    expect(huge.stderr).toContain('ARS_E_INPUT_FILE');
  });
  it('refuses an unknown policy name given the catalogue', () => {
    const r = safeLoadScenario(join(root, bad('unknown-policy.yaml')), { knownPolicies: ['fifo', 'drf'] });
    expect(r.ok ? 'ok' : r.error.code).toBe('ARS_E_INPUT_SEMANTIC');
  });
});

describe('ars validate on the examples', () => {
  it('accepts every example', () => {
    expect(examples).toContain('examples/seed-case-study.yaml');
    expect(good.stderr).toBe('');
    expect(good.code).toBe(0);
    for (const f of examples) expect(good.stdout).toMatch(new RegExp(`^${f}: ok \\(\\d+ nodes?, `, 'm'));
    expect(good.stdout).toContain('examples/seed-case-study.yaml: ok (3 nodes, 5 twins, 5 workloads)');
  });
});

describe('ars schema', () => {
  it('prints the JSON Schema, where defaulted fields are optional', () => {
    expect(schema.code).toBe(0);
    const s = JSON.parse(schema.stdout) as { required: string[]; properties: Record<string, unknown> };
    expect(s.required).toContain('horizon');
    expect(s.required).not.toContain('seed');
    expect(Object.keys(s.properties)).toContain('workloads');
  });
  it('writes it to a file with --out', () => {
    expect(schemaOut.code).toBe(0);
    expect(readFileSync(join(tmp, 'scenario.schema.json'), 'utf8')).toBe(schema.stdout);
  });
});
