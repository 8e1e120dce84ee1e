export * from './watch-cache.js';
export * from './shared-field-sets.js';
