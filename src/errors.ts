/**
 * One error family with stable codes. Tests assert the code, never the message text.
 * Codes starting with `ARS_E_INPUT` are the user's fault (CLI exit 2, HTTP 4xx);
 * everything else is a bug or an environment failure (CLI exit 1, HTTP 5xx).
 */
export type ErrorCode =
  | 'ARS_E_INPUT_FILE' // file missing, unreadable, too large, not text
  | 'ARS_E_INPUT_SYNTAX' // YAML or JSON that does not parse
  | 'ARS_E_INPUT_SCHEMA' // parses, but does not match the scenario schema
  | 'ARS_E_INPUT_SEMANTIC' // matches the schema, but contradicts itself (cycle, dangling reference)
  | 'ARS_E_INPUT_ARGUMENT' // a bad command-line or API argument
  | 'ARS_E_INPUT_PROBLEM' // a static scheduling problem file that is malformed
  | 'ARS_E_POLICY' // unknown policy or bad policy profile
  | 'ARS_E_ENGINE' // misuse of the simulation kernel (negative delay, event triggered twice)
  | 'ARS_E_INTERNAL'; // a bug

/** One located problem in an input. `path` is a JSON path such as `nodes[2].capacity.compute`. */
export interface InputIssue {
  readonly file?: string | undefined;
  readonly path: string;
  readonly line?: number | undefined;
  readonly column?: number | undefined;
  readonly message: string;
  readonly expected?: string | undefined;
  readonly found?: string | undefined;
}

export class ArsError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ArsError';
    this.code = code;
  }
  /** True when the user's input is at fault rather than ARS. */
  get isInputError(): boolean {
    return this.code.startsWith('ARS_E_INPUT') || this.code === 'ARS_E_POLICY';
  }
}

/** An input error carrying every problem found in one file, reported together. */
export class InputError extends ArsError {
  readonly issues: readonly InputIssue[];
  constructor(code: ErrorCode, issues: readonly InputIssue[], summary?: string) {
    super(code, summary ?? formatIssues(issues));
    this.name = 'InputError';
    this.issues = issues;
  }
}

/** `file:line:column: path: message (expected X, found Y)`, one issue per line. */
export function formatIssues(issues: readonly InputIssue[]): string {
  return issues
    .map((i) => {
      const where = [i.file, i.line, i.column].filter((x) => x !== undefined).join(':');
      const path = i.path ? `${i.path}: ` : '';
      const detail = [i.expected ? `expected ${i.expected}` : '', i.found ? `found ${i.found}` : '']
        .filter(Boolean)
        .join(', ');
      return `${where ? `${where}: ` : ''}${path}${i.message}${detail ? ` (${detail})` : ''}`;
    })
    .join('\n');
}
