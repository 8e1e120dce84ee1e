import { isIPv4 } from 'node:net';
import type { NetworkPolicyEgressRule, NetworkPolicyIngressRule, NetworkPolicyPeer, NetworkPolicyPort } from 'kubernetes-types/networking/v1.js';
import type { NamespaceObject } from '../api/resources/core/namespaces.js';
import type { PodObject } from '../api/resources/core/pods.js';
import type { NetworkPolicyObject } from '../api/resources/networking/network-policies.js';
import { policyTypesOf } from '../api/resources/networking/network-policies.js';
import { matchesLabels } from '../api/selectors/index.js';
import { ChainTable, type RuleSet } from '../proxy/index.js';
import type { Direction } from './chain-names.js';
import { egressChain, ingressChain, ipBlockChain, netpolChain, peersChain, podChain, policyChain } from './chain-names.js';
import type { PodInfo } from './selection.js';
import { ClusterIndex, podInfos, selectorOf } from './selection.js';

/** What rule rendering needs to know about the node it runs on. */
export interface NetpolNodeConfig {
  /** Policies are enforced for the pods whose spec.nodeName is this node. */
  nodeName: string;
  /** The packet-mark bit meaning "some policy allows this packet"; default 17 (0x20000), clear of the proxy's 0x4000. */
  allowMarkBit?: number;
}

/** The jump from FORWARD into the root chain; it must be FORWARD's first rule (before the proxy accepts pod traffic). */
export const netpolJump = { table: 'filter', chain: 'FORWARD', target: netpolChain, args: '-m comment --comment "k8ts network policies"' } as const;

const comment = (text: string) => `-m comment --comment "${text.replace(/"/g, "'")}"`;

interface Selected {
  readonly policy: NetworkPolicyObject;
  readonly key: string;
  /** The local pods this policy selects. */
  readonly pods: readonly PodInfo[];
}

interface Ctx {
  readonly t: ChainTable;
  readonly cluster: ClusterIndex;
  readonly allow: string;
  readonly isAllowed: string;
}

/**
 * The filter-table chains that enforce NetworkPolicies for the pods of this node: a pure
 * function (same input, same output).
 *
 * - A pod is isolated for ingress (egress) when some policy of its namespace selects it and
 *   lists that type in policyTypes (defaulted as the API server does); a pod no policy
 *   isolates is not affected at all.
 * - An isolated pod's new connections pass when some rule of some selecting policy allows
 *   them: rules, the peers of a rule and the ports of a rule are each ORed; a peer with both
 *   namespaceSelector and podSelector needs both. Everything else is dropped.
 * - Replies and related packets of allowed connections always pass (conntrack); traffic from
 *   the node itself never reaches FORWARD, so kubelet probes always pass; a pod may always
 *   reach itself (hairpin through a Service).
 * - Service traffic was DNATed in PREROUTING, so rules see pod addresses; named ports are
 *   resolved against the destination pod's container ports; IPv6 ipBlocks are left out (the
 *   pod network is IPv4).
 *
 * The root chain runs the egress check of the source pod, then the ingress check of the
 * destination pod; each check clears an allow mark, lets the policy chains set it, and drops
 * what is still unmarked.
 */
export function renderNetpolRules(policies: readonly NetworkPolicyObject[], pods: readonly PodObject[], namespaces: readonly NamespaceObject[], node: NetpolNodeConfig): RuleSet {
  const bit = 1 << (node.allowMarkBit ?? 17);
  const mark = `0x${bit.toString(16)}`;
  const ctx: Ctx = { t: new ChainTable(), cluster: new ClusterIndex(podInfos(pods), namespaces), allow: `-j MARK --set-xmark ${mark}/${mark}`, isAllowed: `-m mark --mark ${mark}/${mark}` };
  const { t } = ctx;
  for (const c of [netpolChain, egressChain, ingressChain]) t.chain(c);
  t.add(netpolChain, comment('replies and related packets of allowed connections'), '-m conntrack --ctstate RELATED,ESTABLISHED -j RETURN');
  t.add(netpolChain, '-j', egressChain);
  t.add(netpolChain, '-j', ingressChain);
  t.add(netpolChain, `-j MARK --set-xmark 0x0/${mark}`);

  const local = ctx.cluster.pods.filter((p) => p.nodeName === node.nodeName);
  const localByNs = new Map<string, PodInfo[]>();
  for (const p of local) {
    let list = localByNs.get(p.namespace);
    if (!list) localByNs.set(p.namespace, (list = []));
    list.push(p);
  }
  const byDirection: Record<Direction, Selected[]> = { ingress: [], egress: [] };
  const sorted = [...policies].sort((a, b) => cmp(policyKey(a), policyKey(b)));
  for (const policy of sorted) {
    const ns = policy.metadata.namespace ?? 'default';
    const sel = selectorOf(policy.spec?.podSelector ?? {});
    const selected = (localByNs.get(ns) ?? []).filter((p) => sel !== null && matchesLabels(sel, p.labels));
    if (selected.length === 0) continue;
    const types = policyTypesOf(policy.spec);
    const s = { policy, key: policyKey(policy), pods: selected };
    if (types.includes('Ingress')) byDirection.ingress.push(s);
    if (types.includes('Egress')) byDirection.egress.push(s);
  }

  for (const direction of ['egress', 'ingress'] as const) {
    const dispatch = direction === 'ingress' ? ingressChain : egressChain;
    const podMatch = direction === 'ingress' ? '-d' : '-s';
    const self = direction === 'ingress' ? '-s' : '-d';
    const policiesOf = new Map<string, string[]>();
    for (const s of byDirection[direction]) {
      renderPolicy(ctx, direction, s);
      for (const p of s.pods) {
        let list = policiesOf.get(p.key);
        if (!list) policiesOf.set(p.key, (list = []));
        list.push(policyChain(direction, s.key));
      }
    }
    const isolated = local.filter((p) => policiesOf.has(p.key)).sort((a, b) => cmp(a.key, b.key));
    for (const p of isolated) {
      const chain = podChain(direction, p.key);
      t.add(dispatch, podMatch, `${p.ip}/32`, comment(p.key), '-j', chain);
      t.add(chain, `-j MARK --set-xmark 0x0/${mark}`);
      t.add(chain, self, `${p.ip}/32`, comment('a pod may always reach itself'), ctx.allow);
      for (const pc of policiesOf.get(p.key)!) {
        t.add(chain, '-j', pc);
        t.add(chain, ctx.isAllowed, '-j RETURN');
      }
      t.add(chain, comment(`${p.key} ${direction} not allowed by any policy`), '-j DROP');
    }
  }
  return { filter: t.list(), nat: [] };
}

function policyKey(p: NetworkPolicyObject): string {
  return `${p.metadata.namespace ?? 'default'}/${p.metadata.name ?? ''}`;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** One policy's chain for one direction: each rule marks the packets it allows. */
function renderPolicy(ctx: Ctx, direction: Direction, s: Selected): void {
  const { t } = ctx;
  const chain = policyChain(direction, s.key);
  t.chain(chain);
  const rules = (direction === 'ingress' ? s.policy.spec?.ingress : s.policy.spec?.egress) ?? [];
  rules.forEach((rule, i) => {
    const peers = (direction === 'ingress' ? (rule as NetworkPolicyIngressRule).from : (rule as NetworkPolicyEgressRule).to) ?? [];
    const ports = rule.ports ?? [];
    const note = comment(`${s.key} ${direction}[${i}]`);
    const target = peers.length > 0 ? `-j ${renderPeers(ctx, direction, s, i, peers)}` : ctx.allow;
    if (ports.length === 0) { t.add(chain, note, target); return; }
    for (const m of portMatches(ctx, direction, s, ports, peers)) t.add(chain, note, m, target);
  });
}

/** The chain that marks packets from (ingress) or to (egress) any peer of one rule. */
function renderPeers(ctx: Ctx, direction: Direction, s: Selected, rule: number, peers: readonly NetworkPolicyPeer[]): string {
  const { t } = ctx;
  const chain = peersChain(direction, s.key, rule);
  const addr = direction === 'ingress' ? '-s' : '-d';
  const ns = s.policy.metadata.namespace ?? 'default';
  const ips = new Set<string>();
  for (const peer of peers) for (const p of ctx.cluster.peerPods(peer, ns)) ips.add(p.ip);
  for (const ip of [...ips].sort(ipCmp)) t.add(chain, addr, `${ip}/32`, ctx.allow);
  peers.forEach((peer, j) => {
    const block = peer.ipBlock;
    if (!block?.cidr || !isIPv4(block.cidr.split('/')[0] ?? '')) return;
    const except = (block.except ?? []).filter((e) => isIPv4(e.split('/')[0] ?? ''));
    if (except.length === 0) { t.add(chain, addr, block.cidr, ctx.allow); return; }
    const sub = ipBlockChain(direction, s.key, rule, j);
    t.add(chain, addr, block.cidr, '-j', sub);
    for (const e of except) t.add(sub, addr, e, '-j RETURN');
    t.add(sub, ctx.allow);
  });
  return chain;
}

/**
 * The match arguments of a rule's ports, one entry per alternative: a number or range
 * (endPort), a protocol alone, or a named port resolved per destination pod — for ingress the
 * selected pods, for egress the peer pods (all pods when the rule has no pod peers).
 */
function portMatches(ctx: Ctx, direction: Direction, s: Selected, ports: readonly NetworkPolicyPort[], peers: readonly NetworkPolicyPeer[]): string[] {
  const out: string[] = [];
  for (const port of ports) {
    const protocol = port.protocol ?? 'TCP';
    const p = protocol.toLowerCase();
    if (port.port === undefined || port.port === null) { out.push(`-p ${p}`); continue; }
    if (typeof port.port === 'number') {
      const range = port.endPort !== undefined && port.endPort !== null && port.endPort > port.port ? `${port.port}:${port.endPort}` : String(port.port);
      out.push(`-p ${p} -m ${p} --dport ${range}`);
      continue;
    }
    const name = port.port;
    for (const dst of namedPortTargets(ctx, direction, s, peers)) {
      const numbers = new Set((dst.namedPorts.get(name) ?? []).filter((np) => np.protocol === protocol).map((np) => np.port));
      for (const n of [...numbers].sort((a, b) => a - b)) out.push(`-d ${dst.ip}/32 -p ${p} -m ${p} --dport ${n}`);
    }
  }
  return out;
}

function namedPortTargets(ctx: Ctx, direction: Direction, s: Selected, peers: readonly NetworkPolicyPeer[]): PodInfo[] {
  if (direction === 'ingress') return [...s.pods].sort((a, b) => ipCmp(a.ip, b.ip));
  const ns = s.policy.metadata.namespace ?? 'default';
  const onlyPods = peers.length > 0 && peers.every((peer) => !peer.ipBlock);
  const candidates = onlyPods ? peers.flatMap((peer) => ctx.cluster.peerPods(peer, ns)) : ctx.cluster.pods;
  const seen = new Map<string, PodInfo>();
  for (const p of candidates) seen.set(p.ip, p);
  return [...seen.values()].sort((a, b) => ipCmp(a.ip, b.ip));
}

function ipCmp(a: string, b: string): number {
  const na = a.split('.').reduce((x, o) => x * 256 + Number(o), 0);
  const nb = b.split('.').reduce((x, o) => x * 256 + Number(o), 0);
  return na - nb;
}
