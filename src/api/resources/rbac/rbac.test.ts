import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatFieldError } from '../../errors.js';
import { roles, clusterRoles } from './roles.js';
import { roleBindings, clusterRoleBindings, type RoleBindingObject } from './role-bindings.js';

test('Role rules validation', () => {
  assert.deepEqual(roles.validate!({ metadata: { name: 'r' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] }), []);
  assert.deepEqual(roles.validate!({ metadata: { name: 'r' }, rules: [{ resources: ['pods'], verbs: [] }, { nonResourceURLs: ['/healthz'], verbs: ['get'] }] }).map(formatFieldError), [
    'rules[0].verbs: Required value: verbs must contain at least one value',
    'rules[0].apiGroups: Required value: resource rules must supply at least one api group',
    'rules[1].nonResourceURLs: Invalid value: ["/healthz"]: namespaced rules cannot apply to non-resource URLs',
  ]);
  assert.deepEqual(clusterRoles.validate!({ metadata: { name: 'c' }, rules: [{ nonResourceURLs: ['/healthz'], verbs: ['get'] }] }), []);
  assert.deepEqual(roles.nameValidation!('system:controller:x'), []);
  assert.deepEqual(roles.nameValidation!('a/b'), ["may not contain '/'"]);
});

test('Bindings: defaults, roleRef rules and immutability, printer', () => {
  const rb: RoleBindingObject = { metadata: { name: 'b', namespace: 'd' }, roleRef: { kind: 'ClusterRole', name: 'view' } as RoleBindingObject['roleRef'], subjects: [{ kind: 'User', name: 'alice' }, { kind: 'ServiceAccount', name: 'default', namespace: 'd' }, { kind: 'Group', name: 'devs' }] };
  roleBindings.defaults!(rb);
  assert.equal(rb.roleRef.apiGroup, 'rbac.authorization.k8s.io');
  assert.deepEqual(rb.subjects!.map((s) => s.apiGroup), ['rbac.authorization.k8s.io', '', 'rbac.authorization.k8s.io']);
  assert.deepEqual(roleBindings.validate!(rb), []);
  const changed = { ...rb, roleRef: { ...rb.roleRef, name: 'edit' } };
  assert.equal(roleBindings.validate!(changed, rb).at(-1)!.detail, 'cannot change roleRef');
  assert.deepEqual(roleBindings.printerColumns!.map((c) => c.cell(rb, 0)).filter((_, i) => i !== 1), ['ClusterRole/view', 'alice', 'devs', 'd/default']);
  const crb = { metadata: { name: 'x' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' }, subjects: [{ kind: 'ServiceAccount', name: 'sa', apiGroup: '' }] };
  assert.deepEqual(clusterRoleBindings.validate!(crb).map(formatFieldError), [
    'roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"',
    'subjects[0].namespace: Required value',
  ]);
});
