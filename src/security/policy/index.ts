export * from './document.js';
export * from './enforce.js';
export * from './evaluator.js';
export * from './policy-set.js';
export * from './rql.js';
