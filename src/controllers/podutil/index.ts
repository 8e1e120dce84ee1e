export * from './pod-state.js';
