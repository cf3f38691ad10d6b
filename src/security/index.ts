// The security model's public surface: the live service (src/server, src/store) imports from here.
export * from './api-keys.js';
export * from './audit/index.js';
export * from './authenticate.js';
export * from './bind-guard.js';
export * from './errors.js';
export * from './field-crypto.js';
export * from './http-hardening.js';
export * from './k-anonymity.js';
export * from './key-file.js';
export * from './limits.js';
export * from './mqtt-guard.js';
export * from './oidc.js';
export * from './policy/index.js';
export * from './principal.js';
export * from './redact.js';
export * from './sensitive.js';
export * from './tenancy.js';
