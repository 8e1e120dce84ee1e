import type { Pod } from 'kubernetes-types/core/v1.js';
import type { FilterPlugin, PreFilterPlugin, PreScorePlugin, ScorePlugin } from '../framework/types.js';
import { maxNodeScore, skip, success, unresolvable, unschedulable } from '../framework/types.js';
import { stateKey } from '../framework/cycle-state.js';
import type { NamespaceLabels } from '../framework/affinity-term.js';
import { termMatches } from '../framework/affinity-term.js';
import type { NodeInfo, PodInfo } from '../framework/node-info.js';

export const interPodAffinityName = 'InterPodAffinity';
export const errReasonExistingAntiAffinityRulesNotMatch = "node(s) didn't satisfy existing pods anti-affinity rules";
export const errReasonAffinityRulesNotMatch = "node(s) didn't match pod affinity rules";
export const errReasonAntiAffinityRulesNotMatch = "node(s) didn't match pod anti-affinity rules";

export interface InterPodAffinityArgs {
  /** Weight of an existing pod's required affinity term that matches the incoming pod, in scoring. Default 1. */
  hardPodAffinityWeight?: number;
}

/** topologyKey → topology value → count. */
class Counts {
  readonly m = new Map<string, Map<string, number>>();
  add(key: string, value: string, n: number): void {
    let vals = this.m.get(key);
    if (!vals) this.m.set(key, (vals = new Map()));
    const next = (vals.get(value) ?? 0) + n;
    if (next === 0) { vals.delete(value); if (vals.size === 0) this.m.delete(key); } else vals.set(value, next);
  }
  get(key: string, value: string): number { return this.m.get(key)?.get(value) ?? 0; }
  get size(): number { return this.m.size; }
  clone(): Counts { const c = new Counts(); for (const [k, v] of this.m) c.m.set(k, new Map(v)); return c; }
}

class FilterState {
  constructor(readonly pod: PodInfo, readonly existingAnti: Counts, readonly affinity: Counts, readonly anti: Counts) {}
  clone(): FilterState { return new FilterState(this.pod, this.existingAnti.clone(), this.affinity.clone(), this.anti.clone()); }
}
const filterKey = stateKey<FilterState>('PreFilterInterPodAffinity');
const scoreKey = stateKey<Counts>('PreScoreInterPodAffinity');

/**
 * Required and preferred pod affinity / anti-affinity over topology keys, including the
 * required anti-affinity of pods already placed (which the incoming pod must not violate).
 */
export function interPodAffinity(args: InterPodAffinityArgs = {}, nsLabels: NamespaceLabels = () => undefined): PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin {
  const hardWeight = args.hardPodAffinityWeight ?? 1;
  if (hardWeight < 0 || hardWeight > 100) throw new Error('InterPodAffinity: hardPodAffinityWeight must be in the range [0, 100]');

  const matchesAll = (p: PodInfo, target: Pod) => p.requiredAffinity.every((t) => termMatches(t, target, nsLabels));

  /** Adds (sign 1) or removes (−1) one existing pod's contribution on `node` to the counts. */
  function account(s: FilterState, pod: Pod, existing: PodInfo, node: NodeInfo, sign: number): void {
    const labels = node.labels;
    for (const t of existing.requiredAntiAffinity) {
      const v = labels[t.topologyKey];
      if (v !== undefined && termMatches(t, pod, nsLabels)) s.existingAnti.add(t.topologyKey, v, sign);
    }
    if (s.pod.requiredAffinity.length && matchesAll(s.pod, existing.pod)) {
      for (const t of s.pod.requiredAffinity) {
        const v = labels[t.topologyKey];
        if (v !== undefined) s.affinity.add(t.topologyKey, v, sign);
      }
    }
    for (const t of s.pod.requiredAntiAffinity) {
      const v = labels[t.topologyKey];
      if (v !== undefined && termMatches(t, existing.pod, nsLabels)) s.anti.add(t.topologyKey, v, sign);
    }
  }

  return {
    name: interPodAffinityName,
    events: ['AssignedPodAdd', 'AssignedPodUpdate', 'AssignedPodDelete', 'NodeAdd', 'NodeUpdate'],
    preFilter(state, pod, snapshot) {
      const self = state.podInfo(pod);
      const ownTerms = self.requiredAffinity.length + self.requiredAntiAffinity.length > 0;
      if (!ownTerms && snapshot.nodesWithRequiredAntiAffinityPods.length === 0) return { status: skip };
      const s = new FilterState(self, new Counts(), new Counts(), new Counts());
      const nodes = ownTerms ? snapshot.nodes : snapshot.nodesWithRequiredAntiAffinityPods;
      for (const node of nodes) for (const existing of node.pods()) account(s, pod, existing, node, 1);
      state.write(filterKey, s);
      return { status: success };
    },
    preFilterExtensions: {
      addPod(state, pod, added, node) { account(state.read(filterKey), pod, added, node, 1); return success; },
      removePod(state, pod, removed, node) { account(state.read(filterKey), pod, removed, node, -1); return success; },
    },
    filter(state, pod, node) {
      const s = state.read(filterKey);
      const labels = node.labels;
      if (s.pod.requiredAffinity.length) {
        let podsExist = true;
        for (const t of s.pod.requiredAffinity) {
          const v = labels[t.topologyKey];
          if (v === undefined) return unresolvable(errReasonAffinityRulesNotMatch);
          if (s.affinity.get(t.topologyKey, v) <= 0) podsExist = false;
        }
        // The first pod of a group that selects itself may go anywhere its terms' keys exist.
        if (!podsExist && !(s.affinity.size === 0 && matchesAll(s.pod, pod))) return unresolvable(errReasonAffinityRulesNotMatch);
      }
      for (const t of s.pod.requiredAntiAffinity) {
        const v = labels[t.topologyKey];
        if (v !== undefined && s.anti.get(t.topologyKey, v) > 0) return unschedulable(errReasonAntiAffinityRulesNotMatch);
      }
      if (s.existingAnti.size) {
        for (const [k, v] of Object.entries(labels)) {
          if (s.existingAnti.get(k, v) > 0) return unschedulable(errReasonExistingAntiAffinityRulesNotMatch);
        }
      }
      return success;
    },
    preScore(state, pod, _nodes, snapshot) {
      const self = state.podInfo(pod);
      const hasPreferred = self.preferredAffinity.length + self.preferredAntiAffinity.length > 0;
      if (!hasPreferred && snapshot.nodesWithAffinityPods.length === 0) return skip;
      const scores = new Counts();
      const nodes = hasPreferred ? snapshot.nodes : snapshot.nodesWithAffinityPods;
      for (const node of nodes) {
        const labels = node.labels;
        for (const existing of node.pods()) {
          for (const t of self.preferredAffinity) {
            const v = labels[t.topologyKey];
            if (v !== undefined && termMatches(t, existing.pod, nsLabels)) scores.add(t.topologyKey, v, t.weight);
          }
          for (const t of self.preferredAntiAffinity) {
            const v = labels[t.topologyKey];
            if (v !== undefined && termMatches(t, existing.pod, nsLabels)) scores.add(t.topologyKey, v, -t.weight);
          }
          if (hardWeight > 0) {
            for (const t of existing.requiredAffinity) {
              const v = labels[t.topologyKey];
              if (v !== undefined && termMatches(t, pod, nsLabels)) scores.add(t.topologyKey, v, hardWeight);
            }
          }
          for (const t of existing.preferredAffinity) {
            const v = labels[t.topologyKey];
            if (v !== undefined && termMatches(t, pod, nsLabels)) scores.add(t.topologyKey, v, t.weight);
          }
          for (const t of existing.preferredAntiAffinity) {
            const v = labels[t.topologyKey];
            if (v !== undefined && termMatches(t, pod, nsLabels)) scores.add(t.topologyKey, v, -t.weight);
          }
        }
      }
      if (scores.size === 0) return skip;
      state.write(scoreKey, scores);
      return success;
    },
    score(state, _pod, node) {
      const scores = state.read(scoreKey);
      let total = 0;
      for (const [k, vals] of scores.m) {
        const v = node.labels[k];
        if (v !== undefined) total += vals.get(v) ?? 0;
      }
      return total;
    },
    normalize(_state, _pod, scores) {
      let min = Infinity;
      let max = -Infinity;
      for (const s of scores) { if (s < min) min = s; if (s > max) max = s; }
      const diff = max - min;
      for (let i = 0; i < scores.length; i++) scores[i] = diff > 0 ? Math.trunc((maxNodeScore * (scores[i]! - min)) / diff) : 0;
    },
  };
}
