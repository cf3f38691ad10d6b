/**
 * Compiles a {@link ThingFilter} to a PostgreSQL condition over the `things` table with bound parameters only
 * (`$n`): paths and values never become SQL text. The document column is `json` (kept as sent); a path is read
 * with `doc #> $n::text[]` and compared as `jsonb`. Ordering comparisons check `jsonb_typeof` first so that,
 * as in Ditto and the SQLite store, `gt(attributes/x,5)` never matches a string. Every leaf is
 * `coalesce(…, false)`: an absent property never makes a condition unknown.
 */
import type { ThingFilter } from './store.js';

type Scalar = string | number | boolean | null;

/** Top-level fields kept in their own columns, with the JSON type of their values. */
const COLUMNS: Record<string, { column: string; type: 'string' | 'number' }> = {
  thingId: { column: 'thing_id', type: 'string' },
  tenant: { column: 'tenant', type: 'string' },
  revision: { column: 'revision', type: 'number' },
  createdAt: { column: 'created_at', type: 'number' },
  modifiedAt: { column: 'modified_at', type: 'number' },
  sourceTime: { column: 'source_time', type: 'number' },
};

const SQL_OP = { eq: '=', ne: '!=', gt: '>', lt: '<', ge: '>=', le: '<=' } as const;

const bind = (params: unknown[], value: unknown): string => `$${params.push(value)}`;

/** `attributes/a/b` → the text array `{attributes,a,b}` for `#>`, bound as a parameter. */
const pathParam = (params: unknown[], path: string): string => `${bind(params, path.split('/'))}::text[]`;

/** RQL `like` (`*` any run, `?` one character) → SQL LIKE with `\` escaping `%`, `_` and itself. */
export function likePattern(pattern: string): string {
  let out = '';
  for (const ch of pattern) {
    if (ch === '*') out += '%';
    else if (ch === '?') out += '_';
    else if (ch === '%' || ch === '_' || ch === '\\') out += `\\${ch}`;
    else out += ch;
  }
  return out;
}

const jsonType = (value: Scalar): string =>
  value === null ? 'null' : typeof value === 'number' ? 'number' : typeof value;

export function compilePgFilter(filter: ThingFilter, params: unknown[]): string {
  switch (filter.op) {
    case 'and':
    case 'or': {
      if (filter.filters.length === 0) return filter.op === 'and' ? 'true' : 'false';
      const glue = filter.op === 'and' ? ' AND ' : ' OR ';
      return `(${filter.filters.map((f) => compilePgFilter(f, params)).join(glue)})`;
    }
    case 'not':
      return `NOT (${compilePgFilter(filter.filter, params)})`;
    case 'exists': {
      const column = COLUMNS[filter.path];
      if (column) return `(${column.column} IS NOT NULL)`;
      return `(doc #> ${pathParam(params, filter.path)} IS NOT NULL)`;
    }
    case 'like': {
      const column = COLUMNS[filter.path];
      if (column) {
        if (column.type !== 'string') return 'false';
        return `coalesce(${column.column} LIKE ${bind(params, likePattern(filter.pattern))} ESCAPE '\\', false)`;
      }
      const p = pathParam(params, filter.path);
      return `coalesce(json_typeof(doc #> ${p}) = 'string' AND (doc #>> ${p}) COLLATE "C" LIKE ${bind(
        params,
        likePattern(filter.pattern),
      )} ESCAPE '\\', false)`;
    }
    case 'in': {
      if (filter.values.length === 0) return 'false';
      return `(${filter.values.map((value) => compilePgFilter({ op: 'eq', path: filter.path, value }, params)).join(' OR ')})`;
    }
    default:
      return comparison(filter.op, filter.path, filter.value, params);
  }
}

function comparison(op: keyof typeof SQL_OP, path: string, value: Scalar, params: unknown[]): string {
  const column = COLUMNS[path];
  if (column) {
    if (value === null) {
      if (op === 'eq') return `(${column.column} IS NULL)`;
      if (op === 'ne') return `(${column.column} IS NOT NULL)`;
      return 'false';
    }
    // A value of another type than the column's: equal to nothing, different from everything.
    if (typeof value !== column.type) return op === 'ne' ? 'true' : 'false';
    const v = bind(params, value);
    const cast = column.type === 'number' ? '::float8' : '';
    if (op === 'ne') return `(${column.column} IS NULL OR ${column.column} != ${v}${cast})`;
    return `coalesce(${column.column} ${SQL_OP[op]} ${v}${cast}, false)`;
  }
  const p = pathParam(params, path);
  if (value === null) {
    if (op !== 'eq' && op !== 'ne') return 'false';
    const isNull = `coalesce(json_typeof(doc #> ${p}) = 'null', false)`;
    return op === 'eq' ? isNull : `NOT ${isNull}`;
  }
  const v = `${bind(params, JSON.stringify(value))}::jsonb`;
  // jsonb values of different types are never equal, so eq and ne need no type guard.
  if (op === 'eq') return `coalesce((doc #> ${p})::jsonb = ${v}, false)`;
  if (op === 'ne') return `NOT coalesce((doc #> ${p})::jsonb = ${v}, false)`;
  return `coalesce(json_typeof(doc #> ${p}) = '${jsonType(value)}' AND (doc #> ${p})::jsonb ${SQL_OP[op]} ${v}, false)`;
}
