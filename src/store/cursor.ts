/**
 * Keyset paging cursors: the sort key of the last item of a page, as opaque base64url JSON, so that a client
 * cannot depend on their shape and a store can change it. `decodeCursor` returns undefined for anything it
 * did not make (the server answers 400 for that).
 */
export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

export function decodeCursor(
  cursor: string,
  shape: readonly ('string' | 'number')[],
): (string | number)[] | undefined {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(key) || key.length !== shape.length) return undefined;
  return key.every((k, i) => typeof k === shape[i]) ? (key as (string | number)[]) : undefined;
}

/** A cursor this store did not make (tampered, or from another listing). The server answers 400. */
export class InvalidCursorError extends Error {
  constructor() {
    super('invalid cursor: pass the `next` value of a previous page unchanged');
    this.name = 'InvalidCursorError';
  }
}
