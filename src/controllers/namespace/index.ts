export * from './controller.js';
export * from './conditions.js';
export * from './namespaced-resources.js';
