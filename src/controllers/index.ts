export * from './manager.js';
export * from './controller-deps.js';
