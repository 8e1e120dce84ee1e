import { cidrContains, parseCidr } from '../network/cidr.js';
import type { ServiceObject } from '../api/resources/core/services.js';
import type { EndpointSliceObject } from '../api/resources/discovery/endpoint-slices.js';
import {
  servicesChain, externalServicesChain, nodePortsChain, postroutingChain, markMasqChain, forwardChain,
  proxyFirewallChain, localnetFirewallChain,
} from './chain-names.js';
import type { EndpointInfo, ServicePortInfo } from './service-ports.js';
import type { EndpointsCache } from './service-ports.js';
import { categorizeEndpoints, endpointsByServicePort, endpointsCache, isExternallyAccessible, servicePortsOf } from './service-ports.js';

/** What rule rendering needs to know about the node it runs on. */
export interface NodeNetConfig {
  /** This node's name: endpoints with this nodeName are local (traffic policy Local). */
  nodeName: string;
  /** The node's addresses (InternalIP first). */
  nodeIPs: readonly string[];
  /** The cluster (pod) CIDR: traffic from it is "from a pod", the rest is masqueraded on its way to a ClusterIP. */
  clusterCidr: string;
  /** The bit of the packet mark that asks for SNAT; default 14 (0x4000), as kube-proxy. */
  masqueradeBit?: number;
  /** NodePorts also answer on 127.0.0.1 (needs net.ipv4.conf.all.route_localnet=1); default true, as kube-proxy. */
  localhostNodePorts?: boolean;
  /** Masquerade pod traffic leaving the cluster CIDR (the CNI bridge runs with ipMasq false); default true. */
  podEgressMasquerade?: boolean;
  /**
   * The service CIDR: new connections to an address in it that no Service rule DNATed are
   * rejected at once (as kube-proxy's nftables mode does), instead of vanishing into the
   * service sink — a client that tries a ClusterIP just before its rules exist is refused and
   * retries, rather than waiting out a SYN retransmission on a conntrack entry without NAT.
   */
  serviceCidr?: string;
  /** Service IPs this node answers itself (the cluster DNS address bound on the sink bridge): never DNATed or rejected. */
  nodeLocalServiceIPs?: readonly string[];
  /** nf_conntrack_tcp_be_liberal is set: no DROP of INVALID packets. Default false. */
  conntrackTcpLiberal?: boolean;
}

/** One chain and its rules, each a full `-A CHAIN …` line of iptables-restore input. */
export interface ChainRules { readonly name: string; readonly rules: readonly string[] }

/** The whole desired ruleset of the proxy: our chains of the filter and nat tables, in order. */
export interface RuleSet {
  readonly filter: readonly ChainRules[];
  readonly nat: readonly ChainRules[];
}

/** Text for `iptables-restore --noflush`. */
export type RestoreText = string;

/** A rule in a built-in chain that sends packets into one of ours; ensured separately (never flushed). */
export interface JumpRule {
  readonly table: 'filter' | 'nat';
  readonly chain: 'INPUT' | 'OUTPUT' | 'FORWARD' | 'PREROUTING' | 'POSTROUTING';
  readonly target: string;
  /** The rule's match arguments, without `-A CHAIN` and `-j TARGET`. */
  readonly args: string;
}

/** The jumps from the built-in chains into ours (kube-proxy's iptablesJumpChains), in order of precedence. */
export function jumpRules(node: NodeNetConfig): JumpRule[] {
  const isNew = '-m conntrack --ctstate NEW';
  const jumps: JumpRule[] = [
    { table: 'filter', chain: 'INPUT', target: externalServicesChain, args: `${isNew} -m comment --comment "k8ts externally-visible service portals"` },
    { table: 'filter', chain: 'FORWARD', target: externalServicesChain, args: `${isNew} -m comment --comment "k8ts externally-visible service portals"` },
    { table: 'filter', chain: 'FORWARD', target: servicesChain, args: `${isNew} -m comment --comment "k8ts service portals"` },
    { table: 'filter', chain: 'OUTPUT', target: servicesChain, args: `${isNew} -m comment --comment "k8ts service portals"` },
    { table: 'filter', chain: 'FORWARD', target: forwardChain, args: '-m comment --comment "k8ts forwarding rules"' },
    { table: 'filter', chain: 'INPUT', target: proxyFirewallChain, args: `${isNew} -m comment --comment "k8ts load balancer firewall"` },
    { table: 'filter', chain: 'OUTPUT', target: proxyFirewallChain, args: `${isNew} -m comment --comment "k8ts load balancer firewall"` },
    { table: 'filter', chain: 'FORWARD', target: proxyFirewallChain, args: `${isNew} -m comment --comment "k8ts load balancer firewall"` },
    { table: 'nat', chain: 'OUTPUT', target: servicesChain, args: '-m comment --comment "k8ts service portals"' },
    { table: 'nat', chain: 'PREROUTING', target: servicesChain, args: '-m comment --comment "k8ts service portals"' },
    { table: 'nat', chain: 'POSTROUTING', target: postroutingChain, args: '-m comment --comment "k8ts postrouting rules"' },
  ];
  if (node.localhostNodePorts ?? true) {
    jumps.push(
      { table: 'filter', chain: 'INPUT', target: localnetFirewallChain, args: '' },
      { table: 'filter', chain: 'OUTPUT', target: localnetFirewallChain, args: '' },
    );
  }
  return jumps;
}

/** `1/n` as kube-proxy prints it (`%0.10f`). */
export function probability(n: number): string {
  return (1 / n).toFixed(10);
}

/** Endpoint counts above which per-endpoint comments are left out, as kube-proxy's largeClusterMode. */
export const largeClusterEndpoints = 1000;

/** The chains of one iptables table being built: rules appended per chain, in declaration order. */
export class ChainTable {
  readonly chains = new Map<string, string[]>();
  chain(name: string): string[] {
    let rules = this.chains.get(name);
    if (!rules) this.chains.set(name, (rules = []));
    return rules;
  }
  add(chain: string, ...args: string[]): void {
    this.chain(chain).push(`-A ${chain} ${args.filter((a) => a !== '').join(' ')}`);
  }
  list(): ChainRules[] {
    return [...this.chains].map(([name, rules]) => ({ name, rules }));
  }
}

/** A ChainTable that only records what was asked of it, to be replayed into the real one. */
class Recorder {
  /** `[chain]` declares a chain, `[chain, line]` appends a rule line. */
  readonly ops: [string, string?][] = [];
  chain(name: string): void { this.ops.push([name]); }
  add(chain: string, ...args: string[]): void {
    this.ops.push([chain, `-A ${chain} ${args.filter((a) => a !== '').join(' ')}`]);
  }
  replay(into: ChainTable): void {
    for (const [chain, line] of this.ops) {
      const rules = into.chain(chain);
      if (line !== undefined) rules.push(line);
    }
  }
}

/** What one service port adds to the two tables. */
interface Fragment { readonly filter: Recorder; readonly nat: Recorder }

/**
 * Memos of renderRules, owned by one caller (the proxier) across syncs: the ports of each Service
 * object, the endpoints of each EndpointSlice object, and each service port's rules, keyed by the
 * identity of the (immutable) informer objects they came from. The output is the same with or
 * without it; only unchanged Services and slices are not re-derived.
 */
export interface RenderCache {
  readonly ports: WeakMap<ServiceObject, ServicePortInfo[]>;
  readonly endpoints: EndpointsCache;
  readonly fragments: WeakMap<ServicePortInfo, { eps: readonly EndpointInfo[]; largeCluster: boolean; node: NodeNetConfig; fragment: Fragment }>;
}

export function renderCache(): RenderCache {
  return { ports: new WeakMap(), endpoints: endpointsCache(), fragments: new WeakMap() };
}

/** servicePortsOf, remembered per Service object when a cache is given. */
export function cachedServicePorts(svc: ServiceObject, cache?: RenderCache): ServicePortInfo[] {
  if (!cache) return servicePortsOf(svc);
  let ports = cache.ports.get(svc);
  if (!ports) cache.ports.set(svc, (ports = servicePortsOf(svc)));
  return ports;
}

const comment = (text: string) => `-m comment --comment "${text}"`;

/**
 * The proxy's whole ruleset for these Services and EndpointSlices on this node: a pure
 * function (same input, same output), following kube-proxy's iptables mode rule for rule —
 * ClusterIP, NodePort on every local address, external IPs, LoadBalancer ingress IPs (with
 * loadBalancerSourceRanges), traffic policies Cluster/Local, ClientIP affinity, hairpin and
 * off-cluster masquerading, REJECT for Services without endpoints.
 */
export function renderRules(services: readonly ServiceObject[], endpointSlices: readonly EndpointSliceObject[], node: NodeNetConfig, cache?: RenderCache): RuleSet {
  const mark = `0x${(1 << (node.masqueradeBit ?? 14)).toString(16).padStart(4, '0')}`;
  const localhostNodePorts = node.localhostNodePorts ?? true;
  const skipIPs = new Set(node.nodeLocalServiceIPs ?? []);
  const filter = new ChainTable();
  const nat = new ChainTable();
  for (const c of [servicesChain, externalServicesChain, forwardChain, nodePortsChain, proxyFirewallChain]) filter.chain(c);
  for (const c of [servicesChain, nodePortsChain, postroutingChain, markMasqChain]) nat.chain(c);

  if (node.podEgressMasquerade ?? true) {
    nat.add(postroutingChain, '-s', node.clusterCidr, '!', '-d', node.clusterCidr, comment('k8ts pod traffic leaving the cluster network'), '-j MASQUERADE --random-fully');
  }
  nat.add(postroutingChain, '-m mark !', '--mark', `${mark}/${mark}`, '-j RETURN');
  nat.add(postroutingChain, '-j MARK --xor-mark', mark);
  nat.add(postroutingChain, comment('kubernetes service traffic requiring SNAT'), '-j MASQUERADE --random-fully');
  nat.add(markMasqChain, '-j MARK --or-mark', mark);

  if (localhostNodePorts) {
    filter.add(localnetFirewallChain, comment('block incoming localnet connections'), '-d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP');
  }

  const ports = services.flatMap((svc) => cachedServicePorts(svc, cache)).filter((sp) => !skipIPs.has(sp.clusterIP))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const endpoints = endpointsByServicePort(endpointSlices, node.nodeName, cache?.endpoints);
  let total = 0;
  for (const sp of ports) total += endpoints.get(sp.key)?.length ?? 0;
  const largeCluster = total > largeClusterEndpoints;

  for (const sp of ports) {
    const eps = endpoints.get(sp.key) ?? noEndpoints;
    const memo = cache?.fragments.get(sp);
    let fragment = memo && memo.eps === eps && memo.largeCluster === largeCluster && memo.node === node ? memo.fragment : undefined;
    if (!fragment) {
      fragment = { filter: new Recorder(), nat: new Recorder() };
      renderServicePort(sp, eps, { filter: fragment.filter, nat: fragment.nat, mark, node, largeCluster, localhostNodePorts });
      cache?.fragments.set(sp, { eps, largeCluster, node, fragment });
    }
    fragment.filter.replay(filter);
    fragment.nat.replay(nat);
  }

  // Last in K8TS-SERVICES: anything addressed to this node may be a NodePort.
  nat.add(servicesChain, comment('kubernetes service nodeports; NOTE: this must be the last rule in this chain'),
    '-m addrtype --dst-type LOCAL', localhostNodePorts ? '' : '! -d 127.0.0.0/8', '-j', nodePortsChain);
  if (node.serviceCidr) {
    // TCP gets a reset: a connect() from this node learns of an ICMP error only at its SYN
    // retransmission (the error arrives while connect holds the socket), a second later.
    filter.add(servicesChain, '-d', node.serviceCidr, '-p tcp', comment('k8ts unallocated or not yet programmed service IP'),
      '-m addrtype ! --dst-type LOCAL', '-j REJECT --reject-with tcp-reset');
    filter.add(servicesChain, '-d', node.serviceCidr, comment('k8ts unallocated or not yet programmed service IP'),
      '-m addrtype ! --dst-type LOCAL', '-j REJECT --reject-with icmp-port-unreachable');
  }

  if (!node.conntrackTcpLiberal) filter.add(forwardChain, '-m conntrack --ctstate INVALID -j DROP');
  filter.add(forwardChain, comment('kubernetes forwarding rules'), '-m mark --mark', `${mark}/${mark}`, '-j ACCEPT');
  filter.add(forwardChain, comment('kubernetes forwarding conntrack rule'), '-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT');
  // Pod traffic is forwarded even when the host's FORWARD policy is DROP (as flannel does).
  filter.add(forwardChain, '-s', node.clusterCidr, comment('k8ts pod traffic'), '-j ACCEPT');
  filter.add(forwardChain, '-d', node.clusterCidr, comment('k8ts pod traffic'), '-j ACCEPT');

  return { filter: filter.list(), nat: nat.list() };
}

const noEndpoints: readonly EndpointInfo[] = [];

interface RenderContext {
  filter: Recorder;
  nat: Recorder;
  mark: string;
  node: NodeNetConfig;
  largeCluster: boolean;
  localhostNodePorts: boolean;
}

function renderServicePort(sp: ServicePortInfo, all: readonly EndpointInfo[], ctx: RenderContext): void {
  const { filter, nat, node } = ctx;
  const name = sp.nameString;
  const proto = `-p ${sp.protocol} -m ${sp.protocol}`;
  const { cluster, local, reachable, hasAny } = categorizeEndpoints(sp, all);
  const chains = sp.chains;
  const usesClusterChain = cluster.length > 0 && (!sp.internalPolicyLocal || (isExternallyAccessible(sp) && !sp.externalPolicyLocal));
  const usesLocalChain = local.length > 0 && (sp.internalPolicyLocal || sp.externalPolicyLocal);

  const internalChain = sp.internalPolicyLocal ? chains.local : chains.cluster;
  const hasInternal = hasAny && (!sp.internalPolicyLocal || local.length > 0);
  const externalPolicyChain = sp.externalPolicyLocal ? chains.local : chains.cluster;
  const hasExternal = hasAny && (!sp.externalPolicyLocal || local.length > 0);
  const usesExternalChain = hasAny && isExternallyAccessible(sp);
  const usesFirewall = hasAny && sp.loadBalancerIPs.length > 0 && sp.loadBalancerSourceRanges.length > 0;
  const lbChain = usesFirewall ? chains.firewall : chains.external;

  // TCP is refused with a reset (kube-proxy sends ICMP): a client on this node sees an ICMP
  // error only at its SYN retransmission, a second later; a reset refuses it at once.
  const reject = sp.protocol === 'tcp' ? 'REJECT --reject-with tcp-reset' : 'REJECT --reject-with icmp-port-unreachable';
  const internalFilter = !hasAny ? { target: reject, text: `${name} has no endpoints` }
    : !hasInternal ? { target: 'DROP', text: `${name} has no local endpoints` } : undefined;
  const externalFilter = !hasAny ? internalFilter
    : !hasExternal ? { target: 'DROP', text: `${name} has no local endpoints` } : undefined;

  // ClusterIP
  if (hasInternal) {
    nat.add('K8TS-SERVICES', comment(`${name} cluster IP`), proto, '-d', `${sp.clusterIP}/32`, '--dport', String(sp.port), '-j', internalChain);
  } else {
    filter.add('K8TS-SERVICES', comment(internalFilter!.text), proto, '-d', `${sp.clusterIP}/32`, '--dport', String(sp.port), '-j', internalFilter!.target);
  }
  // External IPs
  for (const ip of sp.externalIPs) {
    if (hasAny) nat.add('K8TS-SERVICES', comment(`${name} external IP`), proto, '-d', `${ip}/32`, '--dport', String(sp.port), '-j', chains.external);
    if (externalFilter) filter.add('K8TS-EXTERNAL-SERVICES', comment(externalFilter.text), proto, '-d', `${ip}/32`, '--dport', String(sp.port), '-j', externalFilter.target);
  }
  // LoadBalancer ingress IPs (ServiceLB: the nodes' own addresses)
  for (const ip of sp.loadBalancerIPs) {
    if (hasAny) nat.add('K8TS-SERVICES', comment(`${name} loadbalancer IP`), proto, '-d', `${ip}/32`, '--dport', String(sp.port), '-j', lbChain);
    if (usesFirewall) filter.add('K8TS-PROXY-FIREWALL', comment(`${name} traffic not accepted by ${chains.firewall}`), proto, '-d', `${ip}/32`, '--dport', String(sp.port), '-j DROP');
  }
  if (externalFilter) {
    for (const ip of sp.loadBalancerIPs) filter.add('K8TS-EXTERNAL-SERVICES', comment(externalFilter.text), proto, '-d', `${ip}/32`, '--dport', String(sp.port), '-j', externalFilter.target);
  }
  // NodePort
  if (sp.nodePort !== 0) {
    if (hasAny) nat.add('K8TS-NODEPORTS', comment(name), proto, '--dport', String(sp.nodePort), '-j', chains.external);
    if (externalFilter) filter.add('K8TS-EXTERNAL-SERVICES', comment(externalFilter.text), '-m addrtype --dst-type LOCAL', proto, '--dport', String(sp.nodePort), '-j', externalFilter.target);
  }

  // Internal traffic: masquerade what does not come from a pod.
  if (hasInternal) {
    nat.add(internalChain, comment(`${name} cluster IP`), proto, '-d', `${sp.clusterIP}/32`, '--dport', String(sp.port), '!', '-s', node.clusterCidr, '-j', markMasqChain);
  }
  // External traffic.
  if (usesExternalChain) {
    nat.chain(chains.external);
    if (!sp.externalPolicyLocal) {
      nat.add(chains.external, comment(`masquerade traffic for ${name} external destinations`), '-j', markMasqChain);
    } else {
      nat.add(chains.external, comment(`pod traffic for ${name} external destinations`), '-s', node.clusterCidr, '-j', chains.cluster);
      nat.add(chains.external, comment(`masquerade LOCAL traffic for ${name} external destinations`), '-m addrtype --src-type LOCAL -j', markMasqChain);
      nat.add(chains.external, comment(`route LOCAL traffic for ${name} external destinations`), '-m addrtype --src-type LOCAL -j', chains.cluster);
    }
    if (hasExternal) nat.add(chains.external, '-j', externalPolicyChain);
  }
  // loadBalancerSourceRanges
  if (usesFirewall) {
    nat.chain(chains.firewall);
    let allowFromNode = false;
    for (const range of sp.loadBalancerSourceRanges) {
      nat.add(chains.firewall, comment(`${name} loadbalancer IP`), '-s', range, '-j', chains.external);
      if (node.nodeIPs.some((ip) => cidrContains(parseCidr(range), ip))) allowFromNode = true;
    }
    if (allowFromNode) for (const ip of sp.loadBalancerIPs) nat.add(chains.firewall, comment(`${name} loadbalancer IP`), '-s', `${ip}/32`, '-j', chains.external);
    nat.add(chains.firewall, comment(`other traffic to ${name} will be dropped by K8TS-PROXY-FIREWALL`));
  }
  if (usesClusterChain) endpointJumps(nat, sp, chains.cluster, cluster, ctx.largeCluster);
  if (usesLocalChain) endpointJumps(nat, sp, chains.local, local, ctx.largeCluster);

  for (const ep of reachable) {
    const note = ctx.largeCluster ? '' : comment(name);
    nat.add(ep.chain, note, '-s', `${ep.ip}/32`, '-j', markMasqChain);
    const affinity = sp.affinitySeconds ? `-m recent --name ${ep.chain} --set` : '';
    nat.add(ep.chain, note, affinity, proto, '-j DNAT --to-destination', ep.address);
  }
}

function endpointJumps(nat: Recorder, sp: ServicePortInfo, chain: string, eps: readonly EndpointInfo[], largeCluster: boolean): void {
  nat.chain(chain);
  const note = (ep: EndpointInfo) => (largeCluster ? '' : comment(`${sp.nameString} -> ${ep.address}`));
  if (sp.affinitySeconds) {
    for (const ep of eps) nat.add(chain, note(ep), '-m recent --name', ep.chain, '--rcheck --seconds', String(sp.affinitySeconds), '--reap -j', ep.chain);
  }
  eps.forEach((ep, i) => {
    const random = i < eps.length - 1 ? `-m statistic --mode random --probability ${probability(eps.length - i)}` : '';
    nat.add(chain, note(ep), random, '-j', ep.chain);
  });
}

/** The ruleset as iptables-restore input: every chain line (which flushes it) then its rules, per table. */
export function formatRestore(set: RuleSet): RestoreText {
  const lines: string[] = [];
  for (const [table, chains] of [['filter', set.filter], ['nat', set.nat]] as const) {
    lines.push(`*${table}`);
    for (const c of chains) lines.push(`:${c.name} - [0:0]`);
    for (const c of chains) lines.push(...c.rules);
    lines.push('COMMIT');
  }
  return lines.join('\n') + '\n';
}
