/**
 * Reading input files safely, for every loader (scenario, arrival trace, plan problem, DRF file): the
 * size is bounded before and while reading, devices and pipes are refused without blocking, bytes must
 * be UTF-8 text, and YAML/JSON documents are parsed with bounded alias expansion and nesting depth.
 * Every refusal is an `InputError` naming the file, the place and the limit.
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { type Alias, type Document, LineCounter, parseDocument, visit } from 'yaml';
import { type ErrorCode, InputError, type InputIssue } from '../errors.js';

/** Files larger than this are refused before they are read (16 MiB). */
export const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;
/**
 * Most alias expansions (node copies made through `*alias`) a file may cause. Generous for files that
 * reuse anchors, yet an alias bomb (nested aliases that multiply) exceeds it within microseconds.
 */
export const DEFAULT_MAX_ALIAS_COUNT = 10_000;
/** Deepest nesting of mappings and lists accepted; real scenarios stay under 10. */
export const DEFAULT_MAX_DEPTH = 64;

export function fileIssue(
  file: string | undefined,
  message: string,
  extra: Partial<Omit<InputIssue, 'file' | 'message'>> = {},
): InputIssue {
  return { file, path: '', message, ...extra };
}

function fileError(file: string | undefined, message: string, expected?: string, found?: string): InputError {
  return new InputError('ARS_E_INPUT_FILE', [fileIssue(file, message, { expected, found })]);
}

const READ_REASONS: Record<string, string> = {
  ENOENT: 'file not found',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  ELOOP: 'too many symbolic links in the path',
  ENAMETOOLONG: 'file name too long',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files',
  EIO: 'input/output error',
  ENXIO: 'no such device',
};

/** "file not found", "permission denied", … or "cannot read the file (ECODE: system message)". */
export function readReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e?.code && READ_REASONS[e.code]) return READ_REASONS[e.code]!;
  const detail = e?.message ? e.message.split(',')[0]! : String(err);
  return `cannot read the file (${e?.code ? `${e.code}: ` : ''}${detail.replace(/^\w+: /, '')})`;
}

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

export interface ReadOptions {
  /** largest file accepted, in bytes; default 16 MiB */
  readonly maxBytes?: number | undefined;
  /** what the file should be, for messages: "a scenario file" */
  readonly expected?: string | undefined;
}

/**
 * The bytes of a regular file, at most `maxBytes` of them. Opened non-blocking so a FIFO without a
 * writer is refused at once instead of hanging; devices (`/dev/zero`) and pipes are refused because
 * their size is unknown; a file that grows past the limit while being read is refused too.
 * @throws InputError `ARS_E_INPUT_FILE` with the reason.
 */
export function readBoundedFile(file: string, options: ReadOptions = {}): Buffer {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const expected = options.expected ?? 'a regular file';
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw fileError(
      file,
      readReason(err),
      (err as NodeJS.ErrnoException).code === 'EISDIR' ? expected : undefined,
    );
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile())
      throw fileError(
        file,
        `is ${kindOf(st)}, not a regular file`,
        `${expected}; save piped input to a file first`,
      );
    if (st.size > maxBytes)
      throw fileError(file, 'file too large', `at most ${maxBytes} bytes`, `${st.size} bytes`);
    const chunks: Buffer[] = [];
    let total = 0;
    const chunk = Buffer.allocUnsafe(Math.min(1 << 20, maxBytes + 1));
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      total += n;
      if (total > maxBytes)
        throw fileError(file, 'file too large', `at most ${maxBytes} bytes`, 'more while reading it');
      chunks.push(Buffer.from(chunk.subarray(0, n)));
    }
    return Buffer.concat(chunks, total);
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw fileError(file, readReason(err));
  } finally {
    closeSync(fd);
  }
}

/** Decodes UTF-8 text; a NUL byte or invalid UTF-8 means a binary file, reported without echoing it. */
export function decodeText(buffer: Buffer | string, file: string | undefined): string {
  let text: string;
  if (typeof buffer === 'string') text = buffer;
  else {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(buffer);
    } catch {
      throw fileError(file, 'not a text file', 'UTF-8 text', 'bytes that are not valid UTF-8');
    }
  }
  const nul = text.indexOf('\0');
  if (nul >= 0) throw fileError(file, 'not a text file', 'UTF-8 text', `a NUL byte at offset ${nul}`);
  return text;
}

/** `readBoundedFile` then `decodeText`. */
export function readTextFile(file: string, options: ReadOptions = {}): string {
  return decodeText(readBoundedFile(file, options), file);
}

/**
 * Where the nesting of `text` first exceeds `maxDepth`, or undefined. A linear scan that counts block
 * indentation levels, compact `- - -` list entries and open `[`/`{` outside quotes and comments: close
 * enough to YAML and JSON to stop a pathological file before a recursive parser overflows the stack.
 */
export function tooDeep(text: string, maxDepth: number): { line: number; column: number } | undefined {
  const indents: number[] = [];
  let flow = 0;
  let line = 0;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    line++;
    let i = start;
    while (i < end && (text[i] === ' ' || text[i] === '\t')) i++;
    const blank = i >= end || text[i] === '#' || text[i] === '\r';
    if (!blank && flow === 0) {
      const indent = i - start;
      while (indents.length > 0 && indents[indents.length - 1]! >= indent) indents.pop();
      indents.push(indent);
    }
    let compact = 0;
    while (i + 1 < end && text[i] === '-' && (text[i + 1] === ' ' || text[i + 1] === '\t')) {
      compact++;
      i += 2;
      while (i < end && text[i] === ' ') i++;
    }
    let quote = '';
    for (let j = i; j < end; j++) {
      const c = text[j]!;
      if (quote) {
        if (c === '\\' && quote === '"') j++;
        else if (c === quote) quote = '';
        continue;
      }
      if (c === '"' || (c === "'" && (j === 0 || /[\s[{,:]/.test(text[j - 1]!)))) quote = c;
      else if (c === '#' && (j === start || /\s/.test(text[j - 1]!))) break;
      else if (c === '[' || c === '{') {
        flow++;
        if (indents.length + compact + flow > maxDepth) return { line, column: j - start + 1 };
      } else if ((c === ']' || c === '}') && flow > 0) flow--;
    }
    if (indents.length + compact + flow > maxDepth) return { line, column: i - start + 1 };
    start = end + 1;
  }
  return undefined;
}

export interface ParsedDocument {
  readonly doc: Document;
  readonly lineCounter: LineCounter;
  /** the document as plain data; undefined for an empty document */
  readonly data: unknown;
}

export interface ParseTextOptions {
  readonly file?: string | undefined;
  readonly format?: 'yaml' | 'json' | undefined;
  readonly maxAliasCount?: number | undefined;
  readonly maxDepth?: number | undefined;
  /** the error code of syntax errors; default `ARS_E_INPUT_SYNTAX` */
  readonly syntaxCode?: ErrorCode | undefined;
}

/** yaml's messages end with " at line L, column C:" and a code excerpt; we report the position apart. */
function shortMessage(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

/**
 * Parses YAML (or JSON, strictly) with positions, refusing over-deep nesting, several documents and
 * alias bombs. Keys are kept as own data properties, so `__proto__` stays a key.
 * @throws InputError `ARS_E_INPUT_FILE` (nesting, aliases) or the syntax code.
 */
export function parseText(text: string, options: ParseTextOptions = {}): ParsedDocument {
  const { file } = options;
  const format = options.format ?? 'yaml';
  const syntaxCode = options.syntaxCode ?? 'ARS_E_INPUT_SYNTAX';
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  const deep = tooDeep(text, maxDepth);
  const depthError = (pos?: { line: number; column: number }) =>
    new InputError('ARS_E_INPUT_FILE', [
      fileIssue(file, 'nested too deeply', {
        line: pos?.line,
        column: pos?.column,
        expected: `at most ${maxDepth} levels of lists and mappings`,
      }),
    ]);
  if (deep) throw depthError(deep);
  const lineCounter = new LineCounter();
  let doc: Document;
  try {
    doc = parseDocument(text, {
      lineCounter,
      prettyErrors: true,
      uniqueKeys: true,
      schema: format === 'json' ? 'json' : 'core',
    });
  } catch (err) {
    if (err instanceof RangeError) throw depthError();
    throw err;
  }
  if (doc.errors.length > 0) {
    throw new InputError(
      syntaxCode,
      doc.errors.map((e) => ({
        file,
        path: '',
        line: e.linePos?.[0].line,
        column: e.linePos?.[0].col,
        message:
          e.code === 'MULTIPLE_DOCS'
            ? 'YAML syntax error: the file holds one YAML document, this one has several (`---`)'
            : `${format === 'json' ? 'JSON' : 'YAML'} syntax error: ${shortMessage(e.message)}`,
      })),
    );
  }
  if (format === 'json') {
    // The YAML parser reads JSON for positions, but also accepts what JSON does not (trailing commas).
    try {
      JSON.parse(text);
    } catch (err) {
      if (err instanceof RangeError) throw depthError();
      const message = err instanceof Error ? err.message : String(err);
      const at = /at position (\d+)/.exec(message);
      const pos = at ? lineCounter.linePos(Number(at[1])) : undefined;
      throw new InputError(syntaxCode, [
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
  if (doc.contents === null) return { doc, lineCounter, data: undefined };
  const maxAliasCount = options.maxAliasCount ?? DEFAULT_MAX_ALIAS_COUNT;
  let data: unknown;
  try {
    // yaml counts -1 as "no limit"
    data = doc.toJS({ maxAliasCount: Number.isFinite(maxAliasCount) ? maxAliasCount : -1 });
  } catch (err) {
    if (err instanceof RangeError) throw depthError();
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
      fileIssue(file, 'refused: YAML aliases expand too much (a possible alias bomb)', {
        line: pos?.line,
        column: pos?.col,
        expected: `at most ${maxAliasCount} alias expansions`,
      }),
    ]);
  }
  return { doc, lineCounter, data };
}
