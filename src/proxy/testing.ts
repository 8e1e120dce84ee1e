import type { EndpointSliceObject } from '../api/resources/discovery/endpoint-slices.js';
import type { ServiceObject } from '../api/resources/core/services.js';
import type { ServiceSpec, ServiceStatus } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointPort } from 'kubernetes-types/discovery/v1.js';

/** A Service for tests: `ports` default to one TCP port 80 named http. */
export function testService(ns: string, name: string, spec: ServiceSpec, status?: ServiceStatus): ServiceObject {
  return {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name, namespace: ns, creationTimestamp: '2025-01-01T00:00:00Z' },
    spec: { type: 'ClusterIP', ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }], ...spec },
    ...(status ? { status } : {}),
  };
}

/** A ready endpoint on `node`. */
export function testEndpoint(ip: string, node = 'node-a', conditions: Endpoint['conditions'] = { ready: true, serving: true, terminating: false }, extra: Partial<Endpoint> = {}): Endpoint {
  return { addresses: [ip], nodeName: node, conditions, ...extra };
}

export function testSlice(ns: string, service: string, endpoints: Endpoint[], ports: EndpointPort[] = [{ name: 'http', port: 8080, protocol: 'TCP' }], suffix = 'abcde'): EndpointSliceObject {
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { name: `${service}-${suffix}`, namespace: ns, labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4', endpoints, ports,
  };
}
