import type { FilterPlugin, PreFilterPlugin } from '../framework/types.js';
import { skip, success, unschedulable } from '../framework/types.js';
import { stateKey } from '../framework/cycle-state.js';
import type { HostPort } from '../framework/node-info.js';
import { hostPortsOf } from '../framework/node-info.js';

export const nodePortsName = 'NodePorts';
export const errReasonNodePorts = "node(s) didn't have free ports for the requested pod ports";
const portsKey = stateKey<HostPort[]>('PreFilterNodePorts');

/** hostPort conflicts: same protocol and port on the same IP, or either side on 0.0.0.0. */
export function nodePorts(): PreFilterPlugin & FilterPlugin {
  return {
    name: nodePortsName,
    events: ['AssignedPodDelete', 'NodeAdd'],
    preFilter(state, pod) {
      const ports = hostPortsOf(pod);
      if (ports.length === 0) return { status: skip };
      state.write(portsKey, ports);
      return { status: success };
    },
    filter(state, _pod, node) {
      const ports = state.read(portsKey);
      return ports.some((p) => node.portConflicts(p)) ? unschedulable(errReasonNodePorts) : success;
    },
  };
}
