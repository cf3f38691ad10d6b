import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultParams, PARAMS, resolveParams } from './params.js';

const root = join(import.meta.dirname, '..', '..', '..');

describe('ARS parameters', () => {
  it('resolves defaults, a profile-less override and the overrides argument, in that order', () => {
    const p = resolveParams('ars', { temperature: 2 }, { wFresh: 3 });
    expect(p.temperature).toBe(2);
    expect(p.wFresh).toBe(3);
    expect(p.window).toBe(PARAMS.window.fallback);
    expect(Object.keys(p).sort()).toEqual(Object.keys(defaultParams()).sort());
  });

  // The policy reads `params.x` several times per placement and per pick. Filled key by key, V8 kept the
  // object as a dictionary (a hash lookup per read); the built code is asked, as V8 itself answers it.
  it('gives objects with fast properties (V8), which stay so when a knob moves', () => {
    const dist = join(root, 'dist', 'policies', 'ars', 'params.js');
    const script = `
      const { defaultParams, resolveParams } = await import(${JSON.stringify(`file://${dist}`)});
      const p = resolveParams('ars', { temperature: 2 });
      p.temperature = 3;
      console.log(JSON.stringify([%HasFastProperties(defaultParams()), %HasFastProperties(p)]));
    `;
    const out = execFileSync(
      process.execPath,
      ['--allow-natives-syntax', '--input-type=module', '-e', script],
      { encoding: 'utf8' },
    );
    expect(JSON.parse(out)).toEqual([true, true]);
  });
});
