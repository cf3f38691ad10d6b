export type { Binder, Clock } from './ports.js';
export { MAX_SKIPS_PER_CYCLE, type RuntimeOptions, SchedulingRuntime } from './runtime.js';
