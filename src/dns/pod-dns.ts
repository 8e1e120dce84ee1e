import type { Pod } from 'kubernetes-types/core/v1.js';
import type { ResolvConf } from './resolv-conf.js';

/** The CRI DNSConfig of a pod sandbox: what containerd writes into the pod's resolv.conf. */
export interface PodDnsConfig {
  servers: string[];
  searches: string[];
  options: string[];
}

export interface PodDnsParams {
  /** The kubelet's --cluster-dns addresses (10.43.0.10). */
  clusterDns: readonly string[];
  /** --cluster-domain (cluster.local). */
  clusterDomain: string;
  /** The node's own resolv.conf, for dnsPolicy Default and the host's search domains. */
  hostResolvConf: ResolvConf;
}

/** The kubelet's limits (pkg/apis/core/validation, pkg/kubelet/network/dns). */
export const maxDnsNameservers = 3;
export const maxDnsSearchPaths = 32;
export const maxDnsSearchListChars = 2048;

const isLoopback = (ip: string) => ip.startsWith('127.') || ip === '::1';

/**
 * The DNS configuration of a pod as the kubelet computes it: ClusterFirst (the default)
 * points at the cluster DNS with the namespace's search path and ndots:5, plus the host's search
 * domains; hostNetwork pods use the host's resolver unless ClusterFirstWithHostNet; Default
 * copies the host's resolv.conf (without loopback nameservers, unreachable from a pod); None
 * starts empty; `dnsConfig` is then merged in (servers and searches appended without
 * duplicates, options overridden by name). Pure.
 */
export function podDnsConfig(pod: Pick<Pod, 'metadata' | 'spec'>, params: PodDnsParams): PodDnsConfig {
  const spec = pod.spec;
  const host = params.hostResolvConf;
  let policy = spec?.dnsPolicy ?? 'ClusterFirst';
  if (spec?.hostNetwork && policy === 'ClusterFirst') policy = 'Default';
  if (policy === 'ClusterFirstWithHostNet') policy = 'ClusterFirst';
  if (policy === 'ClusterFirst' && params.clusterDns.length === 0) policy = 'Default';

  let cfg: PodDnsConfig;
  if (policy === 'ClusterFirst') {
    const domain = params.clusterDomain.replace(/\.$/, '');
    const ns = pod.metadata?.namespace || 'default';
    cfg = {
      servers: [...params.clusterDns],
      searches: [`${ns}.svc.${domain}`, `svc.${domain}`, domain, ...host.searches],
      options: ['ndots:5'],
    };
  } else if (policy === 'None') {
    cfg = { servers: [], searches: [], options: [] };
  } else {
    cfg = {
      servers: spec?.hostNetwork ? [...host.nameservers] : host.nameservers.filter((s) => !isLoopback(s)),
      searches: [...host.searches],
      options: [...host.options],
    };
  }

  const extra = spec?.dnsConfig;
  if (extra) {
    cfg.servers = dedupe([...cfg.servers, ...(extra.nameservers ?? [])]);
    cfg.searches = dedupe([...cfg.searches, ...(extra.searches ?? [])]);
    cfg.options = mergeOptions(cfg.options, (extra.options ?? []).map((o) => (o.value !== undefined ? `${o.name}:${o.value}` : o.name ?? '')).filter((o) => o));
  }
  cfg.servers = cfg.servers.slice(0, maxDnsNameservers);
  cfg.searches = limitSearches(cfg.searches.map((s) => s.replace(/\.$/, '')).filter((s) => s));
  return cfg;
}

function dedupe(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/** Options by name: a later value replaces an earlier one, in the earlier one's place. */
function mergeOptions(base: readonly string[], extra: readonly string[]): string[] {
  const byName = new Map<string, string>();
  for (const o of [...base, ...extra]) byName.set(o.split(':')[0]!, o);
  return [...byName.values()];
}

function limitSearches(searches: readonly string[]): string[] {
  const out: string[] = [];
  let chars = 0;
  for (const s of dedupe(searches)) {
    if (out.length >= maxDnsSearchPaths || chars + s.length + (out.length ? 1 : 0) > maxDnsSearchListChars) break;
    chars += s.length + (out.length ? 1 : 0);
    out.push(s);
  }
  return out;
}
