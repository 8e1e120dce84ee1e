import type { EndpointAddress, EndpointPort, EndpointSubset } from 'kubernetes-types/core/v1.js';
import type { PodObject, ServiceObject } from '../../api/resources/index.js';
import { isPodReady } from '../podutil/index.js';
import { findPort, podIPv4, shouldPodBeInEndpoints, shouldSetHostname } from '../endpointslice/index.js';

/** Endpoints beyond this many addresses are truncated (upstream's maxCapacity). */
export const maxEndpointsCapacity = 1000;
export const overCapacityAnnotation = 'endpoints.kubernetes.io/over-capacity';

interface Entry { address: EndpointAddress; ready: boolean; ports: EndpointPort[] }

const addressKey = (a: EndpointAddress) => `${a.ip}/${a.targetRef?.uid ?? ''}`;
const portSetKey = (ports: readonly EndpointPort[]) => JSON.stringify([...ports].map((p) => [p.name ?? '', p.port, p.protocol ?? 'TCP', p.appProtocol ?? '']).sort());

/**
 * The Endpoints controller's subsets for a service (syncService + RepackSubsets): one address
 * per selected pod with an IPv4 address, ready ones in `addresses` and the others in
 * `notReadyAddresses` (all ready with publishNotReadyAddresses; terminating pods only then),
 * grouped into subsets of addresses that share the same resolved ports. A headless service
 * without ports lists its addresses without ports.
 */
export function endpointSubsets(svc: ServiceObject, podsOfService: readonly PodObject[]): EndpointSubset[] {
  const tolerateUnready = svc.spec?.publishNotReadyAddresses === true;
  const servicePorts = svc.spec?.ports ?? [];
  const entries = new Map<string, Entry>();
  for (const pod of podsOfService) {
    if (!shouldPodBeInEndpoints(pod, tolerateUnready)) continue;
    const ip = podIPv4(pod);
    if (!ip) continue;
    const address: EndpointAddress = { ip, targetRef: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid } };
    if (pod.spec?.nodeName) address.nodeName = pod.spec.nodeName;
    if (shouldSetHostname(pod, svc)) address.hostname = pod.spec!.hostname;
    const ports: EndpointPort[] = [];
    if (servicePorts.length === 0) {
      if (svc.spec?.clusterIP !== 'None') continue;
    } else {
      for (const sp of servicePorts) {
        const port = findPort(pod, sp);
        if (port === undefined) continue;
        const ep: EndpointPort = { name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP' };
        if (sp.appProtocol) ep.appProtocol = sp.appProtocol;
        ports.push(ep);
      }
      if (ports.length === 0) continue;
    }
    const k = addressKey(address);
    const prev = entries.get(k);
    entries.set(k, { address, ready: tolerateUnready || isPodReady(pod), ports: prev ? [...prev.ports, ...ports] : ports });
  }
  // RepackSubsets: addresses with the same port set share a subset
  const subsets = new Map<string, { ports: EndpointPort[]; ready: EndpointAddress[]; notReady: EndpointAddress[] }>();
  for (const e of entries.values()) {
    const k = portSetKey(e.ports);
    let s = subsets.get(k);
    if (!s) subsets.set(k, (s = { ports: [...e.ports].sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '') || a.port - b.port), ready: [], notReady: [] }));
    (e.ready ? s.ready : s.notReady).push(e.address);
  }
  const byIp = (a: EndpointAddress, b: EndpointAddress) => a.ip.localeCompare(b.ip, 'en', { numeric: true }) || (a.targetRef?.uid ?? '').localeCompare(b.targetRef?.uid ?? '');
  const out: EndpointSubset[] = [];
  for (const [, s] of [...subsets].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const subset: EndpointSubset = {};
    if (s.ready.length) subset.addresses = s.ready.sort(byIp);
    if (s.notReady.length) subset.notReadyAddresses = s.notReady.sort(byIp);
    if (s.ports.length) subset.ports = s.ports;
    out.push(subset);
  }
  return out;
}

/** Truncates to maxEndpointsCapacity addresses (ready ones kept first), as upstream does. */
export function truncateSubsets(subsets: readonly EndpointSubset[], max = maxEndpointsCapacity): { subsets: EndpointSubset[]; truncated: boolean } {
  const total = subsets.reduce((n, s) => n + (s.addresses?.length ?? 0) + (s.notReadyAddresses?.length ?? 0), 0);
  if (total <= max) return { subsets: [...subsets], truncated: false };
  let room = max;
  const out = subsets.map((s) => ({ ...s, addresses: [...(s.addresses ?? [])], notReadyAddresses: [...(s.notReadyAddresses ?? [])] }));
  for (const s of out) { s.addresses = s.addresses.slice(0, Math.max(0, room)); room -= s.addresses.length; }
  for (const s of out) { s.notReadyAddresses = s.notReadyAddresses.slice(0, Math.max(0, room)); room -= s.notReadyAddresses.length; }
  return {
    subsets: out.filter((s) => s.addresses.length || s.notReadyAddresses.length).map((s) => {
      const c: EndpointSubset = { ...s };
      if (!s.addresses.length) delete c.addresses;
      if (!s.notReadyAddresses.length) delete c.notReadyAddresses;
      return c;
    }),
    truncated: true,
  };
}
