import type { StatefulSetStatus } from 'kubernetes-types/apps/v1.js';
import type { PodObject, StatefulSetObject } from '../../api/resources/index.js';
import { isRunningAndAvailable, isRunningAndReady, isTerminating, revisionOf } from './stateful-pod.js';

/**
 * The status of a StatefulSet over its pods (updateStatefulSet's counting): replicas are
 * created pods, current/updated are live pods at those revisions; once every pod is updated
 * and ready, the update revision becomes the current one (completeRollingUpdate).
 */
export function statefulSetStatus(set: StatefulSetObject, pods: readonly PodObject[], currentRevision: string, updateRevision: string,
  collisionCount: number, now: number): StatefulSetStatus {
  const minReady = set.spec?.minReadySeconds ?? 0;
  const s: StatefulSetStatus = {
    observedGeneration: set.metadata.generation, replicas: 0, readyReplicas: 0, currentReplicas: 0, updatedReplicas: 0, availableReplicas: 0,
    currentRevision, updateRevision, collisionCount,
  };
  for (const p of pods) {
    if (!p.status?.phase) continue; // not created yet
    s.replicas++;
    if (isRunningAndReady(p)) {
      s.readyReplicas!++;
      if (isRunningAndAvailable(p, minReady, now)) s.availableReplicas!++;
    }
    if (isTerminating(p)) continue;
    if (revisionOf(p) === currentRevision) s.currentReplicas!++;
    if (revisionOf(p) === updateRevision) s.updatedReplicas!++;
  }
  const desired = set.spec?.replicas ?? 1;
  if (s.updatedReplicas === s.replicas && s.readyReplicas === s.replicas && s.replicas === desired) {
    s.currentReplicas = s.updatedReplicas;
    s.currentRevision = updateRevision;
  }
  return s;
}

/** True when writing `next` would change what the API holds (zero counts are omitted there). */
export function statefulSetStatusChanged(prev: StatefulSetStatus | undefined, next: StatefulSetStatus): boolean {
  const keys: (keyof StatefulSetStatus)[] = ['observedGeneration', 'replicas', 'readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas', 'currentRevision', 'updateRevision', 'collisionCount'];
  const z = (v: unknown) => (v === undefined || v === null || v === '' ? 0 : v);
  return keys.some((k) => z(prev?.[k]) !== z(next[k]));
}
