export * from './names.js';
export * from './field-path.js';
export * from './equality.js';
export * from './numbers.js';
export * from './object-meta.js';
export * from './label-selector.js';
