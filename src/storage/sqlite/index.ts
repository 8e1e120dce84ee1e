export * from './sqlite-store.js';
export type { Synchronous } from './schema.js';
