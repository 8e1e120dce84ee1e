import type { FilterPlugin, PreFilterPlugin, PreScorePlugin, ScorePlugin } from '../framework/types.js';
import { maxNodeScore, success, unschedulable } from '../framework/types.js';
import { stateKey } from '../framework/cycle-state.js';
import type { NodeInfo } from '../framework/node-info.js';
import type { Resource } from '../framework/resources.js';

export const nodeResourcesFitName = 'NodeResourcesFit';
export const errReasonTooManyPods = 'Too many pods';
export const errReasonInsufficient = (resource: string) => `Insufficient ${resource}`;

export interface ResourceWeight { name: string; weight: number }
export interface FitArgs {
  /** Resources the filter does not check. */
  ignoredResources?: string[];
  /** Only LeastAllocated (the default strategy) is implemented. */
  scoringStrategy?: { type: 'LeastAllocated'; resources?: ResourceWeight[] };
}

interface PreFilterState { requests: Resource; isZero: boolean }
interface PreScoreState { milliCPU: number; memory: number }
const fitKey = stateKey<PreFilterState>('PreFilterNodeResourcesFit');
const scoreKey = stateKey<PreScoreState>('PreScoreNodeResourcesFit');

/** fitsRequest without building reasons: true when `insufficientResources` would return none. */
export function fitsResources(req: Resource, isZero: boolean, node: NodeInfo, ignored: ReadonlySet<string>): boolean {
  if (node.podCount + 1 > node.allowedPodNumber) return false;
  if (isZero) return true;
  const alloc = node.allocatable;
  const used = node.requested;
  if (req.milliCPU > 0 && req.milliCPU > alloc.milliCPU - used.milliCPU) return false;
  if (req.memory > 0 && req.memory > alloc.memory - used.memory) return false;
  if (req.ephemeralStorage > 0 && req.ephemeralStorage > alloc.ephemeralStorage - used.ephemeralStorage) return false;
  if (req.scalar.size) {
    for (const [name, v] of req.scalar) {
      if (v === 0 || ignored.has(name)) continue;
      if (v > (alloc.scalar.get(name) ?? 0) - (used.scalar.get(name) ?? 0)) return false;
    }
  }
  return true;
}

/** The reasons a node lacks room for `req` (NodeResourcesFit's fitsRequest). */
export function insufficientResources(req: Resource, isZero: boolean, node: NodeInfo, ignored: ReadonlySet<string>): string[] {
  const out: string[] = [];
  if (node.podCount + 1 > node.allowedPodNumber) out.push(errReasonTooManyPods);
  if (isZero) return out;
  const alloc = node.allocatable;
  const used = node.requested;
  if (req.milliCPU > 0 && req.milliCPU > alloc.milliCPU - used.milliCPU) out.push(errReasonInsufficient('cpu'));
  if (req.memory > 0 && req.memory > alloc.memory - used.memory) out.push(errReasonInsufficient('memory'));
  if (req.ephemeralStorage > 0 && req.ephemeralStorage > alloc.ephemeralStorage - used.ephemeralStorage) out.push(errReasonInsufficient('ephemeral-storage'));
  for (const [name, v] of req.scalar) {
    if (v === 0 || ignored.has(name)) continue;
    if (v > (alloc.scalar.get(name) ?? 0) - (used.scalar.get(name) ?? 0)) out.push(errReasonInsufficient(name));
  }
  return out;
}

function validate(args: FitArgs): { ignored: Set<string>; weights: ResourceWeight[] } {
  const weights = args.scoringStrategy?.resources ?? [{ name: 'cpu', weight: 1 }, { name: 'memory', weight: 1 }];
  for (const w of weights) {
    if (w.name !== 'cpu' && w.name !== 'memory') throw new Error(`NodeResourcesFit: scoring resource ${w.name} is not supported`);
    if (!(w.weight >= 1 && w.weight <= 100)) throw new Error(`NodeResourcesFit: resource weight of ${w.name} should be in the range [1, 100]`);
  }
  if (args.scoringStrategy && args.scoringStrategy.type !== 'LeastAllocated') throw new Error(`NodeResourcesFit: scoring strategy ${String(args.scoringStrategy.type)} is not supported`);
  return { ignored: new Set(args.ignoredResources ?? []), weights };
}

/** leastRequestedScore: the share of capacity left free, 0..100 (integer). */
export function leastRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * maxNodeScore) / capacity);
}

/**
 * Filter: requests (init containers and overhead included) against allocatable minus what the
 * node's pods request, plus the pod count. Score (LeastAllocated): the node with the most CPU
 * and memory left after placing the pod, counting 100m / 200Mi for containers that ask for none.
 */
export function nodeResourcesFit(args: FitArgs = {}): PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin {
  const { ignored, weights } = validate(args);
  const weightSum = weights.reduce((s, w) => s + w.weight, 0);
  // Integer scores times integer weights: summing per resource first gives the same total.
  const cpuWeight = weights.reduce((s, w) => s + (w.name === 'cpu' ? w.weight : 0), 0);
  const memoryWeight = weights.reduce((s, w) => s + (w.name === 'memory' ? w.weight : 0), 0);
  return {
    name: nodeResourcesFitName,
    events: ['AssignedPodDelete', 'NodeAdd', 'NodeUpdate'],
    preFilter(state, pod) {
      const { requests } = state.podInfo(pod);
      const isZero = requests.milliCPU === 0 && requests.memory === 0 && requests.ephemeralStorage === 0 && [...requests.scalar.values()].every((v) => v === 0);
      state.write(fitKey, { requests, isZero });
      return { status: success };
    },
    filter(state, _pod, node) {
      const { requests, isZero } = state.read(fitKey);
      if (fitsResources(requests, isZero, node, ignored)) return success;
      return unschedulable(...insufficientResources(requests, isZero, node, ignored));
    },
    preScore(state, pod) {
      const p = state.podInfo(pod);
      state.write(scoreKey, { milliCPU: p.nonZeroMilliCPU, memory: p.nonZeroMemory });
      return success;
    },
    score(state, _pod, node) {
      const req = state.read(scoreKey);
      const alloc = node.allocatable;
      let total = 0;
      if (cpuWeight) total += leastRequestedScore(node.nonZeroMilliCPU + req.milliCPU, alloc.milliCPU) * cpuWeight;
      if (memoryWeight) total += leastRequestedScore(node.nonZeroMemory + req.memory, alloc.memory) * memoryWeight;
      return Math.trunc(total / weightSum);
    },
  };
}
