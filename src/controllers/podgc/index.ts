export * from './controller.js';
export * from './gc-plan.js';
