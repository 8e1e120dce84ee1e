import type { PolicyRule, RoleRef, Subject } from 'kubernetes-types/rbac/v1.js';
import type { FieldError } from '../../types.js';
import { fieldErr } from '../../errors.js';
import { child, index, isDNS1123Subdomain, isValidPathSegmentName } from '../../validation/index.js';

export const rbacGroup = 'rbac.authorization.k8s.io';

/** ValidateRBACName: any valid URL path segment. */
export const validateRBACName = isValidPathSegmentName;

/** ValidatePolicyRule: verbs always; resource rules need groups; namespaced rules have no URLs. */
export function validatePolicyRule(rule: PolicyRule, isNamespaced: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if ((rule.verbs ?? []).length === 0) errs.push(fieldErr.required(child(path, 'verbs'), 'verbs must contain at least one value'));
  const urls = rule.nonResourceURLs ?? [];
  if (urls.length > 0) {
    if (isNamespaced) errs.push(fieldErr.invalid(child(path, 'nonResourceURLs'), urls, 'namespaced rules cannot apply to non-resource URLs'));
    if ((rule.apiGroups ?? []).length > 0 || (rule.resources ?? []).length > 0 || (rule.resourceNames ?? []).length > 0) {
      errs.push(fieldErr.invalid(child(path, 'nonResourceURLs'), urls, 'rules cannot apply to both regular resources and non-resource URLs'));
    }
    return errs;
  }
  if ((rule.apiGroups ?? []).length === 0) errs.push(fieldErr.required(child(path, 'apiGroups'), 'resource rules must supply at least one api group'));
  if ((rule.resources ?? []).length === 0) errs.push(fieldErr.required(child(path, 'resources'), 'resource rules must supply at least one resource'));
  return errs;
}

export function validateRules(rules: readonly PolicyRule[] | undefined, isNamespaced: boolean): FieldError[] {
  return (rules ?? []).flatMap((r, i) => validatePolicyRule(r, isNamespaced, index('rules', i)));
}

/** SetDefaults_Subject / _RoleBinding: API groups filled in. */
export function defaultSubjects(subjects: Subject[] | undefined, roleRef: RoleRef | undefined): void {
  if (roleRef && !roleRef.apiGroup) roleRef.apiGroup = rbacGroup;
  for (const s of subjects ?? []) {
    if (s.apiGroup === undefined || s.apiGroup === '') s.apiGroup = s.kind === 'ServiceAccount' ? '' : rbacGroup;
  }
}

/** ValidateRoleBindingSubject. */
export function validateSubject(s: Subject, isNamespaced: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!s.name) errs.push(fieldErr.required(child(path, 'name'), ''));
  switch (s.kind) {
    case 'ServiceAccount':
      if (s.name) for (const m of isDNS1123Subdomain(s.name)) errs.push(fieldErr.invalid(child(path, 'name'), s.name, m));
      if (s.apiGroup) errs.push(fieldErr.notSupported(child(path, 'apiGroup'), s.apiGroup, ['']));
      if (!isNamespaced && !s.namespace) errs.push(fieldErr.required(child(path, 'namespace'), ''));
      break;
    case 'User':
    case 'Group':
      if (s.apiGroup !== rbacGroup) errs.push(fieldErr.notSupported(child(path, 'apiGroup'), s.apiGroup, [rbacGroup]));
      break;
    default:
      errs.push(fieldErr.notSupported(child(path, 'kind'), s.kind, ['ServiceAccount', 'User', 'Group']));
  }
  return errs;
}

/** ValidateRoleBinding / ClusterRoleBinding: roleRef kind and group, subjects; roleRef is immutable. */
export function validateRBACBinding(
  roleRef: RoleRef | undefined, subjects: Subject[] | undefined, isNamespaced: boolean,
  oldRoleRef?: RoleRef,
): FieldError[] {
  const errs: FieldError[] = [];
  const ref = roleRef ?? ({} as RoleRef);
  if (ref.apiGroup !== rbacGroup) errs.push(fieldErr.notSupported('roleRef.apiGroup', ref.apiGroup ?? '', [rbacGroup]));
  const kinds = isNamespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(ref.kind)) errs.push(fieldErr.notSupported('roleRef.kind', ref.kind ?? '', kinds));
  if (!ref.name) errs.push(fieldErr.required('roleRef.name', ''));
  else for (const m of validateRBACName(ref.name)) errs.push(fieldErr.invalid('roleRef.name', ref.name, m));
  (subjects ?? []).forEach((s, i) => errs.push(...validateSubject(s, isNamespaced, index('subjects', i))));
  if (oldRoleRef && (oldRoleRef.apiGroup !== ref.apiGroup || oldRoleRef.kind !== ref.kind || oldRoleRef.name !== ref.name)) {
    errs.push(fieldErr.invalid('roleRef', ref, 'cannot change roleRef'));
  }
  return errs;
}

/** rbac.SubjectsStrings: users, groups and `ns/name` service accounts, each joined with ", ". */
export function subjectsStrings(subjects: readonly Subject[] | undefined): { users: string; groups: string; serviceAccounts: string } {
  const users: string[] = [];
  const groups: string[] = [];
  const sas: string[] = [];
  for (const s of subjects ?? []) {
    if (s.kind === 'ServiceAccount') sas.push(`${s.namespace ?? ''}/${s.name}`);
    else if (s.kind === 'User') users.push(s.name);
    else if (s.kind === 'Group') groups.push(s.name);
  }
  return { users: users.join(', '), groups: groups.join(', '), serviceAccounts: sas.join(', ') };
}
