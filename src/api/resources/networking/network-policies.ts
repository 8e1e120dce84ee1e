import { isIP } from 'node:net';
import type { IPBlock, NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort } from 'kubernetes-types/networking/v1.js';
import type { FieldError, Kube } from '../../types.js';
import { defineResource } from '../../resource.js';
import { fieldErr } from '../../errors.js';
import { age } from '../../printers.js';
import { formatLabelSelector } from '../../selectors/index.js';
import { child, index, isValidPortName, validateLabelSelector, validatePortNumber } from '../../validation/index.js';
import { semanticEqual } from '../../validation/index.js';

export type NetworkPolicyObject = Kube<NetworkPolicy>;

/**
 * The policy types in force: spec.policyTypes, or when empty what SetDefaults_NetworkPolicy
 * fills in — Ingress always, Egress when there are egress rules. Pure.
 */
export function policyTypesOf(spec: NetworkPolicyObject['spec']): ('Ingress' | 'Egress')[] {
  if (spec?.policyTypes && spec.policyTypes.length > 0) return spec.policyTypes.filter((t): t is 'Ingress' | 'Egress' => t === 'Ingress' || t === 'Egress');
  return spec?.egress && spec.egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
}

/** SetDefaults_NetworkPolicy(+Port): TCP ports; policyTypes from the rules present. */
export function defaultNetworkPolicy(np: NetworkPolicyObject): void {
  const spec = (np.spec ??= { podSelector: {} });
  spec.podSelector ??= {};
  for (const r of spec.ingress ?? []) for (const p of r.ports ?? []) p.protocol ??= 'TCP';
  for (const r of spec.egress ?? []) for (const p of r.ports ?? []) p.protocol ??= 'TCP';
  if (!spec.policyTypes || spec.policyTypes.length === 0) spec.policyTypes = policyTypesOf(spec);
}

function validatePorts(ports: readonly NetworkPolicyPort[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  ports.forEach((p, i) => {
    const pp = index(path, i);
    if (p.protocol && !['SCTP', 'TCP', 'UDP'].includes(p.protocol)) errs.push(fieldErr.notSupported(child(pp, 'protocol'), p.protocol, ['SCTP', 'TCP', 'UDP']));
    if (typeof p.port === 'number') {
      errs.push(...validatePortNumber(p.port, child(pp, 'port')));
      if (p.endPort !== undefined) {
        if (p.endPort < p.port) errs.push(fieldErr.invalid(child(pp, 'endPort'), p.port, 'must be greater than or equal to `port`'));
        errs.push(...validatePortNumber(p.endPort, child(pp, 'endPort')));
      }
    } else if (typeof p.port === 'string') {
      if (p.endPort !== undefined) errs.push(fieldErr.invalid(child(pp, 'endPort'), p.endPort, 'may not be specified when `port` is non-numeric'));
      for (const m of isValidPortName(p.port)) errs.push(fieldErr.invalid(child(pp, 'port'), p.port, m));
    } else if (p.endPort !== undefined) {
      errs.push(fieldErr.invalid(child(pp, 'endPort'), p.endPort, 'may not be specified when `port` is not specified'));
    }
  });
  return errs;
}

const invalidCidr = 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)';

/** A CIDR as address bits (IPv4 or IPv6) and prefix length, or undefined when it is not one. */
function cidrBits(text: string): { v6: boolean; addr: bigint; prefix: number } | undefined {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  const prefix = Number(m[2]);
  const ip = m[1]!;
  const kind = isIP(ip);
  if (kind === 4) {
    if (prefix > 32) return undefined;
    return { v6: false, addr: ip.split('.').reduce((a, p) => (a << 8n) | BigInt(Number(p)), 0n), prefix };
  }
  if (kind !== 6 || prefix > 128 || ip.includes('.')) return undefined;
  const [head = '', tail = ''] = ip.includes('::') ? ip.split('::') : [ip, ''];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return { v6: true, addr: groups.reduce((a, g) => (a << 16n) | BigInt(parseInt(g, 16)), 0n), prefix };
}

/** ValidateIPBlock: a valid cidr, and every except a valid CIDR strictly inside it. */
function validateIPBlock(ipb: IPBlock, path: string): FieldError[] {
  if (!ipb.cidr) return [fieldErr.required(child(path, 'cidr'), '')];
  const outer = cidrBits(ipb.cidr);
  if (!outer) return [fieldErr.invalid(child(path, 'cidr'), ipb.cidr, invalidCidr)];
  const errs: FieldError[] = [];
  const width = outer.v6 ? 128n : 32n;
  (ipb.except ?? []).forEach((e, i) => {
    const ep = index(child(path, 'except'), i);
    const inner = cidrBits(e);
    if (!inner) { errs.push(fieldErr.invalid(ep, e, invalidCidr)); return; }
    const shift = width - BigInt(outer.prefix);
    const inside = inner.v6 === outer.v6 && (inner.addr >> shift) === (outer.addr >> shift);
    if (!inside || outer.prefix >= inner.prefix) errs.push(fieldErr.invalid(ep, e, 'must be a strict subset of `cidr`'));
  });
  return errs;
}

function validatePeers(peers: readonly NetworkPolicyPeer[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  peers.forEach((peer, i) => {
    const pp = index(path, i);
    const set = [peer.podSelector, peer.namespaceSelector, peer.ipBlock].filter((x) => x !== undefined && x !== null).length;
    errs.push(...validateLabelSelector(peer.podSelector, child(pp, 'podSelector')));
    errs.push(...validateLabelSelector(peer.namespaceSelector, child(pp, 'namespaceSelector')));
    if (peer.ipBlock) errs.push(...validateIPBlock(peer.ipBlock, child(pp, 'ipBlock')));
    if (set === 0) errs.push(fieldErr.required(pp, 'must specify a peer'));
    else if (set > 1 && peer.ipBlock) errs.push(fieldErr.forbidden(pp, 'may not specify both ipBlock and another peer'));
  });
  return errs;
}

export function validateNetworkPolicy(np: NetworkPolicyObject): FieldError[] {
  const spec = np.spec ?? { podSelector: {} };
  const errs = validateLabelSelector(spec.podSelector, 'spec.podSelector');
  (spec.ingress ?? []).forEach((r, i) => {
    errs.push(...validatePorts(r.ports ?? [], child(index('spec.ingress', i), 'ports')));
    errs.push(...validatePeers(r.from ?? [], child(index('spec.ingress', i), 'from')));
  });
  (spec.egress ?? []).forEach((r, i) => {
    errs.push(...validatePorts(r.ports ?? [], child(index('spec.egress', i), 'ports')));
    errs.push(...validatePeers(r.to ?? [], child(index('spec.egress', i), 'to')));
  });
  const types = spec.policyTypes ?? [];
  if (types.length > 2) return [...errs, fieldErr.invalid('spec.policyTypes', types, 'may not specify more than two policyTypes')];
  types.forEach((t, i) => {
    if (!['Egress', 'Ingress'].includes(t)) errs.push(fieldErr.notSupported(index('spec.policyTypes', i), t, ['Egress', 'Ingress']));
  });
  return errs;
}

export const networkPolicies = defineResource<NetworkPolicyObject>({
  group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicy', plural: 'networkpolicies', scope: 'Namespaced',
  shortNames: ['netpol'],
  schema: 'io.k8s.api.networking.v1.NetworkPolicy',
  defaults: defaultNetworkPolicy,
  validate: validateNetworkPolicy,
  prepareForCreate(np) { Object.assign(np.metadata, { generation: 1 }); },
  prepareForUpdate(np, old) { if (!semanticEqual(np.spec, old.spec)) Object.assign(np.metadata, { generation: (old.metadata.generation ?? 0) + 1 }); },
  printerColumns: [
    { name: 'Pod-Selector', type: 'string', description: 'Selects the pods to which this NetworkPolicy object applies.', cell: (n) => formatLabelSelector(n.spec?.podSelector) },
    { name: 'Age', type: 'string', cell: (n, now) => age(n.metadata.creationTimestamp, now) },
  ],
});
