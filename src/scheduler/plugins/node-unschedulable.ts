import type { FilterPlugin } from '../framework/types.js';
import { success, unresolvable } from '../framework/types.js';
import { tolerated } from '../framework/taints.js';

export const nodeUnschedulableName = 'NodeUnschedulable';
export const errReasonUnschedulable = 'node(s) were unschedulable';
const unschedulableTaint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };

/** Rejects cordoned nodes (spec.unschedulable) unless the pod tolerates the unschedulable taint. */
export function nodeUnschedulable(): FilterPlugin {
  return {
    name: nodeUnschedulableName,
    events: ['NodeAdd', 'NodeUpdate'],
    filter(_state, pod, node) {
      if (!node.unschedulable) return success;
      return tolerated(pod.spec?.tolerations, unschedulableTaint) ? success : unresolvable(errReasonUnschedulable);
    },
  };
}
