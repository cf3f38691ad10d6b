// `ars compare --param key=value` (issue 15): a parameter goes to every compared policy that has it, and a
// name none of them has is an input error (exit 2), as for `ars run`.
import { describe, expect, it } from 'vitest';
import { ars } from './run-cli.js';

/** `ars compare` on the smart factory, one 90 s replication on one worker, as JSON, with `args` added */
const compareFactory = (...args: string[]) =>
  ars(
    'compare',
    'examples/smart-factory.yaml',
    '-n',
    '1',
    '--horizon',
    '90',
    '--workers',
    '1',
    '--json',
    ...args,
  );

describe('ars compare --param', () => {
  it('gives the parameter to the policies that have it and leaves the others alone', async () => {
    const r = await compareFactory(
      '--policies',
      'ars,ars-no-feedback,fifo',
      '--param',
      'profile=profiles/smart-factory.json',
      '--param',
      'wFresh=2',
    );
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { results: { policy: string; params: Record<string, unknown> }[] };
    const params = Object.fromEntries(doc.results.map((x) => [x.policy, x.params]));
    expect(params.ars).toEqual({ profile: 'profiles/smart-factory.json', wFresh: 2 });
    expect(params['ars-no-feedback']).toEqual({ profile: 'profiles/smart-factory.json', wFresh: 2 });
    expect(params.fifo).toEqual({});
  });

  it('refuses a parameter none of the compared policies has, with exit 2 and no stack trace', async () => {
    const r = await ars(
      'compare',
      'examples/smart-factory.yaml',
      '--policies',
      'fifo',
      '--param',
      'wFresh=2',
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('ARS_E_INPUT_ARGUMENT');
    expect(r.stderr).toContain('wFresh');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('compares ARS with the five placement baselines when no policies are named', async () => {
    const r = await compareFactory();
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { results: { policy: string }[] };
    expect(doc.results.map((x) => x.policy)).toEqual([
      'ars',
      'fifo',
      'random',
      'round-robin',
      'least-loaded',
      'earliest-deadline-first',
    ]);
  });
});
