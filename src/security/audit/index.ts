export * from './chain.js';
export * from './sqlite-store.js';
