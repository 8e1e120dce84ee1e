export * from './simulator.js';
export * from './addresses.js';
export * from './node-object.js';
export * from './pod-status.js';
