import type { ClusterRoleBinding, RoleBinding } from 'kubernetes-types/rbac/v1.js';
import type { Kube } from '../../types.js';
import { defineResource, type PrinterColumn } from '../../resource.js';
import { age } from '../../printers.js';
import { defaultSubjects, subjectsStrings, validateRBACBinding, validateRBACName } from './policy-rules.js';

export type RoleBindingObject = Kube<RoleBinding>;
export type ClusterRoleBindingObject = Kube<ClusterRoleBinding>;

function bindingColumns<T extends RoleBindingObject | ClusterRoleBindingObject>(what: string): PrinterColumn<T>[] {
  return [
    { name: 'Role', type: 'string', description: 'RoleRef can only reference the current namespace and the global namespace.', cell: (b) => `${b.roleRef?.kind ?? ''}/${b.roleRef?.name ?? ''}` },
    { name: 'Age', type: 'string', cell: (b, now) => age(b.metadata.creationTimestamp, now) },
    { name: 'Users', type: 'string', priority: 1, description: `Users in the ${what}`, cell: (b) => subjectsStrings(b.subjects).users },
    { name: 'Groups', type: 'string', priority: 1, description: `Groups in the ${what}`, cell: (b) => subjectsStrings(b.subjects).groups },
    { name: 'ServiceAccounts', type: 'string', priority: 1, description: `ServiceAccounts in the ${what}`, cell: (b) => subjectsStrings(b.subjects).serviceAccounts },
  ];
}

export const roleBindings = defineResource<RoleBindingObject>({
  group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'RoleBinding', plural: 'rolebindings', scope: 'Namespaced',
  schema: 'io.k8s.api.rbac.v1.RoleBinding',
  nameValidation: validateRBACName,
  defaults: (b) => defaultSubjects(b.subjects, b.roleRef),
  validate: (b, old) => validateRBACBinding(b.roleRef, b.subjects, true, old?.roleRef),
  printerColumns: bindingColumns<RoleBindingObject>('roleBinding'),
});

export const clusterRoleBindings = defineResource<ClusterRoleBindingObject>({
  group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRoleBinding', plural: 'clusterrolebindings', scope: 'Cluster',
  schema: 'io.k8s.api.rbac.v1.ClusterRoleBinding',
  nameValidation: validateRBACName,
  defaults: (b) => defaultSubjects(b.subjects, b.roleRef),
  validate: (b, old) => validateRBACBinding(b.roleRef, b.subjects, false, old?.roleRef),
  printerColumns: bindingColumns<ClusterRoleBindingObject>('clusterRoleBinding'),
});
