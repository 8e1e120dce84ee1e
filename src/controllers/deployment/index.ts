export * from './controller.js';
export * from './pod-template-hash.js';
export * from './annotations.js';
export * from './replica-sets.js';
export * from './progress.js';
