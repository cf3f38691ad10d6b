// The public API: explicit re-exports only.

export type { ErrorCode, InputIssue } from './errors.js';
export { ArsError, formatIssues, InputError } from './errors.js';
export type * from './model/scenario.js';
export * from './model/schema.js';
