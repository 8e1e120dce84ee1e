import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { ResourceDefinition } from '../api/resource.js';
import { apiVersionOfResource } from '../api/resource.js';
import type { KubeObject } from '../api/types.js';
import { parseApiVersion } from '../api/types.js';
import type { Key } from './work-queue.js';
import { keyFor } from './object-key.js';
import type { Selector } from './label-selector.js';

/** The ownerReference with `controller: true`, if any (metav1.GetControllerOf). */
export function controllerRefOf(obj: Pick<KubeObject, 'metadata'>): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller === true);
}

/** True when `ref` points at the kind `res` serves (any version of its group). */
export function refersTo(ref: Pick<OwnerReference, 'apiVersion' | 'kind'>, res: Pick<ResourceDefinition, 'group' | 'kind'>): boolean {
  return ref.kind === res.kind && parseApiVersion(ref.apiVersion).group === res.group;
}

/** The queue key of `obj`'s controller when it is a `res` (same namespace), else undefined. */
export function controllerKey(obj: Pick<KubeObject, 'metadata'>, res: Pick<ResourceDefinition, 'group' | 'kind' | 'scope'>): Key | undefined {
  const ref = controllerRefOf(obj);
  if (!ref || !refersTo(ref, res)) return undefined;
  return keyFor(res.scope === 'Namespaced' ? obj.metadata.namespace : undefined, ref.name);
}

/** metav1.NewControllerRef: controller and blockOwnerDeletion set. */
export function newControllerRef(owner: Pick<KubeObject, 'metadata'>, res: Pick<ResourceDefinition, 'group' | 'version' | 'kind'>): OwnerReference {
  return {
    apiVersion: apiVersionOfResource(res), kind: res.kind, name: owner.metadata.name ?? '', uid: owner.metadata.uid ?? '',
    controller: true, blockOwnerDeletion: true,
  };
}

export function isControlledBy(obj: Pick<KubeObject, 'metadata'>, owner: Pick<KubeObject, 'metadata'>): boolean {
  const ref = controllerRefOf(obj);
  return ref !== undefined && ref.uid === owner.metadata.uid;
}

/** A function telling which objects an owner controls or may claim (ControllerRefManager). */
export interface ClaimPlan<T> {
  /** Objects the owner controls after this step (already owned and matching, or adopted). */
  claimed: T[];
  /** Orphans that match the selector: set the owner as their controller. */
  adopt: T[];
  /** Owned objects that no longer match: remove the owner's reference. */
  release: T[];
}

/**
 * ClaimObjects as upstream's ControllerRefManager decides it: owned + matching → keep; owned +
 * not matching → release (unless the owner is being deleted); orphan + matching → adopt (unless
 * the owner or the orphan is being deleted); owned by another controller → ignore.
 */
export function planClaims<T extends KubeObject>(owner: Pick<KubeObject, 'metadata'>, selector: Selector, candidates: readonly T[]): ClaimPlan<T> {
  const plan: ClaimPlan<T> = { claimed: [], adopt: [], release: [] };
  const ownerDeleting = !!owner.metadata.deletionTimestamp;
  for (const obj of candidates) {
    const ref = controllerRefOf(obj);
    const matches = selector.matches(obj.metadata.labels);
    if (ref) {
      if (ref.uid !== owner.metadata.uid) continue;
      if (matches) plan.claimed.push(obj);
      else if (!ownerDeleting && !obj.metadata.deletionTimestamp) plan.release.push(obj);
      else plan.claimed.push(obj);
      continue;
    }
    if (!matches || ownerDeleting || obj.metadata.deletionTimestamp) continue;
    plan.adopt.push(obj);
    plan.claimed.push(obj);
  }
  return plan;
}

/** A copy of `obj` with `owner` set as its controller (adoption). */
export function withControllerRef<T extends KubeObject>(obj: T, ref: OwnerReference): T {
  const copy = structuredClone(obj);
  copy.metadata.ownerReferences = [...(copy.metadata.ownerReferences ?? []).filter((r) => r.uid !== ref.uid), ref];
  return copy;
}

/** A copy of `obj` without any reference to `ownerUid` (release/orphaning). */
export function withoutOwner<T extends KubeObject>(obj: T, ownerUid: string): T {
  const copy = structuredClone(obj);
  const refs = (copy.metadata.ownerReferences ?? []).filter((r) => r.uid !== ownerUid);
  if (refs.length) copy.metadata.ownerReferences = refs;
  else delete copy.metadata.ownerReferences;
  return copy;
}
