import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../store/index.js';
import { nextRequestNumber, sampleValue } from './persist.js';

describe('nextRequestNumber', () => {
  it('finds the end of the stored request ids r-0 … r-(n−1) for every n up to 40', async () => {
    const store = openSqliteStore({ path: ':memory:' });
    try {
      for (let n = 0; n <= 40; n++) {
        expect(await nextRequestNumber(store)).toBe(n);
        await store.createRequest(
          { id: `r-${n}`, tenant: 't', priority: 0, state: 'done', submittedAt: n, spec: {} },
          [],
        );
      }
    } finally {
      await store.close();
    }
  });
});

describe('sampleValue', () => {
  it('gives the number of feature value/value, else every numeric property', () => {
    expect(sampleValue({ value: { value: 3 } })).toBe(3);
    expect(sampleValue({ value: { a: 1, b: 'x' }, temp: { c: 2 } })).toEqual({ a: 1, 'temp.c': 2 });
  });
});
