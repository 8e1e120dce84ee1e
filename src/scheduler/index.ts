export * from './scheduler.js';
export * from './framework/index.js';
export * from './cache/index.js';
export * from './queue/index.js';
export * from './plugins/index.js';
export * from './schedule-one.js';
