import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  isDNS1123Label, isDNS1123Subdomain, isDNS1035Label, isQualifiedName, isValidLabelValue, isValidPortName,
  isCIdentifier, isConfigMapKey, isValidPathSegmentName, isValidIP,
} from './names.js';
import { validateObjectMeta, validateObjectMetaUpdate, validateAnnotations } from './object-meta.js';
import { validateLabelSelector } from './label-selector.js';
import { validateNonnegative, validatePortNumber } from './numbers.js';
import { formatFieldError } from '../errors.js';

const sub = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

test('DNS names carry Kubernetes messages verbatim', () => {
  assert.deepEqual(isDNS1123Subdomain('web.example.com'), []);
  assert.deepEqual(isDNS1123Subdomain('Web'), [sub]);
  assert.deepEqual(isDNS1123Label('my-name'), []);
  assert.deepEqual(isDNS1123Label('a.b'), ['must not contain dots']);
  assert.deepEqual(isDNS1123Label('-x'), ["a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"]);
  assert.equal(isDNS1123Label('a'.repeat(64))[0], 'must be no more than 63 characters');
  assert.deepEqual(isDNS1035Label('1abc').length, 1);
  assert.deepEqual(isDNS1035Label('abc-1'), []);
});

test('qualified names, label values, port names, C identifiers, config keys', () => {
  assert.deepEqual(isQualifiedName('app.kubernetes.io/name'), []);
  assert.deepEqual(isQualifiedName('/name'), ['prefix part must be non-empty']);
  assert.equal(isQualifiedName('a/b/c').length, 1);
  assert.match(isQualifiedName('a/b/c')[0]!, /^a qualified name must consist of/);
  assert.match(isQualifiedName('Bad_/x')[0]!, /^prefix part a lowercase RFC 1123 subdomain/);
  assert.deepEqual(isQualifiedName('x/'), ['name part must be non-empty', "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"]);
  assert.deepEqual(isValidLabelValue(''), []);
  assert.equal(isValidLabelValue('-bad').length, 1);
  assert.deepEqual(isValidPortName('http'), []);
  assert.deepEqual(isValidPortName('123'), ['must contain at least one letter (a-z)']);
  assert.deepEqual(isValidPortName('a--b'), ['must contain consecutive hyphens'.replace('must', 'must not')]);
  assert.deepEqual(isCIdentifier('_ok1'), []);
  assert.equal(isCIdentifier('1no').length, 1);
  assert.deepEqual(isConfigMapKey('..x'), ["must not start with '..'"]);
  assert.deepEqual(isValidPathSegmentName('a/b%'), ["may not contain '/'", "may not contain '%'"]);
  assert.deepEqual(isValidIP('10.0.0.1'), []);
  assert.deepEqual(isValidIP('::1'), []);
  assert.equal(isValidIP('10.0.0.256').length, 1);
});

test('validateObjectMeta: name, namespace by scope, labels, annotations, owners, finalizers', () => {
  assert.deepEqual(validateObjectMeta({ name: 'web', namespace: 'default' }, { namespaced: true }), []);
  const errs = validateObjectMeta({ namespace: 'x' }, { namespaced: false });
  assert.deepEqual(errs.map(formatFieldError), [
    'metadata.name: Required value: name or generateName is required',
    'metadata.namespace: Forbidden: not allowed on this type',
  ]);
  assert.deepEqual(validateObjectMeta({ generateName: 'web-' }, { namespaced: true }).map(formatFieldError), ['metadata.name: Required value: name or generateName is required', 'metadata.namespace: Required value']);
  assert.equal(validateObjectMeta({ name: 'Web', namespace: 'd' }, { namespaced: true })[0]!.field, 'metadata.name');
  const labelErrs = validateObjectMeta({ name: 'a', labels: { 'bad key!': 'v', ok: '-x' } }, { namespaced: false });
  assert.deepEqual(labelErrs.map((e) => e.field), ['metadata.labels', 'metadata.labels']);
  const owners = validateObjectMeta({ name: 'a', ownerReferences: [
    { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'r1', uid: 'u1', controller: true },
    { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'r2', uid: 'u2', controller: true },
  ] }, { namespaced: false });
  assert.match(owners[0]!.detail!, /Only one reference can have Controller set to true. Found "true" in references for ReplicaSet\/r1 and ReplicaSet\/r2/);
  const fin = validateObjectMeta({ name: 'a', finalizers: ['orphan', 'foregroundDeletion'] }, { namespaced: false });
  assert.equal(fin[0]!.detail, 'finalizer orphan and foregroundDeletion cannot be both set');
  const big = validateAnnotations({ k: 'x'.repeat(256 * 1024) }, 'metadata.annotations');
  assert.equal(formatFieldError(big[0]!), 'metadata.annotations: Too long: may not be more than 262144 bytes');
  assert.deepEqual(validateObjectMeta({ name: 'My_ns' }, { namespaced: false, nameValidation: isDNS1123Label }).length, 1);
});

test('validateObjectMetaUpdate: identity is immutable', () => {
  const old = { name: 'a', namespace: 'd', uid: 'u1', resourceVersion: '5', creationTimestamp: '2025-01-01T00:00:00Z', generation: 2 };
  assert.deepEqual(validateObjectMetaUpdate({ ...old, labels: { a: 'b' } }, old), []);
  const errs = validateObjectMetaUpdate({ ...old, uid: 'u2', name: 'b', generation: 1, resourceVersion: '' }, old);
  assert.deepEqual(errs.map(formatFieldError), [
    'metadata.resourceVersion: Invalid value: "": must be specified for an update',
    'metadata.generation: Invalid value: 1: must not be decremented',
    'metadata.name: Invalid value: "b": field is immutable',
    'metadata.uid: Invalid value: "u2": field is immutable',
  ]);
  const deleting = { ...old, deletionTimestamp: '2025-01-02T00:00:00Z', finalizers: ['a'] };
  assert.match(validateObjectMetaUpdate({ ...deleting, finalizers: ['a', 'b/c'] }, deleting)[0]!.detail!, /found new finalizers \[\]string\{"b\/c"\}/);
});

test('label selectors and numeric helpers', () => {
  assert.deepEqual(validateLabelSelector({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a'] }] }, 'spec.selector'), []);
  const errs = validateLabelSelector({ matchExpressions: [{ key: 'tier', operator: 'In' }, { key: 'x', operator: 'Exists', values: ['y'] }, { key: 'z', operator: 'Bogus' }] }, 'spec.selector');
  assert.deepEqual(errs.map(formatFieldError), [
    "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
    "spec.selector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
    'spec.selector.matchExpressions[2].operator: Invalid value: "Bogus": not a valid selector operator',
  ]);
  assert.deepEqual(validateNonnegative(-1, 'spec.replicas').map(formatFieldError), ['spec.replicas: Invalid value: -1: must be greater than or equal to 0']);
  assert.deepEqual(validatePortNumber(70000, 'spec.ports[0].port').map(formatFieldError), ['spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive']);
  assert.deepEqual(validatePortNumber(0, 'p').map(formatFieldError), ['p: Required value']);
});
