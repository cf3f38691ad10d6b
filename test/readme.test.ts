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

  it('starts with a live demo that schedules with ars and ends with its summary (npm start, shortened)', () => {
    const start = JSON.parse(readFileSync('package.json', 'utf8')).scripts.start as string;
    expect(start).toContain('serve --demo examples/smart-factory.yaml --policy ars');
    const out = execFileSync(
      process.execPath,
      [
        'dist/cli/main.js',
        ...['serve', '--demo', 'examples/smart-factory.yaml', '--policy', 'ars', '--port', '0'],
        ...['--duration', '4', '--status-every', '0', '--json'],
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 },
    );
    const summary = JSON.parse(out);
    expect(summary.policy).toBe('ars');
    expect(summary.requests.arrived).toBeGreaterThan(0);
    expect(summary.twins.refreshes.proactive).toBeGreaterThan(0);
    expect(summary.nodes.filter((n: { up: boolean }) => n.up)).toHaveLength(9);
  }, 150_000);

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
