import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../errors.js';
import { parseText, readBoundedFile, readTextFile, tooDeep } from './read.js';

const tmp = mkdtempSync(join(tmpdir(), 'ars-read-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const issueOf = (body: () => unknown) => {
  try {
    body();
  } catch (err) {
    if (err instanceof InputError) return err.issues[0]!;
    throw err;
  }
  throw new Error('expected an InputError');
};

describe('tooDeep', () => {
  it('accepts the nesting of ordinary files', () => {
    expect(tooDeep('a:\n  b:\n    - { c: [1, 2] }\n', 8)).toBeUndefined();
  });
  it('points at the bracket that goes one level too deep', () => {
    expect(tooDeep(`x: ${'['.repeat(10)}${']'.repeat(10)}`, 5)).toEqual({ line: 1, column: 8 });
  });
  it('counts block indentation and compact list entries', () => {
    const block = Array.from({ length: 10 }, (_, i) => `${' '.repeat(i)}k:`).join('\n');
    expect(tooDeep(block, 5)?.line).toBe(6);
    expect(tooDeep(`${'- '.repeat(10)}1`, 5)).toBeDefined();
  });
  it('ignores brackets in quotes and comments', () => {
    expect(tooDeep(`a: "${'['.repeat(50)}" # ${'{'.repeat(50)}`, 5)).toBeUndefined();
  });
});

describe('readBoundedFile', () => {
  it('refuses a file over the limit before reading it', () => {
    const f = join(tmp, 'big.txt');
    writeFileSync(f, 'x'.repeat(100));
    expect(issueOf(() => readBoundedFile(f, { maxBytes: 10 }))).toMatchObject({
      file: f,
      message: 'file too large',
      found: '100 bytes',
    });
  });
  it('refuses a directory and a character device, saying which', () => {
    expect(issueOf(() => readBoundedFile(tmp)).message).toMatch(/directory/);
    expect(issueOf(() => readBoundedFile('/dev/null')).message).toBe(
      'is a character device, not a regular file',
    );
  });
  it('gives the reason a file cannot be read', () => {
    expect(issueOf(() => readBoundedFile(join(tmp, 'missing'))).message).toBe('file not found');
  });
  it('refuses binary bytes without echoing them', () => {
    const f = join(tmp, 'bin');
    writeFileSync(f, Buffer.from([0x41, 0x00, 0x1b]));
    expect(issueOf(() => readTextFile(f))).toMatchObject({
      message: 'not a text file',
      found: 'a NUL byte at offset 1',
    });
  });
});

describe('parseText', () => {
  it('keeps __proto__ as an ordinary key', () => {
    const { data } = parseText('a: { __proto__: 1 }');
    expect(Object.keys((data as { a: object }).a)).toEqual(['__proto__']);
  });
  it('refuses alias bombs with the place of the first alias', () => {
    const bomb = ['a: &a [x, x, x, x]', 'b: &b [*a, *a, *a, *a]', 'c: [*b, *b, *b, *b]'].join('\n');
    expect(issueOf(() => parseText(bomb, { file: 'f.yaml', maxAliasCount: 5 }))).toMatchObject({
      file: 'f.yaml',
      line: 2,
    });
  });
  it('lets --no-limits through (an infinite alias count)', () => {
    expect(parseText('a: &a [1]\nb: *a', { maxAliasCount: Number.POSITIVE_INFINITY }).data).toEqual({
      a: [1],
      b: [1],
    });
  });
});
