/** The live service's persistent state: the Store interface and its implementations. */
export { decodeCursor, encodeCursor, InvalidCursorError } from './cursor.js';
export { parseRql, RqlSyntaxError } from './rql.js';
export { openSqliteStore, SqliteStore, type SqliteStoreOptions } from './sqlite.js';
export * from './store.js';
