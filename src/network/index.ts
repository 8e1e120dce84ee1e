export * from './cidr.js';
export * from './exec.js';
export * from './host-guards.js';
export * from './cni-config.js';
export * from './sysctl.js';
export * from './node-routes.js';
export * from './cleanup.js';
