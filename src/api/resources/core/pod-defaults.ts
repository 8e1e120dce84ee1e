import type {
  Container, ContainerPort, EnvVar, EphemeralContainer, HTTPGetAction, LifecycleHandler, PersistentVolumeClaimSpec,
  PodSpec, PodTemplateSpec, Probe, ResourceRequirements, Volume,
} from 'kubernetes-types/core/v1.js';

/**
 * Pod defaulting as kubernetes pkg/apis/core/v1/defaults.go (plus the generated defaulters that
 * walk containers, probes and volumes). Everything here mutates in place and is idempotent.
 */

/** 0644: the default mode of configMap, secret, downwardAPI and projected volume files. */
export const defaultVolumeMode = 0o644;
export const defaultTerminationGracePeriodSeconds = 30;
export const defaultSchedulerName = 'default-scheduler';
export const defaultTerminationMessagePath = '/dev/termination-log';

/**
 * The tag of an image reference as docker's reference parser (parsers.ParseImageName) sees it:
 * `latest` when neither tag nor digest is given, '' for a digest-only or unparseable reference.
 */
export function imageTag(image: string): string {
  if (!image || /\s/.test(image)) return '';
  const at = image.indexOf('@');
  const hasDigest = at >= 0;
  const named = hasDigest ? image.slice(0, at) : image;
  const slash = named.lastIndexOf('/');
  const last = named.slice(slash + 1);
  const colon = last.indexOf(':');
  const repository = colon >= 0 ? named.slice(0, slash + 1 + colon) : named;
  const tag = colon >= 0 ? last.slice(colon + 1) : '';
  if (!isValidRepository(repository)) return '';
  if (tag && !/^[\w][\w.-]{0,127}$/.test(tag)) return '';
  if (tag) return tag;
  return hasDigest ? '' : 'latest';
}

/** docker reference grammar: optional domain (may have upper case and a port), lower-case path components. */
function isValidRepository(repo: string): boolean {
  if (!repo) return false;
  const parts = repo.split('/');
  const first = parts[0]!;
  const hasDomain = parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase());
  const path = hasDomain ? parts.slice(1) : parts;
  if (hasDomain && !/^[A-Za-z0-9.-]+(:\d+)?$/.test(first) && !/^\[[0-9a-fA-F:]+\](:\d+)?$/.test(first)) return false;
  return path.length > 0 && path.every((c) => /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/.test(c));
}

/** imagePullPolicy from the image: `:latest` (or no tag) → Always, else IfNotPresent. */
export function defaultPullPolicy(image: string | undefined): 'Always' | 'IfNotPresent' {
  return imageTag(image ?? '') === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultHTTPGet(h: HTTPGetAction | undefined): void {
  if (!h) return;
  if (!h.path) h.path = '/';
  if (!h.scheme) h.scheme = 'HTTP';
}

function defaultLifecycleHandler(h: LifecycleHandler | undefined): void {
  if (h) defaultHTTPGet(h.httpGet);
}

function defaultProbe(p: Probe | undefined): void {
  if (!p) return;
  if (!p.timeoutSeconds) p.timeoutSeconds = 1;
  if (!p.periodSeconds) p.periodSeconds = 10;
  if (!p.successThreshold) p.successThreshold = 1;
  if (!p.failureThreshold) p.failureThreshold = 3;
  defaultHTTPGet(p.httpGet);
  if (p.grpc && p.grpc.service === undefined) p.grpc.service = '';
}

function defaultPorts(ports: ContainerPort[] | undefined): void {
  for (const port of ports ?? []) if (!port.protocol) port.protocol = 'TCP';
}

function defaultEnv(env: EnvVar[] | undefined): void {
  for (const e of env ?? []) {
    const ref = e.valueFrom?.fieldRef;
    if (ref && !ref.apiVersion) ref.apiVersion = 'v1';
    const res = e.valueFrom?.resourceFieldRef;
    if (res && res.divisor === undefined) res.divisor = '0';
  }
}

type AnyContainer = Container | EphemeralContainer;

/** SetDefaults_Container and the per-field defaulters reached from a container. */
export function defaultContainer(c: AnyContainer): void {
  if (!c.imagePullPolicy) c.imagePullPolicy = defaultPullPolicy(c.image);
  if (!c.terminationMessagePath) c.terminationMessagePath = defaultTerminationMessagePath;
  if (!c.terminationMessagePolicy) c.terminationMessagePolicy = 'File';
  defaultPorts(c.ports);
  defaultEnv(c.env);
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  defaultLifecycleHandler(c.lifecycle?.postStart);
  defaultLifecycleHandler(c.lifecycle?.preStop);
}

const volumeSources = [
  'awsElasticBlockStore', 'azureDisk', 'azureFile', 'cephfs', 'cinder', 'configMap', 'csi', 'downwardAPI', 'emptyDir',
  'ephemeral', 'fc', 'flexVolume', 'flocker', 'gcePersistentDisk', 'gitRepo', 'glusterfs', 'hostPath', 'image', 'iscsi',
  'nfs', 'persistentVolumeClaim', 'photonPersistentDisk', 'portworxVolume', 'projected', 'quobyte', 'rbd', 'scaleIO',
  'secret', 'storageos', 'vsphereVolume',
] as const;

/** The volume source fields set on a volume (`configMap`, `emptyDir` …). */
export function volumeSourcesOf(v: Volume): string[] {
  const rec = v as unknown as Record<string, unknown>;
  return volumeSources.filter((k) => rec[k] !== undefined && rec[k] !== null);
}

/** SetDefaults_PersistentVolumeClaimSpec: volumeMode Filesystem. */
export function defaultPersistentVolumeClaimSpec(spec: PersistentVolumeClaimSpec | undefined): void {
  if (spec && !spec.volumeMode) spec.volumeMode = 'Filesystem';
}

/** SetDefaults_Volume and the source defaulters (modes 0644, hostPath type, rbd/iscsi/azureDisk …). */
export function defaultVolume(v: Volume): void {
  if (volumeSourcesOf(v).length === 0) v.emptyDir = {};
  if (v.configMap && v.configMap.defaultMode == null) v.configMap.defaultMode = defaultVolumeMode;
  if (v.secret && v.secret.defaultMode == null) v.secret.defaultMode = defaultVolumeMode;
  if (v.downwardAPI) {
    if (v.downwardAPI.defaultMode == null) v.downwardAPI.defaultMode = defaultVolumeMode;
    for (const item of v.downwardAPI.items ?? []) if (item.fieldRef && !item.fieldRef.apiVersion) item.fieldRef.apiVersion = 'v1';
  }
  if (v.projected) {
    if (v.projected.defaultMode == null) v.projected.defaultMode = defaultVolumeMode;
    for (const src of v.projected.sources ?? []) {
      for (const item of src.downwardAPI?.items ?? []) if (item.fieldRef && !item.fieldRef.apiVersion) item.fieldRef.apiVersion = 'v1';
      if (src.serviceAccountToken && src.serviceAccountToken.expirationSeconds == null) src.serviceAccountToken.expirationSeconds = 3600;
    }
  }
  if (v.hostPath && v.hostPath.type === undefined) v.hostPath.type = '';
  if (v.iscsi && !v.iscsi.iscsiInterface) v.iscsi.iscsiInterface = 'default';
  if (v.rbd) {
    v.rbd.pool ||= 'rbd';
    v.rbd.user ||= 'admin';
    v.rbd.keyring ||= '/etc/ceph/keyring';
  }
  if (v.azureDisk) {
    v.azureDisk.cachingMode ||= 'ReadWrite';
    v.azureDisk.kind ||= 'Shared';
    v.azureDisk.fsType ||= 'ext4';
    v.azureDisk.readOnly ??= false;
  }
  if (v.scaleIO) {
    v.scaleIO.storageMode ||= 'ThinProvisioned';
    v.scaleIO.fsType ||= 'xfs';
  }
  defaultPersistentVolumeClaimSpec(v.ephemeral?.volumeClaimTemplate?.spec);
}

/**
 * SetDefaults_PodSpec and everything reachable from it: what a pod *template* gets (Deployment,
 * Job …). Pod-only defaults (requests from limits, enableServiceLinks, hostNetwork ports) are in
 * `defaultPod`, exactly as upstream keeps them on SetDefaults_Pod.
 */
export function defaultPodSpec(spec: PodSpec): void {
  if (!spec.dnsPolicy) spec.dnsPolicy = 'ClusterFirst';
  if (!spec.restartPolicy) spec.restartPolicy = 'Always';
  spec.securityContext ??= {};
  if (spec.terminationGracePeriodSeconds == null) spec.terminationGracePeriodSeconds = defaultTerminationGracePeriodSeconds;
  if (!spec.schedulerName) spec.schedulerName = defaultSchedulerName;
  for (const c of spec.initContainers ?? []) defaultContainer(c);
  for (const c of spec.containers ?? []) defaultContainer(c);
  for (const c of spec.ephemeralContainers ?? []) defaultContainer(c);
  for (const v of spec.volumes ?? []) defaultVolume(v);
}

/** Defaults for a PodTemplateSpec (the template of every workload). */
export function defaultPodTemplateSpec(t: PodTemplateSpec | undefined): void {
  if (!t) return;
  t.spec ??= { containers: [] };
  defaultPodSpec(t.spec);
}

/** Requests default to limits for each resource that has a limit but no request (SetDefaults_Pod). */
export function defaultRequestsFromLimits(r: ResourceRequirements | undefined): void {
  if (!r?.limits) return;
  r.requests ??= {};
  for (const [name, value] of Object.entries(r.limits)) {
    if (!(name in r.requests)) r.requests[name] = value;
  }
}

/** hostNetwork pods: an unset hostPort takes the containerPort (defaultHostNetworkPorts). */
export function defaultHostNetworkPorts(containers: Container[] | undefined): void {
  for (const c of containers ?? []) {
    for (const p of c.ports ?? []) if (!p.hostPort) p.hostPort = p.containerPort;
  }
}

/** The pod-only part of defaulting (SetDefaults_Pod), applied on top of defaultPodSpec. */
export function defaultPodOnlyFields(spec: PodSpec): void {
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) defaultRequestsFromLimits(c.resources);
  spec.enableServiceLinks ??= true;
  if (spec.hostNetwork) {
    defaultHostNetworkPorts(spec.containers);
    defaultHostNetworkPorts(spec.initContainers);
  }
}
