export * from './paths.js';
export * from './config.js';
export * from './registries.js';
export * from './supervisor.js';
