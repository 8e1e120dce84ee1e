import type { ClusterRole, PolicyRule } from 'kubernetes-types/rbac/v1.js';
import { labelSelectorAsRequirements, matchesLabels, LabelSelectorParseError } from '../../api/selectors/index.js';

/**
 * The rules an aggregated ClusterRole should hold (clusterroleaggregation_controller.go): the
 * rules of every other ClusterRole that any of its selectors match, taken in name order, each
 * rule once. Undefined when the role has no aggregationRule. A selector that does not parse
 * selects nothing.
 */
export function aggregatedRules(role: ClusterRole, all: readonly ClusterRole[]): PolicyRule[] | undefined {
  const selectors = role.aggregationRule?.clusterRoleSelectors;
  if (!role.aggregationRule) return undefined;
  const self = role.metadata?.name;
  const matched = new Map<string, ClusterRole>();
  for (const sel of selectors ?? []) {
    let reqs;
    try {
      reqs = labelSelectorAsRequirements(sel);
    } catch (err) {
      if (err instanceof LabelSelectorParseError) continue;
      throw err;
    }
    for (const other of all) {
      const name = other.metadata?.name ?? '';
      if (name === self || matched.has(name)) continue;
      if (matchesLabels(reqs, other.metadata?.labels ?? {})) matched.set(name, other);
    }
  }
  const rules: PolicyRule[] = [];
  const seen = new Set<string>();
  for (const name of [...matched.keys()].sort()) {
    for (const rule of matched.get(name)!.rules ?? []) {
      const key = ruleKey(rule);
      if (seen.has(key)) continue;
      seen.add(key);
      rules.push(rule);
    }
  }
  return rules;
}

/** Semantic equality of rules: absent and empty lists are the same. */
function ruleKey(r: PolicyRule): string {
  return JSON.stringify([r.verbs ?? [], r.apiGroups ?? [], r.resources ?? [], r.resourceNames ?? [], r.nonResourceURLs ?? []]);
}

export function sameRules(a: readonly PolicyRule[] | undefined, b: readonly PolicyRule[] | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  return x.length === y.length && x.every((r, i) => ruleKey(r) === ruleKey(y[i]!));
}
