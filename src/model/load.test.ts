import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../errors.js';
import { loadScenario, parseScenario, safeLoadScenario, safeParseScenario } from './load.js';

const base = `name: demo
horizon: 100
tenants:
  - id: acme
nodes:
  - id: edge
    count: 2
    tier: edge
    compute: 4
    attention: 2
workloads:
  - id: query
    tenant: acme
    arrival: { kind: poisson, rate: 1 }
    tasks:
      - id: read
        work: 0.5
`;

function fail(text: string, options = {}): InputError {
  const r = safeParseScenario(text, { file: 'in.yaml', ...options });
  if (r.ok) throw new Error('expected the scenario to be refused');
  return r.error;
}

const dir = mkdtempSync(join(tmpdir(), 'ars-load-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('parseScenario on a valid scenario', () => {
  it('applies defaults and expands groups', () => {
    const s = parseScenario(base);
    expect(s.name).toBe('demo');
    expect(s.seed).toBe(1);
    expect(s.policy).toEqual({ name: 'fifo', params: {} });
    expect(s.nodes.map((n) => n.id)).toEqual(['edge-0', 'edge-1']);
    expect(s.workloads[0]!.tasks[0]!.compute).toBe(1);
    expect(s.file).toBeUndefined();
  });
  it('reads JSON with the same result', () => {
    const json = JSON.stringify({
      name: 'demo',
      horizon: 100,
      tenants: [{ id: 'acme' }],
      nodes: [{ id: 'edge', count: 2, tier: 'edge', compute: 4, attention: 2 }],
      workloads: [
        {
          id: 'query',
          tenant: 'acme',
          arrival: { kind: 'poisson', rate: 1 },
          tasks: [{ id: 'read', work: 0.5 }],
        },
      ],
    });
    expect(parseScenario(json, { format: 'json' })).toEqual(parseScenario(base));
  });
  it('accepts anchors and aliases used in moderation', () => {
    const text = `${base}  - id: q2\n    tenant: acme\n    arrival: &every { kind: periodic, period: 5 }\n    tasks: [{ id: a, work: 1 }]\n  - id: q3\n    tenant: acme\n    arrival: *every\n    tasks: [{ id: a, work: 1 }]\n`;
    const s = parseScenario(text);
    expect(s.workloads[2]!.arrival).toEqual({ kind: 'periodic', period: 5, offset: 0, jitter: 0 });
  });
});

describe('schema errors', () => {
  it('locates a wrong type with path, expected and found', () => {
    const e = fail(base.replace('compute: 4', 'compute: four'));
    expect(e.code).toBe('ARS_E_INPUT_SCHEMA');
    expect(e.issues).toEqual([
      expect.objectContaining({
        file: 'in.yaml',
        path: 'nodes[0].compute',
        line: 9,
        column: 14,
        expected: 'a number',
        found: '"four"',
      }),
    ]);
  });
  it('reports every problem of the file together, in reading order', () => {
    const e = fail(base.replace('horizon: 100', 'horizon: -1').replace('tier: edge', 'tier: edg'));
    expect(e.issues.map((i) => [i.path, i.line])).toEqual([
      ['horizon', 2],
      ['nodes[0].tier', 8],
    ]);
    expect(e.issues[1]!.message).toContain('did you mean `edge`');
  });
  it('names an unknown field at its key, with a did-you-mean', () => {
    const e = fail(base.replace('attention: 2', 'atention: 2'));
    expect(e.issues[0]).toMatchObject({ path: 'nodes[0].atention', line: 10, column: 5 });
    expect(e.issues[0]!.message).toContain('did you mean `attention`');
    expect(e.issues[0]!.expected).toContain('compute');
  });
  it('suggests no field when the unknown one is far from all', () => {
    const e = fail(base.replace('attention: 2', 'colour: blue'));
    expect(e.issues[0]!.message).not.toContain('did you mean');
  });
  it('finds unknown fields inside a discriminated union', () => {
    const e = fail(base.replace('rate: 1', 'rat: 1'));
    const paths = e.issues.map((i) => i.path).sort();
    expect(paths).toEqual(['workloads[0].arrival.rat', 'workloads[0].arrival.rate']);
    expect(e.issues.find((i) => i.path.endsWith('rat'))!.message).toContain('did you mean `rate`');
    expect(e.issues.find((i) => i.path.endsWith('rate'))!.message).toContain('missing required field');
  });
  it('suggests a known arrival kind', () => {
    const e = fail(base.replace('kind: poisson', 'kind: poison'));
    expect(e.issues[0]).toMatchObject({ path: 'workloads[0].arrival.kind', found: '"poison"' });
    expect(e.issues[0]!.message).toContain('did you mean `poisson`');
  });
  it('reports a missing required field at the mapping that lacks it', () => {
    const e = fail(base.replace('    compute: 4\n', ''));
    expect(e.issues[0]).toMatchObject({ path: 'nodes[0].compute', line: 6, column: 5, expected: 'a number' });
    expect(e.issues[0]!.message).toBe('missing required field `compute`');
  });
  it('explains a union that fits neither shape', () => {
    const e = fail(base.replace('attention: 2', 'attention: 2\n    speed: fast'));
    expect(e.issues[0]).toMatchObject({ path: 'nodes[0].speed', expected: 'a number or a mapping' });
  });
  it('refuses a document that is not a mapping', () => {
    const e = fail('- 1\n- 2\n');
    expect(e.code).toBe('ARS_E_INPUT_SCHEMA');
    expect(e.issues[0]).toMatchObject({ path: '', expected: 'a mapping' });
  });
  it('refuses a bad identifier', () => {
    const e = fail(base.replace('id: acme', 'id: "1 acme"'));
    expect(e.issues[0]).toMatchObject({ path: 'tenants[0].id', line: 4 });
    expect(e.issues[0]!.expected).toContain('identifier');
  });
  it('gives JSON files positions too', () => {
    const json =
      '{\n  "name": "x",\n  "horizon": "long",\n  "tenants": [{"id": "t"}],\n  "nodes": [{"id": "n", "tier": "edge", "compute": 1}]\n}\n';
    const e = fail(json, { file: 'in.json' });
    expect(e.issues[0]).toMatchObject({ path: 'horizon', line: 3, column: 14, expected: 'a number' });
  });
});

describe('syntax errors', () => {
  it('gives the position of a YAML syntax error', () => {
    const e = fail(`${base}    bad: [1, 2\n`);
    expect(e.code).toBe('ARS_E_INPUT_SYNTAX');
    expect(e.issues[0]!.line).toBeGreaterThan(15);
    expect(e.issues[0]!.message).toMatch(/^YAML syntax error/);
  });
  it('refuses duplicate keys', () => {
    const e = fail(base.replace('horizon: 100', 'horizon: 100\nhorizon: 200'));
    expect(e.code).toBe('ARS_E_INPUT_SYNTAX');
    expect(e.issues[0]!.line).toBe(3);
  });
  it('refuses several YAML documents in one file', () => {
    const e = fail(`${base}---\n${base}`);
    expect(e.code).toBe('ARS_E_INPUT_SYNTAX');
    expect(e.issues[0]!.message).toContain('one YAML document');
    expect(e.issues[0]!.line).toBe(18);
  });
  it('gives the position of a JSON syntax error', () => {
    const e = fail('{\n  "name": "x",\n  "horizon": 1,\n}\n', { file: 'in.json' });
    expect(e.code).toBe('ARS_E_INPUT_SYNTAX');
    expect(e.issues[0]).toMatchObject({ line: 4, column: 1 });
  });
  it('refuses bare words in JSON', () => {
    const e = fail('{"name": "x", "horizon": tru}', { format: 'json' });
    expect(e.code).toBe('ARS_E_INPUT_SYNTAX');
    expect(e.issues[0]!.column).toBe(26);
  });
});

describe('file-level problems', () => {
  it('refuses an empty file or one with only comments', () => {
    for (const text of ['', '\n\n', '# nothing here\n']) {
      const e = fail(text);
      expect(e.code).toBe('ARS_E_INPUT_FILE');
      expect(e.issues[0]!.expected).toBe('a scenario mapping');
    }
  });
  it('refuses NUL bytes', () => {
    expect(fail('name: x\0\n').code).toBe('ARS_E_INPUT_FILE');
  });
  it('refuses an alias bomb quickly', () => {
    let text = 'a: &a [x, x, x, x, x, x, x, x, x]\n';
    let prev = 'a';
    for (const n of 'bcdefghij') {
      text += `${n}: &${n} [${Array(9).fill(`*${prev}`).join(', ')}]\n`;
      prev = n;
    }
    const e = fail(text);
    expect(e.code).toBe('ARS_E_INPUT_FILE');
    expect(e.issues[0]!.message).toContain('aliases');
    expect(e.issues[0]!.line).toBe(2);
  });
  it('refuses a text over the size limit', () => {
    const e = fail(base, { maxBytes: 100 });
    expect(e.code).toBe('ARS_E_INPUT_FILE');
  });
  it('refuses a missing file, a directory, invalid UTF-8 and an oversized file', () => {
    const cases: [string, string][] = [
      [join(dir, 'missing.yaml'), 'not found'],
      [dir, 'directory'],
    ];
    const binary = join(dir, 'binary.yaml');
    writeFileSync(binary, Buffer.from([0x6e, 0x61, 0xff, 0xfe, 0x80]));
    cases.push([binary, 'not a text file']);
    const big = join(dir, 'big.yaml');
    writeFileSync(big, base);
    for (const [file, message] of cases) {
      const r = safeLoadScenario(file);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('ARS_E_INPUT_FILE');
        expect(r.error.issues[0]!.message).toContain(message);
        expect(r.error.issues[0]!.file).toBe(file);
      }
    }
    const r = safeLoadScenario(big, { maxBytes: 10 });
    expect(r.ok || r.error.issues[0]!.message).toBe('file too large');
  });
  it('loads a file and reads the format from the extension', () => {
    const sub = join(dir, 'ok');
    mkdirSync(sub, { recursive: true });
    const f = join(sub, 'scenario.yml');
    writeFileSync(f, base);
    expect(loadScenario(f).file).toBe(f);
    const j = join(sub, 'scenario.json');
    writeFileSync(j, '{"name": "x", "horizon": 1,}');
    expect(() => loadScenario(j)).toThrow(InputError);
  });
});

describe('semantic errors come with positions', () => {
  it('locates an unknown tenant', () => {
    const e = fail(base.replace('tenant: acme', 'tenant: acne'));
    expect(e.code).toBe('ARS_E_INPUT_SEMANTIC');
    expect(e.issues[0]).toMatchObject({ path: 'workloads[0].tenant', line: 13, column: 13 });
    expect(e.issues[0]!.message).toContain('did you mean `acme`');
  });
  it('checks policy names only when a catalogue is given', () => {
    const text = `${base}policy: fifoo\n`;
    expect(safeParseScenario(text).ok).toBe(true);
    const e = fail(text, { knownPolicies: ['fifo', 'drf'] });
    expect(e.issues[0]).toMatchObject({ path: 'policy', line: 18 });
    expect(e.issues[0]!.message).toContain('did you mean `fifo`');
  });
});
