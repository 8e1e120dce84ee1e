import type { ClusterRole, PolicyRule, RoleRef } from 'kubernetes-types/rbac/v1.js';
import { forbidden, notFound, statusError } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import type { UserInfo } from '../context.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../registry/admission.js';
import { resourceAttributes } from './attributes.js';
import { systemPrivilegedGroup, type Authorizer } from './authorizer.js';
import { compactRules, compactString, covers, goQuotedList } from './policy-comparator.js';
import type { PolicySource } from './policy-source.js';
import { rulesFor, roleRefRules } from './rule-resolver.js';

const rbacGroup = 'rbac.authorization.k8s.io';

/** `*` on everything: what setting an aggregationRule requires. */
const fullAuthority: PolicyRule[] = [
  { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
  { verbs: ['*'], nonResourceURLs: ['*'] },
];

/** system:masters may always escalate: the API server's own loopback identity is one. */
export function escalationAllowed(user: UserInfo): boolean {
  return user.groups.includes(systemPrivilegedGroup);
}

/**
 * ConfirmNoEscalation: the rules the user holds in `namespace` (cluster-wide ones included)
 * must cover `rules`; the error message lists what is missing, one compact rule per line, sorted.
 */
export function confirmNoEscalation(policy: PolicySource, user: UserInfo, namespace: string, rules: readonly PolicyRule[]): string | undefined {
  const owner = rulesFor(policy, user, namespace);
  const { covered, missing } = covers(owner.rules, rules);
  if (covered) return undefined;
  const lines = [...new Set(compactRules(missing).map(compactString))].sort();
  let msg = `user "${user.username}" (groups=${goQuotedList(user.groups)}) is attempting to grant RBAC permissions not currently held:\n${lines.join('\n')}`;
  if (owner.errors.length) msg += `; resolution errors: [${owner.errors.join(' ')}]`;
  return msg;
}

/**
 * Privilege-escalation prevention for RBAC writes (the policybased storages of pkg/registry/rbac): a user may
 * create or update a Role/ClusterRole only with rules they hold (or with `escalate` on it), and a
 * binding only to a role whose rules they hold (or with `bind` on it). Setting an aggregationRule
 * takes cluster-admin. Changes to owner references and finalizers alone are always allowed.
 */
export function rbacEscalationAdmission(policy: PolicySource, authorizer: Authorizer): AdmissionPlugin {
  const allowedTo = (user: UserInfo, verb: string, resource: string, namespace: string, name: string) =>
    authorizer.authorize(resourceAttributes(user, { verb, apiGroup: rbacGroup, apiVersion: '*', resource, namespace, name })).decision === 'Allow';

  return {
    name: 'RBACEscalation',
    async validate(a: AdmissionAttributes): Promise<void> {
      if (a.def.group !== rbacGroup || a.subresource || (a.operation !== 'CREATE' && a.operation !== 'UPDATE') || !a.object) return;
      const user = a.ctx.user;
      if (escalationAllowed(user)) return;
      if (a.operation === 'UPDATE' && a.old && isOnlyMutatingGCFields(a.object, a.old)) return;
      const plural = a.def.plural;
      const qualified = { resource: plural, group: rbacGroup, name: a.object.metadata.name ?? a.name };
      const namespace = a.def.scope === 'Namespaced' ? a.namespace : '';
      const requestName = a.operation === 'UPDATE' ? a.name : '';

      if (plural === 'roles' || plural === 'clusterroles') {
        if (allowedTo(user, 'escalate', plural, namespace, requestName)) return;
        const rules = (a.object as unknown as { rules?: PolicyRule[] }).rules ?? [];
        const err = confirmNoEscalation(policy, user, namespace, rules);
        if (err) throw forbidden(`${plural}.${rbacGroup} "${qualified.name}" is forbidden: ${err}`, qualified);
        if (plural === 'clusterroles' && (hasAggregationRule(a.object) || (a.old && hasAggregationRule(a.old)))) {
          if (confirmNoEscalation(policy, user, '', fullAuthority)) {
            throw forbidden(`${plural}.${rbacGroup} "${qualified.name}" is forbidden: must have cluster-admin privileges to use the aggregationRule`, qualified);
          }
        }
        return;
      }
      if (plural === 'rolebindings' || plural === 'clusterrolebindings') {
        const ref = (a.object as unknown as { roleRef?: RoleRef }).roleRef;
        if (!ref) return;   // validation rejects it
        const bindResource = ref.kind === 'ClusterRole' ? 'clusterroles' : ref.kind === 'Role' ? 'roles' : '';
        if (bindResource && allowedTo(user, 'bind', bindResource, namespace, ref.name)) return;
        // GetRoleReferenceRules' error is returned as it is (policybased storage.go): the role registry's
        // NotFound (404) for a missing role; a plain error, which the handler answers as a 500, for an unknown kind.
        const r = roleRefRules(policy, ref, namespace, 'registry');
        if ('error' in r) throw r.missing ? notFound(r.missing) : statusError(500, '', r.error);
        const err = confirmNoEscalation(policy, user, namespace, r.rules);
        if (err) throw forbidden(`${plural}.${rbacGroup} "${qualified.name}" is forbidden: ${err}`, qualified);
      }
    },
  };
}

function hasAggregationRule(obj: KubeObject): boolean {
  return (obj as unknown as ClusterRole).aggregationRule != null;
}

/** IsOnlyMutatingGCFields: equal but for owner references and finalizers (and what the server itself sets). */
export function isOnlyMutatingGCFields(obj: KubeObject, old: KubeObject): boolean {
  const strip = (o: KubeObject) => {
    const { ownerReferences: _o, finalizers: _f, resourceVersion: _r, managedFields: _m, generation: _g, ...meta } = o.metadata;
    return JSON.stringify(sortKeys({ ...o, metadata: meta }));
  };
  return strip(obj) === strip(old);
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  return v;
}
