export * from './controller.js';
export * from './ttl-after-finished.js';
export * from './job-state.js';
export * from './job-status.js';
export * from './indexes.js';
export * from './backoff.js';
export * from './pod-failure-policy.js';
