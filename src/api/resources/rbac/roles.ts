import type { ClusterRole, Role } from 'kubernetes-types/rbac/v1.js';
import type { Kube } from '../../types.js';
import { defineResource } from '../../resource.js';
import { fieldErr } from '../../errors.js';
import { validateLabelSelector } from '../../validation/index.js';
import { validateRBACName, validateRules } from './policy-rules.js';

export type RoleObject = Kube<Role>;
export type ClusterRoleObject = Kube<ClusterRole>;

// Roles and ClusterRoles have no server printer upstream: the default Name / Created At table.
export const roles = defineResource<RoleObject>({
  group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'Role', plural: 'roles', scope: 'Namespaced',
  schema: 'io.k8s.api.rbac.v1.Role',
  nameValidation: validateRBACName,
  validate: (r) => validateRules(r.rules, true),
});

export const clusterRoles = defineResource<ClusterRoleObject>({
  group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRole', plural: 'clusterroles', scope: 'Cluster',
  schema: 'io.k8s.api.rbac.v1.ClusterRole',
  nameValidation: validateRBACName,
  validate(r) {
    const errs = validateRules(r.rules, false);
    (r.aggregationRule?.clusterRoleSelectors ?? []).forEach((sel, i) => {
      errs.push(...validateLabelSelector(sel, `aggregationRule.clusterRoleSelectors[${i}]`));
    });
    if (r.aggregationRule && (r.aggregationRule.clusterRoleSelectors ?? []).length === 0) {
      errs.push(fieldErr.required('aggregationRule.clusterRoleSelectors', 'at least one clusterRoleSelector required if aggregationRule is non-nil'));
    }
    return errs;
  },
});
