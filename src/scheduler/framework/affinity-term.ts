import type { Pod, PodAffinityTerm, WeightedPodAffinityTerm } from 'kubernetes-types/core/v1.js';
import type { LabelRequirements } from '../../api/selectors/index.js';
import { labelSelectorAsRequirements, matchesLabels } from '../../api/selectors/index.js';

/** Namespace labels by name (for namespaceSelector); undefined when the namespace is unknown. */
export type NamespaceLabels = (namespace: string) => Readonly<Record<string, string>> | undefined;

/** A PodAffinityTerm with its selectors parsed once. */
export interface AffinityTerm {
  readonly topologyKey: string;
  /** null selects nothing (a nil labelSelector), [] everything. */
  readonly selector: LabelRequirements | null;
  readonly namespaces: ReadonlySet<string>;
  /** null: no namespaceSelector; [] all namespaces. */
  readonly namespaceSelector: LabelRequirements | null;
}

export interface WeightedAffinityTerm extends AffinityTerm {
  readonly weight: number;
}

/** Parses a term of `pod`; an empty namespace list and no namespaceSelector mean the pod's own namespace. */
export function affinityTerm(pod: Pod, t: PodAffinityTerm): AffinityTerm {
  const namespaceSelector = labelSelectorAsRequirements(t.namespaceSelector);
  const namespaces = new Set(t.namespaces ?? []);
  if (namespaces.size === 0 && namespaceSelector === null) namespaces.add(pod.metadata?.namespace ?? '');
  const selector = labelSelectorAsRequirements(t.labelSelector);
  // matchLabelKeys / mismatchLabelKeys: merged with the owning pod's label values.
  const extra = [
    ...(t.matchLabelKeys ?? []).flatMap((k) => {
      const v = pod.metadata?.labels?.[k];
      return v === undefined ? [] : [{ key: k, operator: 'in' as const, values: [v] }];
    }),
    ...(t.mismatchLabelKeys ?? []).flatMap((k) => {
      const v = pod.metadata?.labels?.[k];
      return v === undefined ? [] : [{ key: k, operator: 'notin' as const, values: [v] }];
    }),
  ];
  return {
    topologyKey: t.topologyKey,
    selector: selector === null ? null : extra.length ? [...selector, ...extra] : selector,
    namespaces,
    namespaceSelector,
  };
}

export function weightedAffinityTerms(pod: Pod, terms: readonly WeightedPodAffinityTerm[] | undefined): WeightedAffinityTerm[] {
  return (terms ?? []).map((w) => ({ ...affinityTerm(pod, w.podAffinityTerm), weight: w.weight }));
}

/** True when `term` selects `target` (namespace and labels). */
export function termMatches(term: AffinityTerm, target: Pod, nsLabels: NamespaceLabels): boolean {
  const ns = target.metadata?.namespace ?? '';
  if (!term.namespaces.has(ns)) {
    if (term.namespaceSelector === null) return false;
    if (term.namespaceSelector.length > 0 && !matchesLabels(term.namespaceSelector, nsLabels(ns) ?? {})) return false;
  }
  return matchesLabels(term.selector, target.metadata?.labels ?? {});
}
