import { hash16 } from '../proxy/index.js';
import { networkPolicyChain } from '../proxy/chain-names.js';

/**
 * Network policy chains of the filter table. The root chain is jumped to from the top of
 * FORWARD; every other chain starts with `K8TS-NP-` (owned by network policy enforcement, so
 * its stale chains are deleted and the proxy never touches them). Per-object chains are a
 * prefix plus a hash of the object's identity, as the proxy names its chains, so names stay
 * within iptables' 28 characters.
 */
export const netpolChain = networkPolicyChain;
export const netpolPrefix = 'K8TS-NP-';
export const ingressChain = 'K8TS-NP-INGRESS';
export const egressChain = 'K8TS-NP-EGRESS';

const podIngressPrefix = 'K8TS-NP-I-';
const podEgressPrefix = 'K8TS-NP-E-';
const policyPrefix = 'K8TS-NP-P-';
const peersPrefix = 'K8TS-NP-R-';
const ipBlockPrefix = 'K8TS-NP-B-';

export type Direction = 'ingress' | 'egress';

/** True for every chain network policy enforcement writes besides the root (stale ones are deleted). */
export function isNetpolChain(name: string): boolean {
  return name.startsWith(netpolPrefix);
}

/** The chain that decides whether pod `namespace/name` may receive (ingress) or send (egress) a new connection. */
export function podChain(direction: Direction, podKey: string): string {
  return (direction === 'ingress' ? podIngressPrefix : podEgressPrefix) + hash16(`pod/${direction}/${podKey}`);
}

/** The chain of one policy's rules of one direction: it marks the packets some rule allows. */
export function policyChain(direction: Direction, policyKey: string): string {
  return policyPrefix + hash16(`policy/${direction}/${policyKey}`);
}

/** The peers (from/to) of rule `i` of a policy. */
export function peersChain(direction: Direction, policyKey: string, rule: number): string {
  return peersPrefix + hash16(`${direction}/${policyKey}/${rule}`);
}

/** One ipBlock with `except` entries, peer `peer` of rule `rule`. */
export function ipBlockChain(direction: Direction, policyKey: string, rule: number, peer: number): string {
  return ipBlockPrefix + hash16(`${direction}/${policyKey}/${rule}/${peer}`);
}
