/** The live service's persistent state: the Store interface and its implementations. */
export { decodeCursor, encodeCursor, InvalidCursorError } from './cursor.js';
export { isPostgresUrl, type OpenStoreOptions, openStore, sqlitePath } from './open.js';
export { openPostgresStore, PostgresStore, type PostgresStoreOptions } from './postgres.js';
export { parseRql, RqlSyntaxError } from './rql.js';
export { openSqliteStore, SqliteStore, type SqliteStoreOptions } from './sqlite.js';
export * from './store.js';
export { isStoreUnavailable, StoreUnavailableError } from './unavailable.js';
