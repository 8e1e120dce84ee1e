export * from './aggregation.js';
export * from './controller.js';
