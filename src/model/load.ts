/**
 * Reading a scenario: file checks, YAML/JSON parsing with positions, schema validation with readable
 * issues, then semantic checks and expansion (expand.ts). Each stage reports every problem it finds;
 * a later stage runs only when the earlier ones found none (a file that does not parse cannot be
 * checked against the schema, and references cannot be followed through fields of the wrong type).
 */
import { extname } from 'node:path';
import { type ErrorCode, InputError, type InputIssue } from '../errors.js';
import { type ExpandOptions, expandScenario } from './expand.js';
import { type Limits, resolveLimits, workProblem } from './limits.js';
import { documentLocator, formatPath, type PathSegment } from './locate.js';
import { decodeText, parseText, readTextFile } from './read.js';
import type { Scenario } from './scenario.js';
import { scenarioSchema } from './schema.js';
import { schemaIssues } from './schema-issues.js';

export interface ParseOptions {
  /** file name used in messages and to resolve trace files */
  readonly file?: string | undefined;
  /** default: from the file extension (.json is JSON), else YAML */
  readonly format?: 'yaml' | 'json' | undefined;
  /** when given, the policy name must be one of these */
  readonly knownPolicies?: readonly string[] | undefined;
  /** folder that relative trace file names are resolved against; default the scenario file's folder */
  readonly baseDir?: string | undefined;
  /** largest scenario or trace file accepted, in bytes; default 16 MiB */
  readonly maxBytes?: number | undefined;
  /** most alias expansions accepted; default 10,000 */
  readonly maxAliasCount?: number | undefined;
  /** size, nesting and count limits (see limits.ts); missing fields take the defaults */
  readonly limits?: Partial<Limits> | undefined;
}

export type LoadOptions = Omit<ParseOptions, 'file'>;

export type SafeParseResult = { ok: true; scenario: Scenario } | { ok: false; error: InputError };

function fileError(file: string | undefined, message: string, expected?: string, found?: string): InputError {
  return new InputError('ARS_E_INPUT_FILE', [{ file, path: '', message, expected, found }]);
}

function formatOf(options: ParseOptions): 'yaml' | 'json' {
  if (options.format) return options.format;
  return options.file && extname(options.file).toLowerCase() === '.json' ? 'json' : 'yaml';
}

/**
 * Parses, validates and expands a scenario written as YAML or JSON text.
 * @throws InputError carrying every problem found at the first stage that fails, each with the file,
 * line, column and JSON path: `ARS_E_INPUT_FILE` (empty, binary, too large, alias bomb),
 * `ARS_E_INPUT_SYNTAX`, `ARS_E_INPUT_SCHEMA` or `ARS_E_INPUT_SEMANTIC`.
 */
export function parseScenario(text: string, options: ParseOptions = {}): Scenario {
  const file = options.file;
  const limits = resolveLimits(options.limits);
  const maxBytes = options.maxBytes ?? limits.maxBytes;
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > maxBytes)
    throw fileError(file, 'file too large', `at most ${maxBytes} bytes`, `${bytes} bytes`);
  decodeText(text, file);

  const format = formatOf(options);
  const { doc, lineCounter, data } = parseText(text, {
    file,
    format,
    maxAliasCount: options.maxAliasCount ?? limits.maxAliasCount,
    maxDepth: limits.maxDepth,
  });
  if (doc.contents === null)
    throw fileError(file, 'the file is empty', 'a scenario mapping', 'no content (only blanks or comments)');

  const locate = documentLocator(doc, lineCounter);
  const protoKeys = findKeys(data, '__proto__');
  if (protoKeys.length > 0) {
    throw new InputError(
      'ARS_E_INPUT_SCHEMA',
      protoKeys.map((path) => {
        const pos = locate(path, 'key');
        return {
          file,
          path: formatPath(path),
          line: pos?.line,
          column: pos?.column,
          message: '`__proto__` cannot be a key: it would change the object instead of naming an entry',
        };
      }),
    );
  }
  const parsed = scenarioSchema.safeParse(data);
  if (!parsed.success) {
    const issues = schemaIssues(parsed.error.issues, scenarioSchema, data, file, locate);
    throw new InputError('ARS_E_INPUT_SCHEMA', sortIssues(issues));
  }
  const expandOptions: ExpandOptions = {
    file,
    baseDir: options.baseDir,
    knownPolicies: options.knownPolicies,
    maxBytes,
    limits,
    locate,
  };
  let scenario: Scenario;
  try {
    scenario = expandScenario(parsed.data, expandOptions);
  } catch (err) {
    if (err instanceof InputError) throw new InputError(err.code, sortIssues(err.issues));
    throw err;
  }
  // Valid is not enough: one run over the file's own horizon must fit the work limits too.
  const problem = workProblem(scenario, { horizon: scenario.horizon, runs: 1 }, limits);
  if (problem) {
    const pos = locate(problem.path);
    throw new InputError('ARS_E_INPUT_SEMANTIC', [
      {
        file,
        path: formatPath(problem.path),
        line: pos?.line,
        column: pos?.column,
        message: problem.message,
        expected: problem.expected,
      },
    ]);
  }
  return scenario;
}

/** Paths of every mapping key equal to `name`, in document order (iterative: depth is already bounded). */
function findKeys(data: unknown, name: string): PathSegment[][] {
  const found: PathSegment[][] = [];
  const stack: [unknown, PathSegment[]][] = [[data, []]];
  while (stack.length > 0) {
    const [value, path] = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    const entries: [PathSegment, unknown][] = Array.isArray(value)
      ? value.map((v, i) => [i, v])
      : Object.entries(value);
    for (let k = entries.length - 1; k >= 0; k--) {
      const [key, v] = entries[k]!;
      if (key === name) found.push([...path, key]);
      stack.push([v, [...path, key]]);
    }
  }
  return found;
}

/** Issues in reading order; those without a position keep their relative order at the end. */
function sortIssues(issues: readonly InputIssue[]): InputIssue[] {
  const key = (i: InputIssue) => (i.line ?? Number.MAX_SAFE_INTEGER) * 1e6 + (i.column ?? 0);
  return [...issues].sort((a, b) => key(a) - key(b));
}

function safely(body: () => Scenario): SafeParseResult {
  try {
    return { ok: true, scenario: body() };
  } catch (err) {
    if (err instanceof InputError) return { ok: false, error: err };
    throw err;
  }
}

/** Like `parseScenario`, but returns bad input as a value; bugs still throw. */
export function safeParseScenario(text: string, options: ParseOptions = {}): SafeParseResult {
  return safely(() => parseScenario(text, options));
}

/**
 * Reads a scenario file (.yaml, .yml or .json; anything else is read as YAML) and parses it.
 * The size is checked before reading, so a huge file is refused without being loaded.
 * @throws InputError as `parseScenario`, plus `ARS_E_INPUT_FILE` for a missing, unreadable or
 * oversized file, a directory, or bytes that are not UTF-8 text.
 */
export function loadScenario(file: string, options: LoadOptions = {}): Scenario {
  const maxBytes = options.maxBytes ?? resolveLimits(options.limits).maxBytes;
  const text = readTextFile(file, { maxBytes, expected: 'a scenario file' });
  return parseScenario(text, { ...options, file });
}

/** Like `loadScenario`, but returns bad input as a value; bugs still throw. */
export function safeLoadScenario(file: string, options: LoadOptions = {}): SafeParseResult {
  return safely(() => loadScenario(file, options));
}

/** The error code of every input problem the loader reports, for documentation and tests. */
export const LOADER_ERROR_CODES: readonly ErrorCode[] = [
  'ARS_E_INPUT_FILE',
  'ARS_E_INPUT_SYNTAX',
  'ARS_E_INPUT_SCHEMA',
  'ARS_E_INPUT_SEMANTIC',
];
