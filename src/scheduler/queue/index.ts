export * from './scheduling-queue.js';
export * from './heap.js';
