/**
 * "The store cannot answer now, try again": the store is locked by another writer, its server is down or
 * restarting, or the connection dropped. The write did not happen (a transaction that failed this way rolled
 * back), so the server answers `503` with `Retry-After` (`ARS_E_STORE_UNAVAILABLE`) instead of a 500, and MQTT
 * ingest withholds the acknowledgement so that the sender retries.
 */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

/** SQLite result codes of a busy or locked database (another process holds the write lock) or a full disk. */
const SQLITE_TRANSIENT = /^SQLITE_(BUSY|LOCKED|FULL)/;
/**
 * PostgreSQL SQLSTATE classes and codes that mean "not now" rather than "wrong": connection exceptions (08),
 * insufficient resources (53), operator intervention such as a shutdown or restart (57P01–57P05), and
 * serialization failures / deadlocks (40001, 40P01).
 */
const PG_TRANSIENT = /^(08|53|57P0[1-5]|40001|40P01)/;
/** Node socket errors when the server is not there. */
const SOCKET = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND']);

/** True when `error` says the store is temporarily unavailable (rather than a bug or bad input). */
export function isStoreUnavailable(error: unknown): boolean {
  if (error instanceof StoreUnavailableError) return true;
  if (!error || typeof error !== 'object') return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (SQLITE_TRANSIENT.test(code) || PG_TRANSIENT.test(code) || SOCKET.has(code)) return true;
  }
  const message = (error as { message?: unknown }).message;
  // node-postgres' own messages when the connection is gone or cannot be had.
  return (
    typeof message === 'string' &&
    /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Cannot use a pool after calling end/.test(
      message,
    )
  );
}
