/**
 * Static scheduling problems: a task DAG on heterogeneous processors (HEFT, CPOP, PEFT, GA, PSO)
 * or a set of independent tasks given by an expected-time-to-compute matrix (Braun et al. 2001:
 * Min-Min, Max-Min, MCT, MET, OLB, Sufferage, GA, PSO).
 *
 * Files are parsed once into an indexed form (typed arrays and index lists, no maps) because the
 * planners read costs millions of times. Every problem found in a file is reported together as an
 * `InputError` with code `ARS_E_INPUT_PROBLEM`, each issue with its JSON path and line.
 */
import { isMap, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { InputError, type InputIssue } from '../../errors.js';
import { DEFAULT_MAX_DEPTH, tooDeep } from '../../model/index.js';

/** The JSON file format of a DAG problem. */
export interface DagProblemSpec {
  readonly processors: readonly string[];
  /** task name → execution cost on each processor, in the order of `processors` */
  readonly cost: Readonly<Record<string, readonly number[]>>;
  /** [from, to, communication cost]; paid only when the two tasks run on different processors */
  readonly edges: readonly (readonly [string, string, number])[];
  /** P×P; transfer time p→q = latency[p][q] + comm / bandwidth[p][q] (default 1) */
  readonly bandwidth?: readonly (readonly number[])[];
  /** P×P start-up latency (default 0) */
  readonly latency?: readonly (readonly number[])[];
}

export interface DagProblem {
  readonly kind: 'dag';
  readonly taskNames: readonly string[];
  readonly processorNames: readonly string[];
  readonly tasks: number;
  readonly processors: number;
  /** cost[t * processors + p] */
  readonly cost: Float64Array;
  readonly succ: readonly (readonly number[])[];
  /** communication volume of succ[t][k] */
  readonly succComm: readonly (readonly number[])[];
  readonly pred: readonly (readonly number[])[];
  readonly predComm: readonly (readonly number[])[];
  /** 1 / bandwidth[p][q], flattened, or undefined for unit bandwidth */
  readonly inverseBandwidth: Float64Array | undefined;
  /** latency[p][q], flattened, or undefined for no latency */
  readonly latency: Float64Array | undefined;
  /** a topological order of the tasks */
  readonly topoOrder: readonly number[];
}

export interface EtcProblem {
  readonly kind: 'etc';
  readonly taskNames: readonly string[];
  readonly processorNames: readonly string[];
  readonly tasks: number;
  readonly processors: number;
  /** etc[t * processors + m]: expected time to compute task t on machine m */
  readonly etc: Float64Array;
  /**
   * Time each machine becomes free (default 0 for all): the heuristics and searches start each
   * machine's load there, so a batch can be planned onto machines that are still busy.
   */
  readonly ready?: Float64Array | undefined;
}

export type Problem = DagProblem | EtcProblem;

/** Time to move `comm` units of data from a task on p to a task on q (0 on the same processor). */
export function transferTime(problem: DagProblem, comm: number, p: number, q: number): number {
  if (p === q) return 0;
  const k = p * problem.processors + q;
  const lat = problem.latency ? (problem.latency[k] ?? 0) : 0;
  const inv = problem.inverseBandwidth ? (problem.inverseBandwidth[k] ?? 1) : 1;
  return lat + comm * inv;
}

/** Execution cost of task t on processor p, for either kind of problem. */
export function costOf(problem: Problem, t: number, p: number): number {
  const arr = problem.kind === 'dag' ? problem.cost : problem.etc;
  return arr[t * problem.processors + p] ?? Number.NaN;
}

/**
 * Parses a problem file's text: JSON (text starting with `{`) is a DAG problem; anything
 * else is read as an ETC matrix whose first line is `tasks machines 0`.
 * @throws InputError ARS_E_INPUT_PROBLEM with every issue found
 */
export function parseProblem(text: string, file?: string): Problem {
  const deep = tooDeep(text, DEFAULT_MAX_DEPTH);
  if (deep)
    throw new InputError('ARS_E_INPUT_PROBLEM', [
      {
        file,
        path: '',
        ...deep,
        message: 'nested too deeply',
        expected: `at most ${DEFAULT_MAX_DEPTH} levels of lists and objects`,
      },
    ]);
  const start = text.trimStart();
  if (start.startsWith('{') || start.startsWith('[') || start === '') return parseDagJson(text, file);
  return parseEtc(text, file);
}

/**
 * Parses a Braun ETC file: header `tasks machines 0`, then tasks × machines non-negative numbers,
 * task-major (task 0 on machines 0..M-1, then task 1, …), whitespace-separated.
 */
export function parseEtc(text: string, file?: string): EtcProblem {
  const fail = (line: number, message: string, expected?: string, found?: string): never => {
    throw new InputError('ARS_E_INPUT_PROBLEM', [{ file, path: '', line, message, expected, found }]);
  };
  const lines = text.split('\n');
  let li = 0;
  while (li < lines.length && (lines[li] ?? '').trim() === '') li++;
  const header = (lines[li] ?? '').trim().split(/\s+/);
  const headerLine = li + 1;
  const tasks = Number(header[0]);
  const machines = Number(header[1]);
  if (
    header.length < 2 ||
    header.length > 3 ||
    !Number.isInteger(tasks) ||
    !Number.isInteger(machines) ||
    tasks <= 0 ||
    machines <= 0 ||
    (header[2] !== undefined && !/^\d+$/.test(header[2]))
  ) {
    fail(
      headerLine,
      'malformed ETC header',
      '"<tasks> <machines> 0" with positive integers',
      (lines[li] ?? '').trim(),
    );
  }
  // The header is only a claim: count the values the file holds before allocating what it asks for.
  let values = 0;
  for (let j = li + 1; j < lines.length; j++)
    for (const tok of (lines[j] ?? '').trim().split(/\s+/)) if (tok !== '') values++;
  if (tasks * machines !== values)
    fail(
      headerLine,
      `${values < tasks * machines ? 'too few' : 'too many'} ETC values: the header asks for ${tasks} × ${machines}, the file holds ${values}`,
      `${tasks} × ${machines} = ${tasks * machines} values after the header`,
      String(values),
    );
  const etc = new Float64Array(tasks * machines);
  let k = 0;
  for (li = li + 1; li < lines.length; li++) {
    const line = lines[li] ?? '';
    for (const tok of line.trim().split(/\s+/)) {
      if (tok === '') continue;
      const v = Number(tok);
      if (!Number.isFinite(v) || v < 0)
        fail(li + 1, `bad ETC value number ${k + 1}`, 'a non-negative number', tok);
      if (k >= etc.length)
        fail(li + 1, 'too many ETC values', `${etc.length} values (${tasks} × ${machines})`);
      etc[k++] = v;
    }
  }
  if (k !== etc.length) {
    fail(lines.length, 'too few ETC values', `${etc.length} values (${tasks} × ${machines})`, String(k));
  }
  return {
    kind: 'etc',
    tasks,
    processors: machines,
    etc,
    taskNames: Array.from({ length: tasks }, (_, i) => `t${i}`),
    processorNames: Array.from({ length: machines }, (_, i) => `m${i}`),
  };
}

/** Parses the JSON text of a DAG problem, locating every issue by JSON path and line. */
export function parseDagJson(text: string, file?: string): DagProblem {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    const pos = /position (\d+)/.exec(msg);
    const line = pos ? text.slice(0, Number(pos[1])).split('\n').length : undefined;
    throw new InputError('ARS_E_INPUT_PROBLEM', [
      {
        file,
        path: '',
        line,
        message: `not valid JSON: ${msg}`,
        expected: 'a JSON DAG problem or an ETC matrix',
      },
    ]);
  }
  return buildDagProblem(raw, { file, text });
}

/**
 * Builds the indexed form from an already parsed object (the JSON file's shape). The live simulator
 * uses this directly. `source.text` lets issues carry line numbers.
 * @throws InputError ARS_E_INPUT_PROBLEM
 */
export function buildDagProblem(
  raw: unknown,
  source: { file?: string | undefined; text?: string } = {},
): DagProblem {
  const issues: Omit<InputIssue, 'file' | 'line'>[] = [];
  const issue = (path: string, message: string, expected?: string, found?: unknown) =>
    issues.push({ path, message, expected, found: found === undefined ? undefined : describe(found) });
  const done = () => {
    if (issues.length > 0) throw locate(issues, source);
  };

  if (!isObject(raw)) {
    issue('', 'problem must be an object', '{ processors, cost, edges }', raw);
    done();
  }
  const obj = raw as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!['processors', 'cost', 'edges', 'bandwidth', 'latency'].includes(key)) {
      issue(key, 'unknown field', 'processors, cost, edges, bandwidth or latency');
    }
  }
  const processorsRaw = obj.processors;
  const processorNames: string[] = [];
  if (!Array.isArray(processorsRaw) || processorsRaw.length === 0) {
    issue('processors', 'processors must be a non-empty list of names', 'array of strings', processorsRaw);
  } else {
    processorsRaw.forEach((p, i) => {
      if (typeof p !== 'string' || p === '')
        issue(`processors[${i}]`, 'processor name must be a string', 'string', p);
      else if (processorNames.includes(p)) issue(`processors[${i}]`, `duplicate processor "${p}"`);
      processorNames.push(String(p));
    });
  }
  done();
  const P = processorNames.length;

  const costRaw = obj.cost;
  if (!isObject(costRaw) || Object.keys(costRaw).length === 0) {
    issue('cost', 'cost must map each task to its cost on every processor', '{ "task": [costs] }', costRaw);
    done();
  }
  const taskNames = Object.keys(costRaw as object);
  const T = taskNames.length;
  const index = new Map<string, number>(taskNames.map((n, i) => [n, i]));
  // Allocate only when every row has its P numbers: a file's counts are claims, the rows are the evidence.
  const rowsFit = taskNames.every((n) => {
    const row = (costRaw as Record<string, unknown>)[n];
    return Array.isArray(row) && row.length === P;
  });
  const cost = new Float64Array(rowsFit ? T * P : 0);
  taskNames.forEach((name, t) => {
    const row = (costRaw as Record<string, unknown>)[name];
    const path = `cost.${jsonKey(name)}`;
    if (!Array.isArray(row) || row.length !== P) {
      issue(
        path,
        'cost row has the wrong length',
        `${P} numbers (one per processor)`,
        Array.isArray(row) ? `${row.length} values` : row,
      );
      return;
    }
    row.forEach((v, p) => {
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
        issue(`${path}[${p}]`, 'cost must be a non-negative number', 'number ≥ 0', v);
      else cost[t * P + p] = v;
    });
  });

  const succ: number[][] = Array.from({ length: T }, () => []);
  const succComm: number[][] = Array.from({ length: T }, () => []);
  const pred: number[][] = Array.from({ length: T }, () => []);
  const predComm: number[][] = Array.from({ length: T }, () => []);
  const edgesRaw = obj.edges ?? [];
  if (!Array.isArray(edgesRaw)) {
    issue('edges', 'edges must be a list', '[[from, to, comm], …]', edgesRaw);
  } else {
    const seen = new Set<string>();
    edgesRaw.forEach((e, i) => {
      const path = `edges[${i}]`;
      if (!Array.isArray(e) || e.length !== 3) {
        issue(path, 'edge must be [from, to, commCost]', '[string, string, number]', e);
        return;
      }
      const [from, to, comm] = e as unknown[];
      const a = typeof from === 'string' ? index.get(from) : undefined;
      const b = typeof to === 'string' ? index.get(to) : undefined;
      if (a === undefined) issue(`${path}[0]`, 'edge from an unknown task', 'a task named in cost', from);
      if (b === undefined) issue(`${path}[1]`, 'edge to an unknown task', 'a task named in cost', to);
      if (typeof comm !== 'number' || !Number.isFinite(comm) || comm < 0) {
        issue(`${path}[2]`, 'communication cost must be a non-negative number', 'number ≥ 0', comm);
        return;
      }
      if (a === undefined || b === undefined) return;
      if (a === b) {
        issue(path, 'edge from a task to itself', 'two different tasks');
        return;
      }
      const key = `${a}>${b}`;
      if (seen.has(key)) {
        issue(path, 'duplicate edge', 'each edge once');
        return;
      }
      seen.add(key);
      succ[a]?.push(b);
      succComm[a]?.push(comm);
      pred[b]?.push(a);
      predComm[b]?.push(comm);
    });
  }

  const matrix = (field: 'bandwidth' | 'latency', positive: boolean): Float64Array | undefined => {
    const m = obj[field];
    if (m === undefined) return undefined;
    const fits =
      Array.isArray(m) && m.length === P && m.every((row) => Array.isArray(row) && row.length === P);
    const out = new Float64Array(fits ? P * P : 0);
    if (!Array.isArray(m) || m.length !== P) {
      issue(
        field,
        `${field} must be a ${P}×${P} matrix`,
        `${P} rows`,
        Array.isArray(m) ? `${m.length} rows` : m,
      );
      return undefined;
    }
    m.forEach((row, p) => {
      if (!Array.isArray(row) || row.length !== P) {
        issue(
          `${field}[${p}]`,
          `${field} row has the wrong length`,
          `${P} numbers`,
          Array.isArray(row) ? `${row.length} values` : row,
        );
        return;
      }
      row.forEach((v, q) => {
        const ok = typeof v === 'number' && Number.isFinite(v) && (positive ? v > 0 || p === q : v >= 0);
        if (!ok) issue(`${field}[${p}][${q}]`, `bad ${field}`, positive ? 'number > 0' : 'number ≥ 0', v);
        else out[p * P + q] = positive ? (p === q ? 0 : 1 / v) : v;
      });
    });
    return out;
  };
  const inverseBandwidth = matrix('bandwidth', true);
  const latency = matrix('latency', false);
  done();

  // Kahn's algorithm, smallest index first, so the order is deterministic; leftovers lie on a cycle.
  const indeg = pred.map((p) => p.length);
  const topoOrder: number[] = [];
  const stack: number[] = [];
  for (let t = T - 1; t >= 0; t--) if (indeg[t] === 0) stack.push(t);
  while (stack.length > 0) {
    const t = stack.pop() as number;
    topoOrder.push(t);
    for (const s of succ[t] ?? []) {
      indeg[s] = (indeg[s] ?? 0) - 1;
      if (indeg[s] === 0) stack.push(s);
    }
  }
  if (topoOrder.length < T) {
    const onCycle = taskNames.filter((_, t) => (indeg[t] ?? 0) > 0);
    issue(
      'edges',
      'the task graph has a cycle',
      'a directed acyclic graph',
      `cycle through ${onCycle.slice(0, 8).join(', ')}`,
    );
    done();
  }
  return {
    kind: 'dag',
    taskNames,
    processorNames,
    tasks: T,
    processors: P,
    cost,
    succ,
    succComm,
    pred,
    predComm,
    inverseBandwidth,
    latency,
    topoOrder,
  };
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function jsonKey(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name);
}

function describe(x: unknown): string {
  if (typeof x === 'string') return JSON.stringify(x);
  const s = JSON.stringify(x);
  if (s === undefined) return String(x);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** Adds file and line to each issue by finding its JSON path in the source text. */
function locate(
  issues: Omit<InputIssue, 'file' | 'line'>[],
  source: { file?: string | undefined; text?: string },
): InputError {
  let lineOf: (path: string) => number | undefined = () => undefined;
  if (source.text !== undefined) {
    const counter = new LineCounter();
    const doc = parseDocument(source.text, { lineCounter: counter, uniqueKeys: false });
    lineOf = (path) => {
      let node: unknown = doc.contents;
      for (const seg of splitPath(path)) {
        let next: unknown;
        if (isSeq(node) && typeof seg === 'number') next = node.items[seg];
        else if (isMap(node))
          next = node.items.find(
            (pair) => String((pair.key as { value?: unknown })?.value) === String(seg),
          )?.value;
        if (next === undefined || next === null) break;
        node = next;
      }
      const range = (node as YamlNode | null)?.range;
      return range ? counter.linePos(range[0]).line : undefined;
    };
  }
  return new InputError(
    'ARS_E_INPUT_PROBLEM',
    issues.map((i) => ({ ...i, file: source.file, line: lineOf(i.path) })),
  );
}

function splitPath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  const re = /([A-Za-z_$][\w$]*)|\[(\d+)\]|\.?("(?:[^"\\]|\\.)*")/g;
  for (let m = re.exec(path); m !== null; m = re.exec(path)) {
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else if (m[3] !== undefined) out.push(JSON.parse(m[3]) as string);
  }
  return out;
}
