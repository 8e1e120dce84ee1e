import type { FilterPlugin, PreFilterPlugin } from '../framework/types.js';
import { skip, success, unresolvable } from '../framework/types.js';
import { tolerated } from '../framework/taints.js';

export const nodeUnschedulableName = 'NodeUnschedulable';
export const errReasonUnschedulable = 'node(s) were unschedulable';
const unschedulableTaint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };

/**
 * Rejects cordoned nodes (spec.unschedulable) unless the pod tolerates the unschedulable taint.
 * PreFilter skips the Filter when it cannot reject: no node is cordoned, or the pod tolerates it.
 */
export function nodeUnschedulable(): PreFilterPlugin & FilterPlugin {
  return {
    name: nodeUnschedulableName,
    events: ['NodeAdd', 'NodeUpdate'],
    preFilter(_state, pod, snapshot) {
      if (snapshot.unschedulableNodeCount === 0 || tolerated(pod.spec?.tolerations, unschedulableTaint)) return { status: skip };
      return { status: success };
    },
    filter(_state, pod, node) {
      if (!node.unschedulable) return success;
      return tolerated(pod.spec?.tolerations, unschedulableTaint) ? success : unresolvable(errReasonUnschedulable);
    },
  };
}
