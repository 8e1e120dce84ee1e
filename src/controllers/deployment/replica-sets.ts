import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { DeploymentObject, ReplicaSetObject } from '../../api/resources/index.js';
import { podTemplateHashLabel, canonical } from './pod-template-hash.js';
import { annotatedInt, maxReplicasAnnotation, revisionOf } from './annotations.js';

type IntOrString = number | string | undefined;

const replicasOf = (rs: ReplicaSetObject | undefined) => rs?.spec?.replicas ?? 0;
export const desiredOf = (d: DeploymentObject) => d.spec?.replicas ?? 1;

const created = (rs: ReplicaSetObject) => (rs.metadata.creationTimestamp ? Date.parse(rs.metadata.creationTimestamp) : 0);

/** ReplicaSetsByCreationTimestamp: older first, then by name. */
export function byCreation(a: ReplicaSetObject, b: ReplicaSetObject): number {
  const d = created(a) - created(b);
  if (d !== 0) return d;
  return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1;
}

/** ReplicaSetsBySizeNewer (larger first, then newer) / BySizeOlder (larger first, then older). */
export const bySizeNewer = (a: ReplicaSetObject, b: ReplicaSetObject) => replicasOf(b) - replicasOf(a) || byCreation(b, a);
export const bySizeOlder = (a: ReplicaSetObject, b: ReplicaSetObject) => replicasOf(b) - replicasOf(a) || byCreation(a, b);
/** ReplicaSetsByRevision: lower revision first, then older. */
export const byRevision = (a: ReplicaSetObject, b: ReplicaSetObject) => revisionOf(a) - revisionOf(b) || byCreation(a, b);

function withoutHash(t: PodTemplateSpec | undefined): string {
  const copy = structuredClone(t ?? {});
  if (copy.metadata?.labels) {
    delete copy.metadata.labels[podTemplateHashLabel];
    if (Object.keys(copy.metadata.labels).length === 0) delete copy.metadata.labels;
  }
  return canonical(copy);
}

/** EqualIgnoreHash: templates equal apart from the pod-template-hash label. */
export function equalIgnoreHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  return withoutHash(a) === withoutHash(b);
}

/** FindNewReplicaSet: the oldest set whose template equals the Deployment's. */
export function findNewReplicaSet(d: DeploymentObject, sets: readonly ReplicaSetObject[]): ReplicaSetObject | undefined {
  return [...sets].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
}

export const isActive = (rs: ReplicaSetObject | undefined): rs is ReplicaSetObject => !!rs && replicasOf(rs) > 0;

/** Σ spec.replicas, Σ status.replicas, Σ readyReplicas, Σ availableReplicas. */
export const specReplicas = (sets: readonly (ReplicaSetObject | undefined)[]) => sets.reduce((s, rs) => s + replicasOf(rs), 0);
export const actualReplicas = (sets: readonly (ReplicaSetObject | undefined)[]) => sets.reduce((s, rs) => s + (rs?.status?.replicas ?? 0), 0);
export const readyReplicas = (sets: readonly (ReplicaSetObject | undefined)[]) => sets.reduce((s, rs) => s + (rs?.status?.readyReplicas ?? 0), 0);
export const availableReplicas = (sets: readonly (ReplicaSetObject | undefined)[]) => sets.reduce((s, rs) => s + (rs?.status?.availableReplicas ?? 0), 0);

/** GetScaledValueFromIntOrPercent. */
export function scaledValue(v: IntOrString, total: number, roundUp: boolean): number {
  if (v === undefined) return 0;
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) {
    const n = Number.parseInt(v, 10);
    if (Number.isFinite(n) && String(n) === v) return n;
    throw new Error(`invalid value for IntOrString: invalid value "${v}"`);
  }
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

/** ResolveFenceposts: surge rounds up, unavailable rounds down; both 0 → unavailable 1. */
export function resolveFenceposts(maxSurge: IntOrString, maxUnavailable: IntOrString, desired: number): { surge: number; unavailable: number } {
  const surge = scaledValue(maxSurge, desired, true);
  let unavailable = scaledValue(maxUnavailable, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

export const isRollingUpdate = (d: DeploymentObject) => (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';

/** MaxSurge of a RollingUpdate Deployment (0 for Recreate). */
export function maxSurge(d: DeploymentObject): number {
  if (!isRollingUpdate(d)) return 0;
  const ru = d.spec?.strategy?.rollingUpdate;
  return resolveFenceposts(ru?.maxSurge ?? '25%', ru?.maxUnavailable ?? '25%', desiredOf(d)).surge;
}

/** MaxUnavailable, capped at spec.replicas (0 for Recreate or 0 replicas). */
export function maxUnavailable(d: DeploymentObject): number {
  const desired = desiredOf(d);
  if (!isRollingUpdate(d) || desired === 0) return 0;
  const ru = d.spec?.strategy?.rollingUpdate;
  const { unavailable } = resolveFenceposts(ru?.maxSurge ?? '25%', ru?.maxUnavailable ?? '25%', desired);
  return Math.min(unavailable, desired);
}

/** NewRSNewReplicas: how big the new set may be now. */
export function newReplicaSetReplicas(d: DeploymentObject, all: readonly (ReplicaSetObject | undefined)[], newRS: ReplicaSetObject): number {
  if (!isRollingUpdate(d)) return desiredOf(d);
  const current = specReplicas(all);
  const maxTotal = desiredOf(d) + maxSurge(d);
  if (current >= maxTotal) return replicasOf(newRS);
  const up = Math.min(maxTotal - current, desiredOf(d) - replicasOf(newRS));
  return replicasOf(newRS) + up;
}

/** IsSaturated: the new set runs all desired replicas, available. */
export function isSaturated(d: DeploymentObject, rs: ReplicaSetObject | undefined): boolean {
  if (!rs) return false;
  const desired = annotatedInt(rs, 'deployment.kubernetes.io/desired-replicas');
  return replicasOf(rs) === desiredOf(d) && desired === desiredOf(d) && (rs.status?.availableReplicas ?? 0) === desiredOf(d);
}

/** FindActiveOrLatest: the one active set, or the newest when none is active; undefined when several are. */
export function findActiveOrLatest(newRS: ReplicaSetObject | undefined, old: readonly ReplicaSetObject[]): ReplicaSetObject | undefined {
  if (!newRS && old.length === 0) return undefined;
  const sortedOld = [...old].sort((a, b) => byCreation(b, a));
  const active = [...sortedOld, newRS].filter(isActive);
  if (active.length === 0) return newRS ?? sortedOld[0];
  if (active.length === 1) return active[0];
  return undefined;
}

/** getReplicaSetFraction: this set's share of a resize, from its max-replicas annotation. */
function fraction(rs: ReplicaSetObject, d: DeploymentObject): number {
  if (desiredOf(d) === 0) return -replicasOf(rs);
  const deploymentReplicas = desiredOf(d) + maxSurge(d);
  const annotated = annotatedInt(rs, maxReplicasAnnotation) ?? (d.status?.replicas ?? 0);
  if (annotated === 0) return 0;
  const size = (replicasOf(rs) * deploymentReplicas) / annotated;
  return roundHalfAwayFromZero(size) - replicasOf(rs);
}

function roundHalfAwayFromZero(x: number): number { return x < 0 ? -Math.round(-x) : Math.round(x); }

/** GetProportion. */
export function proportion(rs: ReplicaSetObject, d: DeploymentObject, toAdd: number, added: number): number {
  if (replicasOf(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const f = fraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(f, allowed) : Math.max(f, allowed);
}

/**
 * The proportional scaling of `scale()` during a rollout: spreads a change of spec.replicas
 * over the active sets by their share; leftovers go to the largest. Returns name → new size.
 */
export function proportionalSizes(d: DeploymentObject, active: readonly ReplicaSetObject[]): Map<string, number> {
  const total = specReplicas(active);
  const allowed = desiredOf(d) > 0 ? desiredOf(d) + maxSurge(d) : 0;
  const toAdd = allowed - total;
  const sets = [...active];
  if (toAdd > 0) sets.sort(bySizeNewer); else if (toAdd < 0) sets.sort(bySizeOlder);
  const sizes = new Map<string, number>();
  let added = 0;
  for (const rs of sets) {
    if (toAdd !== 0) {
      const p = proportion(rs, d, toAdd, added);
      sizes.set(rs.metadata.name ?? '', replicasOf(rs) + p);
      added += p;
    } else {
      sizes.set(rs.metadata.name ?? '', replicasOf(rs));
    }
  }
  if (toAdd !== 0 && sets.length) {
    const first = sets[0]!.metadata.name ?? '';
    sizes.set(first, Math.max(0, sizes.get(first)! + toAdd - added));
  }
  return sizes;
}
