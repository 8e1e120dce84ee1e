export * from './controller.js';
export * from './node-health.js';
