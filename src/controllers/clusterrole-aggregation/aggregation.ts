import type { ClusterRole, PolicyRule } from 'kubernetes-types/rbac/v1.js';
import { labelSelectorAsRequirements, matchesLabels } from '../../api/selectors/index.js';

/**
 * The rules an aggregated ClusterRole should hold (clusterroleaggregation_controller.go
 * syncClusterRole): selector by selector, the rules of every other ClusterRole it matches, those
 * roles taken in name order, each rule once. Undefined when the role has no aggregationRule.
 * A selector that does not parse fails the whole computation with its LabelSelectorParseError,
 * as LabelSelectorAsSelector's error fails the sync upstream: nothing is written, and the key is
 * retried with backoff.
 */
export function aggregatedRules(role: ClusterRole, all: readonly ClusterRole[]): PolicyRule[] | undefined {
  if (!role.aggregationRule) return undefined;
  const self = role.metadata?.name;
  const byName = [...all].sort((a, b) => compareNames(a.metadata?.name ?? '', b.metadata?.name ?? ''));
  const rules: PolicyRule[] = [];
  const seen = new Set<string>();
  for (const sel of role.aggregationRule.clusterRoleSelectors ?? []) {
    const reqs = labelSelectorAsRequirements(sel);
    for (const other of byName) {
      if (other.metadata?.name === self || !matchesLabels(reqs, other.metadata?.labels ?? {})) continue;
      for (const rule of other.rules ?? []) {
        const key = ruleKey(rule);
        if (seen.has(key)) continue;
        seen.add(key);
        rules.push(rule);
      }
    }
  }
  return rules;
}

/** Go's string order (bytes), which sort.Sort(byName) uses. */
function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
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
