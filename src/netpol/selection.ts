import { isIPv4 } from 'node:net';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import type { NetworkPolicyPeer } from 'kubernetes-types/networking/v1.js';
import type { NamespaceObject } from '../api/resources/core/namespaces.js';
import type { PodObject } from '../api/resources/core/pods.js';
import { LabelSelectorParseError, labelSelectorAsRequirements, matchesLabels } from '../api/selectors/index.js';
import type { LabelRequirements } from '../api/selectors/index.js';

/** What policy enforcement needs of one pod: only pods with an IPv4 address on the pod network count. */
export interface PodInfo {
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  readonly ip: string;
  readonly nodeName: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Container ports by name: `name` → protocol/port pairs (a name may appear in several containers). */
  readonly namedPorts: ReadonlyMap<string, readonly { protocol: string; port: number }[]>;
}

/**
 * The pods policies can select or name as peers: running on the pod network (hostNetwork
 * pods share the node's address and are never isolated), with an IPv4 pod IP, not finished
 * (a Succeeded/Failed pod's address may already belong to another pod). Pure.
 */
export function podInfos(pods: readonly PodObject[]): PodInfo[] {
  const out: PodInfo[] = [];
  for (const p of pods) {
    if (p.spec?.hostNetwork) continue;
    const phase = p.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') continue;
    const ip = [p.status?.podIP, ...(p.status?.podIPs ?? []).map((x) => x.ip)].find((x): x is string => !!x && isIPv4(x));
    if (!ip) continue;
    const namedPorts = new Map<string, { protocol: string; port: number }[]>();
    for (const c of [...(p.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always'), ...(p.spec?.containers ?? [])]) {
      for (const cp of c.ports ?? []) {
        if (!cp.name) continue;
        const list = namedPorts.get(cp.name) ?? [];
        list.push({ protocol: cp.protocol ?? 'TCP', port: cp.containerPort });
        namedPorts.set(cp.name, list);
      }
    }
    const namespace = p.metadata.namespace ?? 'default';
    const name = p.metadata.name ?? '';
    out.push({ key: `${namespace}/${name}`, namespace, name, ip, nodeName: p.spec?.nodeName ?? '', labels: p.metadata.labels ?? {}, namedPorts });
  }
  return out;
}

/** A metav1.LabelSelector as requirements; a selector that does not parse selects nothing (validation rejects those). */
export function selectorOf(sel: LabelSelector | undefined | null): LabelRequirements | null {
  try {
    return labelSelectorAsRequirements(sel);
  } catch (err) {
    if (err instanceof LabelSelectorParseError) return null;
    throw err;
  }
}

/** The cluster's pods and namespaces, indexed for selector matching. */
export class ClusterIndex {
  readonly podsByNamespace = new Map<string, PodInfo[]>();
  private readonly namespaceLabels = new Map<string, Readonly<Record<string, string>>>();

  constructor(readonly pods: readonly PodInfo[], namespaces: readonly NamespaceObject[]) {
    for (const p of pods) {
      let list = this.podsByNamespace.get(p.namespace);
      if (!list) this.podsByNamespace.set(p.namespace, (list = []));
      list.push(p);
    }
    for (const ns of namespaces) if (ns.metadata.name) this.namespaceLabels.set(ns.metadata.name, ns.metadata.labels ?? {});
  }

  /** Pods of `namespace` the selector matches (an empty selector matches all of them). */
  podsIn(namespace: string, sel: LabelRequirements | null): PodInfo[] {
    if (!sel) return [];
    return (this.podsByNamespace.get(namespace) ?? []).filter((p) => matchesLabels(sel, p.labels));
  }

  /** Namespaces (that have pods) whose labels the selector matches. */
  namespacesMatching(sel: LabelRequirements | null): string[] {
    if (!sel) return [];
    return [...this.podsByNamespace.keys()].filter((ns) => matchesLabels(sel, this.namespaceLabels.get(ns) ?? {}));
  }

  /**
   * The pods one peer names: podSelector alone → pods of the policy's namespace;
   * namespaceSelector alone → every pod of the matching namespaces; both → the pods matching
   * podSelector in the matching namespaces. An ipBlock peer names no pods (its CIDR is used).
   */
  peerPods(peer: NetworkPolicyPeer, policyNamespace: string): PodInfo[] {
    if (peer.ipBlock) return [];
    const podSel = peer.podSelector ? selectorOf(peer.podSelector) : [];
    if (!peer.namespaceSelector) return peer.podSelector ? this.podsIn(policyNamespace, podSel) : [];
    return this.namespacesMatching(selectorOf(peer.namespaceSelector)).flatMap((ns) => this.podsIn(ns, podSel));
  }
}
