import type { ServiceObject } from '../api/resources/core/services.js';
import type { EndpointSliceObject } from '../api/resources/discovery/endpoint-slices.js';
import { servicePortName, serviceChains, endpointChain } from './chain-names.js';

/** The label that ties an EndpointSlice to its Service. */
export const serviceNameLabel = 'kubernetes.io/service-name';

/** Default ClientIP affinity timeout (v1.DefaultClientIPServiceAffinitySeconds). */
export const defaultAffinitySeconds = 10800;

/** One port of one proxied Service, everything rule rendering needs (kube-proxy's ServicePort). */
export interface ServicePortInfo {
  /** `namespace/name:port` (or `namespace/name`), used in comments and chain hashes. */
  readonly nameString: string;
  /** `nameString/protocol`: the key endpoints are grouped by. */
  readonly key: string;
  readonly protocol: 'tcp' | 'udp' | 'sctp';
  readonly clusterIP: string;
  readonly port: number;
  /** 0 when the port has none. */
  readonly nodePort: number;
  readonly externalIPs: readonly string[];
  /** status.loadBalancer.ingress IPs (VIP mode) of a LoadBalancer Service. */
  readonly loadBalancerIPs: readonly string[];
  readonly loadBalancerSourceRanges: readonly string[];
  /** ClientIP affinity timeout in seconds, or 0 without affinity. */
  readonly affinitySeconds: number;
  readonly internalPolicyLocal: boolean;
  readonly externalPolicyLocal: boolean;
  readonly chains: { readonly cluster: string; readonly local: string; readonly external: string; readonly firewall: string };
}

/** One endpoint of one service port (kube-proxy's Endpoint). */
export interface EndpointInfo {
  readonly ip: string;
  readonly port: number;
  /** `ip:port` */
  readonly address: string;
  readonly isLocal: boolean;
  readonly ready: boolean;
  readonly serving: boolean;
  readonly terminating: boolean;
  readonly chain: string;
}

/** True for NodePort, LoadBalancer or external IPs: traffic may arrive from outside the cluster. */
export function isExternallyAccessible(sp: ServicePortInfo): boolean {
  return sp.nodePort !== 0 || sp.loadBalancerIPs.length > 0 || sp.externalIPs.length > 0;
}

/** True when the Service gets a virtual IP: not headless, not ExternalName. */
export function isProxied(svc: ServiceObject): boolean {
  const spec = svc.spec;
  if (!spec || spec.type === 'ExternalName') return false;
  const ip = spec.clusterIP;
  return !!ip && ip !== 'None' && !ip.includes(':');
}

const protocols = { TCP: 'tcp', UDP: 'udp', SCTP: 'sctp' } as const;

/** The proxied ports of a Service (none for headless and ExternalName Services). */
export function servicePortsOf(svc: ServiceObject): ServicePortInfo[] {
  if (!isProxied(svc)) return [];
  const spec = svc.spec!;
  const ns = svc.metadata.namespace ?? 'default';
  const type = spec.type ?? 'ClusterIP';
  const ipv4 = (ip: string | undefined): ip is string => !!ip && !ip.includes(':');
  const lbIPs = type === 'LoadBalancer'
    ? (svc.status?.loadBalancer?.ingress ?? []).filter((i) => (i as { ipMode?: string }).ipMode !== 'Proxy').map((i) => i.ip).filter(ipv4)
    : [];
  const affinitySeconds = spec.sessionAffinity === 'ClientIP'
    ? spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? defaultAffinitySeconds
    : 0;
  return (spec.ports ?? []).map((p) => {
    const protocol = protocols[(p.protocol ?? 'TCP') as keyof typeof protocols] ?? 'tcp';
    const nameString = servicePortName(ns, svc.metadata.name!, p.name ?? '');
    const nodePort = type === 'NodePort' || type === 'LoadBalancer' ? p.nodePort ?? 0 : 0;
    const info: Omit<ServicePortInfo, 'externalPolicyLocal'> = {
      nameString,
      key: `${nameString}/${protocol}`,
      protocol,
      clusterIP: spec.clusterIP!,
      port: p.port,
      nodePort,
      externalIPs: (spec.externalIPs ?? []).filter(ipv4),
      loadBalancerIPs: lbIPs,
      loadBalancerSourceRanges: type === 'LoadBalancer' ? (spec.loadBalancerSourceRanges ?? []).map((r) => r.trim()).filter((r) => r && !r.includes(':')).map((r) => (r.includes('/') ? r : `${r}/32`)) : [],
      affinitySeconds,
      internalPolicyLocal: spec.internalTrafficPolicy === 'Local',
      chains: serviceChains(nameString, protocol),
    };
    const external = nodePort !== 0 || info.loadBalancerIPs.length > 0 || info.externalIPs.length > 0;
    return { ...info, externalPolicyLocal: external && spec.externalTrafficPolicy === 'Local' };
  });
}

/** One slice's endpoints per service port key, before merging with the other slices. */
type SliceEndpoints = readonly (readonly [key: string, endpoints: readonly EndpointInfo[]])[];

/**
 * Memo of endpointsByServicePort across calls: each slice object's endpoints, and each Service's
 * merged lists, reused (same arrays) while the Service's slices are the same objects.
 */
export interface EndpointsCache {
  readonly slices: WeakMap<EndpointSliceObject, { nodeName: string; entries: SliceEndpoints }>;
  /** By `namespace/service`: the slices last merged, in order, and what they gave. */
  merged: Map<string, { nodeName: string; slices: readonly EndpointSliceObject[]; result: ReadonlyMap<string, EndpointInfo[]> }>;
}

export function endpointsCache(): EndpointsCache {
  return { slices: new WeakMap(), merged: new Map() };
}

function sliceEndpoints(slice: EndpointSliceObject, nodeName: string): SliceEndpoints {
  const out: [string, EndpointInfo[]][] = [];
  const svcName = slice.metadata.labels?.[serviceNameLabel];
  if (slice.addressType !== 'IPv4' || !svcName) return out;
  const ns = slice.metadata.namespace ?? 'default';
  for (const port of slice.ports ?? []) {
    if (port.port === undefined || port.port <= 0) continue;
    const protocol = protocols[(port.protocol ?? 'TCP') as keyof typeof protocols] ?? 'tcp';
    const nameString = servicePortName(ns, svcName, port.name ?? '');
    const eps: EndpointInfo[] = [];
    for (const ep of slice.endpoints ?? []) {
      const ip = ep.addresses?.[0];
      if (!ip) continue;
      const ready = ep.conditions?.ready ?? true;
      const address = `${ip}:${port.port}`;
      eps.push({
        ip, port: port.port, address,
        isLocal: !!nodeName && ep.nodeName === nodeName,
        ready,
        serving: ep.conditions?.serving ?? ready,
        terminating: ep.conditions?.terminating ?? false,
        chain: endpointChain(nameString, protocol, address),
      });
    }
    out.push([`${nameString}/${protocol}`, eps]);
  }
  return out;
}

/** Merges slices' endpoints by key: an endpoint listed twice is kept once, preferring a ready copy; sorted by address. */
function mergeEndpoints(perSlice: readonly SliceEndpoints[]): Map<string, EndpointInfo[]> {
  const byKey = new Map<string, Map<string, EndpointInfo>>();
  for (const entries of perSlice) {
    for (const [key, list] of entries) {
      let eps = byKey.get(key);
      if (!eps) byKey.set(key, (eps = new Map()));
      for (const ep of list) {
        const prior = eps.get(ep.address);
        if (prior?.ready && !ep.ready) continue;
        eps.set(ep.address, ep);
      }
    }
  }
  const out = new Map<string, EndpointInfo[]>();
  for (const [key, eps] of byKey) out.set(key, [...eps.values()].sort((a, b) => compareAddress(a, b)));
  return out;
}

/**
 * Endpoints of every service port, from the EndpointSlices (IPv4 only; the first address of
 * each endpoint, as kube-proxy takes it), keyed by ServicePortInfo.key and sorted by address.
 * An endpoint listed by several slices is kept once, preferring a ready copy. With a cache,
 * unchanged slices are not re-read and unchanged Services keep their arrays.
 */
export function endpointsByServicePort(slices: readonly EndpointSliceObject[], nodeName: string, cache?: EndpointsCache): Map<string, EndpointInfo[]> {
  if (!cache) return mergeEndpoints(slices.map((s) => sliceEndpoints(s, nodeName)));
  const byService = new Map<string, EndpointSliceObject[]>();
  for (const slice of slices) {
    const svcName = slice.metadata.labels?.[serviceNameLabel];
    if (slice.addressType !== 'IPv4' || !svcName) continue;
    const key = `${slice.metadata.namespace ?? 'default'}/${svcName}`;
    let list = byService.get(key);
    if (!list) byService.set(key, (list = []));
    list.push(slice);
  }
  const out = new Map<string, EndpointInfo[]>();
  const merged: EndpointsCache['merged'] = new Map();
  for (const [svc, svcSlices] of byService) {
    const prior = cache.merged.get(svc);
    let result = prior && prior.nodeName === nodeName && sameItems(prior.slices, svcSlices) ? prior.result : undefined;
    if (!result) {
      result = mergeEndpoints(svcSlices.map((s) => {
        const memo = cache.slices.get(s);
        if (memo && memo.nodeName === nodeName) return memo.entries;
        const entries = sliceEndpoints(s, nodeName);
        cache.slices.set(s, { nodeName, entries });
        return entries;
      }));
    }
    merged.set(svc, { nodeName, slices: svcSlices, result });
    for (const [key, eps] of result) out.set(key, eps);
  }
  cache.merged = merged;
  return out;
}

function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function compareAddress(a: EndpointInfo, b: EndpointInfo): number {
  return a.address < b.address ? -1 : a.address > b.address ? 1 : 0;
}

/** Which endpoints each traffic policy uses on this node (kube-proxy's CategorizeEndpoints, without topology hints). */
export interface CategorizedEndpoints {
  cluster: EndpointInfo[];
  local: EndpointInfo[];
  /** Endpoints that need a K8TS-SEP- chain on this node. */
  reachable: EndpointInfo[];
  /** Usable endpoints exist anywhere in the cluster. */
  hasAny: boolean;
}

export function categorizeEndpoints(sp: ServicePortInfo, endpoints: readonly EndpointInfo[]): CategorizedEndpoints {
  const usesCluster = !sp.internalPolicyLocal || (isExternallyAccessible(sp) && !sp.externalPolicyLocal);
  const usesLocal = sp.internalPolicyLocal || sp.externalPolicyLocal;
  let cluster: EndpointInfo[] = [];
  let local: EndpointInfo[] = [];
  let hasAny = false;
  if (usesCluster) {
    cluster = endpoints.filter((e) => e.ready);
    // No ready endpoint anywhere: fall back to serving-and-terminating ones, so a draining
    // Service keeps answering until the last pod is gone.
    if (cluster.length === 0) cluster = endpoints.filter((e) => e.serving && e.terminating);
    hasAny = cluster.length > 0;
  }
  if (!usesLocal) return { cluster, local, reachable: cluster, hasAny };
  let localReady = false;
  let localServingTerminating = false;
  for (const e of endpoints) {
    if (e.ready) { hasAny = true; if (e.isLocal) localReady = true; }
    else if (e.serving && e.terminating) { hasAny = true; if (e.isLocal) localServingTerminating = true; }
  }
  if (localReady) local = endpoints.filter((e) => e.isLocal && e.ready);
  else if (localServingTerminating) local = endpoints.filter((e) => e.isLocal && e.serving && e.terminating);
  if (!usesCluster) return { cluster, local, reachable: local, hasAny };
  const seen = new Set(cluster.map((e) => e.address));
  const reachable = [...cluster, ...local.filter((e) => !seen.has(e.address))];
  return { cluster, local, reachable, hasAny };
}
