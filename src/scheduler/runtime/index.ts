export type { Binder, Clock, Stopped } from './ports.js';
export {
  MAX_ASIDE_PER_TENANT,
  MAX_SKIPS_PER_CYCLE,
  type RuntimeOptions,
  SchedulingRuntime,
} from './runtime.js';
