export {
  SENSITIVE_PLACEMENT,
  type SensitiveRule,
  sensitiveRule,
  withSensitivePlacement,
} from './sensitive-placement.js';
