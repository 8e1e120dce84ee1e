/** What the pod workers need to know about their node; built once by the agent from flags. */
import { join } from 'node:path';

export interface NodeRuntimeConfig {
  nodeName: string;
  /** Where pod log directories live (`<dataDir>/agent/pods`). */
  podLogsDir: string;
  /** Where kubelet-managed pod files live (`<dataDir>/agent/kubelet/pods`). */
  podsDir: string;
  /** cgroupfs parent of every pod cgroup, e.g. '/k8ts'. */
  cgroupRoot: string;
  /** Cluster DNS servers for dnsPolicy ClusterFirst; empty → the host's resolv.conf. */
  clusterDNS: string[];
  clusterDomain: string;
  hostIP?: string;
  /** Node memory in bytes (oom_score_adj of Burstable pods). */
  memoryCapacityBytes: number;
}

export function nodeRuntimeConfig(dataDir: string, o: Partial<NodeRuntimeConfig> & { nodeName: string; memoryCapacityBytes: number }): NodeRuntimeConfig {
  return {
    podLogsDir: join(dataDir, 'agent', 'pods'),
    podsDir: join(dataDir, 'agent', 'kubelet', 'pods'),
    cgroupRoot: '/k8ts',
    clusterDNS: [],
    clusterDomain: 'cluster.local',
    ...o,
  };
}

export interface PodKey { namespace: string; name: string; uid: string }

/** `<podLogsDir>/<namespace>_<name>_<uid>`, the layout `kubectl logs` and log shippers expect. */
export function podLogDirectory(node: NodeRuntimeConfig, p: PodKey): string {
  return join(node.podLogsDir, `${p.namespace}_${p.name}_${p.uid}`);
}

export function podDirectory(node: NodeRuntimeConfig, uid: string): string {
  return join(node.podsDir, uid);
}
