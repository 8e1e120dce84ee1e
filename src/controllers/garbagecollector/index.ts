export * from './controller.js';
export * from './graph.js';
export * from './dependent-plan.js';
export * from './deletable-resources.js';
