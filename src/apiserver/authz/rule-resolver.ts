import type { ClusterRoleBinding, PolicyRule, RoleBinding, RoleRef, Subject } from 'kubernetes-types/rbac/v1.js';
import type { UserInfo } from '../context.js';
import type { PolicySource } from './policy-source.js';

/** Where a rule came from, described as upstream does in "RBAC: allowed by …". */
export type RuleSource = () => string;

/** Called with each rule that applies (and each resolution error); returning false stops the walk. */
export type RuleVisitor = (source: RuleSource | undefined, rule: PolicyRule | undefined, err: string | undefined) => boolean;

const serviceAccountPrefix = 'system:serviceaccount:';

/** Why a role reference did not resolve: `missing` names the absent role (a NotFound), otherwise the kind is unsupported. */
export interface RoleRefError { error: string; missing?: { resource: 'roles' | 'clusterroles'; group: string; name: string } }

/**
 * The rules of a binding's role; an error when the role does not exist, worded as the
 * authorizer's listers (`clusterrole.rbac…`) or, for escalation checks, the registry (`clusterroles.rbac…`).
 */
export function roleRefRules(policy: PolicySource, ref: RoleRef, bindingNamespace: string, wording: 'lister' | 'registry' = 'lister'): { rules: readonly PolicyRule[] } | RoleRefError {
  const s = wording === 'registry' ? 's' : '';
  const group = 'rbac.authorization.k8s.io';
  switch (ref.kind) {
    case 'Role': {
      const role = policy.role(bindingNamespace, ref.name);
      return role ? { rules: role.rules ?? [] }
        : { error: `role${s}.${group} "${ref.name}" not found`, missing: { resource: 'roles', group, name: ref.name } };
    }
    case 'ClusterRole': {
      const role = policy.clusterRole(ref.name);
      return role ? { rules: role.rules ?? [] }
        : { error: `clusterrole${s}.${group} "${ref.name}" not found`, missing: { resource: 'clusterroles', group, name: ref.name } };
    }
    default:
      return { error: `unsupported role reference kind: "${ref.kind}"` };
  }
}

/** Whether a binding subject is this user; ServiceAccount subjects default to the binding's namespace. */
export function subjectMatches(user: UserInfo, s: Subject, bindingNamespace: string): boolean {
  switch (s.kind) {
    case 'User': return user.username === s.name;
    case 'Group': return user.groups.includes(s.name);
    case 'ServiceAccount': {
      const ns = s.namespace || bindingNamespace;
      if (!ns) return false;
      const u = user.username;
      // system:serviceaccount:<ns>:<name>, compared without building the string
      return u.length === serviceAccountPrefix.length + ns.length + 1 + s.name.length
        && u.startsWith(serviceAccountPrefix) && u.startsWith(ns, serviceAccountPrefix.length)
        && u.charCodeAt(serviceAccountPrefix.length + ns.length) === 58 /* : */ && u.endsWith(s.name);
    }
    default: return false;
  }
}

function firstSubject(user: UserInfo, subjects: readonly Subject[] | undefined, ns: string): Subject | undefined {
  for (const s of subjects ?? []) if (subjectMatches(user, s, ns)) return s;
  return undefined;
}

function describeSubject(s: Subject, bindingNamespace: string): string {
  if (s.kind === 'ServiceAccount') return `${s.kind} "${s.name}/${s.namespace || bindingNamespace}"`;
  return `${s.kind} "${s.name}"`;
}

/**
 * Visits the rules that apply to `user` in `namespace` (DefaultRuleResolver.VisitRulesFor): every
 * ClusterRoleBinding, then the RoleBindings of the namespace.
 */
export function visitRulesFor(policy: PolicySource, user: UserInfo, namespace: string, visit: RuleVisitor): void {
  for (const b of policy.clusterRoleBindingsFor(user)) {
    const subject = firstSubject(user, b.subjects, '');
    if (!subject) continue;
    const r = roleRefRules(policy, b.roleRef, '');
    if ('error' in r) {
      if (!visit(undefined, undefined, r.error)) return;
      continue;
    }
    const source = () => describeClusterRoleBinding(b, subject);
    for (const rule of r.rules) if (!visit(source, rule, undefined)) return;
  }
  if (!namespace) return;
  for (const b of policy.roleBindingsFor(user, namespace)) {
    const subject = firstSubject(user, b.subjects, namespace);
    if (!subject) continue;
    const r = roleRefRules(policy, b.roleRef, namespace);
    if ('error' in r) {
      if (!visit(undefined, undefined, r.error)) return;
      continue;
    }
    const source = () => describeRoleBinding(b, subject);
    for (const rule of r.rules) if (!visit(source, rule, undefined)) return;
  }
}

function describeClusterRoleBinding(b: ClusterRoleBinding, s: Subject): string {
  return `ClusterRoleBinding "${b.metadata?.name ?? ''}" of ${b.roleRef.kind} "${b.roleRef.name}" to ${describeSubject(s, '')}`;
}

function describeRoleBinding(b: RoleBinding, s: Subject): string {
  const ns = b.metadata?.namespace ?? '';
  return `RoleBinding "${b.metadata?.name ?? ''}/${ns}" of ${b.roleRef.kind} "${b.roleRef.name}" to ${describeSubject(s, ns)}`;
}

/** Every rule that applies, and the resolution errors (the rules are still usable: RBAC only adds). */
export function rulesFor(policy: PolicySource, user: UserInfo, namespace: string): { rules: PolicyRule[]; errors: string[] } {
  const rules: PolicyRule[] = [];
  const errors: string[] = [];
  visitRulesFor(policy, user, namespace, (_s, rule, err) => {
    if (rule) rules.push(rule);
    if (err) errors.push(err);
    return true;
  });
  return { rules, errors };
}

/** utilerrors.NewAggregate(...).Error(): one message alone, several in brackets. */
export function aggregateErrors(errors: readonly string[]): string {
  return errors.length === 1 ? errors[0]! : `[${errors.join(', ')}]`;
}
