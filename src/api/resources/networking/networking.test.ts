import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatFieldError } from '../../errors.js';
import { ingresses, validateIngress, ingressHostsCell, type IngressObject } from './ingresses.js';
import { ingressClasses, ingressClassParametersCell } from './ingress-classes.js';
import { networkPolicies, defaultNetworkPolicy, type NetworkPolicyObject } from './network-policies.js';
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
