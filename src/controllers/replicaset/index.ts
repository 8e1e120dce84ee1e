export * from './controller.js';
export * from './replicas.js';
export * from './pod-ranking.js';
export * from './status.js';
