export * from './probe-runner.js';
export * from './probe-state.js';
export * from './prober.js';
export * from './lifecycle.js';
