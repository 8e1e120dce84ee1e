/**
 * The Node object the kubelet registers and the status it reports (pure): labels, capacity and
 * allocatable, addresses, nodeInfo, conditions with the kubelet's reasons and messages, images.
 */
import type { ContainerImage, Node, NodeCondition, NodeStatus } from 'kubernetes-types/core/v1.js';
import { semanticEqual } from '../../api/validation/index.js';
import { rfc3339 } from '../../base/index.js';
import type { MachineInfo } from './machine-info.js';

/** The Kubernetes version this kubelet reports. */
export const kubeletVersion = 'v1.33.1';
export const kubeletPort = 10250;
/** The kubelet's default --max-pods. */
export const defaultMaxPods = 110;
/** At most this many images are reported (nodeStatusMaxImages). */
export const maxReportedImages = 50;

/** Hard eviction thresholds the kubelet uses by default; allocatable subtracts them. */
export const evictionHard = { memoryAvailableBytes: 100 * 1024 * 1024, nodefsAvailableFraction: 0.1 } as const;

export interface NodeIdentity {
  name: string;
  ip: string;
  /** Runs inside `k8ts server`: labelled node-role.kubernetes.io/control-plane. */
  controlPlane?: boolean;
  maxPods?: number;
  /** The port the kubelet's HTTPS server listens on (daemonEndpoints), 10250 by default. */
  kubeletPort?: number;
}

export interface RuntimeHealth {
  /** `containerd://1.6.20` */
  runtimeVersion: string;
  runtimeReady: boolean;
  networkReady: boolean;
  /** reason/message of the NetworkReady condition when it is false. */
  networkReason?: string;
  networkMessage?: string;
  /** Set when the runtime could not be asked at all. */
  runtimeError?: string;
}

export interface NodeStatusInput {
  node: NodeIdentity;
  machine: MachineInfo;
  runtime: RuntimeHealth;
  images?: readonly { names: string[]; sizeBytes: number }[];
  /** The status as last written (transition times carry over). */
  previous?: NodeStatus;
  now: number;
}

export function nodeLabels(node: NodeIdentity, machine: Pick<MachineInfo, 'architecture' | 'operatingSystem'>): Record<string, string> {
  return {
    'beta.kubernetes.io/arch': machine.architecture,
    'beta.kubernetes.io/os': machine.operatingSystem,
    'kubernetes.io/arch': machine.architecture,
    'kubernetes.io/hostname': node.name,
    'kubernetes.io/os': machine.operatingSystem,
    ...(node.controlPlane ? { 'node-role.kubernetes.io/control-plane': 'true' } : {}),
  };
}

const kiB = (bytes: number) => `${Math.floor(bytes / 1024)}Ki`;

export function nodeCapacity(machine: MachineInfo, maxPods = defaultMaxPods): Record<string, string> {
  return {
    cpu: String(machine.cpus),
    'ephemeral-storage': kiB(machine.fsBytes),
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
    memory: kiB(machine.memoryBytes),
    pods: String(maxPods),
  };
}

/** Capacity minus the hard eviction thresholds (no reservations configured). */
export function nodeAllocatable(machine: MachineInfo, maxPods = defaultMaxPods): Record<string, string> {
  return {
    cpu: String(machine.cpus),
    'ephemeral-storage': String(Math.floor(machine.fsBytes * (1 - evictionHard.nodefsAvailableFraction))),
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
    memory: kiB(Math.max(0, machine.memoryBytes - evictionHard.memoryAvailableBytes)),
    pods: String(maxPods),
  };
}

function condition(type: string, isTrue: boolean, reason: string, message: string, now: number, previous?: NodeStatus): NodeCondition {
  const status = isTrue ? 'True' : 'False';
  const prev = previous?.conditions?.find((c) => c.type === type);
  const ts = rfc3339(now);
  return {
    type, status, lastHeartbeatTime: ts,
    lastTransitionTime: prev && prev.status === status && prev.lastTransitionTime ? prev.lastTransitionTime : ts,
    reason, message,
  };
}

/** Why the node is not ready, as the kubelet words it; undefined when it is. */
export function notReadyMessage(r: RuntimeHealth): string | undefined {
  const errs: string[] = [];
  if (r.runtimeError) errs.push(`container runtime is down: ${r.runtimeError}`);
  else if (!r.runtimeReady) errs.push('container runtime is down');
  if (!r.runtimeError && !r.networkReady) {
    errs.push(`container runtime network not ready: NetworkReady=false reason:${r.networkReason ?? ''} message:${r.networkMessage ?? ''}`);
  }
  if (errs.length === 0) return undefined;
  return errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`;
}

export function nodeConditions(i: NodeStatusInput): NodeCondition[] {
  const { machine, now, previous } = i;
  const memoryPressure = machine.memoryAvailableBytes > 0 && machine.memoryAvailableBytes < evictionHard.memoryAvailableBytes;
  const diskPressure = machine.fsBytes > 0 && machine.fsAvailableBytes < machine.fsBytes * evictionHard.nodefsAvailableFraction;
  const notReady = notReadyMessage(i.runtime);
  return [
    memoryPressure
      ? condition('MemoryPressure', true, 'KubeletHasInsufficientMemory', 'kubelet has insufficient memory available', now, previous)
      : condition('MemoryPressure', false, 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available', now, previous),
    diskPressure
      ? condition('DiskPressure', true, 'KubeletHasDiskPressure', 'kubelet has disk pressure', now, previous)
      : condition('DiskPressure', false, 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure', now, previous),
    condition('PIDPressure', false, 'KubeletHasSufficientPID', 'kubelet has sufficient PID available', now, previous),
    notReady
      ? condition('Ready', false, 'KubeletNotReady', notReady, now, previous)
      : condition('Ready', true, 'KubeletReady', 'kubelet is posting ready status', now, previous),
  ];
}

/** Largest first, at most maxReportedImages, digests before tags (as the kubelet lists names). */
export function nodeImages(images: readonly { names: string[]; sizeBytes: number }[]): ContainerImage[] {
  return [...images].filter((i) => i.names.length > 0).sort((a, b) => b.sizeBytes - a.sizeBytes)
    .slice(0, maxReportedImages).map((i) => ({ names: [...i.names], sizeBytes: i.sizeBytes }));
}

export function buildNodeStatus(i: NodeStatusInput): NodeStatus {
  const { node, machine } = i;
  const status: NodeStatus = {
    capacity: nodeCapacity(machine, node.maxPods),
    allocatable: nodeAllocatable(machine, node.maxPods),
    conditions: nodeConditions(i),
    addresses: [{ type: 'InternalIP', address: node.ip }, { type: 'Hostname', address: node.name }],
    daemonEndpoints: { kubeletEndpoint: { Port: node.kubeletPort ?? kubeletPort } },
    nodeInfo: {
      machineID: machine.machineID,
      systemUUID: machine.systemUUID,
      bootID: machine.bootID,
      kernelVersion: machine.kernelVersion,
      osImage: machine.osImage,
      containerRuntimeVersion: i.runtime.runtimeVersion,
      kubeletVersion,
      kubeProxyVersion: '',
      operatingSystem: machine.operatingSystem,
      architecture: machine.architecture,
    },
  };
  if (i.images?.length) status.images = nodeImages(i.images);
  // Fields other writers own (volumesInUse, config, …) are kept.
  const prev = i.previous as (NodeStatus & Record<string, unknown>) | undefined;
  for (const k of ['volumesInUse', 'volumesAttached', 'config', 'features', 'runtimeHandlers'] as const) {
    if (prev?.[k] !== undefined) (status as Record<string, unknown>)[k] = prev[k];
  }
  return status;
}

/** The status without heartbeat times: two statuses that differ only in heartbeats are unchanged. */
function withoutHeartbeats(s: NodeStatus | undefined): unknown {
  if (!s) return undefined;
  return { ...s, conditions: (s.conditions ?? []).map(({ lastHeartbeatTime: _h, ...c }) => c) };
}

export function nodeStatusChanged(a: NodeStatus | undefined, b: NodeStatus | undefined): boolean {
  return !semanticEqual(withoutHeartbeats(a), withoutHeartbeats(b));
}

/** The Node object to create when registering. */
export function newNode(identity: NodeIdentity, machine: MachineInfo, status: NodeStatus): Node {
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: {
      name: identity.name,
      labels: nodeLabels(identity, machine),
      annotations: { 'volumes.kubernetes.io/controller-managed-attach-detach': 'true', 'node.alpha.kubernetes.io/ttl': '0' },
    },
    spec: {},
    status,
  };
}
