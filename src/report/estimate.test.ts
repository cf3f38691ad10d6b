import { describe, expect, it } from 'vitest';
import { formatEstimate, intervalKind } from './estimate.js';

describe('formatEstimate', () => {
  it('says the interval is undefined with one replication instead of printing ± 0', () => {
    expect(formatEstimate({ mean: 7, ci95: null })).toBe('7 (n=1)');
    expect(formatEstimate({ mean: 2.5, ci95: Number.NaN })).toBe('2.5 (n=1)');
    expect(intervalKind({ mean: 7, ci95: null })).toBe('undefined');
  });

  it('shows no interval for floating-point noise or replications that all agree', () => {
    expect(formatEstimate({ mean: 0.30000000000000004, ci95: 5.5e-17 })).toBe('0.3');
    expect(formatEstimate({ mean: 12, ci95: 0 })).toBe('12');
    expect(intervalKind({ mean: 1e6, ci95: 1e-4 })).toBe('none');
    expect(intervalKind({ mean: 1, ci95: 1e-6 })).toBe('interval');
  });

  it('rounds the mean where its interval starts to matter: two significant digits of the half-width', () => {
    expect(formatEstimate({ mean: 12.3456, ci95: 0.4321 })).toBe('12.35 ± 0.43');
    expect(formatEstimate({ mean: 0.2996, ci95: 0.5212 })).toBe('0.30 ± 0.52');
    expect(formatEstimate({ mean: 20_312.7, ci95: 7_234 })).toBe('20300 ± 7200');
  });

  it('prints no digit finer than the quantile sketch resolves (0.5 % relative)', () => {
    // 3.508 is known to ± 0.0175: the second decimal is the last that means anything
    expect(formatEstimate({ mean: 3.5081234, ci95: null }, { sketched: true })).toBe('3.51 (n=1)');
    expect(formatEstimate({ mean: 3.5081234, ci95: 0.0001234 }, { sketched: true })).toBe('3.51 ± <0.02');
    expect(formatEstimate({ mean: 3.5081234, ci95: 0.0001234 })).toBe('3.50812 ± 0.00012');
  });
});
