export { createStatsProvider } from './provider.js';
export type { StatsProvider, StatsProviderDeps } from './provider.js';
export { buildSummary, CpuRateCache } from './summary.js';
export type { SummaryInput } from './summary.js';
export { formatGoFloat, renderResourceMetrics, resourceMetricsContentType } from './resource-metrics.js';
export {
  cgroupMemory, defaultRouteInterface, fsSample, meminfoMemory, parseKeyValues, parseNetDev, procStatBootTime, procStatCpuNanoseconds, readNodeSample,
} from './node-sample.js';
export type { FsSample, InterfaceSample, NodeSample } from './node-sample.js';
export type * from './types.js';
