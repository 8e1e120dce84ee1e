export * from './etcd-store.js';
