import type {
  Affinity, Container, ContainerPort, EnvFromSource, EnvVar, EphemeralContainer, HTTPGetAction, LifecycleHandler,
  NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, ObjectFieldSelector, PodAffinityTerm, PodDNSConfig,
  PodSecurityContext, PodSpec, PodTemplateSpec, PreferredSchedulingTerm, Probe, ResourceRequirements,
  SecurityContext, Toleration, TopologySpreadConstraint, Volume, VolumeMount, WeightedPodAffinityTerm,
} from 'kubernetes-types/core/v1.js';
import type { FieldError } from '../../types.js';
import { fieldErr } from '../../errors.js';
import {
  child, index, key, inclusiveRangeError, isConfigMapKey, isDNS1123Label, isDNS1123Subdomain, isHTTPHeaderName,
  isQualifiedName, isValidIP, isValidLabelValue, isValidPortName, isValidPortNum, semanticEqual,
  validateAnnotations, validateLabelName, validateLabelSelector, validateLabels, validateNonnegative,
  validatePortNumOrName,
} from '../../validation/index.js';
import { compareQuantities, formatQuantity, tryParseQuantity, type Quantity } from '../../quantity.js';
import { volumeSourcesOf } from './pod-defaults.js';

/**
 * Pod spec validation as kubernetes pkg/apis/core/validation (ValidatePodSpec and friends), with
 * its field paths and messages. Every function returns the problems found; [] means valid.
 */

const maxInt32 = 2147483647;
const fileModeErrorMsg = 'must be a number between 0 and 0777 (octal), both inclusive';

type AnyContainer = Container | EphemeralContainer;

export interface PodValidationOptions {
  /** The spec belongs to a template (Deployment, Job …), not a Pod: a few Pod-only checks are skipped. */
  isTemplate?: boolean;
}

/** IsRelaxedEnvVarName (RelaxedEnvironmentVariableValidation, on by default since 1.32). */
export function isRelaxedEnvVarName(value: string): string[] {
  const errs: string[] = [];
  if (value.length === 0) errs.push('environment variable name must be non-empty');
  for (const ch of value) {
    const c = ch.codePointAt(0)!;
    if (c > 126 || c < 32 || ch === '=') {
      errs.push("a valid environment variable name must consist only of printable ASCII characters other than '='");
      break;
    }
  }
  if (value === '.') errs.push(`must not be '.'`);
  else if (value === '..') errs.push(`must not be '..'`);
  else if (value.startsWith('..')) errs.push(`must not start with '..'`);
  return errs;
}

function dnsLabel(value: string, path: string): FieldError[] {
  return isDNS1123Label(value).map((m) => fieldErr.invalid(path, value, m));
}

function dnsSubdomain(value: string, path: string): FieldError[] {
  return isDNS1123Subdomain(value).map((m) => fieldErr.invalid(path, value, m));
}

// ---------------------------------------------------------------- volumes

function validateLocalDescendingPath(p: string, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (p.startsWith('/')) errs.push(fieldErr.invalid(path, p, 'must be a relative path'));
  errs.push(...validatePathNoBacksteps(p, path));
  return errs;
}

function validatePathNoBacksteps(p: string, path: string): FieldError[] {
  return p.split('/').includes('..') ? [fieldErr.invalid(path, p, "must not contain '..'")] : [];
}

function validateLocalNonReservedPath(p: string, path: string): FieldError[] {
  const errs = validateLocalDescendingPath(p, path);
  if (p.startsWith('..')) errs.push(fieldErr.invalid(path, p, "must not start with '..'"));
  return errs;
}

function validateMode(mode: number | undefined, path: string): FieldError[] {
  return mode != null && (mode > 0o777 || mode < 0) ? [fieldErr.invalid(path, mode, fileModeErrorMsg)] : [];
}

function validateKeyToPaths(items: readonly { key: string; path: string; mode?: number }[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (items ?? []).forEach((item, i) => {
    const p = index(path, i);
    if (!item.key) errs.push(fieldErr.required(child(p, 'key'), ''));
    if (!item.path) errs.push(fieldErr.required(child(p, 'path'), ''));
    else errs.push(...validateLocalNonReservedPath(item.path, child(p, 'path')));
    errs.push(...validateMode(item.mode, child(p, 'mode')));
  });
  return errs;
}

const volumeFieldPaths = new Set(['metadata.name', 'metadata.namespace', 'metadata.labels', 'metadata.annotations', 'metadata.uid']);
const envFieldPaths = new Set(['metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.serviceAccountName', 'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs']);
const resourceFieldRefs = new Set(['limits.cpu', 'limits.memory', 'limits.ephemeral-storage', 'requests.cpu', 'requests.memory', 'requests.ephemeral-storage']);

function validateObjectFieldSelector(fs: ObjectFieldSelector, expressions: Set<string>, path: string): FieldError[] {
  if (!fs.apiVersion) return [fieldErr.required(child(path, 'apiVersion'), '')];
  if (!fs.fieldPath) return [fieldErr.required(child(path, 'fieldPath'), '')];
  if (fs.apiVersion !== 'v1') {
    return [fieldErr.invalid(child(path, 'fieldPath'), fs.fieldPath, `error converting fieldPath: field label not supported: ${fs.fieldPath}`)];
  }
  const m = /^([^[]+)\['(.*)'\]$/.exec(fs.fieldPath);
  if (m) {
    const [, base, subscript] = m as unknown as [string, string, string];
    if (base === 'metadata.annotations') return isQualifiedName(subscript.toLowerCase()).map((msg) => fieldErr.invalid(path, subscript, msg));
    if (base === 'metadata.labels') return isQualifiedName(subscript).map((msg) => fieldErr.invalid(path, subscript, msg));
    return [fieldErr.invalid(path, base, 'does not support subscript')];
  }
  if (!expressions.has(fs.fieldPath)) return [fieldErr.notSupported(child(path, 'fieldPath'), fs.fieldPath, [...expressions].sort())];
  return [];
}

function validateResourceFieldRef(ref: { containerName?: string; resource: string; divisor?: unknown }, path: string, needsContainer: boolean): FieldError[] {
  const errs: FieldError[] = [];
  if (needsContainer && !ref.containerName) errs.push(fieldErr.required(child(path, 'containerName'), ''));
  if (!ref.resource) errs.push(fieldErr.required(child(path, 'resource'), ''));
  else if (!resourceFieldRefs.has(ref.resource) && !/^(limits|requests)\.hugepages-/.test(ref.resource)) {
    errs.push(fieldErr.notSupported(child(path, 'resource'), ref.resource, [...resourceFieldRefs]));
  }
  return errs;
}

function validateVolumeSource(v: Volume, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const sources = volumeSourcesOf(v);
  if (sources.length === 0) return [fieldErr.required(path, 'must specify a volume type')];
  for (const extra of sources.slice(1)) errs.push(fieldErr.forbidden(child(path, extra), 'may not specify more than 1 volume type'));
  const src = sources[0];
  if (src === 'hostPath' && v.hostPath) {
    const p = child(path, 'hostPath');
    if (!v.hostPath.path) errs.push(fieldErr.required(child(p, 'path'), ''));
    else errs.push(...validatePathNoBacksteps(v.hostPath.path, child(p, 'path')));
    const types = ['', 'DirectoryOrCreate', 'Directory', 'FileOrCreate', 'File', 'Socket', 'CharDevice', 'BlockDevice'];
    if (v.hostPath.type != null && !types.includes(v.hostPath.type)) errs.push(fieldErr.notSupported(child(p, 'type'), v.hostPath.type, types));
  }
  if (src === 'emptyDir' && v.emptyDir) {
    const p = child(path, 'emptyDir');
    if (v.emptyDir.sizeLimit !== undefined) {
      const q = tryParseQuantity(v.emptyDir.sizeLimit);
      if (typeof q === 'string') errs.push(fieldErr.invalid(child(p, 'sizeLimit'), v.emptyDir.sizeLimit, q));
      else if (q.nanos < 0n) errs.push(fieldErr.forbidden(child(p, 'sizeLimit'), 'SizeLimit field must be a valid resource quantity'));
    }
    const media = ['', 'Memory', 'HugePages'];
    if (v.emptyDir.medium && !media.includes(v.emptyDir.medium) && !v.emptyDir.medium.startsWith('HugePages-')) {
      errs.push(fieldErr.notSupported(child(p, 'medium'), v.emptyDir.medium, media));
    }
  }
  if (src === 'secret' && v.secret) {
    const p = child(path, 'secret');
    if (!v.secret.secretName) errs.push(fieldErr.required(child(p, 'secretName'), ''));
    errs.push(...validateMode(v.secret.defaultMode, child(p, 'defaultMode')));
    errs.push(...validateKeyToPaths(v.secret.items, child(p, 'items')));
  }
  if (src === 'configMap' && v.configMap) {
    const p = child(path, 'configMap');
    if (!v.configMap.name) errs.push(fieldErr.required(child(p, 'name'), ''));
    else errs.push(...dnsSubdomain(v.configMap.name, child(p, 'name')));
    errs.push(...validateMode(v.configMap.defaultMode, child(p, 'defaultMode')));
    errs.push(...validateKeyToPaths(v.configMap.items, child(p, 'items')));
  }
  if (src === 'persistentVolumeClaim' && v.persistentVolumeClaim) {
    if (!v.persistentVolumeClaim.claimName) errs.push(fieldErr.required(child(path, 'persistentVolumeClaim', 'claimName'), ''));
  }
  if (src === 'nfs' && v.nfs) {
    const p = child(path, 'nfs');
    if (!v.nfs.server) errs.push(fieldErr.required(child(p, 'server'), ''));
    if (!v.nfs.path) errs.push(fieldErr.required(child(p, 'path'), ''));
    else if (!v.nfs.path.startsWith('/')) errs.push(fieldErr.invalid(child(p, 'path'), v.nfs.path, 'must be an absolute path'));
  }
  if (src === 'csi' && v.csi && !v.csi.driver) errs.push(fieldErr.required(child(path, 'csi', 'driver'), ''));
  if (src === 'ephemeral' && v.ephemeral && !v.ephemeral.volumeClaimTemplate) {
    errs.push(fieldErr.required(child(path, 'ephemeral', 'volumeClaimTemplate'), ''));
  }
  if (src === 'downwardAPI' && v.downwardAPI) {
    const p = child(path, 'downwardAPI');
    errs.push(...validateMode(v.downwardAPI.defaultMode, child(p, 'defaultMode')));
    (v.downwardAPI.items ?? []).forEach((item, i) => errs.push(...validateDownwardAPIFile(item, index(child(p, 'items'), i))));
  }
  if (src === 'projected' && v.projected) {
    const p = child(path, 'projected');
    errs.push(...validateMode(v.projected.defaultMode, child(p, 'defaultMode')));
    const seen = new Set<string>();
    (v.projected.sources ?? []).forEach((s, i) => {
      const sp = index(child(p, 'sources'), i);
      const kinds = (['secret', 'configMap', 'downwardAPI', 'serviceAccountToken', 'clusterTrustBundle'] as const).filter((k) => s[k as keyof typeof s] != null);
      if (kinds.length === 0) errs.push(fieldErr.required(sp, 'must specify exactly 1 projection source'));
      for (const extra of kinds.slice(1)) errs.push(fieldErr.forbidden(child(sp, extra), 'may not specify more than 1 volume type per source'));
      const items: { path: string }[] = [...(s.secret?.items ?? []), ...(s.configMap?.items ?? []), ...(s.downwardAPI?.items ?? [])];
      if (s.serviceAccountToken) {
        const tp = child(sp, 'serviceAccountToken');
        if (!s.serviceAccountToken.path) errs.push(fieldErr.required(child(tp, 'path'), ''));
        else items.push({ path: s.serviceAccountToken.path });
        const exp = s.serviceAccountToken.expirationSeconds;
        if (exp != null && exp < 600) errs.push(fieldErr.invalid(child(tp, 'expirationSeconds'), exp, 'may not specify a duration less than 10 minutes'));
        if (exp != null && exp > 2 ** 32) errs.push(fieldErr.invalid(child(tp, 'expirationSeconds'), exp, 'may not specify a duration larger than 2^32 seconds'));
      }
      errs.push(...validateKeyToPaths(s.secret?.items, child(sp, 'secret', 'items')));
      errs.push(...validateKeyToPaths(s.configMap?.items, child(sp, 'configMap', 'items')));
      (s.downwardAPI?.items ?? []).forEach((item, j) => errs.push(...validateDownwardAPIFile(item, index(child(sp, 'downwardAPI', 'items'), j))));
      for (const item of items) {
        if (seen.has(item.path)) errs.push(fieldErr.invalid(sp, item.path, 'conflicting duplicate paths'));
        seen.add(item.path);
      }
    });
  }
  return errs;
}

function validateDownwardAPIFile(item: { path: string; fieldRef?: ObjectFieldSelector; resourceFieldRef?: { containerName?: string; resource: string }; mode?: number }, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!item.path) errs.push(fieldErr.required(child(path, 'path'), ''));
  else errs.push(...validateLocalNonReservedPath(item.path, child(path, 'path')));
  if (item.fieldRef) {
    errs.push(...validateObjectFieldSelector(item.fieldRef, volumeFieldPaths, child(path, 'fieldRef')));
    if (item.resourceFieldRef) errs.push(fieldErr.invalid(path, 'resource', 'fieldRef and resourceFieldRef can not be specified simultaneously'));
  } else if (item.resourceFieldRef) {
    errs.push(...validateResourceFieldRef(item.resourceFieldRef, child(path, 'resourceFieldRef'), true));
  } else {
    errs.push(fieldErr.required(path, 'one of fieldRef and resourceFieldRef is required'));
  }
  errs.push(...validateMode(item.mode, child(path, 'mode')));
  return errs;
}

/** validateVolumes: names are unique DNS labels and each volume has exactly one source. */
export function validateVolumes(volumes: readonly Volume[] | undefined, path: string): { errors: FieldError[]; names: Set<string> } {
  const errors: FieldError[] = [];
  const names = new Set<string>();
  (volumes ?? []).forEach((v, i) => {
    const p = index(path, i);
    const namePath = child(p, 'name');
    const el = validateVolumeSource(v, p);
    if (!v.name) el.push(fieldErr.required(namePath, ''));
    else el.push(...dnsLabel(v.name, namePath));
    if (names.has(v.name)) el.push(fieldErr.duplicate(namePath, v.name));
    if (el.length === 0) names.add(v.name);
    else errors.push(...el);
  });
  return { errors, names };
}

// ---------------------------------------------------------------- containers

function validateEnv(env: readonly EnvVar[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (env ?? []).forEach((e, i) => {
    const p = index(path, i);
    if (!e.name) errs.push(fieldErr.required(child(p, 'name'), ''));
    else for (const m of isRelaxedEnvVarName(e.name)) errs.push(fieldErr.invalid(child(p, 'name'), e.name, m));
    if (e.valueFrom) errs.push(...validateEnvVarValueFrom(e, child(p, 'valueFrom')));
  });
  return errs;
}

function validateEnvVarValueFrom(e: EnvVar, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const from = e.valueFrom!;
  let n = 0;
  if (from.fieldRef) { n++; errs.push(...validateObjectFieldSelector(from.fieldRef, envFieldPaths, child(path, 'fieldRef'))); }
  if (from.resourceFieldRef) { n++; errs.push(...validateResourceFieldRef(from.resourceFieldRef, child(path, 'resourceFieldRef'), false)); }
  for (const k of ['configMapKeyRef', 'secretKeyRef'] as const) {
    const ref = from[k];
    if (!ref) continue;
    n++;
    const p = child(path, k);
    errs.push(...dnsSubdomain(ref.name ?? '', child(p, 'name')));
    if (!ref.key) errs.push(fieldErr.required(child(p, 'key'), ''));
    else for (const m of isConfigMapKey(ref.key)) errs.push(fieldErr.invalid(child(p, 'key'), ref.key, m));
  }
  if (n === 0) errs.push(fieldErr.invalid(path, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
  if (n > 1) errs.push(fieldErr.invalid(path, '', 'may not have more than one field specified at a time'));
  if (e.value && n > 0) errs.push(fieldErr.invalid(path, '', 'may not be specified when `value` is not empty'));
  return errs;
}

function validateEnvFrom(envFrom: readonly EnvFromSource[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (envFrom ?? []).forEach((ef, i) => {
    const p = index(path, i);
    if (ef.prefix) for (const m of isRelaxedEnvVarName(ef.prefix)) errs.push(fieldErr.invalid(child(p, 'prefix'), ef.prefix, m));
    let n = 0;
    for (const k of ['configMapRef', 'secretRef'] as const) {
      const ref = ef[k];
      if (!ref) continue;
      n++;
      if (!ref.name) errs.push(fieldErr.required(child(p, k, 'name'), ''));
      else errs.push(...dnsSubdomain(ref.name, child(p, k, 'name')));
    }
    if (n === 0) errs.push(fieldErr.invalid(path, '', 'must specify one of: `configMapRef` or `secretRef`'));
    if (n > 1) errs.push(fieldErr.invalid(path, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}

function validateContainerPorts(ports: readonly ContainerPort[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  (ports ?? []).forEach((port, i) => {
    const p = index(path, i);
    if (port.name) {
      const msgs = isValidPortName(port.name);
      if (msgs.length) for (const m of msgs) errs.push(fieldErr.invalid(child(p, 'name'), port.name, m));
      else if (names.has(port.name)) errs.push(fieldErr.duplicate(child(p, 'name'), port.name));
      else names.add(port.name);
    }
    if (!port.containerPort) errs.push(fieldErr.required(child(p, 'containerPort'), ''));
    else for (const m of isValidPortNum(port.containerPort)) errs.push(fieldErr.invalid(child(p, 'containerPort'), port.containerPort, m));
    if (port.hostPort) for (const m of isValidPortNum(port.hostPort)) errs.push(fieldErr.invalid(child(p, 'hostPort'), port.hostPort, m));
    if (!port.protocol) errs.push(fieldErr.required(child(p, 'protocol'), ''));
    else if (!['SCTP', 'TCP', 'UDP'].includes(port.protocol)) errs.push(fieldErr.notSupported(child(p, 'protocol'), port.protocol, ['SCTP', 'TCP', 'UDP']));
  });
  return errs;
}

function validateHTTPGet(h: HTTPGetAction, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!h.path) errs.push(fieldErr.required(child(path, 'path'), ''));
  errs.push(...validatePortNumOrName(h.port, child(path, 'port')));
  if (!['HTTP', 'HTTPS'].includes(h.scheme ?? '')) errs.push(fieldErr.notSupported(child(path, 'scheme'), h.scheme ?? '', ['HTTP', 'HTTPS']));
  for (const hd of h.httpHeaders ?? []) {
    for (const m of isHTTPHeaderName(hd.name)) errs.push(fieldErr.invalid(child(path, 'httpHeaders'), hd.name, m));
  }
  return errs;
}

type Handler = Pick<Probe, 'exec' | 'httpGet' | 'tcpSocket' | 'grpc'> & Pick<LifecycleHandler, 'sleep'>;

function validateHandler(h: Handler, gracePeriod: number | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let n = 0;
  const one = (name: string, check: () => FieldError[]): void => {
    if (n > 0) { errs.push(fieldErr.forbidden(child(path, name), 'may not specify more than 1 handler type')); return; }
    n++;
    errs.push(...check());
  };
  if (h.exec) one('exec', () => (h.exec!.command?.length ? [] : [fieldErr.required(child(path, 'exec', 'command'), '')]));
  if (h.httpGet) one('httpGet', () => validateHTTPGet(h.httpGet!, child(path, 'httpGet')));
  if (h.tcpSocket) one('tcpSocket', () => validatePortNumOrName(h.tcpSocket!.port, child(path, 'tcpSocket', 'port')));
  if (h.grpc) one('grpc', () => isValidPortNum(h.grpc!.port).map((m) => fieldErr.invalid(child(path, 'grpc', 'port'), h.grpc!.port, m)));
  if (h.sleep) {
    one('sleep', () => {
      const s = h.sleep!.seconds;
      const max = gracePeriod ?? 30;
      return s < 0 || s > max ? [fieldErr.invalid(child(path, 'sleep', 'seconds'), s, `must be non-negative and less than terminationGracePeriodSeconds (${max})`)] : [];
    });
  }
  if (n === 0) errs.push(fieldErr.required(path, 'must specify a handler type'));
  return errs;
}

function validateProbe(p: Probe | undefined, gracePeriod: number | undefined, path: string): FieldError[] {
  if (!p) return [];
  const errs = validateHandler(p, gracePeriod, path);
  for (const f of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold'] as const) {
    errs.push(...validateNonnegative(p[f], child(path, f)));
  }
  if (p.terminationGracePeriodSeconds != null && p.terminationGracePeriodSeconds <= 0) {
    errs.push(fieldErr.invalid(child(path, 'terminationGracePeriodSeconds'), p.terminationGracePeriodSeconds, 'must be greater than 0'));
  }
  return errs;
}

function validateLivenessOrStartupProbe(p: Probe | undefined, gracePeriod: number | undefined, path: string): FieldError[] {
  if (!p) return [];
  const errs = validateProbe(p, gracePeriod, path);
  if (p.successThreshold !== 1) errs.push(fieldErr.invalid(child(path, 'successThreshold'), p.successThreshold ?? 0, 'must be 1'));
  return errs;
}

function validateReadinessProbe(p: Probe | undefined, gracePeriod: number | undefined, path: string): FieldError[] {
  if (!p) return [];
  const errs = validateProbe(p, gracePeriod, path);
  if (p.terminationGracePeriodSeconds != null) {
    errs.push(fieldErr.invalid(child(path, 'terminationGracePeriodSeconds'), p.terminationGracePeriodSeconds, 'must not be set for readinessProbes'));
  }
  return errs;
}

function validateLifecycle(c: AnyContainer, gracePeriod: number | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (c.lifecycle?.postStart) errs.push(...validateHandler(c.lifecycle.postStart, gracePeriod, child(path, 'postStart')));
  if (c.lifecycle?.preStop) errs.push(...validateHandler(c.lifecycle.preStop, gracePeriod, child(path, 'preStop')));
  return errs;
}

const standardContainerResources = new Set(['cpu', 'memory', 'ephemeral-storage']);
const isHugePages = (name: string): boolean => name.startsWith('hugepages-');
const isNativeResource = (name: string): boolean => !name.includes('/') || name.includes('kubernetes.io/');
const isOvercommitAllowed = (name: string): boolean => isNativeResource(name) && !isHugePages(name);

function validateContainerResourceName(name: string, path: string): FieldError[] {
  const errs = isQualifiedName(name).map((m) => fieldErr.invalid(path, name, m));
  if (!name.includes('/')) {
    if (!standardContainerResources.has(name) && !isHugePages(name)) errs.push(fieldErr.invalid(path, name, 'must be a standard resource for containers'));
  } else if (!isNativeResource(name) && name.startsWith('requests.')) {
    errs.push(fieldErr.invalid(path, name, "doesn't follow extended resource name standard"));
  }
  return errs;
}

function validateResourceQuantity(name: string, value: unknown, path: string): { errs: FieldError[]; q?: Quantity } {
  const q = tryParseQuantity(value);
  if (typeof q === 'string') return { errs: [fieldErr.invalid(path, value, q)] };
  const errs: FieldError[] = [];
  if (q.nanos < 0n) errs.push(fieldErr.invalid(path, formatQuantity(q), 'must be greater than or equal to 0'));
  if (!isNativeResource(name) && q.nanos % 1_000_000_000n !== 0n) errs.push(fieldErr.invalid(path, formatQuantity(q), 'must be an integer'));
  return { errs, q };
}

/** ValidateResourceRequirements for a container: names, quantities, requests ≤ limits. */
export function validateResourceRequirements(r: ResourceRequirements | undefined, path: string): FieldError[] {
  if (!r) return [];
  const errs: FieldError[] = [];
  const limPath = child(path, 'limits');
  const reqPath = child(path, 'requests');
  const limits = new Map<string, Quantity>();
  for (const [name, value] of Object.entries(r.limits ?? {})) {
    const p = key(limPath, name);
    errs.push(...validateContainerResourceName(name, p));
    const { errs: qe, q } = validateResourceQuantity(name, value, p);
    errs.push(...qe);
    if (q) limits.set(name, q);
  }
  for (const [name, value] of Object.entries(r.requests ?? {})) {
    const p = key(reqPath, name);
    errs.push(...validateContainerResourceName(name, p));
    const { errs: qe, q } = validateResourceQuantity(name, value, p);
    errs.push(...qe);
    if (!q) continue;
    const lim = limits.get(name);
    if (lim) {
      const cmp = compareQuantities(q, lim);
      if (cmp !== 0 && !isOvercommitAllowed(name)) {
        errs.push(fieldErr.invalid(reqPath, formatQuantity(q), `must be equal to ${name} limit of ${formatQuantity(lim)}`));
      } else if (cmp > 0) {
        errs.push(fieldErr.invalid(reqPath, formatQuantity(q), `must be less than or equal to ${name} limit of ${formatQuantity(lim)}`));
      }
    } else if (!isOvercommitAllowed(name) && !(name in (r.limits ?? {}))) {
      errs.push(fieldErr.required(limPath, 'Limit must be set for non overcommitable resources'));
    }
  }
  return errs;
}

function validateVolumeMounts(c: AnyContainer, volumes: Set<string>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const mountpoints = new Set<string>();
  (c.volumeMounts ?? []).forEach((m: VolumeMount, i) => {
    const p = index(path, i);
    if (!m.name) errs.push(fieldErr.required(child(p, 'name'), ''));
    if (!volumes.has(m.name)) errs.push(fieldErr.notFound(child(p, 'name'), m.name));
    if (!m.mountPath) errs.push(fieldErr.required(child(p, 'mountPath'), ''));
    if (mountpoints.has(m.mountPath)) errs.push(fieldErr.invalid(child(p, 'mountPath'), m.mountPath, 'must be unique'));
    mountpoints.add(m.mountPath);
    if (m.subPath) errs.push(...validateLocalDescendingPath(m.subPath, child(path, 'subPath')));
    if (m.subPathExpr) {
      if (m.subPath) errs.push(fieldErr.invalid(child(p, 'subPathExpr'), m.subPathExpr, 'subPathExpr and subPath are mutually exclusive'));
      errs.push(...validateLocalDescendingPath(m.subPathExpr, child(path, 'subPathExpr')));
    }
    if (m.mountPropagation != null) {
      const mp = child(path, 'mountPropagation');
      const valid = ['Bidirectional', 'HostToContainer', 'None'];
      if (!valid.includes(m.mountPropagation)) errs.push(fieldErr.notSupported(mp, m.mountPropagation, valid));
      else if (m.mountPropagation === 'Bidirectional' && !c.securityContext?.privileged) {
        errs.push(fieldErr.forbidden(mp, 'Bidirectional mount propagation is available only to privileged containers'));
      }
    }
  });
  return errs;
}

function validateSecurityContext(sc: SecurityContext | undefined, path: string): FieldError[] {
  if (!sc) return [];
  const errs: FieldError[] = [];
  for (const f of ['runAsUser', 'runAsGroup'] as const) {
    const v = sc[f];
    if (v != null && (v < 0 || v > maxInt32)) errs.push(fieldErr.invalid(child(path, f), v, inclusiveRangeError(0, maxInt32)));
  }
  if (sc.privileged && sc.allowPrivilegeEscalation === false) {
    errs.push(fieldErr.invalid(path, sc, 'cannot set `allowPrivilegeEscalation` to false and `privileged` to true'));
  }
  if (sc.procMount && !['Default', 'Unmasked'].includes(sc.procMount)) {
    errs.push(fieldErr.notSupported(child(path, 'procMount'), sc.procMount, ['Default', 'Unmasked']));
  }
  return errs;
}

interface ContainerContext { volumes: Set<string>; gracePeriod?: number; isTemplate: boolean }

/** validateContainerCommon: what every kind of container shares. */
function validateContainerCommon(c: AnyContainer, ctx: ContainerContext, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const namePath = child(path, 'name');
  if (!c.name) errs.push(fieldErr.required(namePath, ''));
  else errs.push(...dnsLabel(c.name, namePath));
  if (!c.image) errs.push(fieldErr.required(child(path, 'image'), ''));
  else if (!ctx.isTemplate && c.image.trim() !== c.image) {
    errs.push(fieldErr.invalid(child(path, 'image'), c.image, 'must not have leading or trailing whitespace'));
  }
  const policies = ['File', 'FallbackToLogsOnError'];
  if (!c.terminationMessagePolicy) errs.push(fieldErr.required(child(path, 'terminationMessagePolicy'), ''));
  else if (!policies.includes(c.terminationMessagePolicy)) errs.push(fieldErr.notSupported(child(path, 'terminationMessagePolicy'), c.terminationMessagePolicy, policies));
  errs.push(...validateContainerPorts(c.ports, child(path, 'ports')));
  errs.push(...validateEnv(c.env, child(path, 'env')));
  errs.push(...validateEnvFrom(c.envFrom, child(path, 'envFrom')));
  errs.push(...validateVolumeMounts(c, ctx.volumes, child(path, 'volumeMounts')));
  const pull = ['Always', 'IfNotPresent', 'Never'];
  if (!c.imagePullPolicy) errs.push(fieldErr.required(child(path, 'imagePullPolicy'), ''));
  else if (!pull.includes(c.imagePullPolicy)) errs.push(fieldErr.notSupported(child(path, 'imagePullPolicy'), c.imagePullPolicy, pull));
  errs.push(...validateResourceRequirements(c.resources, child(path, 'resources')));
  errs.push(...validateSecurityContext(c.securityContext, child(path, 'securityContext')));
  return errs;
}

function validateContainers(containers: readonly Container[] | undefined, ctx: ContainerContext, path: string, names: Set<string>): FieldError[] {
  const list = containers ?? [];
  if (list.length === 0) return [fieldErr.required(path, '')];
  const errs: FieldError[] = [];
  list.forEach((c, i) => {
    const p = index(path, i);
    errs.push(...validateContainerCommon(c, ctx, p));
    if (c.name && names.has(c.name)) errs.push(fieldErr.duplicate(child(p, 'name'), c.name));
    else if (c.name) names.add(c.name);
    if (c.lifecycle) errs.push(...validateLifecycle(c, ctx.gracePeriod, child(p, 'lifecycle')));
    errs.push(...validateLivenessOrStartupProbe(c.livenessProbe, ctx.gracePeriod, child(p, 'livenessProbe')));
    errs.push(...validateReadinessProbe(c.readinessProbe, ctx.gracePeriod, child(p, 'readinessProbe')));
    errs.push(...validateLivenessOrStartupProbe(c.startupProbe, ctx.gracePeriod, child(p, 'startupProbe')));
    if (c.restartPolicy != null) errs.push(fieldErr.forbidden(child(p, 'restartPolicy'), 'may not be set for non-init containers'));
  });
  return errs;
}

function validateInitContainers(containers: readonly Container[] | undefined, ctx: ContainerContext, path: string, names: Set<string>): FieldError[] {
  const errs: FieldError[] = [];
  const own = new Set<string>();
  (containers ?? []).forEach((c, i) => {
    const p = index(path, i);
    errs.push(...validateContainerCommon(c, ctx, p));
    if (c.name && (names.has(c.name) || own.has(c.name))) errs.push(fieldErr.duplicate(child(p, 'name'), c.name));
    else if (c.name) own.add(c.name);
    if (c.restartPolicy != null && c.restartPolicy !== 'Always') {
      errs.push(fieldErr.notSupported(child(p, 'restartPolicy'), c.restartPolicy, ['Always']));
    }
    if (c.restartPolicy === 'Always') {
      if (c.lifecycle) errs.push(...validateLifecycle(c, ctx.gracePeriod, child(p, 'lifecycle')));
      errs.push(...validateLivenessOrStartupProbe(c.livenessProbe, ctx.gracePeriod, child(p, 'livenessProbe')));
      errs.push(...validateReadinessProbe(c.readinessProbe, ctx.gracePeriod, child(p, 'readinessProbe')));
      errs.push(...validateLivenessOrStartupProbe(c.startupProbe, ctx.gracePeriod, child(p, 'startupProbe')));
    } else {
      const why = 'may not be set for init containers without restartPolicy=Always';
      if (c.lifecycle) errs.push(fieldErr.forbidden(child(p, 'lifecycle'), why));
      if (c.livenessProbe) errs.push(fieldErr.forbidden(child(p, 'livenessProbe'), why));
      if (c.readinessProbe) errs.push(fieldErr.forbidden(child(p, 'readinessProbe'), why));
      if (c.startupProbe) errs.push(fieldErr.forbidden(child(p, 'startupProbe'), why));
    }
  });
  for (const n of own) names.add(n);
  return errs;
}

function validateEphemeralContainers(containers: readonly EphemeralContainer[] | undefined, ctx: ContainerContext, path: string, names: Set<string>, targets: Set<string>): FieldError[] {
  const errs: FieldError[] = [];
  (containers ?? []).forEach((c, i) => {
    const p = index(path, i);
    errs.push(...validateContainerCommon(c, ctx, p));
    if (c.name && names.has(c.name)) errs.push(fieldErr.duplicate(child(p, 'name'), c.name));
    else if (c.name) names.add(c.name);
    if (c.targetContainerName && !targets.has(c.targetContainerName)) errs.push(fieldErr.notFound(child(p, 'targetContainerName'), c.targetContainerName));
    for (const f of ['lifecycle', 'livenessProbe', 'ports', 'readinessProbe', 'resizePolicy', 'restartPolicy', 'startupProbe'] as const) {
      const v = (c as unknown as Record<string, unknown>)[f];
      if (v != null && !(Array.isArray(v) && v.length === 0)) errs.push(fieldErr.forbidden(child(p, f), 'cannot be set for an Ephemeral Container'));
    }
    if (c.resources && (Object.keys(c.resources.limits ?? {}).length || Object.keys(c.resources.requests ?? {}).length)) {
      errs.push(fieldErr.forbidden(child(p, 'resources'), 'cannot be set for an Ephemeral Container'));
    }
    for (const [j, m] of (c.volumeMounts ?? []).entries()) {
      if (m.subPath) errs.push(fieldErr.forbidden(child(index(child(p, 'volumeMounts'), j), 'subPath'), 'cannot be set for an Ephemeral Container'));
    }
  });
  return errs;
}

function validateHostPorts(spec: PodSpec, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  for (const [field, list] of [['initContainers', spec.initContainers], ['containers', spec.containers]] as const) {
    (list ?? []).forEach((c, ci) => {
      (c.ports ?? []).forEach((port, pi) => {
        const p = child(index(child(index(child(path, field), ci), 'ports'), pi), 'hostPort');
        if (spec.hostNetwork && port.hostPort && port.hostPort !== port.containerPort) {
          errs.push(fieldErr.invalid(p, port.hostPort, 'must match `containerPort` when `hostNetwork` is true'));
        }
        if (!port.hostPort) return;
        const id = `${port.hostIP ?? ''}/${port.protocol ?? ''}/${port.hostPort}`;
        if (seen.has(id)) errs.push(fieldErr.duplicate(p, id));
        seen.add(id);
      });
    });
  }
  return errs;
}

// ---------------------------------------------------------------- scheduling

/** validateTolerations, with Kubernetes' messages. */
export function validateTolerations(tolerations: readonly Toleration[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (tolerations ?? []).forEach((t, i) => {
    const p = index(path, i);
    if (t.key) errs.push(...validateLabelName(t.key, child(p, 'key')));
    if (!t.key && t.operator !== 'Exists') {
      errs.push(fieldErr.invalid(child(p, 'operator'), t.operator ?? '', 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t.tolerationSeconds != null && t.effect !== 'NoExecute') {
      errs.push(fieldErr.invalid(child(p, 'effect'), t.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    switch (t.operator ?? '') {
      case 'Equal': case '':
        for (const m of isValidLabelValue(t.value ?? '')) errs.push(fieldErr.invalid(child(p, 'operator'), t.value ?? '', m));
        break;
      case 'Exists':
        if (t.value) errs.push(fieldErr.invalid(child(p, 'operator'), t, "value must be empty when `operator` is 'Exists'"));
        break;
      default:
        errs.push(fieldErr.notSupported(child(p, 'operator'), t.operator, ['Equal', 'Exists']));
    }
    const effects = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
    if (t.effect && !effects.includes(t.effect)) errs.push(fieldErr.notSupported(child(p, 'effect'), t.effect, effects));
  });
  return errs;
}

function validateNodeSelectorRequirement(rq: NodeSelectorRequirement, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const n = rq.values?.length ?? 0;
  switch (rq.operator) {
    case 'In': case 'NotIn':
      if (n === 0) errs.push(fieldErr.required(child(path, 'values'), "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case 'Exists': case 'DoesNotExist':
      if (n > 0) errs.push(fieldErr.forbidden(child(path, 'values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    case 'Gt': case 'Lt':
      if (n !== 1) errs.push(fieldErr.required(child(path, 'values'), "must be specified single value when `operator` is 'Lt' or 'Gt'"));
      break;
    default:
      errs.push(fieldErr.invalid(child(path, 'operator'), rq.operator, 'not a valid selector operator'));
  }
  errs.push(...validateLabelName(rq.key, child(path, 'key')));
  return errs;
}

function validateNodeFieldSelectorRequirement(rq: NodeSelectorRequirement, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (rq.operator === 'In' || rq.operator === 'NotIn') {
    if ((rq.values?.length ?? 0) !== 1) errs.push(fieldErr.required(child(path, 'values'), "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"));
  } else {
    errs.push(fieldErr.invalid(child(path, 'operator'), rq.operator, 'not a valid selector operator'));
  }
  if (rq.key !== 'metadata.name') errs.push(fieldErr.invalid(child(path, 'key'), rq.key, 'not a valid field selector key'));
  else (rq.values ?? []).forEach((v, i) => errs.push(...dnsSubdomain(v, index(child(path, 'values'), i))));
  return errs;
}

function validateNodeSelectorTerm(term: NodeSelectorTerm, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (term.matchExpressions ?? []).forEach((r, j) => errs.push(...validateNodeSelectorRequirement(r, index(child(path, 'matchExpressions'), j))));
  (term.matchFields ?? []).forEach((r, j) => errs.push(...validateNodeFieldSelectorRequirement(r, index(child(path, 'matchFields'), j))));
  return errs;
}

/** ValidateNodeSelector (node affinity's required terms). */
export function validateNodeSelector(ns: NodeSelector, path: string): FieldError[] {
  const termPath = child(path, 'nodeSelectorTerms');
  if (!ns.nodeSelectorTerms?.length) return [fieldErr.required(termPath, 'must have at least one node selector term')];
  return ns.nodeSelectorTerms.flatMap((t, i) => validateNodeSelectorTerm(t, index(termPath, i)));
}

function validatePreferredSchedulingTerms(terms: readonly PreferredSchedulingTerm[], path: string): FieldError[] {
  return terms.flatMap((t, i) => {
    const p = index(path, i);
    const errs: FieldError[] = [];
    if (t.weight <= 0 || t.weight > 100) errs.push(fieldErr.invalid(child(p, 'weight'), t.weight, 'must be in the range 1-100'));
    errs.push(...validateNodeSelectorTerm(t.preference, child(p, 'preference')));
    return errs;
  });
}

function validatePodAffinityTerm(t: PodAffinityTerm, path: string): FieldError[] {
  const errs = validateLabelSelector(t.labelSelector, child(path, 'labelSelector'));
  errs.push(...validateLabelSelector(t.namespaceSelector, child(path, 'namespaceSelector')));
  for (const ns of t.namespaces ?? []) errs.push(...dnsLabel(ns, child(path, 'namespace')));
  for (const [field, keys] of [['matchLabelKeys', t.matchLabelKeys], ['mismatchLabelKeys', t.mismatchLabelKeys]] as const) {
    (keys ?? []).forEach((k, i) => errs.push(...validateLabelName(k, index(child(path, field), i))));
    if (keys?.length && !t.labelSelector) errs.push(fieldErr.forbidden(child(path, field), 'must not be specified when labelSelector is not set'));
  }
  if (!t.topologyKey) errs.push(fieldErr.required(child(path, 'topologyKey'), 'can not be empty'));
  errs.push(...validateLabelName(t.topologyKey ?? '', child(path, 'topologyKey')));
  return errs;
}

function validateWeightedPodAffinityTerms(terms: readonly WeightedPodAffinityTerm[], path: string): FieldError[] {
  return terms.flatMap((t, j) => {
    const p = index(path, j);
    const errs: FieldError[] = [];
    if (t.weight <= 0 || t.weight > 100) errs.push(fieldErr.invalid(child(p, 'weight'), t.weight, 'must be in the range 1-100'));
    errs.push(...validatePodAffinityTerm(t.podAffinityTerm, child(p, 'podAffinityTerm')));
    return errs;
  });
}

/** validateAffinity: node affinity, pod affinity and anti-affinity. */
export function validateAffinity(a: Affinity | undefined, path: string): FieldError[] {
  if (!a) return [];
  const errs: FieldError[] = [];
  const na = a.nodeAffinity;
  if (na?.requiredDuringSchedulingIgnoredDuringExecution) {
    errs.push(...validateNodeSelector(na.requiredDuringSchedulingIgnoredDuringExecution, child(path, 'nodeAffinity', 'requiredDuringSchedulingIgnoredDuringExecution')));
  }
  if (na?.preferredDuringSchedulingIgnoredDuringExecution?.length) {
    errs.push(...validatePreferredSchedulingTerms(na.preferredDuringSchedulingIgnoredDuringExecution, child(path, 'nodeAffinity', 'preferredDuringSchedulingIgnoredDuringExecution')));
  }
  for (const kind of ['podAffinity', 'podAntiAffinity'] as const) {
    const pa = a[kind];
    if (!pa) continue;
    (pa.requiredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t, i) => {
      errs.push(...validatePodAffinityTerm(t, index(child(path, kind, 'requiredDuringSchedulingIgnoredDuringExecution'), i)));
    });
    errs.push(...validateWeightedPodAffinityTerms(pa.preferredDuringSchedulingIgnoredDuringExecution ?? [], child(path, kind, 'preferredDuringSchedulingIgnoredDuringExecution')));
  }
  return errs;
}

function validateTopologySpreadConstraints(list: readonly TopologySpreadConstraint[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const all = list ?? [];
  all.forEach((c, i) => {
    const p = index(path, i);
    if (c.maxSkew <= 0) errs.push(fieldErr.invalid(child(p, 'maxSkew'), c.maxSkew, 'must be greater than zero'));
    if (!c.topologyKey) errs.push(fieldErr.required(child(p, 'topologyKey'), 'can not be empty'));
    else errs.push(...validateLabelName(c.topologyKey, child(p, 'topologyKey')));
    const when = ['DoNotSchedule', 'ScheduleAnyway'];
    if (!when.includes(c.whenUnsatisfiable)) errs.push(fieldErr.notSupported(child(p, 'whenUnsatisfiable'), c.whenUnsatisfiable, when));
    if (all.slice(i + 1).some((o) => o.topologyKey === c.topologyKey && o.whenUnsatisfiable === c.whenUnsatisfiable)) {
      errs.push(fieldErr.duplicate(child(p, '{topologyKey, whenUnsatisfiable}'), `{${c.topologyKey}, ${c.whenUnsatisfiable}}`));
    }
    if (c.minDomains != null) {
      if (c.minDomains <= 0) errs.push(fieldErr.invalid(child(p, 'minDomains'), c.minDomains, 'must be greater than 0'));
      else if (c.whenUnsatisfiable !== 'DoNotSchedule') {
        errs.push(fieldErr.invalid(child(p, 'minDomains'), c.minDomains, `can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ${c.whenUnsatisfiable}`));
      }
    }
    for (const f of ['nodeAffinityPolicy', 'nodeTaintsPolicy'] as const) {
      const v = c[f];
      if (v != null && !['Honor', 'Ignore'].includes(v)) errs.push(fieldErr.notSupported(child(p, f), v, ['Honor', 'Ignore']));
    }
    errs.push(...validateLabelSelector(c.labelSelector, child(p, 'labelSelector')));
  });
  return errs;
}

function validatePodSecurityContext(sc: PodSecurityContext | undefined, path: string): FieldError[] {
  if (!sc) return [];
  const errs: FieldError[] = [];
  for (const f of ['runAsUser', 'runAsGroup', 'fsGroup'] as const) {
    const v = sc[f];
    if (v != null && (v < 0 || v > maxInt32)) errs.push(fieldErr.invalid(child(path, f), v, inclusiveRangeError(0, maxInt32)));
  }
  (sc.supplementalGroups ?? []).forEach((g, i) => {
    if (g < 0 || g > maxInt32) errs.push(fieldErr.invalid(index(child(path, 'supplementalGroups'), i), g, inclusiveRangeError(0, maxInt32)));
  });
  if (sc.fsGroupChangePolicy && !['OnRootMismatch', 'Always'].includes(sc.fsGroupChangePolicy)) {
    errs.push(fieldErr.notSupported(child(path, 'fsGroupChangePolicy'), sc.fsGroupChangePolicy, ['OnRootMismatch', 'Always']));
  }
  (sc.sysctls ?? []).forEach((s, i) => {
    const p = index(child(path, 'sysctls'), i);
    if (!s.name) errs.push(fieldErr.required(child(p, 'name'), ''));
    else if (!/^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$/.test(s.name) || s.name.length > 253) {
      errs.push(fieldErr.invalid(child(p, 'name'), s.name, "must have at most 253 characters and match regex ^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$"));
    }
  });
  return errs;
}

function validateDNS(spec: PodSpec, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const policies = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
  const policy = spec.dnsPolicy ?? '';
  if (policy === '') errs.push(fieldErr.required(child(path, 'dnsPolicy'), ''));
  else if (!policies.includes(policy)) errs.push(fieldErr.notSupported(child(path, 'dnsPolicy'), policy, policies));
  const cfg: PodDNSConfig | undefined = spec.dnsConfig;
  const cfgPath = child(path, 'dnsConfig');
  if (policy === 'None') {
    if (!cfg) return [...errs, fieldErr.required(cfgPath, 'must provide `dnsConfig` when `dnsPolicy` is None')];
    if (!cfg.nameservers?.length) return [...errs, fieldErr.required(child(cfgPath, 'nameservers'), 'must provide at least one DNS nameserver when `dnsPolicy` is None')];
  }
  if (cfg) {
    if ((cfg.nameservers?.length ?? 0) > 3) errs.push(fieldErr.invalid(child(cfgPath, 'nameservers'), cfg.nameservers, 'must not have more than 3 nameservers'));
    (cfg.nameservers ?? []).forEach((ns, i) => {
      for (const m of isValidIP(ns)) errs.push(fieldErr.invalid(index(child(cfgPath, 'nameservers'), i), ns, m));
    });
    if ((cfg.searches?.length ?? 0) > 32) errs.push(fieldErr.invalid(child(cfgPath, 'searches'), cfg.searches, 'must not have more than 32 search paths'));
    (cfg.searches ?? []).forEach((s, i) => {
      const domain = s.endsWith('.') ? s.slice(0, -1) : s;
      if (domain !== '') errs.push(...dnsSubdomain(domain, index(child(cfgPath, 'searches'), i)));
    });
    (cfg.options ?? []).forEach((o, i) => {
      if (!o.name) errs.push(fieldErr.required(index(child(cfgPath, 'options'), i), 'must not be empty'));
    });
  }
  return errs;
}

// ---------------------------------------------------------------- pod spec

/** ValidatePodSpec: everything Kubernetes checks in a pod's (or a template's) spec. */
export function validatePodSpec(spec: PodSpec | undefined, path: string, opts: PodValidationOptions = {}): FieldError[] {
  if (!spec) return [fieldErr.required(path, '')];
  const errs: FieldError[] = [];
  const { errors: volErrs, names: volumes } = validateVolumes(spec.volumes, child(path, 'volumes'));
  errs.push(...volErrs);
  const ctx: ContainerContext = { volumes, gracePeriod: spec.terminationGracePeriodSeconds, isTemplate: !!opts.isTemplate };
  const names = new Set<string>();
  errs.push(...validateContainers(spec.containers, ctx, child(path, 'containers'), names));
  errs.push(...validateInitContainers(spec.initContainers, ctx, child(path, 'initContainers'), names));
  const targets = new Set([...(spec.containers ?? []), ...(spec.initContainers ?? [])].map((c) => c.name));
  errs.push(...validateEphemeralContainers(spec.ephemeralContainers, ctx, child(path, 'ephemeralContainers'), names, targets));
  errs.push(...validateHostPorts(spec, path));
  const restart = spec.restartPolicy ?? '';
  if (restart === '') errs.push(fieldErr.required(child(path, 'restartPolicy'), ''));
  else if (!['Always', 'OnFailure', 'Never'].includes(restart)) errs.push(fieldErr.notSupported(child(path, 'restartPolicy'), restart, ['Always', 'OnFailure', 'Never']));
  errs.push(...validateDNS(spec, path));
  errs.push(...validateLabels(spec.nodeSelector, child(path, 'nodeSelector')));
  errs.push(...validatePodSecurityContext(spec.securityContext, child(path, 'securityContext')));
  if (spec.shareProcessNamespace && spec.hostPID) {
    errs.push(fieldErr.invalid(child(path, 'shareProcessNamespace'), true, 'ShareProcessNamespace and HostPID cannot both be enabled'));
  }
  (spec.imagePullSecrets ?? []).forEach((s, i) => {
    const extra = Object.keys(s).filter((k) => k !== 'name');
    if (extra.length) errs.push(fieldErr.invalid(index(child(path, 'imagePullSecrets'), i), s, 'only name may be set'));
  });
  if (spec.serviceAccountName) errs.push(...dnsSubdomain(spec.serviceAccountName, child(path, 'serviceAccountName')));
  if (spec.nodeName) errs.push(...dnsSubdomain(spec.nodeName, child(path, 'nodeName')));
  if (spec.activeDeadlineSeconds != null && (spec.activeDeadlineSeconds < 1 || spec.activeDeadlineSeconds > maxInt32)) {
    errs.push(fieldErr.invalid(child(path, 'activeDeadlineSeconds'), spec.activeDeadlineSeconds, inclusiveRangeError(1, maxInt32)));
  }
  if (spec.hostname) errs.push(...dnsLabel(spec.hostname, child(path, 'hostname')));
  if (spec.subdomain) errs.push(...dnsLabel(spec.subdomain, child(path, 'subdomain')));
  errs.push(...validateTolerations(spec.tolerations, child(path, 'tolerations')));
  errs.push(...validateAffinity(spec.affinity, child(path, 'affinity')));
  errs.push(...validateTopologySpreadConstraints(spec.topologySpreadConstraints, child(path, 'topologySpreadConstraints')));
  (spec.hostAliases ?? []).forEach((h, i) => {
    const p = index(child(path, 'hostAliases'), i);
    for (const m of isValidIP(h.ip ?? '')) errs.push(fieldErr.invalid(child(p, 'ip'), h.ip ?? '', m));
    for (const host of h.hostnames ?? []) errs.push(...dnsSubdomain(host, child(p, 'hostnames')));
  });
  if (spec.priorityClassName) errs.push(...dnsSubdomain(spec.priorityClassName, child(path, 'priorityClassName')));
  if (spec.runtimeClassName) errs.push(...dnsSubdomain(spec.runtimeClassName, child(path, 'runtimeClassName')));
  if (spec.preemptionPolicy && !['PreemptLowerPriority', 'Never'].includes(spec.preemptionPolicy)) {
    errs.push(fieldErr.notSupported(child(path, 'preemptionPolicy'), spec.preemptionPolicy, ['Never', 'PreemptLowerPriority']));
  }
  (spec.readinessGates ?? []).forEach((g, i) => {
    for (const m of isQualifiedName(g.conditionType)) errs.push(fieldErr.invalid(child(index(child(path, 'readinessGates'), i), 'conditionType'), g.conditionType, m));
  });
  const gates = new Set<string>();
  (spec.schedulingGates ?? []).forEach((g, i) => {
    const p = index(child(path, 'schedulingGates'), i);
    for (const m of isQualifiedName(g.name)) errs.push(fieldErr.invalid(p, g.name, m));
    if (gates.has(g.name)) errs.push(fieldErr.duplicate(p, g.name));
    gates.add(g.name);
  });
  if (spec.os) {
    if (!spec.os.name) errs.push(fieldErr.required(child(path, 'os', 'name'), ''));
    else if (!['linux', 'windows'].includes(spec.os.name)) errs.push(fieldErr.notSupported(child(path, 'os'), spec.os.name, ['linux', 'windows']));
  }
  return errs;
}

/** ValidatePodTemplateSpec: template labels/annotations and the spec; no ephemeral containers. */
export function validatePodTemplateSpec(t: PodTemplateSpec | undefined, path: string): FieldError[] {
  if (!t) return [fieldErr.required(path, '')];
  const errs = [
    ...validateLabels(t.metadata?.labels, child(path, 'labels')),
    ...validateAnnotations(t.metadata?.annotations, child(path, 'annotations')),
    ...validatePodSpec(t.spec, child(path, 'spec'), { isTemplate: true }),
  ];
  if (t.spec?.ephemeralContainers?.length) {
    errs.push(fieldErr.forbidden(child(path, 'spec', 'ephemeralContainers'), 'ephemeral containers not allowed in pod template'));
  }
  return errs;
}

// ---------------------------------------------------------------- updates

export const podUpdateForbiddenMessage =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

/** A readable list of differences (upstream appends a cmp.Diff of the specs). */
function specDiff(a: unknown, b: unknown, path: string, out: string[]): void {
  if (semanticEqual(a, b)) return;
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    a.forEach((v, i) => specDiff(v, b[i], `${path}[${i}]`, out));
    return;
  }
  if (isObj(a) && isObj(b) && !Array.isArray(a) && !Array.isArray(b)) {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) specDiff(a[k], b[k], path ? `${path}.${k}` : k, out);
    return;
  }
  out.push(`- ${path}: ${JSON.stringify(a ?? null)}`, `+ ${path}: ${JSON.stringify(b ?? null)}`);
}

function tolerationsOnlyAdded(newT: readonly Toleration[] | undefined, oldT: readonly Toleration[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const old of oldT ?? []) {
    const kept = (newT ?? []).some((t) => {
      const a = { ...old }; const b = { ...t };
      if (a.effect === 'NoExecute' && b.effect === 'NoExecute' && a.tolerationSeconds != null && b.tolerationSeconds != null && b.tolerationSeconds <= a.tolerationSeconds) {
        delete a.tolerationSeconds; delete b.tolerationSeconds;
      }
      return semanticEqual(a, b);
    });
    if (!kept) errs.push(fieldErr.forbidden(path, 'existing toleration can not be modified except its tolerationSeconds'));
  }
  return errs;
}

interface PodLike { spec?: PodSpec }

/** ValidatePodUpdate's spec rules: only images, activeDeadlineSeconds, added tolerations … may change. */
export function validatePodSpecUpdate(newPod: PodLike, oldPod: PodLike, path = 'spec'): FieldError[] {
  const errs: FieldError[] = [];
  const ns = newPod.spec ?? { containers: [] };
  const os = oldPod.spec ?? { containers: [] };
  for (const field of ['containers', 'initContainers'] as const) {
    const a = ns[field] ?? [];
    const b = os[field] ?? [];
    if (a.length !== b.length) {
      errs.push(fieldErr.forbidden(child(path, field), 'pod updates may not add or remove containers'));
      return errs;
    }
    a.forEach((c, i) => {
      if (!c.image) errs.push(fieldErr.required(child(index(child(path, field), i), 'image'), ''));
      else if (c.image.trim() !== c.image) errs.push(fieldErr.invalid(child(index(child(path, field), i), 'image'), c.image, 'must not have leading or trailing whitespace'));
    });
  }
  const ads = ns.activeDeadlineSeconds;
  if (ads != null) {
    if (ads < 0 || ads > maxInt32) return [...errs, fieldErr.invalid(child(path, 'activeDeadlineSeconds'), ads, inclusiveRangeError(0, maxInt32))];
    if (os.activeDeadlineSeconds != null && os.activeDeadlineSeconds < ads) {
      return [...errs, fieldErr.invalid(child(path, 'activeDeadlineSeconds'), ads, 'must be less than or equal to previous value')];
    }
  } else if (os.activeDeadlineSeconds != null) {
    errs.push(fieldErr.invalid(child(path, 'activeDeadlineSeconds'), null, 'must not update from a positive integer to nil value'));
  }
  errs.push(...tolerationsOnlyAdded(ns.tolerations, os.tolerations, child(path, 'tolerations')));
  const oldGates = new Set((os.schedulingGates ?? []).map((g) => g.name));
  if ((ns.schedulingGates ?? []).some((g) => !oldGates.has(g.name))) {
    errs.push(fieldErr.forbidden(child(path, 'schedulingGates'), 'only deletion is allowed, but found new scheduling gate'));
  }
  if (semanticEqual(ns, os)) return errs;
  const munged: PodSpec = structuredClone(ns);
  for (const field of ['containers', 'initContainers'] as const) {
    (munged[field] ?? []).forEach((c, i) => { c.image = os[field]![i]!.image; });
  }
  munged.activeDeadlineSeconds = os.activeDeadlineSeconds;
  if (munged.activeDeadlineSeconds === undefined) delete munged.activeDeadlineSeconds;
  munged.schedulingGates = os.schedulingGates;
  munged.tolerations = os.tolerations;
  if ((os.terminationGracePeriodSeconds ?? 0) < 0 && munged.terminationGracePeriodSeconds === 1) {
    munged.terminationGracePeriodSeconds = os.terminationGracePeriodSeconds;
  }
  if ((os.schedulingGates ?? []).length > 0) {
    // Gated pods may gain nodeSelector entries (no removals or changes).
    const oldSel = os.nodeSelector ?? {};
    const newSel = munged.nodeSelector ?? {};
    if (Object.entries(oldSel).every(([k, v]) => newSel[k] === v)) munged.nodeSelector = os.nodeSelector;
  }
  for (const o of [munged, os]) for (const k of Object.keys(o) as (keyof PodSpec)[]) if (o[k] === undefined) delete o[k];
  if (!semanticEqual(munged, os)) {
    const lines: string[] = [];
    specDiff(os, munged, '', lines);
    errs.push(fieldErr.forbidden(path, `${podUpdateForbiddenMessage}\n${lines.join('\n')}`));
  }
  return errs;
}

/** pods/ephemeralcontainers: ephemeral containers may be added, never changed or removed. */
export function validateEphemeralContainersUpdate(newPod: PodLike, oldPod: PodLike): FieldError[] {
  const errs: FieldError[] = [];
  const path = child('spec', 'ephemeralContainers');
  const newList = newPod.spec?.ephemeralContainers ?? [];
  const byName = new Map(newList.map((c) => [c.name, c]));
  for (const old of oldPod.spec?.ephemeralContainers ?? []) {
    const now = byName.get(old.name);
    if (!now) errs.push(fieldErr.forbidden(path, `existing ephemeral containers "${old.name}" may not be removed\n`));
    else if (!semanticEqual(now, old)) {
      errs.push(fieldErr.forbidden(index(path, newList.indexOf(now)), `existing ephemeral containers "${old.name}" may not be changed\n`));
    }
  }
  const rest: PodSpec = { ...(newPod.spec ?? { containers: [] }) };
  const oldRest: PodSpec = { ...(oldPod.spec ?? { containers: [] }) };
  delete rest.ephemeralContainers;
  delete oldRest.ephemeralContainers;
  if (!semanticEqual(rest, oldRest)) errs.push(fieldErr.forbidden('spec', 'pod updates may not change fields other than `spec.ephemeralContainers`'));
  if (newPod.spec) errs.push(...validatePodSpec(newPod.spec, 'spec').filter((e) => e.field.startsWith(path)));
  return errs;
}
