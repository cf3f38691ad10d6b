import { describe, expect, it } from 'vitest';
import { InputError } from '../../errors.js';
import { parseDagJson, parseEtc, parseProblem, transferTime } from './problem.js';

function issuesOf(f: () => unknown) {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).code).toBe('ARS_E_INPUT_PROBLEM');
    return (err as InputError).issues;
  }
  throw new Error('expected an InputError');
}

const good = {
  processors: ['A', 'B'],
  cost: { a: [1, 2], b: [3, 4], c: [5, 6] },
  edges: [
    ['a', 'b', 1],
    ['b', 'c', 2],
  ],
};

describe('DAG problem files', () => {
  it('parses into indexed arrays with a topological order', () => {
    const p = parseDagJson(JSON.stringify(good));
    expect(p.tasks).toBe(3);
    expect(Array.from(p.cost)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(p.succ).toEqual([[1], [2], []]);
    expect(p.pred).toEqual([[], [0], [1]]);
    expect(p.topoOrder).toEqual([0, 1, 2]);
    expect(transferTime(p, 5, 0, 0)).toBe(0);
    expect(transferTime(p, 5, 0, 1)).toBe(5);
  });
  it('reports a cost row of the wrong length with its path and line', () => {
    const text =
      '{\n  "processors": ["A", "B"],\n  "cost": {\n    "a": [1, 2],\n    "b": [3]\n  },\n  "edges": []\n}\n';
    const [issue] = issuesOf(() => parseDagJson(text, 'bad.json'));
    expect(issue).toMatchObject({
      file: 'bad.json',
      path: 'cost.b',
      line: 5,
      expected: '2 numbers (one per processor)',
    });
  });
  it('reports every bad edge and negative cost together', () => {
    const bad = {
      ...good,
      cost: { a: [1, -2], b: [3, 4], c: [5, 6] },
      edges: [['a', 'zz', 1], ['a', 'b', -1], ['a']],
    };
    const issues = issuesOf(() => parseDagJson(JSON.stringify(bad, null, 2)));
    expect(issues.map((i) => i.path)).toEqual(['cost.a[1]', 'edges[0][1]', 'edges[1][2]', 'edges[2]']);
    expect(issues[1]?.line).toBeGreaterThan(1);
  });
  it('rejects a cycle and names the tasks on it', () => {
    const cyc = { ...good, edges: [...good.edges, ['c', 'a', 1]] };
    const [issue] = issuesOf(() => parseDagJson(JSON.stringify(cyc)));
    expect(issue?.path).toBe('edges');
    expect(issue?.found).toContain('a, b, c');
  });
  it('rejects bad JSON, unknown fields, and badly shaped network matrices', () => {
    expect(issuesOf(() => parseDagJson('{"processors": [', 'x.json'))[0]?.file).toBe('x.json');
    expect(issuesOf(() => parseDagJson(JSON.stringify({ ...good, colour: 1 })))[0]?.path).toBe('colour');
    const bw = issuesOf(() =>
      parseDagJson(
        JSON.stringify({
          ...good,
          bandwidth: [
            [1, 0],
            [1, 1],
          ],
        }),
      ),
    );
    expect(bw[0]?.path).toBe('bandwidth[0][1]');
    expect(issuesOf(() => parseDagJson(JSON.stringify({ ...good, processors: [] })))[0]?.path).toBe(
      'processors',
    );
  });
});

describe('ETC files', () => {
  it('are detected by content and read task-major', () => {
    const p = parseProblem('2 3 0\n1\n2\n3\n4 5 6\n');
    expect(p.kind).toBe('etc');
    expect(p.tasks).toBe(2);
    expect(p.processors).toBe(3);
    expect(p.kind === 'etc' && Array.from(p.etc)).toEqual([1, 2, 3, 4, 5, 6]);
  });
  it('reject a malformed header, bad values and a wrong count with the line', () => {
    expect(issuesOf(() => parseEtc('two 3 0\n', 'm.etc'))[0]).toMatchObject({ file: 'm.etc', line: 1 });
    expect(issuesOf(() => parseEtc('1 2 0\n1\n-4\n'))[0]).toMatchObject({ line: 3, found: '-4' });
    expect(issuesOf(() => parseEtc('1 2 0\n1\n'))[0]?.message).toContain('too few');
    expect(issuesOf(() => parseEtc('1 2 0\n1 2 3\n'))[0]?.message).toContain('too many');
  });
});
