import type { NodeSelector, PreferredSchedulingTerm } from 'kubernetes-types/core/v1.js';
import type { FilterPlugin, PreFilterPlugin, PreScorePlugin, ScorePlugin } from '../framework/types.js';
import { skip, success, unresolvable } from '../framework/types.js';
import { stateKey } from '../framework/cycle-state.js';
import { nodeSelectorMatches, nodeSelectorTermMatches } from '../framework/node-selector.js';
import { defaultNormalize } from './normalize.js';

export const nodeAffinityName = 'NodeAffinity';
export const errReasonPod = "node(s) didn't match Pod's node affinity/selector";

interface Required { nodeSelector: readonly [string, string][]; affinity?: NodeSelector }
const requiredKey = stateKey<Required>('PreFilterNodeAffinity');
const preferredKey = stateKey<readonly PreferredSchedulingTerm[]>('PreScoreNodeAffinity');

/**
 * Filter: spec.nodeSelector and requiredDuringScheduling node affinity (terms ORed, expressions
 * ANDed, matchFields metadata.name). PreFilter narrows the nodes when every term names nodes by
 * metadata.name. Score: the sum of the weights of the preferred terms a node matches.
 */
export function nodeAffinity(): PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin {
  return {
    name: nodeAffinityName,
    events: ['NodeAdd', 'NodeUpdate'],
    preFilter(state, pod) {
      const nodeSelector = Object.entries(pod.spec?.nodeSelector ?? {});
      const affinity = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
      if (nodeSelector.length === 0 && !affinity) return { status: skip };
      state.write(requiredKey, { nodeSelector, affinity });
      // Every term pinned to names with matchFields metadata.name In: only those nodes can match.
      const terms = affinity?.nodeSelectorTerms ?? [];
      if (terms.length === 0) return { status: success };
      const names = new Set<string>();
      for (const t of terms) {
        const pin = (t.matchFields ?? []).find((f) => f.key === 'metadata.name' && f.operator === 'In');
        if (!pin) return { status: success };
        for (const v of pin.values ?? []) names.add(v);
      }
      if (names.size === 0) return { status: unresolvable(errReasonPod) };
      return { status: success, result: { nodeNames: names } };
    },
    filter(state, _pod, node) {
      const req = state.read(requiredKey);
      const labels = node.labels;
      for (const [k, v] of req.nodeSelector) if (labels[k] !== v) return unresolvable(errReasonPod);
      if (req.affinity && !nodeSelectorMatches(req.affinity, labels, node.name)) return unresolvable(errReasonPod);
      return success;
    },
    preScore(state, pod) {
      const preferred = pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
      if (preferred.length === 0) return skip;
      state.write(preferredKey, preferred);
      return success;
    },
    score(state, _pod, node) {
      let total = 0;
      for (const t of state.read(preferredKey)) {
        if (t.weight !== 0 && nodeSelectorTermMatches(t.preference, node.labels, node.name)) total += t.weight;
      }
      return total;
    },
    normalize(_state, _pod, scores) { defaultNormalize(scores, false); },
  };
}
