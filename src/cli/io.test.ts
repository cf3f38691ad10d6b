import { describe, expect, it } from 'vitest';
import { formatNumber, renderTable } from './io.js';

describe('renderTable', () => {
  it('right-aligns numeric columns and left-aligns text', () => {
    expect(
      renderTable(
        ['policy', 'p95'],
        [
          ['fifo', 1.5],
          ['ars', 12],
        ],
      ),
    ).toBe(['policy  p95', '------  ---', 'fifo    1.5', 'ars      12'].join('\n'));
  });
  it('keeps 4 significant digits', () => {
    expect(formatNumber(1.23456)).toBe('1.235');
    expect(formatNumber(0.00001234)).toBe('1.234e-5');
  });
});
