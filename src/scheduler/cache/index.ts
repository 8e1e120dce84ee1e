export * from './scheduler-cache.js';
