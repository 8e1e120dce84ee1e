export * from './wire.js';
export * from './resolv-conf.js';
export * from './pod-dns.js';
export * from './cluster-zone.js';
export * from './forwarder.js';
export * from './server.js';
