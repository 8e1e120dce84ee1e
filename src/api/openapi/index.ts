export * from './schema.js';
export * from './definitions.js';
export * from './decode-check.js';
export * from './paths.js';
export * from './v3.js';
export * from './v2.js';
export * from './crd.js';
export * from './custom-resource.js';
