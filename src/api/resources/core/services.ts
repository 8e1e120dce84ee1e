import type { Service, ServicePort } from 'kubernetes-types/core/v1.js';
import type { FieldError, Kube } from '../../types.js';
import { defineResource } from '../../resource.js';
import { fieldErr } from '../../errors.js';
import { age, formatLabels } from '../../printers.js';
import {
  child, index, isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isValidIP, parseIP, validateLabels,
  validatePortNumOrName, validatePortNumber,
} from '../../validation/index.js';

export type ServiceObject = Kube<Service>;

const serviceTypes = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'] as const;
const protocols = ['SCTP', 'TCP', 'UDP'] as const;

/** SetDefaults_Service (plus the IP-family defaults the registry applies before allocation). */
export function defaultService(svc: ServiceObject): void {
  const spec = (svc.spec ??= {});
  spec.sessionAffinity ??= 'None';
  spec.type ??= 'ClusterIP';
  for (const p of spec.ports ?? []) {
    p.protocol ??= 'TCP';
    if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  if ((spec.type === 'NodePort' || spec.type === 'LoadBalancer') && !spec.externalTrafficPolicy) spec.externalTrafficPolicy = 'Cluster';
  if (spec.type !== 'ExternalName' && !spec.internalTrafficPolicy) spec.internalTrafficPolicy = 'Cluster';
  if (spec.sessionAffinity === 'ClientIP') {
    spec.sessionAffinityConfig ??= {};
    spec.sessionAffinityConfig.clientIP ??= {};
    spec.sessionAffinityConfig.clientIP.timeoutSeconds ??= 10800;
  }
  if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
  if (spec.type !== 'ExternalName') {
    if (spec.clusterIP && (!spec.clusterIPs || spec.clusterIPs.length === 0)) spec.clusterIPs = [spec.clusterIP];
    if (!spec.clusterIP && spec.clusterIPs?.length) spec.clusterIP = spec.clusterIPs[0];
    const ipOf = spec.clusterIPs?.find((ip) => ip !== 'None');
    spec.ipFamilyPolicy ??= 'SingleStack';
    if (!spec.ipFamilies || spec.ipFamilies.length === 0) spec.ipFamilies = [ipOf && parseIP(ipOf) === 6 ? 'IPv6' : 'IPv4'];
  }
}

export function isHeadlessService(svc: ServiceObject): boolean {
  return svc.spec?.clusterIP === 'None';
}

/** Services that get a cluster IP from the allocator. */
export function needsClusterIP(svc: ServiceObject): boolean {
  return (svc.spec?.type ?? 'ClusterIP') !== 'ExternalName';
}

export function needsNodePort(svc: ServiceObject): boolean {
  const t = svc.spec?.type;
  return t === 'NodePort' || (t === 'LoadBalancer' && svc.spec?.allocateLoadBalancerNodePorts !== false);
}

function validateServicePort(p: ServicePort, requireName: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (requireName && !p.name) errs.push(fieldErr.required(child(path, 'name'), ''));
  else if (p.name) for (const m of isDNS1123Label(p.name)) errs.push(fieldErr.invalid(child(path, 'name'), p.name, m));
  errs.push(...validatePortNumber(p.port, child(path, 'port')));
  if (!p.protocol) errs.push(fieldErr.required(child(path, 'protocol'), ''));
  else if (!(protocols as readonly string[]).includes(p.protocol)) errs.push(fieldErr.notSupported(child(path, 'protocol'), p.protocol, protocols));
  if (p.targetPort !== undefined) errs.push(...validatePortNumOrName(p.targetPort, child(path, 'targetPort')));
  if (p.nodePort) errs.push(...validatePortNumber(p.nodePort, child(path, 'nodePort')));
  return errs;
}

/** ValidateService's important rules, with upstream messages. */
export function validateService(svc: ServiceObject, old?: ServiceObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = svc.spec ?? {};
  const type = spec.type ?? 'ClusterIP';
  if (!(serviceTypes as readonly string[]).includes(type)) errs.push(fieldErr.notSupported('spec.type', type, serviceTypes));
  const ports = spec.ports ?? [];
  if (ports.length === 0 && !isHeadlessService(svc) && type !== 'ExternalName') errs.push(fieldErr.required('spec.ports', ''));
  const names = new Set<string>();
  const keys = new Set<string>();
  ports.forEach((p, i) => {
    const path = index('spec.ports', i);
    errs.push(...validateServicePort(p, ports.length > 1, path));
    if (p.name) {
      if (names.has(p.name)) errs.push(fieldErr.duplicate(child(path, 'name'), p.name));
      names.add(p.name);
    }
    const key = `${p.port}/${p.protocol}`;
    if (keys.has(key)) errs.push(fieldErr.duplicate(path, { port: p.port, protocol: p.protocol }));
    keys.add(key);
    if (type === 'ClusterIP' && p.nodePort) errs.push(fieldErr.forbidden(child(path, 'nodePort'), 'may not be used when `type` is \'ClusterIP\''));
  });
  if (type === 'ExternalName') {
    if (spec.clusterIPs?.length && spec.clusterIPs.some((ip) => ip !== '')) errs.push(fieldErr.forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
    const name = (spec.externalName ?? '').replace(/\.$/, '');
    if (!name) errs.push(fieldErr.required('spec.externalName', ''));
    else {
      const msgs = isDNS1123Subdomain(name);
      if (msgs.length > 0) errs.push(fieldErr.invalid('spec.externalName', name, msgs.join(',')));
      else if (name.split('.').length < 2) errs.push(fieldErr.invalid('spec.externalName', name, 'should be a domain with at least two segments separated by dots'));
    }
  } else {
    (spec.clusterIPs ?? []).forEach((ip, i) => {
      if (ip === 'None') {
        if (i > 0) errs.push(fieldErr.invalid(index('spec.clusterIPs', i), ip, "'None' can not be used as a secondary clusterIP"));
        return;
      }
      if (ip !== '' && isValidIP(ip).length > 0) errs.push(fieldErr.invalid(index('spec.clusterIPs', i), ip, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
    });
    if (spec.clusterIP && spec.clusterIPs?.length && spec.clusterIPs[0] !== spec.clusterIP) {
      errs.push(fieldErr.invalid('spec.clusterIPs', spec.clusterIPs, 'must match `clusterIP` when set'));
    }
  }
  const affinity = spec.sessionAffinity ?? 'None';
  if (!['ClientIP', 'None'].includes(affinity)) errs.push(fieldErr.notSupported('spec.sessionAffinity', affinity, ['ClientIP', 'None']));
  const timeout = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds;
  if (affinity === 'ClientIP' && timeout !== undefined && (timeout <= 0 || timeout > 86400)) {
    errs.push(fieldErr.invalid('spec.sessionAffinityConfig.clientIP.timeoutSeconds', timeout, 'must be greater than 0 and less than 86400'));
  }
  errs.push(...validateLabels(spec.selector, 'spec.selector'));
  for (const [i, ip] of (spec.externalIPs ?? []).entries()) {
    if (isValidIP(ip).length > 0) errs.push(fieldErr.invalid(index('spec.externalIPs', i), ip, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
  }
  if (spec.externalTrafficPolicy && type !== 'NodePort' && type !== 'LoadBalancer') {
    errs.push(fieldErr.invalid('spec.externalTrafficPolicy', spec.externalTrafficPolicy, 'may only be set when `type` is \'NodePort\' or \'LoadBalancer\''));
  } else if (spec.externalTrafficPolicy && !['Cluster', 'Local'].includes(spec.externalTrafficPolicy)) {
    errs.push(fieldErr.notSupported('spec.externalTrafficPolicy', spec.externalTrafficPolicy, ['Cluster', 'Local']));
  }
  if (spec.internalTrafficPolicy && !['Cluster', 'Local'].includes(spec.internalTrafficPolicy)) {
    errs.push(fieldErr.notSupported('spec.internalTrafficPolicy', spec.internalTrafficPolicy, ['Cluster', 'Local']));
  }
  if (old) errs.unshift(...validateClusterIPsUpdate(svc, old));
  return errs;
}

/** validateUpgradeDowngradeClusterIPs: the primary cluster IP never changes once set. */
function validateClusterIPsUpdate(svc: ServiceObject, old: ServiceObject): FieldError[] {
  if (svc.spec?.type === 'ExternalName' || old.spec?.type === 'ExternalName') return [];
  if (isHeadlessService(svc) && isHeadlessService(old)) return [];
  const now = svc.spec?.clusterIPs ?? [];
  const was = old.spec?.clusterIPs ?? [];
  const errs: FieldError[] = [];
  if (now.length === was.length) {
    was.forEach((ip, i) => { if (ip !== now[i]) errs.push(fieldErr.invalid(index('spec.clusterIPs', i), now, 'may not change once set')); });
  } else if (was.length > now.length) {
    if (now.length === 0) errs.push(fieldErr.invalid(index('spec.clusterIPs', 0), now, 'primary clusterIP can not be unset'));
    else if (now[0] !== was[0]) errs.push(fieldErr.invalid(index('spec.clusterIPs', 0), now, 'may not change once set'));
  } else if (was.length > 0 && now[0] !== was[0]) {
    errs.push(fieldErr.invalid(index('spec.clusterIPs', 0), now, 'may not change once set'));
  }
  return errs;
}

/** The registry's patchAllocatedValues: an update that omits allocated values keeps them. */
export function patchAllocatedValues(svc: ServiceObject, old: ServiceObject): void {
  const spec = (svc.spec ??= {});
  if (needsClusterIP(old) && needsClusterIP(svc)) {
    if (!spec.clusterIP) spec.clusterIP = old.spec?.clusterIP;
    if ((!spec.clusterIPs || spec.clusterIPs.length === 0) && old.spec?.clusterIPs?.length) spec.clusterIPs = [...old.spec.clusterIPs];
    if (!spec.ipFamilies?.length && old.spec?.ipFamilies?.length) spec.ipFamilies = [...old.spec.ipFamilies];
    spec.ipFamilyPolicy ??= old.spec?.ipFamilyPolicy;
  }
  if (needsNodePort(old) && needsNodePort(svc)) {
    const used = (s: ServiceObject): Set<number> => new Set((s.spec?.ports ?? []).map((p) => p.nodePort ?? 0).filter((n) => n !== 0));
    const oldUsed = used(old);
    const taken = new Set([...used(svc)].filter((n) => oldUsed.has(n)));
    const byName = new Map((old.spec?.ports ?? []).map((p) => [p.name ?? '', p.nodePort ?? 0]));
    for (const p of spec.ports ?? []) {
      if (!p.nodePort) {
        const was = byName.get(p.name ?? '') ?? 0;
        if (was && !taken.has(was)) p.nodePort = was;
      }
    }
  }
  if (spec.type === 'LoadBalancer' && old.spec?.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local' && !spec.healthCheckNodePort) {
    spec.healthCheckNodePort = old.spec.healthCheckNodePort;
  }
}

/** Port(s) cell: `80/TCP,443:30443/TCP`, `<none>` when there are no ports. */
export function servicePortsCell(svc: ServiceObject): string {
  const s = (svc.spec?.ports ?? []).map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol ?? ''}` : `${p.port}/${p.protocol ?? ''}`)).join(',');
  return s || '<none>';
}

/** External-IP cell as kubectl shows it (server tables are wide: no truncation). */
export function serviceExternalIPCell(svc: ServiceObject): string {
  const spec = svc.spec ?? {};
  const external = spec.externalIPs ?? [];
  switch (spec.type ?? 'ClusterIP') {
    case 'ClusterIP':
    case 'NodePort':
      return external.length ? external.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = [...new Set((svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip || i.hostname || '').filter((s) => s !== ''))].sort();
      if (external.length) return [...lb, ...external].join(',');
      return lb.length ? lb.join(',') : '<pending>';
    }
    case 'ExternalName':
      return spec.externalName ?? '';
    default:
      return '<unknown>';
  }
}

export const services = defineResource<ServiceObject>({
  group: '', version: 'v1', kind: 'Service', plural: 'services', scope: 'Namespaced',
  shortNames: ['svc'], categories: ['all'],
  subresources: { status: true, other: ['proxy'] },
  schema: 'io.k8s.api.core.v1.Service',
  nameValidation: isDNS1035Label,
  defaults: defaultService,
  validate: validateService,
  prepareForCreate(svc) { Object.assign(svc, { status: {} }); },
  prepareForUpdate(svc, old) {
    Object.assign(svc, { status: old.status });
    patchAllocatedValues(svc, old);
  },
  printerColumns: [
    { name: 'Type', type: 'string', description: 'type determines how the Service is exposed.', cell: (s) => s.spec?.type ?? '' },
    { name: 'Cluster-IP', type: 'string', description: 'clusterIP is the IP address of the service.', cell: (s) => s.spec?.clusterIPs?.[0] ?? '<none>' },
    { name: 'External-IP', type: 'string', description: 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.', cell: serviceExternalIPCell },
    { name: 'Port(s)', type: 'string', description: 'The list of ports that are exposed by this service.', cell: servicePortsCell },
    { name: 'Age', type: 'string', cell: (s, now) => age(s.metadata.creationTimestamp, now) },
    { name: 'Selector', type: 'string', priority: 1, description: 'Route service traffic to pods with label keys and values matching this selector.', cell: (s) => formatLabels(s.spec?.selector) },
  ],
  fieldSelectors: {
    'spec.clusterIP': (s) => s.spec?.clusterIP ?? '',
    'spec.type': (s) => s.spec?.type ?? '',
  },
});
