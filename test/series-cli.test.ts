// `ars run --series` from the command line: the series land in --json, stay out of --csv, and a bad
// window is an input error (exit 2, what was expected, no stack trace).
import { describe, expect, it } from 'vitest';
import { ars } from './run-cli.js';

describe('ars run --series', () => {
  it('puts the series in the JSON result and leaves the rest as without it', async () => {
    const args = ['run', 'examples/smart-factory.yaml', '--policy', 'fifo', '--horizon', '100', '--json'];
    const [plain, series] = await Promise.all([ars(...args), ars(...args, '--series-window', '8')]);
    expect(plain.code, plain.stderr).toBe(0);
    expect(series.code, series.stderr).toBe(0);
    const a = JSON.parse(plain.stdout);
    const b = JSON.parse(series.stdout);
    expect(a.series).toBeUndefined();
    expect(b.series.window).toBe(8);
    expect(b.series.windows).toBe(5); // 40 s past the 60 s warm-up
    expect(b.series.series['requests.latency'].kind).toBe('sample');
    b.series = undefined;
    b.scheduler.events = a.scheduler.events;
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  }, 120_000);

  it('keeps CSV to one row of scalars', async () => {
    const r = await ars('run', 'examples/smart-factory.yaml', '--horizon', '80', '--series', '--csv');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/series/);
  }, 120_000);

  it('refuses a window that is not a positive number', async () => {
    for (const bad of ['0', '-1', 'abc']) {
      const r = await ars('run', 'examples/smart-factory.yaml', '--series-window', bad);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--series-window expects a number/);
      expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
    }
  }, 120_000);
});
