export * from './controller.js';
export * from './schedule.js';
