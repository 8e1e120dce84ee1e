import type { Pod } from 'kubernetes-types/core/v1.js';
import { CycleState } from './framework/cycle-state.js';
import { noNodesAvailableMsg, type Diagnosis } from './framework/fit-error.js';
import type { Framework } from './framework/framework.js';
import type { NodeInfo, PodInfo } from './framework/node-info.js';
import type { Status } from './framework/types.js';
import { isSuccess, unresolvable } from './framework/types.js';
import type { SchedulerCache } from './cache/scheduler-cache.js';

/** A cycle's outcome: the chosen node, why no node fits (with preemption's nomination), or an internal error. */
export type CycleResult =
  | { node: string; evaluated: number; feasible: number; podInfo: PodInfo }
  | { fit: Diagnosis; numAllNodes: number; nominated?: { nodeName: string; victims: readonly Pod[] } }
  | { error: string };

/** upstream minFeasibleNodesToFind / minFeasibleNodesPercentageToFind */
const minFeasibleNodesToFind = 100;
const minFeasibleNodesPercentageToFind = 5;

/**
 * numFeasibleNodesToFind: how many feasible nodes the filter search stops at. `percentage` 0
 * is adaptive (50% − nodes/125, at least 5%); never fewer than 100 nodes (or all of them).
 */
export function numFeasibleNodesToFind(numAllNodes: number, percentage = 0): number {
  if (numAllNodes < minFeasibleNodesToFind) return numAllNodes;
  let pct = percentage;
  if (pct === 0) pct = Math.max(minFeasibleNodesPercentageToFind, 50 - Math.trunc(numAllNodes / 125));
  const n = Math.trunc((numAllNodes * pct) / 100);
  return n < minFeasibleNodesToFind ? minFeasibleNodesToFind : n;
}

export interface SchedulingAlgorithmOptions {
  /** 0 (default) = adaptive, as upstream. */
  percentageOfNodesToScore?: number;
  /** Tie-break randomness in [0, 1). */
  random: () => number;
}

/**
 * schedulePod for one profile: PreFilter → Filter over the nodes starting where the previous
 * cycle stopped (nextStartNodeIndex), until numFeasibleNodesToFind fit → PreScore/Score →
 * the highest total, ties broken uniformly at random; PostFilter when nothing fits.
 * Synchronous: the cache cannot change under a cycle.
 */
export class SchedulingAlgorithm {
  readonly #fw: Framework;
  readonly #cache: SchedulerCache;
  readonly #percentage: number;
  readonly #random: () => number;
  #nextStartNodeIndex = 0;

  constructor(fw: Framework, cache: SchedulerCache, opts: SchedulingAlgorithmOptions) {
    this.#fw = fw;
    this.#cache = cache;
    this.#percentage = opts.percentageOfNodesToScore ?? 0;
    this.#random = opts.random;
  }

  /** Where the next cycle's filter search starts (an index into the snapshot's node list). */
  get nextStartNodeIndex(): number { return this.#nextStartNodeIndex; }

  schedulePod(pod: Pod): CycleResult {
    const fw = this.#fw;
    const cache = this.#cache;
    const all = cache.nodes;
    if (all.length === 0) return { error: noNodesAvailableMsg };
    const state = new CycleState();
    const pre = fw.runPreFilter(state, pod, cache);
    if (pre.status.code === 'Error') return { error: `running PreFilter plugin ${pre.status.plugin}: ${pre.status.reasons.join(', ')}` };
    const statuses = new Map<string, Status>();
    const rejecting = new Set<string>();
    if (!isSuccess(pre.status)) {
      for (const n of all) statuses.set(n.name, pre.status);
      if (pre.status.plugin) rejecting.add(pre.status.plugin);
      return this.#fitFailure(state, pod, { statuses, unschedulablePlugins: rejecting, preFilterMsg: pre.status.reasons.join(', ') });
    }
    // A node nominated by an earlier preemption is likely the only one that fits: tried first.
    const nominated = pod.status?.nominatedNodeName;
    if (nominated) {
      const node = cache.get(nominated);
      if (node) {
        const st = fw.runFilters(state, pod, node);
        if (st.code === 'Success') return { node: node.name, evaluated: 1 + statuses.size, feasible: 1, podInfo: state.podInfo(pod) };
        if (st.code !== 'Error') { statuses.set(node.name, st); if (st.plugin) rejecting.add(st.plugin); }
      }
    }
    let candidates: readonly NodeInfo[] = all;
    // Statuses of nodes a PreFilter excluded are not "processed" (upstream's absent-nodes status).
    let excludedCount = 0;
    if (pre.nodeNames) {
      const only = pre.nodeNames;
      candidates = all.filter((n) => only.has(n.name));
      const excluded = unresolvable(`node(s) didn't satisfy plugin(s) [${fw.plugins.filter((p) => p.name === 'NodeAffinity').map((p) => p.name).join(',')}]`);
      for (const n of all) if (!only.has(n.name) && !statuses.has(n.name)) { statuses.set(n.name, excluded); excludedCount++; }
    }
    const feasible: NodeInfo[] = [];
    const len = candidates.length;
    // Without scoring any feasible node will do.
    const want = fw.hasScorePlugins ? numFeasibleNodesToFind(len, this.#percentage) : 1;
    const start = this.#nextStartNodeIndex;
    let error: Status | undefined;
    for (let i = 0; i < len && feasible.length < want; i++) {
      const node = candidates[(start + i) % len]!;
      const st = fw.runFilters(state, pod, node);
      if (st.code === 'Success') feasible.push(node);
      else if (st.code === 'Error') { error = st; break; }
      else { statuses.set(node.name, st); if (st.plugin) rejecting.add(st.plugin); }
    }
    // Where the next cycle starts: past the nodes this one processed, over all the nodes (as upstream, even after an error).
    const processed = feasible.length + statuses.size - excludedCount;
    this.#nextStartNodeIndex = (start + processed) % all.length;
    if (error) return { error: `running Filter plugin ${error.plugin}: ${error.reasons.join(', ')}` };
    if (feasible.length === 0) return this.#fitFailure(state, pod, { statuses, unschedulablePlugins: rejecting });
    if (feasible.length === 1) return { node: feasible[0]!.name, evaluated: processed, feasible: 1, podInfo: state.podInfo(pod) };
    const scores = fw.runScore(state, pod, feasible, cache);
    // Highest total; ties broken uniformly at random (reservoir sampling, as selectHost).
    let best = 0;
    let ties = 1;
    for (let i = 1; i < scores.length; i++) {
      if (scores[i]! > scores[best]!) { best = i; ties = 1; } else if (scores[i] === scores[best]) { ties++; if (this.#random() * ties < 1) best = i; }
    }
    return { node: feasible[best]!.name, evaluated: processed, feasible: feasible.length, podInfo: state.podInfo(pod) };
  }

  #fitFailure(state: CycleState, pod: Pod, d: Diagnosis): CycleResult {
    const post = this.#fw.runPostFilter(state, pod, this.#cache, d.statuses);
    return { fit: { ...d, postFilterMsg: post?.message }, numAllNodes: this.#cache.nodes.length, nominated: post?.nominated };
  }
}
