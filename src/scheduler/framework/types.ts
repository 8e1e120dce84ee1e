import type { Pod } from 'kubernetes-types/core/v1.js';
import type { CycleState } from './cycle-state.js';
import type { NodeInfo } from './node-info.js';

/**
 * The outcome of one plugin at one extension point, as the framework's Status codes:
 * Unschedulable means preemption may help, UnschedulableAndUnresolvable means it cannot,
 * Error is an internal failure (the pod is retried), Skip tells the framework to leave the
 * plugin out of the rest of this cycle's extension point.
 */
export type Code = 'Success' | 'Error' | 'Unschedulable' | 'UnschedulableAndUnresolvable' | 'Wait' | 'Skip';

export interface Status {
  readonly code: Code;
  readonly reasons: readonly string[];
  /** The plugin that produced a non-success status (set by the framework). */
  readonly plugin?: string;
}

export const success: Status = Object.freeze({ code: 'Success', reasons: Object.freeze([]) as readonly string[] });
export const skip: Status = Object.freeze({ code: 'Skip', reasons: Object.freeze([]) as readonly string[] });

export function unschedulable(...reasons: string[]): Status {
  return { code: 'Unschedulable', reasons };
}
export function unresolvable(...reasons: string[]): Status {
  return { code: 'UnschedulableAndUnresolvable', reasons };
}
export function errorStatus(err: unknown): Status {
  return { code: 'Error', reasons: [err instanceof Error ? err.message : String(err)] };
}
export function isSuccess(s: Status): boolean {
  return s.code === 'Success';
}
export function isRejected(s: Status): boolean {
  return s.code === 'Unschedulable' || s.code === 'UnschedulableAndUnresolvable';
}

/**
 * Cluster events that may make an unschedulable pod schedulable (EventsToRegister). The queue
 * moves a pod back only when one of the plugins that rejected it registered the event.
 */
export type ClusterEvent =
  | 'NodeAdd'
  | 'NodeUpdate'        // labels, taints, allocatable, unschedulable or conditions changed
  | 'AssignedPodAdd'
  | 'AssignedPodUpdate'
  | 'AssignedPodDelete'
  | 'UnscheduledPodUpdate'
  | 'ForceActivate';    // the periodic flush and explicit moves

export interface Plugin {
  readonly name: string;
  /** The cluster events after which a pod this plugin rejected is worth retrying. */
  readonly events?: readonly ClusterEvent[];
}

/** Nodes a PreFilter narrowed the search to (e.g. spec.nodeName, matchFields metadata.name). */
export interface PreFilterResult {
  readonly nodeNames?: ReadonlySet<string>;
}

/** Incremental updates of a PreFilter's state when preemption removes (or re-adds) pods on a node. */
export interface PreFilterExtensions {
  addPod(state: CycleState, pod: Pod, added: import('./node-info.js').PodInfo, node: NodeInfo): Status;
  removePod(state: CycleState, pod: Pod, removed: import('./node-info.js').PodInfo, node: NodeInfo): Status;
}

export interface PreFilterPlugin extends Plugin {
  /** Per-pod work done once per cycle; the whole snapshot is available to compute topology counts. */
  preFilter(state: CycleState, pod: Pod, snapshot: Snapshot): { status: Status; result?: PreFilterResult };
  readonly preFilterExtensions?: PreFilterExtensions;
}

export interface FilterPlugin extends Plugin {
  /** Must only use the NodeInfo it is handed (preemption passes edited copies). */
  filter(state: CycleState, pod: Pod, node: NodeInfo): Status;
}

export interface PostFilterPlugin extends Plugin {
  /** Runs when no node fits; may nominate a node (preemption). */
  postFilter(state: CycleState, pod: Pod, ctx: PostFilterContext): PostFilterResult;
}

export interface PostFilterContext {
  snapshot: Snapshot;
  /** Filter statuses of the nodes that were evaluated and rejected, by node name. */
  statuses: ReadonlyMap<string, Status>;
  /** Runs the profile's filters (with their PreFilter extensions) on an edited NodeInfo. */
  runFilters(state: CycleState, pod: Pod, node: NodeInfo): Status;
  /** Applies PreFilter extensions as if `p` left (or joined) `node`. */
  removePod(state: CycleState, pod: Pod, p: import('./node-info.js').PodInfo, node: NodeInfo): Status;
  addPod(state: CycleState, pod: Pod, p: import('./node-info.js').PodInfo, node: NodeInfo): Status;
}

export interface PostFilterResult {
  status: Status;
  /** The node to nominate, with the pods to evict to make room. */
  nominated?: { nodeName: string; victims: readonly Pod[] };
  /** A message for the FitError ("preemption: 0/3 nodes are available: …"). */
  message?: string;
}

export interface PreScorePlugin extends Plugin {
  /** Skip leaves this plugin's Score out for the cycle. */
  preScore(state: CycleState, pod: Pod, nodes: readonly NodeInfo[], snapshot: Snapshot): Status;
}

export interface ScorePlugin extends Plugin {
  score(state: CycleState, pod: Pod, node: NodeInfo): number;
  /** Rescales raw scores to 0..100 in place (indexes match `nodes`). */
  normalize?(state: CycleState, pod: Pod, scores: Float64Array, nodes: readonly NodeInfo[]): void;
}

export interface ReservePlugin extends Plugin {
  reserve(state: CycleState, pod: Pod, nodeName: string): Status;
  unreserve(state: CycleState, pod: Pod, nodeName: string): void;
}

export interface PermitPlugin extends Plugin {
  permit(state: CycleState, pod: Pod, nodeName: string): Status;
}

export interface BindPlugin extends Plugin {
  /** Skip hands the pod to the next bind plugin. */
  bind(pod: Pod, nodeName: string, signal: AbortSignal): Promise<Status>;
}

/** The cluster as one scheduling cycle sees it: read-only during the (synchronous) cycle. */
export interface Snapshot {
  /** Every node, in a stable order. */
  readonly nodes: readonly NodeInfo[];
  get(nodeName: string): NodeInfo | undefined;
  /** Nodes holding at least one pod with (anti-)affinity terms. */
  readonly nodesWithAffinityPods: readonly NodeInfo[];
  /** Nodes holding at least one pod with required anti-affinity terms. */
  readonly nodesWithRequiredAntiAffinityPods: readonly NodeInfo[];
  /** How many nodes are cordoned (spec.unschedulable). */
  readonly unschedulableNodeCount: number;
  /** How many nodes have a NoSchedule or NoExecute taint. */
  readonly noScheduleTaintedNodeCount: number;
  /** How many nodes have a PreferNoSchedule taint. */
  readonly preferNoScheduleTaintedNodeCount: number;
}

export const maxNodeScore = 100;
export const minNodeScore = 0;

export function isPreFilter(p: Plugin): p is PreFilterPlugin { return typeof (p as PreFilterPlugin).preFilter === 'function'; }
export function isFilter(p: Plugin): p is FilterPlugin { return typeof (p as FilterPlugin).filter === 'function'; }
export function isPostFilter(p: Plugin): p is PostFilterPlugin { return typeof (p as PostFilterPlugin).postFilter === 'function'; }
export function isPreScore(p: Plugin): p is PreScorePlugin { return typeof (p as PreScorePlugin).preScore === 'function'; }
export function isScore(p: Plugin): p is ScorePlugin { return typeof (p as ScorePlugin).score === 'function'; }
export function isReserve(p: Plugin): p is ReservePlugin { return typeof (p as ReservePlugin).reserve === 'function'; }
export function isPermit(p: Plugin): p is PermitPlugin { return typeof (p as PermitPlugin).permit === 'function'; }
export function isBind(p: Plugin): p is BindPlugin { return typeof (p as BindPlugin).bind === 'function'; }
