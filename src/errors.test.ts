import { describe, expect, it } from 'vitest';
import { ArsError, formatIssues, InputError } from './errors.js';

describe('errors', () => {
  it('formats an issue with its file, line, column, path, expectation and finding', () => {
    const text = formatIssues([
      {
        file: 'a.yaml',
        line: 3,
        column: 5,
        path: 'nodes[0].compute',
        message: 'bad',
        expected: 'number',
        found: 'string',
      },
    ]);
    expect(text).toBe('a.yaml:3:5: nodes[0].compute: bad (expected number, found string)');
  });

  it('tells input errors from internal ones by code', () => {
    expect(new InputError('ARS_E_INPUT_SCHEMA', []).isInputError).toBe(true);
    expect(new ArsError('ARS_E_POLICY', 'x').isInputError).toBe(true);
    expect(new ArsError('ARS_E_INTERNAL', 'x').isInputError).toBe(false);
  });
});
