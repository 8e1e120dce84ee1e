import type { Endpoint, EndpointPort } from 'kubernetes-types/discovery/v1.js';
import type { ServicePort } from 'kubernetes-types/core/v1.js';
import type { NodeObject, PodObject, ServiceObject } from '../../api/resources/index.js';
import { isPodReady } from '../podutil/index.js';

/** Annotation with the time of the last change that triggered an endpoints update. */
export const lastChangeTriggerTimeAnnotation = 'endpoints.kubernetes.io/last-change-trigger-time';
export const topologyZoneLabel = 'topology.kubernetes.io/zone';

/** endpointsliceutil.ShouldPodBeInEndpoints: not terminal, has an IP, terminating only when asked. */
export function shouldPodBeInEndpoints(pod: PodObject, includeTerminating: boolean): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  if (!pod.status?.podIP && !(pod.status?.podIPs ?? []).length) return false;
  if (!includeTerminating && pod.metadata.deletionTimestamp) return false;
  return true;
}

/** ShouldSetHostname: the pod names a hostname and this service as its subdomain. */
export function shouldSetHostname(pod: PodObject, svc: ServiceObject): boolean {
  return !!pod.spec?.hostname && pod.spec.subdomain === svc.metadata.name && pod.metadata.namespace === svc.metadata.namespace;
}

/**
 * podutil.FindPort: a named targetPort resolves to the container port of that name and
 * protocol; a number is taken as is. Undefined when the name is not found.
 */
export function findPort(pod: PodObject, port: ServicePort): number | undefined {
  const target = port.targetPort ?? port.port;
  if (typeof target === 'number') return target;
  const asNumber = Number(target);
  if (target !== '' && Number.isInteger(asNumber)) return asNumber;
  const protocol = port.protocol ?? 'TCP';
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
  }
  return undefined;
}

/** The pod's IPv4 address (status.podIPs, else status.podIP). */
export function podIPv4(pod: PodObject): string | undefined {
  const ips = [...(pod.status?.podIPs ?? []).map((p) => p.ip), pod.status?.podIP].filter((ip): ip is string => !!ip);
  return ips.find((ip) => !ip.includes(':'));
}

/** getEndpointPorts: the service's ports resolved against one pod (unresolvable ones left out). */
export function endpointPorts(svc: ServiceObject, pod: PodObject): EndpointPort[] {
  const out: EndpointPort[] = [];
  for (const sp of svc.spec?.ports ?? []) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    const ep: EndpointPort = { name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP' };
    if (sp.appProtocol) ep.appProtocol = sp.appProtocol;
    out.push(ep);
  }
  return out;
}

/** podToEndpoint: ready/serving/terminating, targetRef, nodeName, zone, hostname. */
export function podToEndpoint(pod: PodObject, svc: ServiceObject, node: NodeObject | undefined): Endpoint {
  const publishNotReady = svc.spec?.publishNotReadyAddresses === true;
  const serving = publishNotReady || isPodReady(pod);
  const terminating = !!pod.metadata.deletionTimestamp;
  const ready = publishNotReady || (serving && !terminating);
  const ep: Endpoint = {
    addresses: [podIPv4(pod) ?? ''],
    conditions: { ready, serving, terminating },
    targetRef: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid },
  };
  if (pod.spec?.nodeName) ep.nodeName = pod.spec.nodeName;
  const zone = node?.metadata.labels?.[topologyZoneLabel];
  if (zone) ep.zone = zone;
  if (shouldSetHostname(pod, svc)) ep.hostname = pod.spec!.hostname;
  return ep;
}

/**
 * The time of the latest change among the service and its pods (creation, readiness
 * transition, deletion), for the last-change-trigger-time annotation.
 */
export function lastChangeTriggerTime(svc: ServiceObject, pods: readonly PodObject[]): string | undefined {
  const times: string[] = [];
  if (svc.metadata.creationTimestamp) times.push(svc.metadata.creationTimestamp);
  for (const p of pods) {
    if (p.metadata.creationTimestamp) times.push(p.metadata.creationTimestamp);
    if (p.metadata.deletionTimestamp) times.push(p.metadata.deletionTimestamp);
    for (const c of p.status?.conditions ?? []) if (c.type === 'Ready' && c.lastTransitionTime) times.push(c.lastTransitionTime);
  }
  let best: string | undefined;
  let bestMs = -Infinity;
  for (const t of times) {
    const ms = Date.parse(t);
    if (ms > bestMs) { bestMs = ms; best = t; }
  }
  return best;
}
