/** Pod container spec → CRI ContainerConfig (pure: every host-side value is passed in). */
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import type { ContainerConfig, LinuxContainerSecurityContext, Mount } from './cri/types.js';
import {
  containerHashAnnotation, containerNameLabel, containerRestartCountAnnotation, containerTerminationMessagePathAnnotation,
  containerTerminationMessagePolicyAnnotation, containerTypeAnnotation, managedLabel, podDirAnnotation, podNameLabel,
  podNamespaceLabel, podTerminationGracePeriodAnnotation, podUIDLabel,
} from './labels.js';
import type { QOSClass } from './qos.js';
import { linuxResources } from './resources.js';

export type ContainerType = 'init' | 'regular';

function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stable((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** A hash of the container spec: when it changes (e.g. a new image) the container is replaced. */
export function containerHash(c: Container): string {
  // Resources can be resized in place and are left out.
  const { resources: _resources, ...rest } = c;
  return createHash('sha256').update(stable(rest)).digest('hex').slice(0, 16);
}

/** `<container>/<restartCount>.log`, relative to the sandbox log directory. */
export function containerLogPath(name: string, restartCount: number): string {
  return `${name}/${restartCount}.log`;
}

export function containerSecurity(pod: Pod, c: Container): LinuxContainerSecurityContext {
  const psc = pod.spec?.securityContext ?? {};
  const sc = c.securityContext ?? {};
  const spec = pod.spec ?? { containers: [] };
  const out: LinuxContainerSecurityContext = {
    privileged: sc.privileged ?? false,
    readonlyRootfs: sc.readOnlyRootFilesystem ?? false,
    namespaceOptions: {
      network: spec.hostNetwork ? 'NODE' : 'POD',
      pid: spec.hostPID ? 'NODE' : spec.shareProcessNamespace ? 'POD' : 'CONTAINER',
      ipc: spec.hostIPC ? 'NODE' : 'POD',
    },
    noNewPrivs: sc.allowPrivilegeEscalation === false,
  };
  if (sc.capabilities) out.capabilities = { addCapabilities: sc.capabilities.add ?? [], dropCapabilities: sc.capabilities.drop ?? [] };
  const runAsUser = sc.runAsUser ?? psc.runAsUser;
  const runAsGroup = sc.runAsGroup ?? psc.runAsGroup;
  if (runAsUser !== undefined) out.runAsUser = { value: runAsUser };
  if (runAsGroup !== undefined) out.runAsGroup = { value: runAsGroup };
  const groups = [...(psc.supplementalGroups ?? []), ...(psc.fsGroup !== undefined ? [psc.fsGroup] : [])];
  if (groups.length) out.supplementalGroups = groups;
  const seccomp = sc.seccompProfile ?? psc.seccompProfile;
  if (seccomp) out.seccomp = { profileType: seccomp.type as 'RuntimeDefault' | 'Unconfined' | 'Localhost', localhostRef: seccomp.localhostProfile ?? '' };
  return out;
}

export interface ContainerConfigInput {
  type: ContainerType;
  restartCount: number;
  env: [string, string][];
  qos: QOSClass;
  memoryCapacityBytes: number;
  /** Kubelet-managed pod directory on the host. */
  podDir: string;
  /** Image reference to run (the resolved image ID or the spec's image). */
  image: string;
  /** Host path of the pod's managed /etc/hosts, when there is one. */
  etcHostsPath?: string;
  /** Host path of this container's termination-message file. */
  terminationLogPath?: string;
  /** Volume mounts already resolved to host paths. */
  volumeMounts?: Mount[];
}

export function containerConfig(pod: Pod, c: Container, i: ContainerConfigInput): ContainerConfig {
  const lookup = new Map(i.env);
  const expand = (s: string) => s.replace(/\$\$|\$\(([^)]*)\)/g, (m, name: string | undefined) => (m === '$$' ? '$' : lookup.get(name!) ?? m));
  const mounts: Mount[] = [...(i.volumeMounts ?? [])];
  const has = (p: string) => mounts.some((m) => posix.normalize(m.containerPath ?? '') === p);
  if (i.etcHostsPath && !has('/etc/hosts')) mounts.push({ containerPath: '/etc/hosts', hostPath: i.etcHostsPath, readonly: false });
  const terminationPath = c.terminationMessagePath ?? '/dev/termination-log';
  if (i.terminationLogPath && !has(terminationPath)) mounts.push({ containerPath: terminationPath, hostPath: i.terminationLogPath });
  const key = { namespace: pod.metadata?.namespace ?? 'default', name: pod.metadata?.name ?? '', uid: pod.metadata?.uid ?? '' };
  return {
    metadata: { name: c.name, attempt: i.restartCount },
    image: { image: i.image, userSpecifiedImage: c.image ?? '' },
    command: (c.command ?? []).map(expand),
    args: (c.args ?? []).map(expand),
    workingDir: c.workingDir ?? '',
    // KeyValue.value is bytes in the current CRI proto (string before): same wire encoding.
    envs: i.env.map(([key, value]) => ({ key, value: Buffer.from(value, 'utf8') })),
    mounts,
    labels: {
      [podNameLabel]: key.name, [podNamespaceLabel]: key.namespace, [podUIDLabel]: key.uid,
      [containerNameLabel]: c.name, [managedLabel]: 'true',
    },
    annotations: {
      [containerHashAnnotation]: containerHash(c),
      [containerRestartCountAnnotation]: String(i.restartCount),
      [containerTerminationMessagePathAnnotation]: terminationPath,
      [containerTerminationMessagePolicyAnnotation]: c.terminationMessagePolicy ?? 'File',
      [podTerminationGracePeriodAnnotation]: String(pod.spec?.terminationGracePeriodSeconds ?? 30),
      [containerTypeAnnotation]: i.type,
      [podDirAnnotation]: i.podDir,
    },
    logPath: containerLogPath(c.name, i.restartCount),
    stdin: c.stdin ?? false,
    stdinOnce: c.stdinOnce ?? false,
    tty: c.tty ?? false,
    linux: { resources: linuxResources(c, i.qos, i.memoryCapacityBytes), securityContext: containerSecurity(pod, c) },
  };
}

/** The kubelet-managed /etc/hosts of a pod. */
export function etcHostsContent(pod: Pod, podIPs: readonly string[], clusterDomain: string): string {
  const lines = [
    '# Kubernetes-managed hosts file.',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'fe00::0\tip6-mcastprefix',
    'fe00::1\tip6-allnodes',
    'fe00::2\tip6-allrouters',
  ];
  const hostname = pod.spec?.hostname || pod.metadata?.name || '';
  const sub = pod.spec?.subdomain;
  const ns = pod.metadata?.namespace ?? 'default';
  for (const ip of podIPs) {
    lines.push(sub ? `${ip}\t${hostname}.${sub}.${ns}.svc.${clusterDomain}\t${hostname}` : `${ip}\t${hostname}`);
  }
  for (const ha of pod.spec?.hostAliases ?? []) {
    lines.push('', '# Entries added by HostAliases.', `${ha.ip}\t${(ha.hostnames ?? []).join('\t')}`);
  }
  return lines.join('\n') + '\n';
}
