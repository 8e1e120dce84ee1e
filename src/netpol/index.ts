export * from './chain-names.js';
export * from './selection.js';
export * from './rules.js';
export * from './apply.js';
export * from './network-policy-controller.js';
