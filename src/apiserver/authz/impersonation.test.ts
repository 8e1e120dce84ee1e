import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterRole, ClusterRoleBinding } from 'kubernetes-types/rbac/v1.js';
import { StatusError } from '../../api/errors.js';
import type { UserInfo } from '../context.js';
import { clusterAuthorizer } from './authorizer.js';
import { forbiddenError } from './forbidden.js';
import { impersonate } from './impersonation.js';
import { staticPolicy } from './policy-source.js';
import { nonResourceAttributes, resourceAttributes } from './attributes.js';

const carol: UserInfo = { username: 'carol', groups: ['system:authenticated'] };
const admin: UserInfo = { username: 'system:admin', groups: ['system:masters', 'system:authenticated'] };

function authz() {
  const crs: ClusterRole[] = [{ metadata: { name: 'imp' }, rules: [{ verbs: ['impersonate'], apiGroups: [''], resources: ['users'], resourceNames: ['jane'] }] }];
  const crbs: ClusterRoleBinding[] = [{ metadata: { name: 'imp' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'imp' }, subjects: [{ kind: 'User', name: 'carol' }] }];
  return clusterAuthorizer(staticPolicy({ clusterRoles: crs, clusterRoleBindings: crbs }));
}

test('impersonation: users, service accounts (with their groups), groups and extras, each authorized', () => {
  assert.deepEqual(impersonate({ 'impersonate-user': ['jane'] }, carol, authz()), { username: 'jane', groups: ['system:authenticated'] });
  assert.deepEqual(impersonate({ 'impersonate-user': ['system:serviceaccount:ns1:robot'] }, admin, authz()), {
    username: 'system:serviceaccount:ns1:robot', groups: ['system:serviceaccounts', 'system:serviceaccounts:ns1', 'system:authenticated'],
  });
  assert.deepEqual(impersonate({ 'impersonate-user': ['x'], 'impersonate-group': ['a', 'b'], 'impersonate-extra-scopes%2fone': ['s1'], 'impersonate-uid': ['u1'] }, admin, authz()), {
    username: 'x', groups: ['a', 'b', 'system:authenticated'], uid: 'u1', extra: { 'scopes/one': ['s1'] },
  });
  assert.deepEqual(impersonate({ 'impersonate-user': ['system:anonymous'] }, admin, authz()).groups, ['system:unauthenticated']);
  assert.throws(() => impersonate({ 'impersonate-user': ['bob'] }, carol, authz()), (err: StatusError) => err.code === 403
    && err.message === 'users "bob" is forbidden: User "carol" cannot impersonate resource "users" in API group "" at the cluster scope');
  assert.throws(() => impersonate({ 'impersonate-user': ['jane'], 'impersonate-group': ['system:masters'] }, carol, authz()),
    (err: StatusError) => err.message === 'groups "system:masters" is forbidden: User "carol" cannot impersonate resource "groups" in API group "" at the cluster scope');
  assert.throws(() => impersonate({ 'impersonate-user': ['system:serviceaccount:d:default'] }, carol, authz()),
    (err: StatusError) => err.message === 'serviceaccounts "default" is forbidden: User "carol" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "d"');
  assert.throws(() => impersonate({ 'impersonate-group': ['g'] }, admin, authz()), (err: StatusError) => err.code === 500);
});

test('forbidden answers are worded as kube-apiserver words them', () => {
  const sa: UserInfo = { username: 'system:serviceaccount:default:default', groups: [] };
  assert.deepEqual(forbiddenError(resourceAttributes(sa, { verb: 'list', resource: 'pods', namespace: 'default' }), '').status, {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
    message: 'pods is forbidden: User "system:serviceaccount:default:default" cannot list resource "pods" in API group "" in the namespace "default"',
    reason: 'Forbidden', details: { kind: 'pods' }, code: 403,
  });
  const named = forbiddenError(resourceAttributes(sa, { verb: 'get', apiGroup: 'apps', resource: 'deployments', subresource: 'scale', namespace: 'd', name: 'web' }), 'RBAC: clusterrole.rbac.authorization.k8s.io "x" not found').status;
  assert.equal(named.message, 'deployments.apps "web" is forbidden: User "system:serviceaccount:default:default" cannot get resource "deployments/scale" in API group "apps" in the namespace "d": RBAC: clusterrole.rbac.authorization.k8s.io "x" not found');
  assert.deepEqual(named.details, { name: 'web', group: 'apps', kind: 'deployments' });
  assert.equal(forbiddenError(resourceAttributes(sa, { verb: 'list', resource: 'nodes' }), '').status.message,
    'nodes is forbidden: User "system:serviceaccount:default:default" cannot list resource "nodes" in API group "" at the cluster scope');
  const nr = forbiddenError(nonResourceAttributes(sa, 'get', '/metrics'), '').status;
  assert.equal(nr.message, 'forbidden: User "system:serviceaccount:default:default" cannot get path "/metrics"');
  assert.deepEqual(nr.details, {});
});
