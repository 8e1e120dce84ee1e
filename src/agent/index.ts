export * from './agent.js';
export * from './cleanup.js';
