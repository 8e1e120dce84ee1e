import type { PodCondition } from 'kubernetes-types/core/v1.js';
import type { NodeObject, PodObject } from '../../api/resources/index.js';
import { rfc3339 } from '../../base/clock.js';

/** kube-controller-manager's --terminated-pod-gc-threshold default. */
export const defaultTerminatedPodThreshold = 12500;
/** gcCheckPeriod and quarantineTime. */
export const gcCheckPeriodMs = 20_000;
export const quarantineMs = 40_000;
export const outOfServiceTaint = 'node.kubernetes.io/out-of-service';

export const isTerminated = (p: PodObject): boolean => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

/** gcTerminated: the oldest terminated pods beyond the threshold (0 disables). */
export function terminatedToDelete(all: readonly PodObject[], threshold: number): PodObject[] {
  if (threshold <= 0) return [];
  const done = all.filter((p) => isTerminated(p) && !p.metadata.deletionTimestamp);
  const excess = done.length - threshold;
  if (excess <= 0) return [];
  return [...done].sort((a, b) => {
    const ta = a.metadata.creationTimestamp ?? '', tb = b.metadata.creationTimestamp ?? '';
    return ta !== tb ? (ta < tb ? -1 : 1) : (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1;
  }).slice(0, excess);
}

/** gcUnscheduledTerminating: being deleted but never bound to a node. */
export function unscheduledTerminating(all: readonly PodObject[]): PodObject[] {
  return all.filter((p) => p.metadata.deletionTimestamp && !p.spec?.nodeName);
}

/** gcTerminating: pods still terminating on a NotReady node that carries the out-of-service taint. */
export function terminatingOnOutOfServiceNodes(all: readonly PodObject[], nodesByName: ReadonlyMap<string, NodeObject>): PodObject[] {
  return all.filter((p) => {
    if (!p.metadata.deletionTimestamp || !p.spec?.nodeName || isTerminated(p)) return false;
    const n = nodesByName.get(p.spec.nodeName);
    if (!n) return false;
    const ready = n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
    return !ready && (n.spec?.taints ?? []).some((t) => t.key === outOfServiceTaint && t.effect === 'NoExecute');
  });
}

/** The node names pods are bound to that the node cache does not know. */
export function missingNodes(all: readonly PodObject[], nodesByName: ReadonlyMap<string, NodeObject>): Set<string> {
  const out = new Set<string>();
  for (const p of all) if (p.spec?.nodeName && !nodesByName.has(p.spec.nodeName)) out.add(p.spec.nodeName);
  return out;
}

/** The DisruptionTarget condition PodGC sets before deleting a pod whose node is gone. */
export function nodeGoneCondition(now: number): PodCondition {
  return { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists', lastTransitionTime: rfc3339(now) };
}

/** markFailed's status: phase Failed, and the condition set (replacing one of its type). */
export function failedStatus(pod: PodObject, condition: PodCondition | undefined): { phase: 'Failed'; conditions?: PodCondition[] } {
  if (!condition) return { phase: 'Failed' };
  const conditions = (pod.status?.conditions ?? []).filter((c) => c.type !== condition.type);
  return { phase: 'Failed', conditions: [...conditions, condition] };
}
