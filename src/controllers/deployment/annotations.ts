import type { DeploymentObject, ReplicaSetObject } from '../../api/resources/index.js';

export const revisionAnnotation = 'deployment.kubernetes.io/revision';
export const revisionHistoryAnnotation = 'deployment.kubernetes.io/revision-history';
export const desiredReplicasAnnotation = 'deployment.kubernetes.io/desired-replicas';
export const maxReplicasAnnotation = 'deployment.kubernetes.io/max-replicas';
export const lastAppliedConfigAnnotation = 'kubectl.kubernetes.io/last-applied-configuration';
export const rollbackToAnnotation = 'deprecated.deployment.rollback.to';
/** Longest revision-history annotation kept (upstream's maxRevHistoryLengthInChars). */
export const maxRevisionHistoryLength = 2000;

const skipped = new Set([lastAppliedConfigAnnotation, revisionAnnotation, revisionHistoryAnnotation, desiredReplicasAnnotation, maxReplicasAnnotation, rollbackToAnnotation]);

/** Annotations a Deployment passes on to its ReplicaSets (all but upstream's skip list). */
export function isCopiedAnnotation(key: string): boolean { return !skipped.has(key); }

export function revisionOf(obj: { metadata: { annotations?: Record<string, string> } }): number {
  const v = obj.metadata.annotations?.[revisionAnnotation];
  const n = v === undefined ? 0 : Number.parseInt(v, 10);
  return Number.isFinite(n) ? n : 0;
}

/** The highest revision among `sets` (MaxRevision). */
export function maxRevision(sets: readonly ReplicaSetObject[]): number {
  return sets.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
}

/** copyDeploymentAnnotationsToReplicaSet: true when `rs` changed. Mutates `rs` (a copy). */
export function copyDeploymentAnnotations(d: DeploymentObject, rs: ReplicaSetObject): boolean {
  let changed = false;
  const ann = (rs.metadata.annotations ??= {});
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (!isCopiedAnnotation(k) || ann[k] === v) continue;
    ann[k] = v;
    changed = true;
  }
  return changed;
}

/** SetReplicasAnnotations: desired-replicas and max-replicas; true when changed. Mutates `rs`. */
export function setReplicasAnnotations(rs: ReplicaSetObject, desired: number, max: number): boolean {
  const ann = (rs.metadata.annotations ??= {});
  let changed = false;
  if (ann[desiredReplicasAnnotation] !== String(desired)) { ann[desiredReplicasAnnotation] = String(desired); changed = true; }
  if (ann[maxReplicasAnnotation] !== String(max)) { ann[maxReplicasAnnotation] = String(max); changed = true; }
  return changed;
}

export function replicasAnnotationsNeedUpdate(rs: ReplicaSetObject, desired: number, max: number): boolean {
  const ann = rs.metadata.annotations ?? {};
  return ann[desiredReplicasAnnotation] !== String(desired) || ann[maxReplicasAnnotation] !== String(max);
}

export function annotatedInt(rs: ReplicaSetObject, key: string): number | undefined {
  const v = rs.metadata.annotations?.[key];
  if (v === undefined) return undefined;
  const n = Number.parseInt(v, 10);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * SetNewReplicaSetAnnotations: copies the Deployment's annotations, raises the revision (a
 * rollback to an older set keeps its former revisions in revision-history), and on a set about
 * to be created adds the replicas annotations. Mutates `rs`; true when it changed.
 */
export function setNewReplicaSetAnnotations(d: DeploymentObject, rs: ReplicaSetObject, newRevision: number, exists: boolean, maxSurge: number): boolean {
  let changed = copyDeploymentAnnotations(d, rs);
  const ann = (rs.metadata.annotations ??= {});
  const oldRevision = ann[revisionAnnotation];
  const oldInt = oldRevision === undefined || oldRevision === '' ? 0 : Number.parseInt(oldRevision, 10);
  if (!Number.isFinite(oldInt)) return false;
  if (oldInt < newRevision) {
    ann[revisionAnnotation] = String(newRevision);
    changed = true;
  }
  if (oldRevision && oldInt < newRevision) {
    const history = ann[revisionHistoryAnnotation] ?? '';
    const parts = history.split(',');
    if (parts[0] === '') {
      ann[revisionHistoryAnnotation] = oldRevision;
    } else {
      let total = history.length + oldRevision.length + 1;
      let start = 0;
      while (total > maxRevisionHistoryLength && start < parts.length) { total -= parts[start]!.length + 1; start++; }
      if (total <= maxRevisionHistoryLength) ann[revisionHistoryAnnotation] = [...parts.slice(start), oldRevision].join(',');
    }
  }
  const replicas = d.spec?.replicas ?? 1;
  if (!exists && setReplicasAnnotations(rs, replicas, replicas + maxSurge)) changed = true;
  return changed;
}
