export { podStreamingHandlers } from './pod-streaming.js';
export { nodeProxyHandler } from './node-proxy.js';
export type { PodStreamingDeps, PodStreamingHandlers } from './pod-streaming.js';
export { defaultKubeletPort, httpsKubeletDialer, kubeletEndpointOf, plainHttpKubeletDialer } from './kubelet-dialer.js';
export type { KubeletClientTls, KubeletDialer, KubeletEndpoint, KubeletRequest } from './kubelet-dialer.js';
export { kubeletLogQuery, kubeletPortForwardQuery, kubeletStreamQuery, podContainerNames, validateContainer } from './pod-options.js';
