import type { DeploymentCondition, DeploymentStatus } from 'kubernetes-types/apps/v1.js';
import type { DeploymentObject, ReplicaSetObject } from '../../api/resources/index.js';
import { rfc3339 } from '../../base/clock.js';
import { canonical } from './pod-template-hash.js';
import { actualReplicas, availableReplicas, desiredOf, maxUnavailable, readyReplicas, specReplicas } from './replica-sets.js';

export const reasons = {
  NewReplicaSetCreated: 'NewReplicaSetCreated',
  FoundNewReplicaSet: 'FoundNewReplicaSet',
  ReplicaSetUpdated: 'ReplicaSetUpdated',
  NewReplicaSetAvailable: 'NewReplicaSetAvailable',
  ProgressDeadlineExceeded: 'ProgressDeadlineExceeded',
  FailedReplicaSetCreate: 'ReplicaSetCreateError',
  DeploymentPaused: 'DeploymentPaused',
  DeploymentResumed: 'DeploymentResumed',
  MinimumReplicasAvailable: 'MinimumReplicasAvailable',
  MinimumReplicasUnavailable: 'MinimumReplicasUnavailable',
} as const;

type Status = DeploymentStatus & { conditions?: DeploymentCondition[] };

export function newCondition(type: string, status: string, reason: string, message: string, now: number): DeploymentCondition {
  const t = rfc3339(now);
  return { type, status, reason, message, lastUpdateTime: t, lastTransitionTime: t };
}

export function getCondition(status: DeploymentStatus | undefined, type: string): DeploymentCondition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

/** SetDeploymentCondition: same status and reason → unchanged; same status → keep the transition time. */
export function setCondition(status: Status, cond: DeploymentCondition): void {
  const current = getCondition(status, cond.type);
  if (current && current.status === cond.status && current.reason === cond.reason) return;
  const next = { ...cond };
  if (current && current.status === cond.status) next.lastTransitionTime = current.lastTransitionTime;
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== cond.type), next];
}

export function removeCondition(status: Status, type: string): void {
  status.conditions = (status.conditions ?? []).filter((c) => c.type !== type);
  if (status.conditions.length === 0) delete status.conditions;
}

/** HasProgressDeadline: set and not MaxInt32. */
export function hasProgressDeadline(d: DeploymentObject): boolean {
  const s = d.spec?.progressDeadlineSeconds;
  return s !== undefined && s !== null && s !== 2147483647;
}

/** calculateStatus: counts over the sets, and the Available condition. */
export function deploymentStatus(sets: readonly (ReplicaSetObject | undefined)[], newRS: ReplicaSetObject | undefined, d: DeploymentObject, now: number): Status {
  const available = availableReplicas(sets);
  const status: Status = {
    observedGeneration: d.metadata.generation,
    replicas: actualReplicas(sets),
    updatedReplicas: actualReplicas([newRS]),
    readyReplicas: readyReplicas(sets),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, specReplicas(sets) - available),
  };
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  if (d.status?.conditions?.length) status.conditions = d.status.conditions.map((c) => ({ ...c }));
  if (available >= desiredOf(d) - maxUnavailable(d)) {
    setCondition(status, newCondition('Available', 'True', reasons.MinimumReplicasAvailable, 'Deployment has minimum availability.', now));
  } else {
    setCondition(status, newCondition('Available', 'False', reasons.MinimumReplicasUnavailable, 'Deployment does not have minimum availability.', now));
  }
  return status;
}

/** DeploymentComplete: every replica updated and available, and the latest generation observed. */
export function isComplete(d: DeploymentObject, s: DeploymentStatus): boolean {
  const n = desiredOf(d);
  return (s.updatedReplicas ?? 0) === n && (s.replicas ?? 0) === n && (s.availableReplicas ?? 0) === n && (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
}

/** DeploymentProgressing: more updated, fewer old, more ready or more available than before. */
export function isProgressing(d: DeploymentObject, s: DeploymentStatus): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (s.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) || newOld < oldOld
    || (s.readyReplicas ?? 0) > (old.readyReplicas ?? 0) || (s.availableReplicas ?? 0) > (old.availableReplicas ?? 0);
}

/** DeploymentTimedOut: no progress for progressDeadlineSeconds since the Progressing condition's last update. */
export function isTimedOut(d: DeploymentObject, s: DeploymentStatus, now: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const c = getCondition(s, 'Progressing');
  if (!c) return false;
  if (c.reason === reasons.NewReplicaSetAvailable) return false;
  if (c.reason === reasons.ProgressDeadlineExceeded) return true;
  const from = c.lastUpdateTime ? Date.parse(c.lastUpdateTime) : now;
  return from + (d.spec?.progressDeadlineSeconds ?? 0) * 1000 < now;
}

/**
 * syncRolloutStatus's status: calculateStatus plus the Progressing condition (complete,
 * progressing or timed out) and ReplicaFailure copied from the sets.
 */
export function rolloutStatus(sets: readonly (ReplicaSetObject | undefined)[], newRS: ReplicaSetObject | undefined, d: DeploymentObject, now: number): Status {
  const status = deploymentStatus(sets, newRS, d, now);
  if (!hasProgressDeadline(d)) removeCondition(status, 'Progressing');
  const current = getCondition(d.status, 'Progressing');
  const completeAlready = status.replicas === status.updatedReplicas && current?.reason === reasons.NewReplicaSetAvailable;
  if (hasProgressDeadline(d) && !completeAlready) {
    if (isComplete(d, status)) {
      const msg = newRS ? `ReplicaSet "${newRS.metadata.name}" has successfully progressed.` : `Deployment "${d.metadata.name}" has successfully progressed.`;
      setCondition(status, newCondition('Progressing', 'True', reasons.NewReplicaSetAvailable, msg, now));
    } else if (isProgressing(d, status)) {
      const msg = newRS ? `ReplicaSet "${newRS.metadata.name}" is progressing.` : `Deployment "${d.metadata.name}" is progressing.`;
      const cond = newCondition('Progressing', 'True', reasons.ReplicaSetUpdated, msg, now);
      if (current) {
        if (current.status === 'True') cond.lastTransitionTime = current.lastTransitionTime;
        removeCondition(status, 'Progressing');
      }
      setCondition(status, cond);
    } else if (isTimedOut(d, status, now)) {
      const msg = newRS ? `ReplicaSet "${newRS.metadata.name}" has timed out progressing.` : `Deployment "${d.metadata.name}" has timed out progressing.`;
      setCondition(status, newCondition('Progressing', 'False', reasons.ProgressDeadlineExceeded, msg, now));
    }
  }
  const failure = [newRS, ...sets.filter((s) => s !== newRS)].map((rs) => rs?.status?.conditions?.find((c) => c.type === 'ReplicaFailure')).find((c) => c);
  if (failure) {
    setCondition(status, { type: 'ReplicaFailure', status: failure.status, reason: failure.reason, message: failure.message, lastUpdateTime: failure.lastTransitionTime, lastTransitionTime: failure.lastTransitionTime });
  } else {
    removeCondition(status, 'ReplicaFailure');
  }
  return status;
}

/** requeueStuckDeployment: ms until the progress deadline would pass (undefined: no recheck). */
export function progressRecheckMs(d: DeploymentObject, s: DeploymentStatus, now: number): number | undefined {
  const c = getCondition(d.status, 'Progressing');
  if (!hasProgressDeadline(d) || !c) return undefined;
  if (isComplete(d, s) || c.reason === reasons.ProgressDeadlineExceeded) return undefined;
  const from = c.lastUpdateTime ? Date.parse(c.lastUpdateTime) : now;
  return Math.max(0, from + (d.spec?.progressDeadlineSeconds ?? 0) * 1000 - now);
}

/** Status equality as the API would store it (absent counts are zero). */
export function sameStatus(a: DeploymentStatus | undefined, b: DeploymentStatus): boolean {
  const norm = (s: DeploymentStatus | undefined) => canonical({
    ...s, replicas: s?.replicas ?? 0, updatedReplicas: s?.updatedReplicas ?? 0, readyReplicas: s?.readyReplicas ?? 0,
    availableReplicas: s?.availableReplicas ?? 0, unavailableReplicas: s?.unavailableReplicas ?? 0, conditions: s?.conditions ?? [],
  });
  return norm(a) === norm(b);
}
