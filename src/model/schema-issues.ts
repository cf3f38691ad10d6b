/**
 * Turns zod issues into located, readable input issues: what was found, what was expected, and a
 * "did you mean" for unknown fields and values.
 */
import type { z } from 'zod';
import type { InputIssue } from '../errors.js';
import { didYouMean } from './did-you-mean.js';
import { formatPath, type Locate, type PathSegment } from './locate.js';

type ZodIssue = z.core.$ZodIssue;
// biome-ignore lint/suspicious/noExplicitAny: zod's internal definitions are walked structurally.
type AnySchema = { _zod: { def: any } };

const typeNames: Record<string, string> = {
  number: 'a number',
  int: 'an integer',
  string: 'a string',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
  record: 'a mapping',
  tuple: 'a list',
};

/** A short description of a value as the user wrote it. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') {
    const s = value.length > 40 ? `${value.slice(0, 37)}...` : value;
    return JSON.stringify(s);
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'object') return 'a mapping';
  return typeof value;
}

function valueAt(data: unknown, path: readonly PathSegment[]): unknown {
  let v = data;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

function unwrap(s: AnySchema): AnySchema {
  let cur = s;
  for (;;) {
    const def = cur._zod.def;
    if (
      def.type === 'default' ||
      def.type === 'optional' ||
      def.type === 'nullable' ||
      def.type === 'prefault'
    )
      cur = def.innerType;
    else if (def.type === 'pipe') cur = def.in;
    else return cur;
  }
}

/** Picks the union option that `value` was meant for: the one whose discriminator matches, or an object option. */
function pickOption(union: AnySchema, value: unknown): AnySchema | undefined {
  const def = union._zod.def;
  const options = (def.options as AnySchema[]).map(unwrap);
  const isObject = value !== null && typeof value === 'object' && !Array.isArray(value);
  if (def.discriminator && isObject) {
    const tag = (value as Record<string, unknown>)[def.discriminator];
    return options.find((o) => {
      const lit = o._zod.def.shape?.[def.discriminator];
      return lit && (unwrap(lit)._zod.def.values as unknown[]).includes(tag);
    });
  }
  if (isObject) return options.find((o) => o._zod.def.type === 'object');
  return undefined;
}

/** The schema that describes the value at `path`, following the data through unions. */
function schemaAt(root: AnySchema, data: unknown, path: readonly PathSegment[]): AnySchema | undefined {
  let s: AnySchema | undefined = unwrap(root);
  for (let i = 0; i <= path.length && s; i++) {
    // biome-ignore lint/suspicious/noExplicitAny: see AnySchema
    let def: any = s._zod.def;
    if (def.type === 'union') {
      s = pickOption(s, valueAt(data, path.slice(0, i)));
      if (!s) return undefined;
      def = s._zod.def;
    }
    if (i === path.length) return s;
    const seg = path[i]!;
    if (def.type === 'object') s = def.shape[seg];
    else if (def.type === 'array') s = def.element;
    else if (def.type === 'tuple') s = def.items[seg as number];
    else if (def.type === 'record') s = def.valueType;
    else return undefined;
    s = s ? unwrap(s) : undefined;
  }
  return s;
}

/** The known field names of the mapping at `path`, for unknown-field suggestions. */
function knownKeys(root: AnySchema, data: unknown, path: readonly PathSegment[]): string[] {
  const s = schemaAt(root, data, path);
  return s && s._zod.def.type === 'object' ? Object.keys(s._zod.def.shape) : [];
}

function bound(issue: { minimum?: unknown; maximum?: unknown; inclusive?: boolean; origin?: string }) {
  const limit = String(issue.minimum ?? issue.maximum);
  if (issue.origin === 'array' || issue.origin === 'set')
    return `${issue.minimum !== undefined ? 'at least' : 'at most'} ${limit} item${limit === '1' ? '' : 's'}`;
  if (issue.origin === 'string')
    return `${issue.minimum !== undefined ? 'at least' : 'at most'} ${limit} character${limit === '1' ? '' : 's'}`;
  const op = issue.minimum !== undefined ? (issue.inclusive ? '>=' : '>') : issue.inclusive ? '<=' : '<';
  return `a number ${op} ${limit}`;
}

interface Context {
  readonly root: AnySchema;
  readonly data: unknown;
  readonly file: string | undefined;
  readonly locate: Locate | undefined;
}

function convert(issue: ZodIssue, prefix: readonly PathSegment[], ctx: Context, out: InputIssue[]): void {
  const path = [...prefix, ...(issue.path as PathSegment[])];
  const found = valueAt(ctx.data, path);
  const push = (
    p: readonly PathSegment[],
    message: string,
    expected?: string,
    foundText?: string,
    at?: 'key',
  ) => {
    const pos = ctx.locate?.(p, at);
    out.push({
      file: ctx.file,
      path: formatPath(p),
      line: pos?.line,
      column: pos?.column,
      message,
      expected,
      found: foundText,
    });
  };
  const field = path[path.length - 1];
  switch (issue.code) {
    case 'invalid_type': {
      const expected = typeNames[issue.expected] ?? issue.expected;
      if (found === undefined && typeof field === 'string')
        push(path, `missing required field \`${field}\``, expected);
      else push(path, 'wrong type', expected, describeValue(found));
      return;
    }
    case 'unrecognized_keys': {
      const known = knownKeys(ctx.root, ctx.data, path);
      for (const key of issue.keys) {
        push(
          [...path, key],
          `unknown field \`${key}\`${didYouMean(key, known)}`,
          known.length > 0 ? `one of ${known.join(', ')}` : undefined,
          undefined,
          'key',
        );
      }
      return;
    }
    case 'invalid_value': {
      const values = issue.values.map((v) => String(v));
      const hint = typeof found === 'string' ? didYouMean(found, values) : '';
      push(path, `not an allowed value${hint}`, `one of ${values.join(', ')}`, describeValue(found));
      return;
    }
    case 'too_small':
    case 'too_big': {
      const what = issue.code === 'too_small' ? 'too small' : 'too large';
      const count = Array.isArray(found) ? `a list of ${found.length}` : describeValue(found);
      push(
        path,
        issue.origin === 'array' ? `list ${what === 'too small' ? 'too short' : 'too long'}` : `${what}`,
        bound(issue as never),
        count,
      );
      return;
    }
    case 'invalid_format': {
      // The schema's regex checks carry a readable message saying what an identifier is.
      const expected = issue.format === 'regex' ? issue.message : issue.format;
      push(
        path,
        issue.format === 'regex' ? 'not a valid identifier' : `not a valid ${issue.format}`,
        expected,
        describeValue(found),
      );
      return;
    }
    case 'invalid_union': {
      const note = (issue as { note?: string; discriminator?: string; options?: unknown[] }).note;
      if (note) {
        // A discriminated union whose tag is missing or unknown; zod's path already ends at the tag.
        const options = ((issue as { options?: unknown[] }).options ?? []).map(String);
        const tag = typeof field === 'string' ? field : 'kind';
        if (found === undefined)
          push(path, `missing required field \`${tag}\``, `one of ${options.join(', ')}`);
        else {
          const hint = typeof found === 'string' ? didYouMean(found, options) : '';
          push(path, `unknown ${tag}${hint}`, `one of ${options.join(', ')}`, describeValue(found));
        }
        return;
      }
      // Follow the option the value was evidently meant for: one that did not reject its type outright.
      const branches = issue.errors as ZodIssue[][];
      const fits = branches.filter((b) => !b.some((i) => i.code === 'invalid_type' && i.path.length === 0));
      const best = fits.sort((a, b) => a.length - b.length)[0];
      if (best) {
        for (const inner of best) convert(inner, path, ctx, out);
        return;
      }
      const expected = [
        ...new Set(
          branches.flatMap((b) =>
            b
              .filter((i) => i.code === 'invalid_type')
              .map((i) => typeNames[(i as { expected: string }).expected] ?? ''),
          ),
        ),
      ].filter(Boolean);
      push(path, 'wrong type', expected.join(' or ') || undefined, describeValue(found));
      return;
    }
    default:
      push(path, issue.message, undefined, describeValue(found));
  }
}

/** Converts zod issues on `data` into input issues located in the file. */
export function schemaIssues(
  issues: readonly ZodIssue[],
  root: AnySchema,
  data: unknown,
  file: string | undefined,
  locate: Locate | undefined,
): InputIssue[] {
  const out: InputIssue[] = [];
  const ctx: Context = { root, data, file, locate };
  for (const issue of issues) convert(issue, [], ctx, out);
  return out;
}
