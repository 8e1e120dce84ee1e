export { createKubeletServer, kubeletRoute, logOptionsFromQuery } from './server.js';
export type { KubeletCaller, KubeletServer, KubeletServerDeps, KubeletServerTls } from './server.js';
export { criStreamingRuntime } from './cri-runtime.js';
export type { CriStreamingDeps } from './cri-runtime.js';
export { fixedNanoTimestamp, formatLogText, LogFormatter, parseCriLogLine, writeContainerLog } from './logs.js';
export type { CriLogRecord, FollowOptions } from './logs.js';
export { StreamingError } from './runtime.js';
export type { ContainerRef, LogOptions, LogWriter, PodRef, StreamingRuntime } from './runtime.js';
