export * from './controller.js';
export * from './daemon-pod.js';
export * from './plan.js';
