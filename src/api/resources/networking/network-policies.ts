import type { NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort } from 'kubernetes-types/networking/v1.js';
import type { FieldError, Kube } from '../../types.js';
import { defineResource } from '../../resource.js';
import { fieldErr } from '../../errors.js';
import { age } from '../../printers.js';
import { formatLabelSelector } from '../../selectors/index.js';
import { child, index, isValidPortName, validateLabelSelector, validatePortNumber } from '../../validation/index.js';
import { semanticEqual } from '../../validation/index.js';

export type NetworkPolicyObject = Kube<NetworkPolicy>;

/** SetDefaults_NetworkPolicy(+Port): TCP ports; policyTypes from the rules present. */
export function defaultNetworkPolicy(np: NetworkPolicyObject): void {
  const spec = (np.spec ??= { podSelector: {} });
  spec.podSelector ??= {};
  for (const r of spec.ingress ?? []) for (const p of r.ports ?? []) p.protocol ??= 'TCP';
  for (const r of spec.egress ?? []) for (const p of r.ports ?? []) p.protocol ??= 'TCP';
  if (!spec.policyTypes || spec.policyTypes.length === 0) {
    spec.policyTypes = ['Ingress'];
    if (spec.egress && spec.egress.length > 0) spec.policyTypes.push('Egress');
  }
}

function validatePorts(ports: readonly NetworkPolicyPort[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  ports.forEach((p, i) => {
    const pp = index(path, i);
    if (p.protocol && !['SCTP', 'TCP', 'UDP'].includes(p.protocol)) errs.push(fieldErr.notSupported(child(pp, 'protocol'), p.protocol, ['SCTP', 'TCP', 'UDP']));
    if (typeof p.port === 'number') errs.push(...validatePortNumber(p.port, child(pp, 'port')));
    else if (typeof p.port === 'string') for (const m of isValidPortName(p.port)) errs.push(fieldErr.invalid(child(pp, 'port'), p.port, m));
    if (p.endPort !== undefined) {
      if (typeof p.port !== 'number') errs.push(fieldErr.required(child(pp, 'port'), 'must be specified when endPort is specified'));
      else if (p.endPort < p.port) errs.push(fieldErr.invalid(child(pp, 'endPort'), p.endPort, 'must be greater than or equal to `port`'));
    }
  });
  return errs;
}

function validatePeers(peers: readonly NetworkPolicyPeer[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  peers.forEach((peer, i) => {
    const pp = index(path, i);
    const set = [peer.podSelector, peer.namespaceSelector, peer.ipBlock].filter((x) => x !== undefined).length;
    if (set === 0) errs.push(fieldErr.required(pp, 'must specify a peer'));
    if (peer.ipBlock && (peer.podSelector || peer.namespaceSelector)) errs.push(fieldErr.forbidden(pp, 'may not specify more than 1 peer type'));
    errs.push(...validateLabelSelector(peer.podSelector, child(pp, 'podSelector')));
    errs.push(...validateLabelSelector(peer.namespaceSelector, child(pp, 'namespaceSelector')));
    if (peer.ipBlock && !peer.ipBlock.cidr) errs.push(fieldErr.required(child(pp, 'ipBlock', 'cidr'), ''));
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
  types.forEach((t, i) => {
    if (!['Egress', 'Ingress'].includes(t)) errs.push(fieldErr.notSupported(index('spec.policyTypes', i), t, ['Egress', 'Ingress']));
  });
  if (types.length > 2) errs.push(fieldErr.invalid('spec.policyTypes', types, 'may not specify more than two policyTypes'));
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
