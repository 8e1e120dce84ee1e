export * from './clock.js';
export * from './async.js';
export * from './log.js';
export * from './generational-map.js';
