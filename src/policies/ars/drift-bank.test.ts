import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DriftEstimator } from '../../forecast/index.js';
import { DriftBank } from './drift-bank.js';

describe('DriftBank', () => {
  it('gives bit for bit what a DriftEstimator fed the same samples gives, twin by twin', () => {
    const sample = fc.record({
      twin: fc.integer({ min: 0, max: 3 }),
      dt: fc.oneof(fc.constant(0), fc.double({ min: 1e-6, max: 50, noNaN: true })),
      value: fc.double({ min: -1e6, max: 1e6, noNaN: true }),
    });
    fc.assert(
      fc.property(
        fc.double({ min: 0.5, max: 1, noNaN: true }),
        fc.array(sample, { maxLength: 60 }),
        (f, xs) => {
          const bank = new DriftBank(4, f);
          const ests = [0, 1, 2, 3].map(() => new DriftEstimator({ forgetting: f }));
          const clock = [0, 0, 0, 0];
          for (const x of xs) {
            clock[x.twin]! += x.dt;
            bank.observe(x.twin, clock[x.twin]!, x.value);
            ests[x.twin]!.observe(clock[x.twin]!, x.value);
            for (let i = 0; i < 4; i++) {
              expect(bank.samples(i)).toBe(ests[i]!.n);
              for (const age of [0, 1, 5, 60])
                expect(bank.expectedError(i, age)).toBe(ests[i]!.expectedError(age));
            }
          }
        },
      ),
    );
  });

  it('refuses what the estimator refuses', () => {
    const bank = new DriftBank(1, 0.95);
    expect(() => bank.observe(0, Number.NaN, 1)).toThrow(
      expect.objectContaining({ code: 'ARS_E_INPUT_ARGUMENT' }),
    );
    bank.observe(0, 2, 1);
    expect(() => bank.observe(0, 1, 1)).toThrow(expect.objectContaining({ code: 'ARS_E_INPUT_ARGUMENT' }));
    expect(() => bank.expectedError(0, -1)).toThrow(
      expect.objectContaining({ code: 'ARS_E_INPUT_ARGUMENT' }),
    );
  });
});
