import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatFieldError } from '../../errors.js';
import { ingresses, validateIngress, ingressHostsCell, type IngressObject } from './ingresses.js';
import { ingressClasses, ingressClassParametersCell } from './ingress-classes.js';
import { networkPolicies, defaultNetworkPolicy, policyTypesOf, validateNetworkPolicy, type NetworkPolicyObject } from './network-policies.js';
import { networkingResources } from './index.js';

test('Ingress validation and cells', () => {
  const ing: IngressObject = { metadata: { name: 'web' }, spec: { rules: [{ host: 'a.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] } };
  assert.deepEqual(validateIngress(ing), []);
  assert.deepEqual(validateIngress({ metadata: { name: 'x' }, spec: {} }).map((e) => e.detail), ['either `defaultBackend` or `rules` must be specified']);
  const bad: IngressObject = { metadata: { name: 'x' }, spec: { rules: [{ http: { paths: [{ path: 'x', pathType: 'Prefix', backend: { service: { name: 'web' } } }] } }] } };
  assert.deepEqual(validateIngress(bad).map(formatFieldError), [
    'spec.rules[0].http.paths[0].path: Invalid value: "x": must be an absolute path',
    'spec.rules[0].http.paths[0].backend.service.port: Required value: port name or number is required',
  ]);
  assert.equal(ingressHostsCell({ metadata: {}, spec: { rules: [{}, { host: 'a' }] } }), 'a');
  assert.equal(ingressHostsCell({ metadata: {}, spec: {} }), '*');
  assert.equal(ingressHostsCell({ metadata: {}, spec: { rules: [{ host: 'a' }, { host: 'b' }, { host: 'c' }, { host: 'd' }] } }), 'a,b,c + 1 more...');
  const row = ingresses.printerColumns!.map((c) => c.cell({ ...ing, spec: { ...ing.spec, tls: [{}] }, status: { loadBalancer: { ingress: [{ ip: '10.0.0.2' }] } } }, 0));
  assert.deepEqual(row.slice(0, 4), ['<none>', 'a.example.com', '10.0.0.2', '80, 443']);
});

test('IngressClass parameters and controller rules', () => {
  assert.equal(ingressClassParametersCell({ metadata: {}, spec: { parameters: { apiGroup: 'k8s.example.com', kind: 'IngressParameters', name: 'p' } } }), 'IngressParameters.k8s.example.com/p');
  assert.equal(ingressClassParametersCell({ metadata: {}, spec: {} }), '<none>');
  assert.deepEqual(ingressClasses.validate!({ metadata: { name: 'x' }, spec: { controller: 'nginx' } }).map((e) => e.detail), ['must be a domain-prefixed path (such as "acme.io/foo")']);
  assert.deepEqual(ingressClasses.validate!({ metadata: { name: 'x' }, spec: { controller: 'b.io/x' } }, { metadata: { name: 'x' }, spec: { controller: 'a.io/x' } }).map((e) => e.detail), ['field is immutable']);
});

test('NetworkPolicy defaults and printer', () => {
  const np: NetworkPolicyObject = { metadata: { name: 'deny' }, spec: { podSelector: { matchLabels: { app: 'web' } }, egress: [{ ports: [{ port: 53 }] }] } };
  defaultNetworkPolicy(np);
  assert.deepEqual(np.spec!.policyTypes, ['Ingress', 'Egress']);
  assert.equal(np.spec!.egress![0]!.ports![0]!.protocol, 'TCP');
  assert.equal(networkPolicies.printerColumns![0]!.cell(np, 0), 'app=web');
  assert.equal(networkPolicies.printerColumns![0]!.cell({ metadata: {}, spec: { podSelector: {} } }, 0), '<none>');
  assert.deepEqual(networkingResources.map((r) => `${r.plural}.${r.group}`), ['ingressclasses.networking.k8s.io', 'ingresses.networking.k8s.io', 'networkpolicies.networking.k8s.io']);
});

test('NetworkPolicy policyTypes: Ingress always, Egress only with egress rules; given types are kept', () => {
  assert.deepEqual(policyTypesOf({ podSelector: {} }), ['Ingress']);
  assert.deepEqual(policyTypesOf({ podSelector: {}, egress: [] }), ['Ingress']);
  assert.deepEqual(policyTypesOf({ podSelector: {}, egress: [{}] }), ['Ingress', 'Egress']);
  assert.deepEqual(policyTypesOf({ podSelector: {}, policyTypes: ['Egress'], ingress: [{}] }), ['Egress']);
  const np: NetworkPolicyObject = { metadata: { name: 'e' }, spec: { podSelector: {}, policyTypes: ['Egress'] } };
  defaultNetworkPolicy(np);
  assert.deepEqual(np.spec!.policyTypes, ['Egress']);
});

test('NetworkPolicy validation: ports, endPort, peers and ipBlocks as upstream words them', () => {
  const v = (spec: NonNullable<NetworkPolicyObject['spec']>) => validateNetworkPolicy({ metadata: { name: 'p' }, spec }).map(formatFieldError);
  assert.deepEqual(v({ podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }, { namespaceSelector: {}, podSelector: {} }], ports: [{ port: 80, endPort: 90 }, { port: 'http' }] }] }), []);
  assert.deepEqual(v({ podSelector: {}, egress: [{ ports: [{ port: 90, endPort: 80 }, { port: 'http', endPort: 90 }, { endPort: 9 }] }] }), [
    'spec.egress[0].ports[0].endPort: Invalid value: 90: must be greater than or equal to `port`',
    'spec.egress[0].ports[1].endPort: Invalid value: 90: may not be specified when `port` is non-numeric',
    'spec.egress[0].ports[2].endPort: Invalid value: 9: may not be specified when `port` is not specified',
  ]);
  assert.deepEqual(v({ podSelector: {}, ingress: [{ from: [
    {},
    { ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {} },
    { ipBlock: { cidr: '10.0.0.0/33' } },
    { ipBlock: { cidr: '10.0.0.0/8', except: ['10.0.0.0/8', '11.0.0.0/16', 'x'] } },
    { ipBlock: { cidr: '2001:db8::/32', except: ['2001:db8:1::/48', '2001:db9::/48'] } },
  ] }] }), [
    'spec.ingress[0].from[0]: Required value: must specify a peer',
    'spec.ingress[0].from[1]: Forbidden: may not specify both ipBlock and another peer',
    'spec.ingress[0].from[2].ipBlock.cidr: Invalid value: "10.0.0.0/33": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
    'spec.ingress[0].from[3].ipBlock.except[0]: Invalid value: "10.0.0.0/8": must be a strict subset of `cidr`',
    'spec.ingress[0].from[3].ipBlock.except[1]: Invalid value: "11.0.0.0/16": must be a strict subset of `cidr`',
    'spec.ingress[0].from[3].ipBlock.except[2]: Invalid value: "x": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
    'spec.ingress[0].from[4].ipBlock.except[1]: Invalid value: "2001:db9::/48": must be a strict subset of `cidr`',
  ]);
  assert.deepEqual(v({ podSelector: {}, policyTypes: ['Ingress', 'Egress', 'Ingress'] }).length, 1);
  assert.deepEqual(v({ podSelector: {}, policyTypes: ['Both'] }), ['spec.policyTypes[0]: Unsupported value: "Both": supported values: "Egress", "Ingress"']);
});
