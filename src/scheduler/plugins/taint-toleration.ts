import type { Toleration } from 'kubernetes-types/core/v1.js';
import type { FilterPlugin, PreScorePlugin, ScorePlugin } from '../framework/types.js';
import { success, unresolvable } from '../framework/types.js';
import { stateKey } from '../framework/cycle-state.js';
import { tolerated } from '../framework/taints.js';
import { defaultNormalize } from './normalize.js';

export const taintTolerationName = 'TaintToleration';
export const errReasonUntoleratedTaint = (key: string, value: string) => `node(s) had untolerated taint {${key}: ${value}}`;
const preferKey = stateKey<Toleration[]>('PreScoreTaintToleration');

/**
 * Filter: the first NoSchedule/NoExecute taint the pod does not tolerate rejects the node.
 * Score: fewer untolerated PreferNoSchedule taints is better.
 */
export function taintToleration(): FilterPlugin & PreScorePlugin & ScorePlugin {
  return {
    name: taintTolerationName,
    events: ['NodeAdd', 'NodeUpdate'],
    filter(_state, pod, node) {
      const taints = node.noScheduleTaints;
      if (taints.length === 0) return success;
      const tolerations = pod.spec?.tolerations;
      for (const taint of taints) {
        if (!tolerated(tolerations, taint)) return unresolvable(errReasonUntoleratedTaint(taint.key, taint.value ?? ''));
      }
      return success;
    },
    preScore(state, pod) {
      state.write(preferKey, (pod.spec?.tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule'));
      return success;
    },
    score(state, _pod, node) {
      const tolerations = state.read(preferKey);
      let n = 0;
      for (const t of node.preferNoScheduleTaints) if (!tolerated(tolerations, t)) n++;
      return n;
    },
    normalize(_state, _pod, scores) { defaultNormalize(scores, true); },
  };
}
