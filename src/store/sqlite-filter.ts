/**
 * Compiles a {@link ThingFilter} to a SQL condition over the `things` table with bound parameters only: paths
 * and values never become SQL text. Document paths read the JSON column with `json_extract`; typed comparisons
 * check `json_type` first so that, as in Ditto, `gt(attributes/x,5)` never matches a string.
 */
import type { ThingFilter } from './store.js';

type Scalar = string | number | boolean | null;

const COLUMNS: Record<string, string> = {
  thingId: 'thing_id',
  tenant: 'tenant',
  revision: 'revision',
  createdAt: 'created_at',
  modifiedAt: 'modified_at',
  sourceTime: 'source_time',
};

const SQL_OP = { eq: '=', ne: '!=', gt: '>', lt: '<', ge: '>=', le: '<=' } as const;

/** `attributes/a/b` → the SQLite JSON path `$."attributes"."a"."b"`. Segments never hold `"` (rql.ts). */
export function jsonPath(path: string): string {
  return `$${path
    .split('/')
    .map((s) => `."${s}"`)
    .join('')}`;
}

/** SQL GLOB pattern from an RQL `like` pattern (`*` any run, `?` one character, `[` literal). */
function globPattern(pattern: string): string {
  return pattern.replaceAll('[', '[[]');
}

function typeGuard(value: Scalar): string {
  if (typeof value === 'number') return `IN ('integer','real')`;
  if (typeof value === 'string') return `= 'text'`;
  return `IN ('true','false')`;
}

export function compileFilter(filter: ThingFilter, params: unknown[]): string {
  switch (filter.op) {
    case 'and':
    case 'or': {
      if (filter.filters.length === 0) return filter.op === 'and' ? '1' : '0';
      const glue = filter.op === 'and' ? ' AND ' : ' OR ';
      return `(${filter.filters.map((f) => compileFilter(f, params)).join(glue)})`;
    }
    case 'not':
      return `NOT (${compileFilter(filter.filter, params)})`;
    case 'exists': {
      const column = COLUMNS[filter.path];
      if (column) return `(${column} IS NOT NULL)`;
      params.push(jsonPath(filter.path));
      return `(json_type(doc, ?) IS NOT NULL)`;
    }
    case 'like': {
      const column = COLUMNS[filter.path];
      if (column) {
        params.push(globPattern(filter.pattern));
        return `(${column} GLOB ?)`;
      }
      params.push(jsonPath(filter.path), jsonPath(filter.path), globPattern(filter.pattern));
      return `(json_type(doc, ?) = 'text' AND json_extract(doc, ?) GLOB ?)`;
    }
    case 'in': {
      if (filter.values.length === 0) return '0';
      return `(${filter.values.map((value) => compileFilter({ op: 'eq', path: filter.path, value }, params)).join(' OR ')})`;
    }
    default:
      return compileComparison(filter.op, filter.path, filter.value, params);
  }
}

function compileComparison(op: keyof typeof SQL_OP, path: string, value: Scalar, params: unknown[]): string {
  const column = COLUMNS[path];
  if (value === null) {
    if (op !== 'eq' && op !== 'ne') return '0';
    if (column) return `(${column} IS ${op === 'eq' ? '' : 'NOT '}NULL)`;
    params.push(jsonPath(path));
    return `(json_type(doc, ?) ${op === 'eq' ? '=' : '!='} 'null')`;
  }
  const bound = typeof value === 'boolean' ? (value ? 1 : 0) : value;
  if (column) {
    params.push(bound);
    return op === 'ne' ? `(${column} IS NULL OR ${column} != ?)` : `(${column} ${SQL_OP[op]} ?)`;
  }
  const jp = jsonPath(path);
  params.push(jp, jp, bound);
  // ne: the value differs, is of another type, or is absent.
  if (op === 'ne') return `NOT (json_type(doc, ?) ${typeGuard(value)} AND json_extract(doc, ?) = ?)`;
  return `(json_type(doc, ?) ${typeGuard(value)} AND json_extract(doc, ?) ${SQL_OP[op]} ?)`;
}
