import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkOutputPath, cleanLine, formatIssueList, MAX_LISTED_ISSUES } from './io.js';

const tmp = mkdtempSync(join(tmpdir(), 'ars-io-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('cleanLine', () => {
  it('escapes control characters so input cannot drive the terminal', () => {
    expect(cleanLine('a\u001b[2Jb\u0007')).toBe('a\\x1b[2Jb\\x07');
  });
  it('cuts a long line and says how much was left out', () => {
    expect(cleanLine('x'.repeat(1_000), 10)).toBe(`${'x'.repeat(10)}… (990 more characters)`);
  });
});

describe('formatIssueList', () => {
  it(`lists at most ${MAX_LISTED_ISSUES} problems and counts the rest`, () => {
    const issues = Array.from({ length: MAX_LISTED_ISSUES + 7 }, (_, i) => ({
      path: `p${i}`,
      message: 'bad',
    }));
    const lines = formatIssueList(issues).split('\n');
    expect(lines).toHaveLength(MAX_LISTED_ISSUES + 1);
    expect(lines.at(-1)).toBe('… and 7 more problems');
  });
});

describe('checkOutputPath', () => {
  it('accepts a new file in an existing folder, and stdout', () => {
    expect(() => checkOutputPath('--out', join(tmp, 'new.json'))).not.toThrow();
    expect(() => checkOutputPath('--out', '-')).not.toThrow();
  });
  it('refuses a missing folder unless it may be created', () => {
    const path = join(tmp, 'a', 'b', 'x.json');
    expect(() => checkOutputPath('--out', path)).toThrow(/no such directory/);
    expect(() => checkOutputPath('--out', path, { createDirs: true })).not.toThrow();
  });
  it('refuses a directory and a path under a file', () => {
    const file = join(tmp, 'plain');
    writeFileSync(file, '');
    expect(() => checkOutputPath('--trace', tmp)).toThrow(/is a directory/);
    expect(() => checkOutputPath('--out', join(file, 'x.json'), { createDirs: true })).toThrow(
      /is not a directory/,
    );
  });
});
