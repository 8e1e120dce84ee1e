export * from './pod-control.js';
export * from './slow-start.js';
