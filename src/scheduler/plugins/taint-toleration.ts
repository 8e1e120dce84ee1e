import type { Toleration } from 'kubernetes-types/core/v1.js';
import type { FilterPlugin, PreFilterPlugin, PreScorePlugin, ScorePlugin } from '../framework/types.js';
import { skip, success, unresolvable } from '../framework/types.js';
import { stateKey } from '../framework/cycle-state.js';
import { tolerated } from '../framework/taints.js';
import { defaultNormalize } from './normalize.js';

export const taintTolerationName = 'TaintToleration';
export const errReasonUntoleratedTaint = (key: string, value: string) => `node(s) had untolerated taint {${key}: ${value}}`;
const preferKey = stateKey<Toleration[]>('PreScoreTaintToleration');

/**
 * Filter: the first NoSchedule/NoExecute taint the pod does not tolerate rejects the node.
 * Score: fewer untolerated PreferNoSchedule taints is better.
 *
 * Skips, which change no decision: the Filter when no node has a NoSchedule/NoExecute taint
 * (it would pass everywhere), the Score when no node scored has a PreferNoSchedule taint (every
 * node would get the same 100, which moves no node ahead of another).
 */
export function taintToleration(): PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin {
  return {
    name: taintTolerationName,
    events: ['NodeAdd', 'NodeUpdate'],
    preFilter(_state, _pod, snapshot) {
      return { status: snapshot.noScheduleTaintedNodeCount === 0 ? skip : success };
    },
    filter(_state, pod, node) {
      const taints = node.noScheduleTaints;
      if (taints.length === 0) return success;
      const tolerations = pod.spec?.tolerations;
      for (const taint of taints) {
        if (!tolerated(tolerations, taint)) return unresolvable(errReasonUntoleratedTaint(taint.key, taint.value ?? ''));
      }
      return success;
    },
    preScore(state, pod, nodes, snapshot) {
      if (snapshot.preferNoScheduleTaintedNodeCount === 0 || !nodes.some((n) => n.preferNoScheduleTaints.length > 0)) return skip;
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
