/**
 * The parameter grid of a sweep: `--vary PATH=VALUES` specs, their cross product, and how one grid
 * point changes a scenario document before it is validated.
 *
 * PATH walks the scenario as written (before groups are expanded): a field name in a mapping; in a
 * list, an entry's `id`, its index, or `*` for every entry. `workloads.*.rate` is the arrival rate of
 * every workload, whatever its arrival kind (poisson rate, bursty on/off rates, diurnal mean rate;
 * a periodic workload's period is divided by a factor).
 *
 * VALUES is a list (`4,8,16`, `true,false`) or a linear range `FROM..TO:N` (`0.5..3:6`). A value
 * with an `x` suffix (`0.5x..3x:6`, `1x,2x`) is a factor on the value the scenario has.
 */
import { ArsError } from '../errors.js';
import { closest } from '../model/index.js';

export interface VaryValue {
  /** as the user reads it in tables: `0.5x`, `8`, `true` */
  label: string;
  /** set when the value multiplies the scenario's own */
  factor?: number;
  /** set when the value replaces the scenario's own */
  value?: unknown;
}

export interface VarySpec {
  path: string;
  values: VaryValue[];
}

/** One grid point: a value for every varied path, in the order the specs were given. */
export type GridPoint = readonly { path: string; value: VaryValue }[];

const MAX_VALUES = 1000;
const MAX_POINTS = 100_000;

const bad = (spec: string, why: string) => new ArsError('ARS_E_INPUT_ARGUMENT', `--vary "${spec}": ${why}`);

/** A label that prints the way a person writes the number (0.5, not 0.49999999999999994). */
const numberLabel = (x: number) => String(Number(x.toPrecision(12)));

function parseItem(spec: string, text: string): VaryValue {
  const t = text.trim();
  if (t === '') throw bad(spec, 'an empty value (expected e.g. 4,8,16 or 0.5x..3x:6)');
  const factor = /^(-?\d+(?:\.\d+)?(?:e-?\d+)?)x$/i.exec(t);
  if (factor) {
    const f = Number(factor[1]);
    if (!(f > 0)) throw bad(spec, `factor ${t} must be positive`);
    return { label: `${numberLabel(f)}x`, factor: f };
  }
  let value: unknown = t;
  try {
    value = JSON.parse(t);
  } catch {
    // plain text, e.g. a policy or forecaster name
  }
  return { label: typeof value === 'number' ? numberLabel(value) : t, value };
}

/** Parses `PATH=VALUES`. */
export function parseVary(spec: string): VarySpec {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw bad(spec, 'expected PATH=VALUES, e.g. nodes.edge.count=4,8,16');
  const path = spec.slice(0, eq).trim();
  const text = spec.slice(eq + 1).trim();
  if (!/^[^.\s]+(\.[^.\s]+)*$/.test(path)) throw bad(spec, `"${path}" is not a dotted path`);
  const range = /^(.+?)\.\.(.+?):(\d+)$/.exec(text);
  let values: VaryValue[];
  if (range) {
    const [from, to] = [parseItem(spec, range[1]!), parseItem(spec, range[2]!)];
    const n = Number(range[3]);
    const isFactor = from.factor !== undefined;
    const a = isFactor ? from.factor : from.value;
    const b = isFactor ? to.factor : to.value;
    if (typeof a !== 'number' || typeof b !== 'number' || isFactor !== (to.factor !== undefined))
      throw bad(spec, 'a range needs two numbers, both factors (0.5x..3x:6) or both values (1..4:4)');
    if (n < 2 || n > MAX_VALUES) throw bad(spec, `a range needs 2 to ${MAX_VALUES} steps, got ${n}`);
    values = Array.from({ length: n }, (_, i) => {
      const x = Number((a + ((b - a) * i) / (n - 1)).toPrecision(12));
      return isFactor ? { label: `${numberLabel(x)}x`, factor: x } : { label: numberLabel(x), value: x };
    });
  } else {
    values = text.split(',').map((t) => parseItem(spec, t));
  }
  if (values.length === 0 || values.length > MAX_VALUES)
    throw bad(spec, `expected 1 to ${MAX_VALUES} values, got ${values.length}`);
  const labels = new Set(values.map((v) => v.label));
  if (labels.size !== values.length) throw bad(spec, 'a value is listed twice');
  return { path, values };
}

/** Every combination of the specs' values, the first spec varying slowest. */
export function gridPoints(specs: readonly VarySpec[]): GridPoint[] {
  const paths = new Set<string>();
  for (const s of specs) {
    if (paths.has(s.path)) throw new ArsError('ARS_E_INPUT_ARGUMENT', `--vary: "${s.path}" is varied twice`);
    paths.add(s.path);
  }
  const size = specs.reduce((n, s) => n * s.values.length, 1);
  if (size > MAX_POINTS)
    throw new ArsError('ARS_E_INPUT_ARGUMENT', `--vary: ${size} grid points, at most ${MAX_POINTS}`);
  let points: GridPoint[] = [[]];
  for (const s of specs)
    points = points.flatMap((p) => s.values.map((value) => [...p, { path: s.path, value }]));
  return points;
}

/** `{ path: label }` of a point, for documents and the store. */
export function pointLabels(point: GridPoint): Record<string, string> {
  return Object.fromEntries(point.map((p) => [p.path, p.value.label]));
}

type Doc = Record<string, unknown>;
const isObject = (x: unknown): x is Doc => x !== null && typeof x === 'object' && !Array.isArray(x);

/** Arrival fields that `rate` on a workload stands for: [field, multiply (true) or divide by the factor]. */
const RATE_FIELDS: Record<string, readonly (readonly [string, boolean])[]> = {
  poisson: [['rate', true]],
  bursty: [
    ['onRate', true],
    ['offRate', true],
  ],
  diurnal: [['meanRate', true]],
  periodic: [['period', false]],
};

function applyValue(holder: Doc, key: string, v: VaryValue, where: string): void {
  if (v.factor === undefined) {
    holder[key] = v.value;
    return;
  }
  const current = holder[key];
  if (typeof current !== 'number')
    throw new ArsError(
      'ARS_E_INPUT_ARGUMENT',
      `--vary ${where}: a factor (${v.label}) needs a number in the scenario, found ${current === undefined ? 'none (the field takes its default; give absolute values)' : JSON.stringify(current)}`,
    );
  holder[key] = Number((current * v.factor).toPrecision(15));
}

/** The arrival-rate alias of a workload: `workloads.*.rate`. */
function applyRate(workload: Doc, v: VaryValue, where: string): void {
  const arrival = workload.arrival;
  const kind = isObject(arrival) ? String(arrival.kind) : '';
  const fields = RATE_FIELDS[kind];
  if (!isObject(arrival) || !fields)
    throw new ArsError(
      'ARS_E_INPUT_ARGUMENT',
      `--vary ${where}: workload "${String(workload.id)}" has a ${kind || 'missing'} arrival, which has no rate to vary`,
    );
  if (v.factor === undefined) {
    if (kind !== 'poisson' && kind !== 'diurnal')
      throw new ArsError(
        'ARS_E_INPUT_ARGUMENT',
        `--vary ${where}: an absolute rate applies to poisson and diurnal arrivals only; use a factor (e.g. 2x) for ${kind}`,
      );
    arrival[kind === 'poisson' ? 'rate' : 'meanRate'] = v.value;
    return;
  }
  for (const [field, multiply] of fields) {
    const current = arrival[field];
    if (typeof current !== 'number') continue;
    arrival[field] = Number((multiply ? current * v.factor : current / v.factor).toPrecision(15));
  }
}

/**
 * Returns a copy of a scenario document with one grid point applied.
 * @throws ArsError ARS_E_INPUT_ARGUMENT when a path does not exist in the document
 */
export function applyPoint(document: unknown, point: GridPoint): unknown {
  const doc = structuredClone(document);
  for (const { path, value } of point) {
    const keys = path.split('.');
    const visit = (node: unknown, i: number, trail: string): void => {
      const key = keys[i]!;
      const last = i === keys.length - 1;
      const where = `${path}`;
      if (Array.isArray(node)) {
        let picked: unknown[];
        if (key === '*') picked = node;
        else if (/^\d+$/.test(key)) picked = node[Number(key)] === undefined ? [] : [node[Number(key)]];
        else picked = node.filter((e) => isObject(e) && e.id === key);
        if (picked.length === 0) {
          const ids = node.filter(isObject).map((e) => String(e.id));
          const hint = closest(key, ids);
          throw new ArsError(
            'ARS_E_INPUT_ARGUMENT',
            `--vary ${where}: ${trail || 'the scenario'} has no entry "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}; ids: ${ids.join(', ')}, or * for all`,
          );
        }
        if (last)
          throw new ArsError(
            'ARS_E_INPUT_ARGUMENT',
            `--vary ${where}: the path ends on a list entry, not a field`,
          );
        for (const e of picked) visit(e, i + 1, `${trail}.${key}`);
        return;
      }
      if (!isObject(node))
        throw new ArsError('ARS_E_INPUT_ARGUMENT', `--vary ${where}: ${trail} is not a mapping or a list`);
      if (last) {
        if (key === 'rate' && !('rate' in node) && isObject(node.arrival)) applyRate(node, value, where);
        else applyValue(node, key, value, where);
        return;
      }
      if (!(key in node)) {
        const hint = closest(key, Object.keys(node));
        throw new ArsError(
          'ARS_E_INPUT_ARGUMENT',
          `--vary ${where}: ${trail || 'the scenario'} has no field "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}`,
        );
      }
      visit(node[key], i + 1, trail ? `${trail}.${key}` : key);
    };
    visit(doc, 0, '');
  }
  return doc;
}
