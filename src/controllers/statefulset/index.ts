export * from './controller.js';
export * from './history.js';
export * from './stateful-pod.js';
export * from './status.js';
