import { describe, expect, it } from 'vitest';
import { LineCounter, parseDocument } from 'yaml';
import { documentLocator, formatPath } from './locate.js';

describe('formatPath', () => {
  it('writes indices in brackets and fields after dots', () => {
    expect(formatPath(['nodes', 2, 'compute'])).toBe('nodes[2].compute');
    expect(formatPath([])).toBe('');
  });
  it('quotes keys that are not identifiers', () => {
    expect(formatPath(['nodes', 0, 'speed', 'kinds', 'my kind'])).toBe('nodes[0].speed.kinds["my kind"]');
  });
});

describe('documentLocator', () => {
  const text = 'name: x\nnodes:\n  - id: a\n    compute: 4\n  - { id: b, compute: 2 }\n';
  const lc = new LineCounter();
  const locate = documentLocator(parseDocument(text, { lineCounter: lc }), lc);
  it('finds values in block and flow collections', () => {
    expect(locate(['nodes', 0, 'compute'])).toEqual({ line: 4, column: 14 });
    expect(locate(['nodes', 1, 'compute'])).toEqual({ line: 5, column: 23 });
  });
  it('finds the key of a field on request', () => {
    expect(locate(['nodes', 0, 'compute'], 'key')).toEqual({ line: 4, column: 5 });
  });
  it('stops at the deepest existing node for a missing field', () => {
    expect(locate(['nodes', 1, 'tier'])).toEqual({ line: 5, column: 5 });
    expect(locate(['nodes', 7])).toEqual({ line: 3, column: 3 });
  });
});
