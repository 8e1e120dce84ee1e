import type { FilterPlugin, PreFilterPlugin } from '../framework/types.js';
import { skip, success, unresolvable } from '../framework/types.js';

export const nodeNameName = 'NodeName';
export const errReasonNodeName = "node(s) didn't match the requested node name";

/**
 * A pod that names its node fits only there. PreFilter always answers Skip, as upstream's
 * (the scheduler only schedules pods without spec.nodeName): the Filter runs when the plugin
 * is used on its own or in preemption's what-ifs of a state without that Skip.
 */
export function nodeName(): PreFilterPlugin & FilterPlugin {
  return {
    name: nodeNameName,
    events: ['NodeAdd'],
    preFilter(_state, pod) {
      const want = pod.spec?.nodeName;
      return want ? { status: skip, result: { nodeNames: new Set([want]) } } : { status: skip };
    },
    filter(_state, pod, node) {
      const want = pod.spec?.nodeName;
      return !want || want === node.name ? success : unresolvable(errReasonNodeName);
    },
  };
}
