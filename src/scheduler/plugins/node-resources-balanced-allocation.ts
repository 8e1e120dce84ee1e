import type { PreScorePlugin, ScorePlugin } from '../framework/types.js';
import { maxNodeScore, skip, success } from '../framework/types.js';
import { stateKey } from '../framework/cycle-state.js';

export const balancedAllocationName = 'NodeResourcesBalancedAllocation';
const key = stateKey<{ milliCPU: number; memory: number }>('PreScoreNodeResourcesBalancedAllocation');

/**
 * Favours nodes whose CPU and memory would be used in equal shares after placing the pod:
 * score = (1 − standard deviation of the requested fractions) × 100.
 */
export function nodeResourcesBalancedAllocation(): PreScorePlugin & ScorePlugin {
  return {
    name: balancedAllocationName,
    events: ['AssignedPodDelete', 'NodeAdd', 'NodeUpdate'],
    preScore(state, pod) {
      const r = state.podInfo(pod).requests;
      if (r.milliCPU === 0 && r.memory === 0) return skip;
      state.write(key, { milliCPU: r.milliCPU, memory: r.memory });
      return success;
    },
    score(state, _pod, node) {
      const req = state.read(key);
      const cpu = fraction(node.requested.milliCPU + req.milliCPU, node.allocatable.milliCPU);
      const mem = fraction(node.requested.memory + req.memory, node.allocatable.memory);
      const std = Math.abs((cpu - mem) / 2);
      return Math.trunc((1 - std) * maxNodeScore);
    },
  };
}

function fraction(used: number, capacity: number): number {
  return capacity === 0 ? 0 : Math.min(1, used / capacity);
}
