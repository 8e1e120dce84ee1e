import type { NodeCondition, Taint, Toleration } from 'kubernetes-types/core/v1.js';
import type { NodeObject } from '../../api/resources/index.js';
import { rfc3339 } from '../../base/clock.js';

export const unreachableTaintKey = 'node.kubernetes.io/unreachable';
export const notReadyTaintKey = 'node.kubernetes.io/not-ready';
/** The conditions set to Unknown when the kubelet stops reporting (upstream's list). */
export const monitoredConditions = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'] as const;

export function readyStatus(node: Pick<NodeObject, 'status'>): 'True' | 'False' | 'Unknown' {
  const s = node.status?.conditions?.find((c) => c.type === 'Ready')?.status;
  return s === 'True' || s === 'False' ? s : 'Unknown';
}

/**
 * tryUpdateNodeHealth's outcome once the grace period has passed without a heartbeat: every
 * monitored condition Unknown (NodeStatusUnknown), a missing Ready added (NodeStatusNeverUpdated).
 * Undefined when nothing would change.
 */
export function unknownConditions(conditions: readonly NodeCondition[] | undefined, now: number): NodeCondition[] | undefined {
  const out = (conditions ?? []).map((c) => ({ ...c }));
  let changed = false;
  const ts = rfc3339(now);
  for (const type of monitoredConditions) {
    const c = out.find((x) => x.type === type);
    if (!c) {
      out.push({ type, status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.', lastHeartbeatTime: ts, lastTransitionTime: ts });
      changed = true;
    } else if (c.status !== 'Unknown') {
      c.status = 'Unknown';
      c.reason = 'NodeStatusUnknown';
      c.message = 'Kubelet stopped posting node status.';
      c.lastTransitionTime = ts;
      changed = true;
    }
  }
  return changed ? out : undefined;
}

/**
 * The node's taints with ours brought in line with Ready: False → not-ready, Unknown →
 * unreachable, each NoSchedule and NoExecute; True → neither. Existing matching taints keep
 * their timeAdded. Undefined when nothing changes.
 */
export function reconcileTaints(taints: readonly Taint[] | undefined, ready: 'True' | 'False' | 'Unknown', now: number): Taint[] | undefined {
  const current = [...(taints ?? [])];
  const ours = (t: Taint) => t.key === unreachableTaintKey || t.key === notReadyTaintKey;
  const wantKey = ready === 'False' ? notReadyTaintKey : ready === 'Unknown' ? unreachableTaintKey : undefined;
  const wanted: Taint[] = wantKey ? (['NoSchedule', 'NoExecute'] as const).map((effect) => {
    const have = current.find((t) => t.key === wantKey && t.effect === effect);
    return have ?? (effect === 'NoExecute' ? { key: wantKey, effect, timeAdded: rfc3339(now) } : { key: wantKey, effect });
  }) : [];
  const next = [...current.filter((t) => !ours(t)), ...wanted];
  const same = next.length === current.length && current.filter(ours).every((t) => wanted.includes(t));
  return same ? undefined : next;
}

/** v1helper.TolerationsTolerateTaint: one toleration matching key, value (Equal/Exists) and effect. */
export function tolerates(tol: Toleration, taint: Taint): boolean {
  if (tol.effect && tol.effect !== taint.effect) return false;
  if (tol.key && tol.key !== taint.key) return false;
  if (!tol.key && tol.operator !== 'Exists') return false;
  if (tol.operator === 'Exists') return true;
  return (tol.value ?? '') === (taint.value ?? '');
}

/**
 * When the taint manager evicts a pod from NoExecute taints: 'now' when one is not
 * tolerated, the earliest timeAdded + tolerationSeconds among the matching tolerations, or
 * undefined (tolerated forever / no NoExecute taint).
 */
export function evictionTime(tolerations: readonly Toleration[] | undefined, taints: readonly Taint[] | undefined, now: number): number | 'now' | undefined {
  const noExecute = (taints ?? []).filter((t) => t.effect === 'NoExecute');
  if (noExecute.length === 0) return undefined;
  let at: number | undefined;
  for (const taint of noExecute) {
    const matching = (tolerations ?? []).filter((t) => tolerates(t, taint));
    if (matching.length === 0) return 'now';
    const seconds = matching.map((t) => t.tolerationSeconds).filter((s): s is number => s !== undefined && s !== null);
    if (seconds.length === 0) continue; // tolerated forever
    const min = Math.max(0, Math.min(...seconds));
    const since = taint.timeAdded ? Date.parse(taint.timeAdded) : now;
    const when = (Number.isNaN(since) ? now : since) + min * 1000;
    at = at === undefined ? when : Math.min(at, when);
  }
  return at;
}
