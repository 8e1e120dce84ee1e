import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from 'kubernetes-types/rbac/v1.js';
import type { UserInfo } from '../context.js';
import { nonResourceAttributes, requestAttributes, resourceAttributes } from './attributes.js';
import { clusterAuthorizer, rbacAuthorizer } from './authorizer.js';
import { staticPolicy } from './policy-source.js';
import { ruleAllows } from './rules.js';
import { bootstrapClusterRoleBindings, bootstrapClusterRoles } from './bootstrap-policy.js';
import { requestInfo } from '../http/request-info.js';

const sa: UserInfo = { username: 'system:serviceaccount:default:default', groups: ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated'] };
const alice: UserInfo = { username: 'alice', groups: ['devs', 'system:authenticated'] };
const admin: UserInfo = { username: 'system:admin', groups: ['system:masters', 'system:authenticated'] };

const res = (user: UserInfo, verb: string, resource: string, extra: { apiGroup?: string; namespace?: string; name?: string; subresource?: string } = {}) =>
  resourceAttributes(user, { verb, resource, ...extra });

test('rule matching: verbs, groups, resources, star-subresources, names, URL prefixes', () => {
  const r = { verbs: ['get', 'list'], apiGroups: ['', 'apps'], resources: ['pods', 'deployments/scale', '*/status'], resourceNames: ['web'] };
  assert.equal(ruleAllows(res(alice, 'get', 'pods', { name: 'web' }), r), true);
  assert.equal(ruleAllows(res(alice, 'get', 'pods', { name: 'db' }), r), false, 'resourceNames restrict');
  assert.equal(ruleAllows(res(alice, 'list', 'pods'), r), false, 'a list has no name, so a named rule does not allow it');
  assert.equal(ruleAllows(res(alice, 'delete', 'pods', { name: 'web' }), r), false);
  assert.equal(ruleAllows(res(alice, 'get', 'deployments', { apiGroup: 'apps', name: 'web', subresource: 'scale' }), r), true);
  assert.equal(ruleAllows(res(alice, 'get', 'deployments', { apiGroup: 'apps', name: 'web' }), r), false, 'a subresource rule does not grant the resource');
  assert.equal(ruleAllows(res(alice, 'get', 'nodes', { name: 'web', subresource: 'status' }), r), true, '*/status');
  assert.equal(ruleAllows(res(alice, 'get', 'pods', { apiGroup: 'batch', name: 'web' }), r), false);
  const star = { verbs: ['*'], apiGroups: ['*'], resources: ['*'] };
  assert.equal(ruleAllows(res(alice, 'escalate', 'roles', { apiGroup: 'rbac.authorization.k8s.io' }), star), true);
  assert.equal(ruleAllows(nonResourceAttributes(alice, 'get', '/healthz'), star), false, 'resource rules never match URLs');
  const urls = { verbs: ['get'], nonResourceURLs: ['/healthz', '/apis/*', '/logs**'] };
  assert.equal(ruleAllows(nonResourceAttributes(alice, 'get', '/healthz'), urls), true);
  assert.equal(ruleAllows(nonResourceAttributes(alice, 'get', '/healthz/etcd'), urls), false);
  assert.equal(ruleAllows(nonResourceAttributes(alice, 'get', '/apis/apps/v1'), urls), true);
  assert.equal(ruleAllows(nonResourceAttributes(alice, 'get', '/logs/x'), urls), true, 'all trailing stars are trimmed');
  assert.equal(ruleAllows(nonResourceAttributes(alice, 'post', '/healthz'), urls), false);
});

function policy() {
  const roles: Role[] = [{ metadata: { name: 'pod-reader', namespace: 'default' }, rules: [{ verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['pods'] }] }];
  const roleBindings: RoleBinding[] = [
    { metadata: { name: 'read-pods', namespace: 'default' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' }, subjects: [{ kind: 'ServiceAccount', name: 'default' }] },
    { metadata: { name: 'devs-edit', namespace: 'team' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'deployer' }, subjects: [{ kind: 'Group', name: 'devs', apiGroup: 'rbac.authorization.k8s.io' }] },
    { metadata: { name: 'dangling', namespace: 'team' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'gone' }, subjects: [{ kind: 'User', name: 'alice', apiGroup: 'rbac.authorization.k8s.io' }] },
  ];
  const clusterRoles: ClusterRole[] = [
    ...bootstrapClusterRoles(),
    { metadata: { name: 'deployer' }, rules: [{ verbs: ['*'], apiGroups: ['apps'], resources: ['deployments'] }] },
  ];
  const clusterRoleBindings: ClusterRoleBinding[] = bootstrapClusterRoleBindings();
  return staticPolicy({ roles, roleBindings, clusterRoles, clusterRoleBindings });
}

test('RBAC: a service account may only discover until a RoleBinding names it; ServiceAccount subjects default to the binding namespace', () => {
  const authz = rbacAuthorizer(policy());
  assert.deepEqual(authz.authorize(res(sa, 'list', 'pods', { namespace: 'default' })), {
    decision: 'Allow', reason: 'RBAC: allowed by RoleBinding "read-pods/default" of Role "pod-reader" to ServiceAccount "default/default"',
  });
  assert.equal(authz.authorize(res(sa, 'list', 'pods', { namespace: 'kube-system' })).decision, 'NoOpinion');
  assert.equal(authz.authorize(res(sa, 'list', 'pods')).decision, 'NoOpinion', 'a RoleBinding grants nothing cluster-wide');
  assert.equal(authz.authorize(res(sa, 'delete', 'pods', { namespace: 'default', name: 'x' })).decision, 'NoOpinion');
  assert.equal(authz.authorize(nonResourceAttributes(sa, 'get', '/apis/apps/v1')).decision, 'Allow');
  assert.equal(authz.authorize(nonResourceAttributes(sa, 'get', '/version')).decision, 'Allow');
  assert.equal(authz.authorize(nonResourceAttributes(sa, 'get', '/metrics')).decision, 'NoOpinion');
  assert.equal(authz.authorize(res(sa, 'create', 'selfsubjectaccessreviews', { apiGroup: 'authorization.k8s.io' })).decision, 'Allow');
  const other = { ...sa, username: 'system:serviceaccount:other:default' };
  assert.equal(authz.authorize(res(other, 'list', 'pods', { namespace: 'default' })).decision, 'NoOpinion');
});

test('RBAC: groups, ClusterRoles bound in a namespace, and missing roles reported as the reason', () => {
  const authz = rbacAuthorizer(policy());
  assert.equal(authz.authorize(res(alice, 'patch', 'deployments', { apiGroup: 'apps', namespace: 'team', name: 'web' })).decision, 'Allow');
  assert.equal(authz.authorize(res(alice, 'patch', 'deployments', { apiGroup: 'apps', namespace: 'default', name: 'web' })).decision, 'NoOpinion');
  assert.deepEqual(authz.authorize(res(alice, 'get', 'secrets', { namespace: 'team', name: 's' })), {
    decision: 'NoOpinion', reason: 'RBAC: role.rbac.authorization.k8s.io "gone" not found',
  });
});

test('system:masters is allowed everything before RBAC; rules come from RBAC (cluster-admin)', () => {
  const authz = clusterAuthorizer(staticPolicy({}));
  assert.deepEqual(authz.authorize(res(admin, 'delete', 'nodes', { name: 'n1' })), { decision: 'Allow', reason: '' });
  assert.equal(authz.authorize(res(alice, 'get', 'nodes', { name: 'n1' })).decision, 'NoOpinion');
  const withPolicy = clusterAuthorizer(policy());
  const rules = withPolicy.rulesFor(admin, 'default');
  assert.deepEqual(rules.resourceRules[0], { verbs: ['*'], apiGroups: ['*'], resources: ['*'] });
  assert.ok(rules.nonResourceRules.some((r) => r.nonResourceURLs?.includes('*')));
});

test('rules review: resource and non-resource rules of the namespace, with resolution errors', () => {
  const r = clusterAuthorizer(policy()).rulesFor(alice, 'team');
  assert.ok(r.resourceRules.some((x) => x.resources?.includes('deployments') && x.verbs.includes('*')));
  assert.ok(r.resourceRules.some((x) => x.resources?.includes('selfsubjectaccessreviews')));
  assert.ok(r.nonResourceRules.some((x) => x.nonResourceURLs?.includes('/api/*')));
  assert.equal(r.incomplete, false);
  assert.equal(r.evaluationError, 'role.rbac.authorization.k8s.io "gone" not found');
});

test('request attributes: list vs watch, namespace objects, field-selected names, non-resource paths', () => {
  const attrs = (method: string, url: string) => {
    const u = new URL(url, 'http://x');
    return requestAttributes(alice, requestInfo(method, u.pathname, u.searchParams), u.searchParams);
  };
  assert.deepEqual(pick(attrs('GET', '/api/v1/namespaces/default/pods')), ['list', '', 'pods', '', 'default', '']);
  assert.deepEqual(pick(attrs('GET', '/api/v1/namespaces/default/pods?watch=true&fieldSelector=metadata.name%3Dweb')), ['watch', '', 'pods', '', 'default', 'web']);
  assert.deepEqual(pick(attrs('GET', '/api/v1/namespaces/default/pods?fieldSelector=metadata.name%3Da%2Fb')), ['list', '', 'pods', '', 'default', ''], 'not a valid name');
  assert.deepEqual(pick(attrs('GET', '/api/v1/namespaces/team')), ['get', '', 'namespaces', '', 'team', 'team']);
  assert.deepEqual(pick(attrs('PUT', '/api/v1/namespaces/team/finalize')), ['update', '', 'namespaces', 'finalize', 'team', 'team']);
  assert.deepEqual(pick(attrs('DELETE', '/apis/apps/v1/namespaces/d/deployments')), ['deletecollection', 'apps', 'deployments', '', 'd', '']);
  assert.deepEqual(pick(attrs('POST', '/api/v1/namespaces/d/pods/web/exec')), ['create', '', 'pods', 'exec', 'd', 'web']);
  assert.deepEqual(pick(attrs('GET', '/api/v1/watch/namespaces/d/pods/web')), ['watch', '', 'pods', '', 'd', 'web']);
  const nr = attrs('GET', '/apis/apps/v1');
  assert.equal(nr.isResourceRequest, false);
  assert.equal(nr.path, '/apis/apps/v1');
  assert.equal(attrs('HEAD', '/healthz').verb, 'head');
});

function pick(a: ReturnType<typeof requestAttributes>) {
  return [a.verb, a.apiGroup, a.resource, a.subresource, a.namespace, a.name];
}
