import type { Node, Pod, PodSpec, Taint } from 'kubernetes-types/core/v1.js';

/** A Ready node with allocatable cpu/memory/pods and the hostname label (tests, benchmarks). */
export function makeNode(name: string, alloc: { cpu?: string; memory?: string; pods?: string } = {}, extra: { labels?: Record<string, string>; taints?: Taint[]; unschedulable?: boolean } = {}): Node {
  const allocatable = { cpu: alloc.cpu ?? '4', memory: alloc.memory ?? '8Gi', pods: alloc.pods ?? '110' };
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', ...extra.labels } },
    spec: { ...(extra.taints ? { taints: extra.taints } : {}), ...(extra.unschedulable ? { unschedulable: true } : {}) },
    status: { capacity: allocatable, allocatable, conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

/** A pending pod in `default` with one container requesting `req`. */
export function makePod(name: string, req: { cpu?: string; memory?: string } = {}, spec: Partial<PodSpec> = {}, labels: Record<string, string> = {}): Pod {
  const requests: Record<string, string> = {};
  if (req.cpu) requests.cpu = req.cpu;
  if (req.memory) requests.memory = req.memory;
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, labels },
    spec: { schedulerName: 'default-scheduler', containers: [{ name: 'c', image: 'busybox', resources: { requests } }], ...spec },
    status: { phase: 'Pending' },
  };
}
