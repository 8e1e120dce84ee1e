import type { ContainerPort } from 'kubernetes-types/core/v1.js';
import type { NetworkPolicySpec } from 'kubernetes-types/networking/v1.js';
import type { NamespaceObject } from '../api/resources/core/namespaces.js';
import type { PodObject } from '../api/resources/core/pods.js';
import type { NetworkPolicyObject } from '../api/resources/networking/network-policies.js';
import type { RuleSet } from '../proxy/index.js';
import { netpolChain } from './chain-names.js';

/** A running pod for tests. */
export function testPod(ns: string, name: string, ip: string, labels: Record<string, string>, node = 'node-a', ports: ContainerPort[] = []): PodObject {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: ns, labels },
    spec: { nodeName: node, containers: [{ name: 'c', image: 'busybox', ports }] },
    status: { phase: 'Running', podIP: ip, podIPs: [{ ip }] },
  };
}

/** A namespace with the automatic kubernetes.io/metadata.name label. */
export function testNamespace(name: string, labels: Record<string, string> = {}): NamespaceObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name, ...labels } } };
}

export function testPolicy(ns: string, name: string, spec: NetworkPolicySpec): NetworkPolicyObject {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec };
}

/** A packet as the filter table's FORWARD chain sees it. */
export interface TestPacket {
  src: string;
  dst: string;
  protocol?: 'tcp' | 'udp' | 'sctp';
  dport?: number;
  /** Conntrack state; default NEW. */
  state?: 'NEW' | 'ESTABLISHED' | 'RELATED';
}

function ipNum(ip: string): number {
  return ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);
}

function inCidr(ip: string, cidr: string): boolean {
  const [base, bits = '32'] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  const start = Math.floor(ipNum(base!) / size) * size;
  const n = ipNum(ip);
  return n >= start && n < start + size;
}

/** Splits a rule line into words, keeping quoted comments whole. */
function words(rule: string): string[] {
  return [...rule.matchAll(/"[^"]*"|\S+/g)].map((m) => m[0]);
}

/**
 * A small interpreter of the rules network policy rendering writes (the matches and targets it
 * uses, nothing more): walks `packet` from K8TS-NETPOL as FORWARD would and answers `DROP` or
 * `PASS` (returned to FORWARD). Throws on anything it does not understand, and on a jump to a
 * chain that does not exist, so tests notice rules it cannot judge.
 */
export function evaluate(set: RuleSet, packet: TestPacket): 'DROP' | 'PASS' {
  const chains = new Map(set.filter.map((c) => [c.name, c.rules]));
  let mark = 0;
  const state = packet.state ?? 'NEW';
  const walk = (name: string, depth: number): 'DROP' | 'RETURN' => {
    if (depth > 20) throw new Error('chain loop');
    const rules = chains.get(name);
    if (!rules) throw new Error(`jump to missing chain ${name}`);
    for (const rule of rules) {
      const w = words(rule);
      if (w[0] !== '-A' || w[1] !== name) throw new Error(`rule outside its chain: ${rule}`);
      let ok = true;
      let target: string[] = [];
      for (let i = 2; i < w.length && ok; i++) {
        const a = w[i]!;
        const next = () => w[++i]!;
        if (a === '-s') ok = inCidr(packet.src, next());
        else if (a === '-d') ok = inCidr(packet.dst, next());
        else if (a === '-p') ok = next() === (packet.protocol ?? 'tcp');
        else if (a === '-m') {
          const mod = next();
          if (mod === 'comment') { i += 2; continue; }
          if (mod === 'tcp' || mod === 'udp' || mod === 'sctp') {
            if (next() !== '--dport') throw new Error(`unknown ${mod} match in ${rule}`);
            const [lo, hi] = next().split(':').map(Number);
            ok = packet.dport !== undefined && packet.dport >= lo! && packet.dport <= (hi ?? lo!);
          } else if (mod === 'conntrack') {
            if (next() !== '--ctstate') throw new Error(`unknown conntrack match in ${rule}`);
            ok = next().split(',').includes(state);
          } else if (mod === 'mark') {
            if (next() !== '--mark') throw new Error(`unknown mark match in ${rule}`);
            const [v, m] = next().split('/').map(Number);
            ok = (mark & m!) === v;
          } else throw new Error(`unknown match ${mod} in ${rule}`);
        } else if (a === '-j') { target = w.slice(i + 1); break; } else throw new Error(`unknown argument ${a} in ${rule}`);
      }
      if (!ok) continue;
      const [t, ...args] = target;
      if (t === 'DROP') return 'DROP';
      if (t === 'RETURN') return 'RETURN';
      if (t === 'MARK') {
        if (args[0] !== '--set-xmark') throw new Error(`unknown MARK in ${rule}`);
        const [v, m] = args[1]!.split('/').map(Number);
        mark = (mark & ~m!) ^ v!;
      } else if (t && chains.has(t)) {
        if (walk(t, depth + 1) === 'DROP') return 'DROP';
      } else throw new Error(`unknown target in ${rule}`);
    }
    return 'RETURN';
  };
  return walk(netpolChain, 0) === 'DROP' ? 'DROP' : 'PASS';
}
