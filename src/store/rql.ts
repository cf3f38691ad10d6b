/**
 * The RQL subset of Eclipse Ditto's search, parsed to a {@link ThingFilter}:
 *
 *   eq(attributes/site,"north")   ne(...)   gt(features/temp/properties/value,30)   lt/ge/le(...)
 *   in(attributes/line,"line-1","line-2")   like(thingId,"plant:press-*")   exists(attributes/tag)
 *   and(q1,q2,...)   or(q1,q2,...)   not(q)
 *
 * Values are double- or single-quoted strings (backslash escapes the quote and itself), numbers, `true`,
 * `false`, `null`. A property is a slash path of segments made of anything but `"`, `'`, `,`, `(`, `)`,
 * `/` and whitespace. `like` takes `*` (any run) and `?` (one character). Errors carry the column.
 */
import type { ThingFilter } from './store.js';

type Scalar = string | number | boolean | null;

export class RqlSyntaxError extends Error {
  /** 1-based column in the filter text. */
  readonly column: number;
  constructor(message: string, column: number) {
    super(`filter column ${column}: ${message}`);
    this.name = 'RqlSyntaxError';
    this.column = column;
  }
}

const COMPARISONS = new Set(['eq', 'ne', 'gt', 'lt', 'ge', 'le']);
const OPERATORS = new Set([...COMPARISONS, 'in', 'like', 'exists', 'and', 'or', 'not']);
const MAX_DEPTH = 32;
const MAX_LENGTH = 4096;

export function parseRql(text: string): ThingFilter {
  if (text.length > MAX_LENGTH) throw new RqlSyntaxError(`longer than ${MAX_LENGTH} characters`, MAX_LENGTH);
  const nul = text.indexOf('\u0000');
  if (nul >= 0) throw new RqlSyntaxError('the character U+0000 is not allowed', nul + 1);
  let pos = 0;
  const fail = (expected: string): never => {
    const found = pos < text.length ? `'${text[pos]}'` : 'the end';
    throw new RqlSyntaxError(`expected ${expected}, found ${found}`, pos + 1);
  };
  const skip = () => {
    while (pos < text.length && /\s/.test(text[pos]!)) pos++;
  };
  const expect = (ch: string) => {
    skip();
    if (text[pos] !== ch) fail(`'${ch}'`);
    pos++;
  };
  const word = (): string => {
    skip();
    const start = pos;
    while (pos < text.length && /[a-z]/.test(text[pos]!)) pos++;
    return text.slice(start, pos);
  };
  const property = (): string => {
    skip();
    const start = pos;
    while (pos < text.length && !/[\s"',()]/.test(text[pos]!)) pos++;
    const path = text.slice(start, pos);
    if (path === '' || path.split('/').some((s) => s === '')) {
      pos = start;
      fail('a property path such as attributes/site');
    }
    return path;
  };
  const value = (): Scalar => {
    skip();
    const quote = text[pos];
    if (quote === '"' || quote === "'") {
      pos++;
      let out = '';
      while (pos < text.length && text[pos] !== quote) {
        if (text[pos] === '\\' && pos + 1 < text.length) pos++;
        out += text[pos++];
      }
      if (pos >= text.length) fail(`a closing ${quote}`);
      pos++;
      return out;
    }
    const start = pos;
    while (pos < text.length && !/[\s,()]/.test(text[pos]!)) pos++;
    const raw = text.slice(start, pos);
    if (raw === 'true') return true;
    if (raw === 'false') return false;
    if (raw === 'null') return null;
    const n = Number(raw);
    if (raw === '' || !Number.isFinite(n)) {
      pos = start;
      fail('a value: a quoted string, a number, true, false or null');
    }
    return n;
  };
  const query = (depth: number): ThingFilter => {
    if (depth > MAX_DEPTH) fail(`at most ${MAX_DEPTH} nested operators`);
    const at = pos;
    const op = word();
    if (!OPERATORS.has(op)) {
      pos = at;
      skip();
      fail('an operator: eq, ne, gt, lt, ge, le, in, like, exists, and, or, not');
    }
    expect('(');
    let out: ThingFilter;
    if (op === 'and' || op === 'or') {
      const filters = [query(depth + 1)];
      for (skip(); text[pos] === ','; skip()) {
        pos++;
        filters.push(query(depth + 1));
      }
      out = { op, filters };
    } else if (op === 'not') {
      out = { op, filter: query(depth + 1) };
    } else if (op === 'exists') {
      out = { op, path: property() };
    } else if (COMPARISONS.has(op)) {
      const path = property();
      expect(',');
      out = { op: op as 'eq', path, value: value() };
    } else if (op === 'in') {
      const path = property();
      const values: Scalar[] = [];
      for (skip(); text[pos] === ','; skip()) {
        pos++;
        values.push(value());
      }
      if (values.length === 0) fail("',' and at least one value");
      out = { op, path, values };
    } else {
      const path = property();
      expect(',');
      const pattern = value();
      if (typeof pattern !== 'string') fail('a quoted pattern');
      out = { op: 'like', path, pattern: pattern as string };
    }
    expect(')');
    return out;
  };
  const filter = query(0);
  skip();
  if (pos < text.length) fail('the end of the filter');
  return filter;
}
