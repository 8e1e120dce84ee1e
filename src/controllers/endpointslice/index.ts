export * from './controller.js';
export * from './endpoint-pods.js';
export * from './reconciler.js';
export * from './slice-tracker.js';
