import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterRole, ClusterRoleBinding, RoleBinding } from 'kubernetes-types/rbac/v1.js';
import { clusterRoleBindings, clusterRoles, roleBindings, roles } from '../../api/resources/index.js';
import type { ResourceDefinition } from '../../api/resource.js';
import type { KubeObject } from '../../api/types.js';
import { StatusError } from '../../api/errors.js';
import type { UserInfo } from '../context.js';
import type { Operation } from '../registry/admission.js';
import { clusterAuthorizer } from './authorizer.js';
import { rbacEscalationAdmission } from './escalation.js';
import { staticPolicy } from './policy-source.js';
import { compactRules, compactString, covers } from './policy-comparator.js';

const bob: UserInfo = { username: 'bob', groups: ['system:authenticated'] };
const admin: UserInfo = { username: 'system:admin', groups: ['system:masters', 'system:authenticated'] };
const ref = (kind: string, name: string) => ({ apiGroup: 'rbac.authorization.k8s.io', kind, name });

test('covers: broken down to single verbs/resources/names; star-subresources; URL prefixes', () => {
  const owner = [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods', '*/status'] }, { verbs: ['get'], nonResourceURLs: ['/api/*'] }];
  assert.equal(covers(owner, [{ verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['a', 'b'] }]).covered, true);
  assert.equal(covers(owner, [{ verbs: ['get'], apiGroups: [''], resources: ['nodes/status'] }]).covered, true);
  assert.equal(covers(owner, [{ verbs: ['get'], nonResourceURLs: ['/api/v1'] }]).covered, true);
  const { covered, missing } = covers(owner, [{ verbs: ['get', 'delete'], apiGroups: ['', 'apps'], resources: ['pods'] }]);
  assert.equal(covered, false);
  assert.deepEqual(missing.map(compactString), [
    '{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}',
    '{APIGroups:["apps"], Resources:["pods"], Verbs:["get"]}',
    '{APIGroups:["apps"], Resources:["pods"], Verbs:["delete"]}',
  ]);
  assert.deepEqual(compactRules(missing).map(compactString), [
    '{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}',
    '{APIGroups:["apps"], Resources:["pods"], Verbs:["get" "delete"]}',
  ]);
  assert.equal(covers([{ verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['a'] }], [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }]).covered, false,
    'a rule limited to names does not cover all names');
});

function plugin() {
  const crs: ClusterRole[] = [
    { metadata: { name: 'pod-admin' }, rules: [{ verbs: ['*'], apiGroups: [''], resources: ['pods'] }] },
    { metadata: { name: 'secret-reader' }, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'] }] },
    { metadata: { name: 'cluster-admin' }, rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, { verbs: ['*'], nonResourceURLs: ['*'] }] },
    { metadata: { name: 'binder' }, rules: [{ verbs: ['bind'], apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], resourceNames: ['secret-reader'] }] },
    { metadata: { name: 'escalator' }, rules: [{ verbs: ['escalate'], apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles'] }] },
  ];
  const rbs: RoleBinding[] = [
    { metadata: { name: 'bob-pods', namespace: 'team' }, roleRef: ref('ClusterRole', 'pod-admin'), subjects: [{ kind: 'User', name: 'bob' }] },
    { metadata: { name: 'bob-binds', namespace: 'team' }, roleRef: ref('ClusterRole', 'binder'), subjects: [{ kind: 'User', name: 'bob' }] },
    { metadata: { name: 'bob-escalates', namespace: 'esc' }, roleRef: ref('ClusterRole', 'escalator'), subjects: [{ kind: 'User', name: 'bob' }] },
  ];
  const crbs: ClusterRoleBinding[] = [];
  const policy = staticPolicy({ clusterRoles: crs, roleBindings: rbs, clusterRoleBindings: crbs });
  const p = rbacEscalationAdmission(policy, clusterAuthorizer(policy));
  return (user: UserInfo, def: ResourceDefinition, object: Record<string, unknown>, operation: Operation = 'CREATE', old?: Record<string, unknown>) => {
    const o = object as unknown as KubeObject;
    return p.validate!({ operation, def, namespace: o.metadata.namespace ?? '', name: o.metadata.name ?? '', object: o, old: old as unknown as KubeObject, ctx: { user } });
  };
}

async function forbiddenMessage(p: Promise<void>): Promise<string> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof StatusError);
    assert.equal(err.code, 403);
    return err.message;
  }
  assert.fail('expected 403');
}

test('escalation: a Role may only grant what its author holds in that namespace', async () => {
  const check = plugin();
  await check(bob, roles, { metadata: { name: 'r', namespace: 'team' }, rules: [{ verbs: ['get', 'delete'], apiGroups: [''], resources: ['pods'] }] });
  assert.equal(await forbiddenMessage(check(bob, roles, { metadata: { name: 'r', namespace: 'team' }, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods', 'secrets'] }] })),
    'roles.rbac.authorization.k8s.io "r" is forbidden: user "bob" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["secrets"], Verbs:["get"]}');
  await assert.rejects(check(bob, roles, { metadata: { name: 'r', namespace: 'other' }, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }] }), /not currently held/);
  await check(bob, roles, { metadata: { name: 'r', namespace: 'esc' }, rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }] });   // escalate on roles
  await check(admin, clusterRoles, { metadata: { name: 'x' }, rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }] });
});

test('escalation: aggregationRule needs cluster-admin; GC-only updates pass', async () => {
  const check = plugin();
  const agg = { metadata: { name: 'agg' }, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { a: 'b' } }] } };
  assert.match(await forbiddenMessage(check(bob, clusterRoles, agg)), /^clusterroles\.rbac\.authorization\.k8s\.io "agg" is forbidden: must have cluster-admin privileges to use the aggregationRule$/);
  const old = { metadata: { name: 'big' }, rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }] };
  await check(bob, clusterRoles, { ...old, metadata: { name: 'big', finalizers: ['x'], resourceVersion: '9' } }, 'UPDATE', old);
  await assert.rejects(check(bob, clusterRoles, { ...old, metadata: { name: 'big', labels: { a: 'b' } } }, 'UPDATE', old), /not currently held/);
});

test('escalation: bindings need the role\'s rules or bind on it; a missing role is NotFound', async () => {
  const check = plugin();
  const binding = (name: string, ns: string, roleName: string, kind = 'ClusterRole') => ({ metadata: { name, namespace: ns }, roleRef: ref(kind, roleName), subjects: [{ kind: 'User', name: 'eve' }] });
  await check(bob, roleBindings, binding('b1', 'team', 'pod-admin'));
  await check(bob, roleBindings, binding('b2', 'team', 'secret-reader'));   // bind on that clusterrole
  assert.equal(await forbiddenMessage(check(bob, roleBindings, binding('b3', 'other', 'secret-reader'))),
    'rolebindings.rbac.authorization.k8s.io "b3" is forbidden: user "bob" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["secrets"], Verbs:["get"]}');
  // Upstream (pkg/registry/rbac/rolebinding/policybased/storage.go Create) returns GetRoleReferenceRules' error
  // unchanged, and the role registry's Get answers NotFound: the create fails 404, naming the role, not the binding.
  await assert.rejects(check(bob, roleBindings, binding('b4', 'team', 'nope', 'Role')), (err: unknown) => {
    assert.ok(err instanceof StatusError);
    assert.equal(err.code, 404);
    assert.equal(err.reason, 'NotFound');
    assert.equal(err.message, 'roles.rbac.authorization.k8s.io "nope" not found');
    assert.deepEqual(err.status.details, { name: 'nope', group: 'rbac.authorization.k8s.io', kind: 'roles' });
    return true;
  });
  await assert.rejects(check(bob, clusterRoleBindings, { metadata: { name: 'c2' }, roleRef: ref('ClusterRole', 'nope'), subjects: [] }),
    (err: unknown) => err instanceof StatusError && err.code === 404 && err.message === 'clusterroles.rbac.authorization.k8s.io "nope" not found');
  await assert.rejects(check(bob, roleBindings, binding('b5', 'team', 'x', 'Group')),
    (err: unknown) => err instanceof StatusError && err.code === 500 && err.message === 'unsupported role reference kind: "Group"');
  await assert.rejects(check(bob, clusterRoleBindings, { metadata: { name: 'c' }, roleRef: ref('ClusterRole', 'pod-admin'), subjects: [] }), /not currently held/,
    'a namespace grant does not let one bind cluster-wide');
  await check(admin, clusterRoleBindings, { metadata: { name: 'c' }, roleRef: ref('ClusterRole', 'cluster-admin'), subjects: [] });
});
