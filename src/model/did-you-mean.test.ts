import { describe, expect, it } from 'vitest';
import { closest, didYouMean, editDistance } from './did-you-mean.js';

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['', 'abc', 3],
    ['abc', '', 3],
    ['kitten', 'sitting', 3],
    ['wieght', 'weight', 2],
    ['compute', 'compute', 0],
    ['flaw', 'lawn', 2],
  ])('between %j and %j is %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });
});

describe('closest', () => {
  const fields = ['id', 'count', 'tier', 'zone', 'compute', 'attention', 'speed'];
  it('suggests the field one edit away', () => {
    expect(closest('computee', fields)).toBe('compute');
    expect(closest('atention', fields)).toBe('attention');
  });
  it('ignores case', () => {
    expect(closest('Tier', fields)).toBe('tier');
  });
  it('suggests nothing when every candidate is far', () => {
    expect(closest('bandwidth', fields)).toBeUndefined();
    expect(closest('x', [])).toBeUndefined();
    expect(closest('b', ['a'])).toBeUndefined();
  });
  it('keeps the earlier candidate on a tie', () => {
    expect(closest('ab', ['aa', 'bb'])).toBe('aa');
  });
  it('formats a hint only when there is a suggestion', () => {
    expect(didYouMean('poison', ['poisson', 'periodic'])).toBe('; did you mean `poisson`?');
    expect(didYouMean('zzz', ['poisson'])).toBe('');
  });
});
