export * from './controller.js';
export * from './cidr-set.js';
