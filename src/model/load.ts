/**
 * Reading a scenario: file checks, YAML/JSON parsing with positions, schema validation with readable
 * issues, then semantic checks and expansion (expand.ts). Each stage reports every problem it finds;
 * a later stage runs only when the earlier ones found none (a file that does not parse cannot be
 * checked against the schema, and references cannot be followed through fields of the wrong type).
 */
import { readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { type Alias, LineCounter, parseDocument, visit } from 'yaml';
import { type ErrorCode, InputError, type InputIssue } from '../errors.js';
import { DEFAULT_MAX_BYTES, type ExpandOptions, expandScenario } from './expand.js';
import { documentLocator } from './locate.js';
import type { Scenario } from './scenario.js';
import { scenarioSchema } from './schema.js';
import { schemaIssues } from './schema-issues.js';

/**
 * Most alias expansions (node copies made through `*alias`) a file may cause. Generous for scenarios
 * that reuse anchors, yet an alias bomb (nested aliases that multiply) exceeds it within microseconds.
 */
export const DEFAULT_MAX_ALIAS_COUNT = 10_000;

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

/** yaml's messages end with " at line L, column C:" and a code excerpt; we report the position apart. */
function shortMessage(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

/**
 * Parses, validates and expands a scenario written as YAML or JSON text.
 * @throws InputError carrying every problem found at the first stage that fails, each with the file,
 * line, column and JSON path: `ARS_E_INPUT_FILE` (empty, binary, too large, alias bomb),
 * `ARS_E_INPUT_SYNTAX`, `ARS_E_INPUT_SCHEMA` or `ARS_E_INPUT_SEMANTIC`.
 */
export function parseScenario(text: string, options: ParseOptions = {}): Scenario {
  const file = options.file;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > maxBytes)
    throw fileError(file, 'file too large', `at most ${maxBytes} bytes`, `${bytes} bytes`);
  const nul = text.indexOf('\0');
  if (nul >= 0) throw fileError(file, 'not a text file', 'UTF-8 text', `a NUL byte at offset ${nul}`);

  const format = formatOf(options);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter,
    prettyErrors: true,
    uniqueKeys: true,
    schema: format === 'json' ? 'json' : 'core',
  });
  if (doc.errors.length > 0) {
    throw new InputError(
      'ARS_E_INPUT_SYNTAX',
      doc.errors.map((e) => ({
        file,
        path: '',
        line: e.linePos?.[0].line,
        column: e.linePos?.[0].col,
        message:
          e.code === 'MULTIPLE_DOCS'
            ? 'YAML syntax error: a scenario file holds one YAML document, this one has several (`---`)'
            : `${format === 'json' ? 'JSON' : 'YAML'} syntax error: ${shortMessage(e.message)}`,
      })),
    );
  }
  if (format === 'json') {
    // The YAML parser reads JSON for positions, but also accepts what JSON does not (trailing commas).
    try {
      JSON.parse(text);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const at = /at position (\d+)/.exec(message);
      const pos = at ? lineCounter.linePos(Number(at[1])) : undefined;
      throw new InputError('ARS_E_INPUT_SYNTAX', [
        {
          file,
          path: '',
          line: pos?.line,
          column: pos?.col,
          message: `JSON syntax error: ${message.replace(/ in JSON at position \d+.*$/, '')}`,
        },
      ]);
    }
  }
  if (doc.contents === null)
    throw fileError(file, 'the file is empty', 'a scenario mapping', 'no content (only blanks or comments)');

  const maxAliasCount = options.maxAliasCount ?? DEFAULT_MAX_ALIAS_COUNT;
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount });
  } catch (err) {
    if (!(err instanceof ReferenceError)) throw err;
    let first: Alias | undefined;
    visit(doc, {
      Alias(_key, node) {
        first = node;
        return visit.BREAK;
      },
    });
    const pos = first?.range ? lineCounter.linePos(first.range[0]) : undefined;
    throw new InputError('ARS_E_INPUT_FILE', [
      {
        file,
        path: '',
        line: pos?.line,
        column: pos?.col,
        message: 'refused: YAML aliases expand too much (a possible alias bomb)',
        expected: `at most ${maxAliasCount} alias expansions`,
      },
    ]);
  }

  const locate = documentLocator(doc, lineCounter);
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
    locate,
  };
  try {
    return expandScenario(parsed.data, expandOptions);
  } catch (err) {
    if (err instanceof InputError) throw new InputError(err.code, sortIssues(err.issues));
    throw err;
  }
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
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  let buffer: Buffer;
  try {
    const st = statSync(file);
    if (st.isDirectory()) throw fileError(file, 'is a directory', 'a scenario file');
    if (st.size > maxBytes)
      throw fileError(file, 'file too large', `at most ${maxBytes} bytes`, `${st.size} bytes`);
    buffer = readFileSync(file);
  } catch (err) {
    if (err instanceof InputError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const code2message: Record<string, string> = {
      ENOENT: 'file not found',
      EACCES: 'permission denied',
      EPERM: 'permission denied',
      EISDIR: 'is a directory',
    };
    throw fileError(file, code2message[code ?? ''] ?? `cannot read the file (${code ?? String(err)})`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(buffer);
  } catch {
    throw fileError(file, 'not a text file', 'UTF-8 text', 'bytes that are not valid UTF-8');
  }
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
