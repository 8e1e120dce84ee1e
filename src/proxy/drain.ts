import type { ServiceObject } from '../api/resources/core/services.js';
import type { EndpointSliceObject } from '../api/resources/discovery/endpoint-slices.js';
import type { NodeNetConfig } from './rules.js';
import { categorizeEndpoints, endpointsByServicePort, servicePortsOf } from './service-ports.js';

const serviceNameLabel = 'kubernetes.io/service-name';

/**
 * Which of `ips` the rules for these Services and EndpointSlices still pick for new
 * connections as *ready* endpoints. An IP missing from the result is drained: no rule sends it
 * new connections, or it is kept only as the terminating fallback of a Service with no ready
 * endpoint left (kube-proxy's semantics: a draining Service keeps answering with its
 * serving-terminating endpoints, so waiting for those to go would only make it fail sooner).
 * Pure; only the slices that list one of `ips` are looked at.
 */
export function readyRoutedIPs(ips: Iterable<string>, services: readonly ServiceObject[], slices: readonly EndpointSliceObject[], node: NodeNetConfig): Set<string> {
  const wanted = new Set(ips);
  const out = new Set<string>();
  if (wanted.size === 0) return out;
  const sliceKey = (s: EndpointSliceObject) => `${s.metadata.namespace ?? 'default'}/${s.metadata.labels?.[serviceNameLabel] ?? ''}`;
  const names = new Set(slices.filter((s) => s.endpoints?.some((e) => wanted.has(e.addresses?.[0] ?? ''))).map(sliceKey));
  if (names.size === 0) return out;
  // Every slice of those Services: the ready endpoints that decide the fallback may be in others.
  const endpoints = endpointsByServicePort(slices.filter((s) => names.has(sliceKey(s))), node.nodeName);
  const skipIPs = new Set(node.nodeLocalServiceIPs ?? []);
  for (const svc of services) {
    if (!names.has(`${svc.metadata.namespace ?? 'default'}/${svc.metadata.name}`)) continue;
    for (const sp of servicePortsOf(svc)) {
      if (skipIPs.has(sp.clusterIP)) continue;
      for (const ep of categorizeEndpoints(sp, endpoints.get(sp.key) ?? []).reachable) if (ep.ready && wanted.has(ep.ip)) out.add(ep.ip);
    }
  }
  return out;
}
