import type { Status } from './types.js';

/** Why a pod fits nowhere: the per-node filter statuses and PreFilter/PostFilter messages. */
export interface Diagnosis {
  /** Rejected nodes by name. */
  readonly statuses: ReadonlyMap<string, Status>;
  /** The plugins that rejected the pod (drives which cluster events requeue it). */
  readonly unschedulablePlugins: ReadonlySet<string>;
  /** Set when a PreFilter rejected the pod (every node then carries the same status). */
  readonly preFilterMsg?: string;
  readonly postFilterMsg?: string;
}

export const noNodeAvailableMsg = (n: number) => `0/${n} nodes are available`;

/**
 * FitError.Error() as kube-scheduler words it: `0/3 nodes are available: 1 Insufficient cpu,
 * 2 node(s) had untolerated taint {k: v}. preemption: …` — reasons counted over the nodes,
 * printed as "<count> <reason>", sorted as strings.
 */
export function fitErrorMessage(numAllNodes: number, d: Diagnosis): string {
  let msg = `${noNodeAvailableMsg(numAllNodes)}:`;
  if (d.preFilterMsg) {
    msg += ` ${d.preFilterMsg}.`;
  } else {
    const counts = new Map<string, number>();
    for (const s of d.statuses.values()) for (const r of s.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
    const parts = [...counts].map(([r, n]) => `${n} ${r}`).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (parts.length) msg += ` ${parts.join(', ')}.`;
  }
  if (d.postFilterMsg) msg += ` ${d.postFilterMsg}.`;
  return msg;
}

/** The message of the error for an empty cluster (ErrNoNodesAvailable). */
export const noNodesAvailableMsg = 'no nodes available to schedule pods';
