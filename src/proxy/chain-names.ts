import { createHash } from 'node:crypto';

/**
 * Every chain k8ts writes starts with `K8TS-`; the per-service chains are a prefix plus a
 * hash of the service port (as kube-proxy names its KUBE-SVC-/KUBE-SEP- chains, with the same
 * hash input, so an admin can match the two). iptables chain names are at most 28 characters.
 */
export const ownedPrefix = 'K8TS-';

export const servicesChain = 'K8TS-SERVICES';
export const externalServicesChain = 'K8TS-EXTERNAL-SERVICES';
export const nodePortsChain = 'K8TS-NODEPORTS';
export const postroutingChain = 'K8TS-POSTROUTING';
export const markMasqChain = 'K8TS-MARK-MASQ';
export const forwardChain = 'K8TS-FORWARD';
/** Network policy's root chain (src/netpol): its jump stays above the proxy's in FORWARD. */
export const networkPolicyChain = 'K8TS-NETPOL';
export const proxyFirewallChain = 'K8TS-PROXY-FIREWALL';
/** Blocks off-host packets to 127/8, the guard that goes with route_localnet (localhost NodePorts). */
export const localnetFirewallChain = 'K8TS-FIREWALL';

export const clusterPolicyPrefix = 'K8TS-SVC-';
export const localPolicyPrefix = 'K8TS-SVL-';
export const externalPrefix = 'K8TS-EXT-';
export const firewallPrefix = 'K8TS-FW-';
export const endpointPrefix = 'K8TS-SEP-';

const servicePrefixes = [clusterPolicyPrefix, localPolicyPrefix, externalPrefix, firewallPrefix, endpointPrefix] as const;

/** True for a per-service or per-endpoint chain: these come and go with Services, so stale ones are deleted. */
export function isServiceChain(name: string): boolean {
  return servicePrefixes.some((p) => name.startsWith(p));
}

/** True for any chain k8ts owns (cleanup removes them all). */
export function isOwnedChain(name: string): boolean {
  return name.startsWith(ownedPrefix);
}

const base32Alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 (standard alphabet) of the first bytes needed for `chars` characters. */
function base32(bytes: Uint8Array, chars: number): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += base32Alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
      if (out.length === chars) return out;
    }
    value &= (1 << bits) - 1;
  }
  return out;
}

/** 16 base32 characters of the SHA-256 of `text` (kube-proxy's chain-name hash). */
export function hash16(text: string): string {
  return base32(createHash('sha256').update(text).digest(), 16);
}

/** `namespace/name:port` (or `namespace/name` for an unnamed port), kube-proxy's ServicePortName. */
export function servicePortName(namespace: string, name: string, port: string): string {
  return port ? `${namespace}/${name}:${port}` : `${namespace}/${name}`;
}

/** Chain names of one service port; `protocol` lower-case (`tcp`). */
export function serviceChains(portName: string, protocol: string): { cluster: string; local: string; external: string; firewall: string } {
  const h = hash16(portName + protocol);
  return { cluster: clusterPolicyPrefix + h, local: localPolicyPrefix + h, external: externalPrefix + h, firewall: firewallPrefix + h };
}

/** The K8TS-SEP- chain of one endpoint (`ip:port`) of a service port. */
export function endpointChain(portName: string, protocol: string, endpoint: string): string {
  return endpointPrefix + hash16(portName + protocol + endpoint);
}
