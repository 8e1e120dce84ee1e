import type { NodeCondition } from 'kubernetes-types/core/v1.js';
import type { NodeObject } from '../api/resources/core/index.js';
import { rfc3339 } from '../base/clock.js';
import { createHash } from 'node:crypto';

export const simulatedLabel = 'k8ts.io/simulated';
export const kubeletVersion = 'v1.33.1';

export interface SimulatedNodeSpec { name: string; index: number; cpu: string; memory: string; pods: number; internalIP: string }

/** The node conditions a healthy kubelet reports, with `now` as heartbeat. */
export function healthyConditions(nowMs: number, since?: readonly NodeCondition[]): NodeCondition[] {
  const t = rfc3339(nowMs);
  const c = (type: string, status: string, reason: string, message: string): NodeCondition => {
    const prev = since?.find((x) => x.type === type);
    return { type, status, reason, message, lastHeartbeatTime: t, lastTransitionTime: prev?.status === status && prev.lastTransitionTime ? prev.lastTransitionTime : t };
  };
  return [
    c('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
    c('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
    c('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    c('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
  ];
}

/** A Node as a kwok-style simulated kubelet registers it. */
export function simulatedNode(s: SimulatedNodeSpec, nowMs: number): NodeObject {
  const resources = { cpu: s.cpu, memory: s.memory, pods: String(s.pods), 'ephemeral-storage': '100Gi' };
  const id = createHash('sha256').update(s.name).digest('hex');
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: {
      name: s.name,
      labels: {
        'kubernetes.io/hostname': s.name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux', 'beta.kubernetes.io/arch': 'amd64', [simulatedLabel]: 'true',
      },
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'k8ts.io/simulated-node-index': String(s.index) },
    },
    spec: {},
    status: {
      capacity: resources, allocatable: resources,
      conditions: healthyConditions(nowMs),
      addresses: [{ type: 'InternalIP', address: s.internalIP }, { type: 'Hostname', address: s.name }],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: id.slice(0, 32), systemUUID: `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20, 32)}`,
        bootID: id.slice(32, 64), kernelVersion: '6.1.0-k8ts-simulated', osImage: 'k8ts simulated node',
        containerRuntimeVersion: 'kwok://v0.7.0', kubeletVersion, kubeProxyVersion: kubeletVersion,
        operatingSystem: 'linux', architecture: 'amd64',
      },
    },
  };
}
