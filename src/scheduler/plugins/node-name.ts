import type { FilterPlugin } from '../framework/types.js';
import { success, unresolvable } from '../framework/types.js';

export const nodeNameName = 'NodeName';
export const errReasonNodeName = "node(s) didn't match the requested node name";

/** A pod that names its node fits only there. */
export function nodeName(): FilterPlugin {
  return {
    name: nodeNameName,
    events: ['NodeAdd'],
    filter(_state, pod, node) {
      const want = pod.spec?.nodeName;
      return !want || want === node.name ? success : unresolvable(errReasonNodeName);
    },
  };
}
