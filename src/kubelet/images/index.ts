export * from './reference.js';
export * from './tar.js';
export * from './oci-tar.js';
export * from './import.js';
export * from './build.js';
export * from './list.js';
export * from './native-build.js';
export * from './pause-image.js';
