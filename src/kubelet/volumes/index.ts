export * from './atomic-writer.js';
export * from './payloads.js';
export * from './mounter.js';
export * from './volume-manager.js';
