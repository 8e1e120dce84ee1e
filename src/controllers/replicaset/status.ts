import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/types.js';
import type { PodObject } from '../../api/resources/index.js';
import { rfc3339 } from '../../base/clock.js';
import { isPodReady, isPodAvailable } from '../podutil/index.js';

export interface ReplicaCondition {
  type: string;
  status: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

/** The status fields ReplicaSets and ReplicationControllers share. */
export interface ReplicaStatus {
  replicas: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: ReplicaCondition[];
}

/** What the replica logic needs from a ReplicaSet or a ReplicationController. */
export type ReplicaOwner = KubeObject & {
  spec?: { replicas?: number; minReadySeconds?: number; template?: PodTemplateSpec };
  status?: ReplicaStatus;
};

function labelsMatch(template: Readonly<Record<string, string>> | undefined, labels: Readonly<Record<string, string>> | undefined): boolean {
  for (const [k, v] of Object.entries(template ?? {})) if (labels?.[k] !== v) return false;
  return true;
}

/**
 * calculateStatus (replica_set_utils.go): counts over the active pods, observedGeneration,
 * and the ReplicaFailure condition set while creating or deleting pods fails.
 */
export function replicaStatus(owner: ReplicaOwner, active: readonly PodObject[], manageError: Error | undefined, desiredDiff: number, now: number): ReplicaStatus {
  const templateLabels = owner.spec?.template?.metadata?.labels;
  const minReady = owner.spec?.minReadySeconds ?? 0;
  let fully = 0, ready = 0, available = 0;
  for (const p of active) {
    if (labelsMatch(templateLabels, p.metadata.labels)) fully++;
    if (isPodReady(p)) {
      ready++;
      if (isPodAvailable(p, minReady, now)) available++;
    }
  }
  const conditions = (owner.status?.conditions ?? []).map((c) => ({ ...c }));
  const failureIndex = conditions.findIndex((c) => c.type === 'ReplicaFailure');
  if (manageError && failureIndex < 0) {
    conditions.push({
      type: 'ReplicaFailure', status: 'True', lastTransitionTime: rfc3339(now),
      reason: desiredDiff < 0 ? 'FailedCreate' : 'FailedDelete', message: manageError.message,
    });
  } else if (!manageError && failureIndex >= 0) {
    conditions.splice(failureIndex, 1);
  }
  const status: ReplicaStatus = {
    replicas: active.length,
    fullyLabeledReplicas: fully,
    readyReplicas: ready,
    availableReplicas: available,
    observedGeneration: owner.metadata.generation,
  };
  if (conditions.length) status.conditions = conditions;
  return status;
}

/** True when writing `next` would change what the API holds (zero counts are omitted there). */
export function replicaStatusChanged(prev: ReplicaStatus | undefined, next: ReplicaStatus): boolean {
  const n = (v: number | undefined) => v ?? 0;
  return n(prev?.replicas) !== n(next.replicas) || n(prev?.fullyLabeledReplicas) !== n(next.fullyLabeledReplicas)
    || n(prev?.readyReplicas) !== n(next.readyReplicas) || n(prev?.availableReplicas) !== n(next.availableReplicas)
    || prev?.observedGeneration !== next.observedGeneration
    || JSON.stringify(prev?.conditions ?? []) !== JSON.stringify(next.conditions ?? []);
}
