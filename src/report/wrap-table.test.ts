import { describe, expect, it } from 'vitest';
import { fitWidths, renderWrappedTable, wrapText } from './wrap-table.js';

describe('wrapped tables', () => {
  it('wraps at spaces and cuts words longer than the column', () => {
    expect(wrapText('earliest finish incl. transfers', 12)).toEqual([
      'earliest',
      'finish incl.',
      'transfers',
    ]);
    expect(wrapText('abcdefghijklmnop', 6)).toEqual(['abcdef', 'ghijkl', 'mnop']);
    expect(wrapText('', 5)).toEqual(['']);
  });

  it('shrinks the widest column first until the table fits', () => {
    expect(fitWidths([10, 80, 30], 80)).toEqual([10, 36, 30]);
    expect(fitWidths([10, 20], 80)).toEqual([10, 20]);
  });

  it('never prints a line wider than the terminal', () => {
    const long = 'softmax attention over twins and an urgency queue over requests, with feedback retuning';
    const text = renderWrappedTable(
      ['policy', 'what it does'],
      [
        ['ars', long],
        ['fifo', 'first come'],
      ],
      40,
    );
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(40);
    expect(text.replace(/\s+/g, ' ')).toContain('with feedback retuning');
  });
});
