/**
 * The part of Ditto's RQL that search uses: `and(…)`, `or(…)`, `not(q)`, `eq|ne|gt|ge|lt|le|like|ilike
 * (field,value)`, `in(field,v1,v2,…)`, `exists(field)`, and `sort(+field,-field)`. Values are JSON-style
 * strings ("…" or '…'), numbers, true, false and null. Fields are slash paths into the thing.
 */
import { SecurityError } from '../errors.js';

export type Comparison = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le' | 'like' | 'ilike';
export type RqlValue = string | number | boolean | null;
export type RqlNode =
  | { readonly op: 'and' | 'or'; readonly args: readonly RqlNode[] }
  | { readonly op: 'not'; readonly arg: RqlNode }
  | { readonly op: Comparison; readonly field: string; readonly value: RqlValue }
  | { readonly op: 'in'; readonly field: string; readonly values: readonly RqlValue[] }
  | { readonly op: 'exists'; readonly field: string };

const COMPARISONS = new Set<string>(['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'like', 'ilike']);
const MAX_DEPTH = 32;

class Parser {
  pos = 0;
  constructor(readonly text: string) {}

  fail(expected: string): never {
    throw new SecurityError(
      'ARS_E_QUERY_INVALID',
      `query column ${this.pos + 1}: expected ${expected}, found ${this.pos < this.text.length ? JSON.stringify(this.text[this.pos]) : 'end of query'}`,
      { column: this.pos + 1, expected },
    );
  }

  skip(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }

  eat(ch: string): void {
    this.skip();
    if (this.text[this.pos] !== ch) this.fail(JSON.stringify(ch));
    this.pos++;
  }

  peek(): string | undefined {
    this.skip();
    return this.text[this.pos];
  }

  word(): string {
    this.skip();
    const m = /^[^\s(),"']+/.exec(this.text.slice(this.pos));
    if (!m) this.fail('a name');
    this.pos += m[0].length;
    return m[0];
  }

  value(): RqlValue {
    const c = this.peek();
    if (c === '"' || c === "'") {
      this.pos++;
      let out = '';
      while (this.pos < this.text.length && this.text[this.pos] !== c) {
        if (this.text[this.pos] === '\\') this.pos++;
        if (this.pos >= this.text.length) break;
        out += this.text[this.pos++];
      }
      if (this.text[this.pos] !== c) this.fail(`closing ${c}`);
      this.pos++;
      return out;
    }
    const w = this.word();
    if (w === 'true') return true;
    if (w === 'false') return false;
    if (w === 'null') return null;
    const n = Number(w);
    if (w.trim() === '' || !Number.isFinite(n)) {
      this.pos -= w.length;
      this.fail('a quoted string, a number, true, false or null');
    }
    return n;
  }

  query(depth: number): RqlNode {
    if (depth > MAX_DEPTH) this.fail(`at most ${MAX_DEPTH} nested operators`);
    const start = this.pos;
    const op = this.word();
    this.eat('(');
    let node: RqlNode;
    if (op === 'and' || op === 'or') {
      const args = [this.query(depth + 1)];
      while (this.peek() === ',') {
        this.pos++;
        args.push(this.query(depth + 1));
      }
      node = { op, args };
    } else if (op === 'not') node = { op, arg: this.query(depth + 1) };
    else if (op === 'exists') node = { op, field: this.word() };
    else if (op === 'in') {
      const field = this.word();
      const values: RqlValue[] = [];
      while (this.peek() === ',') {
        this.pos++;
        values.push(this.value());
      }
      if (values.length === 0) this.fail('at least one value');
      node = { op, field, values };
    } else if (COMPARISONS.has(op)) {
      const field = this.word();
      this.eat(',');
      node = { op: op as Comparison, field, value: this.value() };
    } else {
      this.pos = start;
      this.fail('and, or, not, eq, ne, gt, ge, lt, le, like, ilike, in or exists');
    }
    this.eat(')');
    return node;
  }

  end(): void {
    this.skip();
    if (this.pos !== this.text.length) this.fail('end of query');
  }
}

export function parseRql(text: string): RqlNode {
  const p = new Parser(text);
  const node = p.query(0);
  p.end();
  return node;
}

/** `sort(+attributes/room,-thingId)` → fields with direction (no sign means ascending). */
export function parseSort(text: string): { field: string; descending: boolean }[] {
  const p = new Parser(text);
  if (p.word() !== 'sort') {
    p.pos = 0;
    p.fail('sort(');
  }
  p.eat('(');
  const out: { field: string; descending: boolean }[] = [];
  do {
    if (out.length > 0) p.pos++;
    const w = p.word();
    const sign = w[0] === '-' || w[0] === '+' ? w[0] : '';
    const field = w.slice(sign.length);
    if (field === '') p.fail('a field');
    out.push({ field, descending: sign === '-' });
  } while (p.peek() === ',');
  p.eat(')');
  p.end();
  return out;
}

/** Every field a filter reads, in order of appearance. */
export function fieldsOf(node: RqlNode): string[] {
  switch (node.op) {
    case 'and':
    case 'or':
      return node.args.flatMap(fieldsOf);
    case 'not':
      return fieldsOf(node.arg);
    default:
      return [node.field];
  }
}

function valueAt(doc: unknown, field: string): unknown {
  let v = doc;
  for (const seg of field.split('/')) {
    if (seg === '') continue;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[seg];
  }
  return v;
}

function glob(pattern: string, flags: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, flags);
}

function compare(a: unknown, b: RqlValue): number | undefined {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return undefined;
}

/**
 * Whether a document matches. Run it on the *filtered* view of each thing (what the subject may read), so
 * a match can never depend on a hidden value.
 */
export function matchRql(node: RqlNode, doc: unknown): boolean {
  switch (node.op) {
    case 'and':
      return node.args.every((a) => matchRql(a, doc));
    case 'or':
      return node.args.some((a) => matchRql(a, doc));
    case 'not':
      return !matchRql(node.arg, doc);
    case 'exists':
      return valueAt(doc, node.field) !== undefined;
    case 'in': {
      const v = valueAt(doc, node.field);
      return node.values.some((x) => v === x);
    }
    default: {
      const v = valueAt(doc, node.field);
      if (v === undefined) return false;
      switch (node.op) {
        case 'eq':
          return v === node.value;
        case 'ne':
          return v !== node.value;
        case 'like':
        case 'ilike':
          return (
            typeof v === 'string' &&
            typeof node.value === 'string' &&
            glob(node.value, node.op === 'ilike' ? 'i' : '').test(v)
          );
        default: {
          const c = compare(v, node.value);
          if (c === undefined) return false;
          return node.op === 'gt' ? c > 0 : node.op === 'ge' ? c >= 0 : node.op === 'lt' ? c < 0 : c <= 0;
        }
      }
    }
  }
}
