// The README's example is executed as written, against the built package (npm test builds first).
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

describe('README', () => {
  it('gives two commands on its first screen', () => {
    const readme = readFileSync('README.md', 'utf8');
    const firstScreen = readme.split('\n').slice(0, 15).join('\n');
    expect(firstScreen).toContain('npm install && npm start');
    expect(firstScreen).toContain('npm install && npm test');
  });

  it('shows the current allocation of the seed case study', () => {
    const table = execFileSync(process.execPath, ['scripts/seed-allocation.js'], { encoding: 'utf8' }).trim();
    expect(readFileSync('README.md', 'utf8')).toContain(table);
  });

  it('has a library example that runs', () => {
    const readme = readFileSync('README.md', 'utf8');
    const code = /```js\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(code).toBeDefined();
    expect(code!.trim().split('\n').length).toBeLessThanOrEqual(10);
    const file = 'readme-example.test-tmp.mjs';
    writeFileSync(file, code!);
    try {
      const out = execFileSync(process.execPath, [file], { encoding: 'utf8' });
      expect(out).toMatch(/weighted age of information: \d+\.\d\d s/);
      expect(out).toMatch(/^least-loaded \{ mean: /m);
    } finally {
      rmSync(file, { force: true });
    }
  });
});
