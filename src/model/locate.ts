/**
 * JSON paths (`nodes[2].compute`) and their positions in the source text.
 */
import { type Document, isAlias, isMap, isPair, isScalar, isSeq, type LineCounter, type Node } from 'yaml';
import type { InputIssue } from '../errors.js';

export type PathSegment = string | number;

const plainKey = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `['nodes', 2, 'compute']` → `nodes[2].compute`; keys that are not identifiers are quoted. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (plainKey.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

export interface Position {
  readonly line: number;
  readonly column: number;
}

/** Finds the source position of a path, or of its deepest ancestor present in the file. */
export type Locate = (path: readonly PathSegment[], at?: 'key' | 'value') => Position | undefined;

/**
 * A locator over a parsed YAML (or JSON) document. `at: 'key'` positions on the key of the last
 * segment (for unknown fields); otherwise on the value. A path that leaves the document (a missing
 * field) stops at the deepest node that exists, which is the mapping that lacks the field.
 */
export function documentLocator(doc: Document, lineCounter: LineCounter): Locate {
  const position = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  return (path, at = 'value') => {
    let node: unknown = doc.contents;
    let keyNode: unknown;
    for (const seg of path) {
      if (isAlias(node)) node = node.resolve(doc);
      keyNode = undefined;
      let next: unknown;
      if (isMap(node)) {
        for (const item of node.items) {
          if (!isPair(item)) continue;
          const k = isScalar(item.key) ? item.key.value : item.key;
          if (k === seg || (typeof seg === 'number' && k === String(seg))) {
            next = item.value ?? item.key;
            keyNode = item.key;
            break;
          }
        }
      } else if (isSeq(node) && typeof seg === 'number') {
        next = node.items[seg];
      }
      if (next === undefined || next === null) break;
      node = next;
    }
    const target = at === 'key' && keyNode ? keyNode : node;
    const range = (target as Node | null | undefined)?.range;
    return range ? position(range[0]) : undefined;
  };
}

/** A function that records one issue at `path`, with its line and column when `locate` finds them. */
export type AddIssue = (
  path: readonly PathSegment[],
  message: string,
  expected?: string,
  found?: string,
) => void;

export function issueCollector(
  issues: InputIssue[],
  file: string | undefined,
  locate: Locate | undefined,
): AddIssue {
  return (path, message, expected, found) => {
    const pos = locate?.(path);
    issues.push({
      file,
      path: formatPath(path),
      line: pos?.line,
      column: pos?.column,
      message,
      expected,
      found,
    });
  };
}
