import type { PolicyRule } from 'kubernetes-types/rbac/v1.js';
import type { UserInfo } from '../context.js';
import type { Attributes } from './attributes.js';
import type { PolicySource } from './policy-source.js';
import { ruleAllows } from './rules.js';
import { aggregateErrors, rulesFor, visitRulesFor } from './rule-resolver.js';

export type Decision = 'Allow' | 'Deny' | 'NoOpinion';

export interface AuthorizerResult {
  decision: Decision;
  /** Why (allowed by which binding, or the errors met while resolving rules); may be empty. */
  reason: string;
}

/** What a user may do in a namespace, for SelfSubjectRulesReview. */
export interface RulesResult {
  resourceRules: PolicyRule[];
  nonResourceRules: PolicyRule[];
  incomplete: boolean;
  evaluationError?: string;
}

/** An authorizer: synchronous and memory-only, called for every request. */
export interface Authorizer {
  authorize(a: Attributes): AuthorizerResult;
  rulesFor(user: UserInfo, namespace: string): RulesResult;
}

/** `system:masters`: the privileged group that may do anything, whatever RBAC says (loopback, admin). */
export const systemPrivilegedGroup = 'system:masters';

/** authorizerfactory.NewPrivilegedGroups: allows every request of a member, no opinion otherwise. */
export function privilegedGroupAuthorizer(groups: readonly string[] = [systemPrivilegedGroup]): Authorizer {
  const member = (u: UserInfo) => u.groups.some((g) => groups.includes(g));
  return {
    authorize: (a) => ({ decision: member(a.user) ? 'Allow' : 'NoOpinion', reason: '' }),
    rulesFor: (user) => member(user)
      ? { resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }], incomplete: false }
      : { resourceRules: [], nonResourceRules: [], incomplete: false },
  };
}

/** The RBAC authorizer (plugin/pkg/auth/authorizer/rbac): allows when any applicable rule does; never denies. */
export function rbacAuthorizer(policy: PolicySource): Authorizer {
  return {
    authorize(a) {
      let allowedBy: (() => string) | undefined;
      let errors: string[] | undefined;
      visitRulesFor(policy, a.user, a.namespace, (source, rule, err) => {
        if (rule && ruleAllows(a, rule)) {
          allowedBy = source;
          return false;
        }
        if (err) (errors ??= []).push(err);
        return true;
      });
      if (allowedBy) return { decision: 'Allow', reason: `RBAC: allowed by ${allowedBy()}` };
      return { decision: 'NoOpinion', reason: errors ? `RBAC: ${aggregateErrors(errors)}` : '' };
    },
    rulesFor(user, namespace) {
      const { rules, errors } = rulesFor(policy, user, namespace);
      const out: RulesResult = {
        resourceRules: rules.filter((r) => (r.resources ?? []).length > 0).map((r) => {
          const rr: PolicyRule = { verbs: r.verbs, apiGroups: r.apiGroups, resources: r.resources };
          if (r.resourceNames?.length) rr.resourceNames = r.resourceNames;
          return rr;
        }),
        nonResourceRules: rules.filter((r) => (r.nonResourceURLs ?? []).length > 0).map((r) => ({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs })),
        incomplete: false,
      };
      if (errors.length) out.evaluationError = aggregateErrors(errors);
      return out;
    },
  };
}

/**
 * Authorizers tried in order (union.New): the first Allow or Deny decides; otherwise no opinion,
 * with every reason joined by newlines. Rules are concatenated.
 */
export function unionAuthorizer(...authorizers: Authorizer[]): Authorizer {
  return {
    authorize(a) {
      const reasons: string[] = [];
      for (const z of authorizers) {
        const r = z.authorize(a);
        if (r.decision !== 'NoOpinion') return r;
        if (r.reason) reasons.push(r.reason);
      }
      return { decision: 'NoOpinion', reason: reasons.join('\n') };
    },
    rulesFor(user, namespace) {
      const out: RulesResult = { resourceRules: [], nonResourceRules: [], incomplete: false };
      const errors: string[] = [];
      for (const z of authorizers) {
        const r = z.rulesFor(user, namespace);
        out.resourceRules.push(...r.resourceRules);
        out.nonResourceRules.push(...r.nonResourceRules);
        if (r.incomplete) out.incomplete = true;
        if (r.evaluationError) errors.push(r.evaluationError);
      }
      if (errors.length) out.evaluationError = aggregateErrors(errors);
      return out;
    },
  };
}

/**
 * kube-apiserver's chain for `--authorization-mode=RBAC`: system:masters first, then RBAC. Rules
 * (SelfSubjectRulesReview) come from RBAC alone, as upstream's rule resolvers.
 */
export function clusterAuthorizer(policy: PolicySource): Authorizer {
  const rbac = rbacAuthorizer(policy);
  const chain = unionAuthorizer(privilegedGroupAuthorizer(), rbac);
  return { authorize: (a) => chain.authorize(a), rulesFor: (user, ns) => rbac.rulesFor(user, ns) };
}
