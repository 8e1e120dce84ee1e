/** Pod → CRI PodSandboxConfig: identity, hostname, DNS, host ports, cgroup parent, security. */
import type { Pod, PodSecurityContext } from 'kubernetes-types/core/v1.js';
import type { DNSConfig, LinuxSandboxSecurityContext, PodSandboxConfig, PortMapping, Protocol } from './cri/types.js';
import { managedLabel, podNameLabel, podNamespaceLabel, podUIDLabel, podTerminationGracePeriodAnnotation } from './labels.js';
import { podLogDirectory, type NodeRuntimeConfig } from './node-config.js';
import { podQOSClass } from './qos.js';

export function podKeyOf(pod: Pod): { namespace: string; name: string; uid: string } {
  return { namespace: pod.metadata?.namespace ?? 'default', name: pod.metadata?.name ?? '', uid: pod.metadata?.uid ?? '' };
}

/** The pod's hostname: spec.hostname or the pod name, at most 63 characters, no trailing '-'/'.'. */
export function podHostname(pod: Pod): string {
  const name = pod.spec?.hostname || pod.metadata?.name || '';
  return name.length > 63 ? name.slice(0, 63).replace(/[-.]+$/, '') : name;
}

/** `cgroupRoot/kubepods[/burstable|/besteffort]/pod<uid>` (cgroupfs driver naming). */
export function podCgroupParent(pod: Pod, cgroupRoot: string): string {
  const qos = podQOSClass(pod);
  const root = `${cgroupRoot.replace(/\/+$/, '')}/kubepods`;
  const tier = qos === 'Guaranteed' ? '' : `/${qos.toLowerCase()}`;
  return `${root}${tier}/pod${pod.metadata?.uid ?? ''}`;
}

/** DNS as dnsPolicy decides: ClusterFirst (cluster DNS + search path), Default (host), None (dnsConfig only). */
export function podDNSConfig(pod: Pod, node: NodeRuntimeConfig): DNSConfig | undefined {
  const spec = pod.spec ?? { containers: [] };
  let policy = spec.dnsPolicy ?? 'ClusterFirst';
  if (policy === 'ClusterFirst' && spec.hostNetwork) policy = 'Default';
  if (policy === 'ClusterFirstWithHostNet') policy = 'ClusterFirst';
  let base: DNSConfig | undefined;
  if (policy === 'ClusterFirst' && node.clusterDNS.length > 0) {
    const ns = pod.metadata?.namespace ?? 'default';
    const d = node.clusterDomain;
    base = { servers: [...node.clusterDNS], searches: [`${ns}.svc.${d}`, `svc.${d}`, d], options: ['ndots:5'] };
  } else if (policy === 'None') {
    base = { servers: [], searches: [], options: [] };
  }
  const extra = spec.dnsConfig;
  if (!extra) return base;
  // The runtime copies the host's resolv.conf only when no config is given: merging onto Default
  // means we would need the host's file; Kubernetes reads it, so do we.
  const merged: DNSConfig = base ?? { servers: [], searches: [], options: [] };
  const servers = [...(merged.servers ?? []), ...(extra.nameservers ?? [])];
  const searches = [...(merged.searches ?? []), ...(extra.searches ?? [])];
  const options = new Map<string, string>();
  for (const o of merged.options ?? []) options.set(o.split(':')[0]!, o);
  for (const o of extra.options ?? []) options.set(o.name ?? '', o.value !== undefined ? `${o.name}:${o.value}` : (o.name ?? ''));
  return { servers: [...new Set(servers)], searches: [...new Set(searches)], options: [...options.values()] };
}

export function podPortMappings(pod: Pod): PortMapping[] {
  const out: PortMapping[] = [];
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort) continue;
      out.push({ protocol: (p.protocol ?? 'TCP') as Protocol, containerPort: p.containerPort, hostPort: p.hostPort, hostIp: p.hostIP ?? '' });
    }
  }
  return out;
}

function sandboxSecurity(pod: Pod): LinuxSandboxSecurityContext {
  const spec = pod.spec ?? { containers: [] };
  const sc: PodSecurityContext = spec.securityContext ?? {};
  const out: LinuxSandboxSecurityContext = {
    namespaceOptions: {
      network: spec.hostNetwork ? 'NODE' : 'POD',
      pid: spec.hostPID ? 'NODE' : spec.shareProcessNamespace ? 'POD' : 'CONTAINER',
      ipc: spec.hostIPC ? 'NODE' : 'POD',
    },
    privileged: (spec.containers ?? []).concat(spec.initContainers ?? []).some((c) => c.securityContext?.privileged),
  };
  if (sc.runAsUser !== undefined) out.runAsUser = { value: sc.runAsUser };
  if (sc.runAsGroup !== undefined) out.runAsGroup = { value: sc.runAsGroup };
  if (sc.supplementalGroups?.length || sc.fsGroup !== undefined) {
    out.supplementalGroups = [...(sc.supplementalGroups ?? []), ...(sc.fsGroup !== undefined ? [sc.fsGroup] : [])];
  }
  if (sc.seccompProfile) {
    out.seccomp = { profileType: sc.seccompProfile.type as 'RuntimeDefault' | 'Unconfined' | 'Localhost', localhostRef: sc.seccompProfile.localhostProfile ?? '' };
  }
  return out;
}

export function podSandboxConfig(pod: Pod, node: NodeRuntimeConfig, attempt: number): PodSandboxConfig {
  const key = podKeyOf(pod);
  const sysctls: Record<string, string> = {};
  for (const s of pod.spec?.securityContext?.sysctls ?? []) sysctls[s.name] = s.value;
  const cfg: PodSandboxConfig = {
    metadata: { name: key.name, namespace: key.namespace, uid: key.uid, attempt },
    hostname: pod.spec?.hostNetwork ? '' : podHostname(pod),
    logDirectory: podLogDirectory(node, key),
    portMappings: podPortMappings(pod),
    labels: {
      ...(pod.metadata?.labels ?? {}),
      [podNameLabel]: key.name, [podNamespaceLabel]: key.namespace, [podUIDLabel]: key.uid, [managedLabel]: 'true',
    },
    annotations: {
      ...(pod.metadata?.annotations ?? {}),
      [podTerminationGracePeriodAnnotation]: String(pod.spec?.terminationGracePeriodSeconds ?? 30),
    },
    linux: { cgroupParent: podCgroupParent(pod, node.cgroupRoot), securityContext: sandboxSecurity(pod), sysctls },
  };
  const dns = podDNSConfig(pod, node);
  if (dns) cfg.dnsConfig = dns;
  return cfg;
}
