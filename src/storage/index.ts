export * from './store.js';
export * from './open-store.js';
export * from './compactor.js';
export * from './sqlite/index.js';
export * from './etcd/index.js';
export * from './watchcache/index.js';
