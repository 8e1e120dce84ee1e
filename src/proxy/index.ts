export * from './chain-names.js';
export * from './service-ports.js';
export * from './rules.js';
export * from './apply.js';
export * from './bounded-frequency-runner.js';
export * from './proxier.js';
export * from './service-lb.js';
export * from './cleanup.js';
