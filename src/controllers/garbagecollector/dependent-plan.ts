import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { ObjectMeta } from '../../api/types.js';
import { foregroundFinalizer, orphanFinalizer } from './graph.js';

/**
 * How one owner reference of a dependent stands (classifyReferences): the owner exists
 * (`solid`), is gone or has another uid (`dangling`), or is being deleted in the foreground
 * and waits for its dependents (`waiting`).
 */
export type OwnerState = 'solid' | 'dangling' | 'waiting';

export type DependentAction =
  | { type: 'keep' }
  /** Some owners remain: drop the references to the dangling and waiting ones. */
  | { type: 'removeOwners'; uids: string[] }
  /** No owner remains: delete, first making its own references non-blocking when `unblock`. */
  | { type: 'delete'; policy: 'Background' | 'Foreground' | 'Orphan'; unblock: boolean };

type Meta = Pick<ObjectMeta, 'finalizers'>;

/**
 * attemptToDeleteItem's decision once the references are classified. `hasDependents`: the
 * item owns something; `dependentDeletingDependents`: one of those waits for its own
 * dependents (a possible cycle, so the item's references are unblocked first).
 */
export function planDependent(latest: Meta, refs: readonly { ref: OwnerReference; state: OwnerState }[],
  hasDependents: boolean, dependentDeletingDependents: boolean): DependentAction {
  if (refs.length === 0) return { type: 'keep' };
  const solid = refs.filter((r) => r.state === 'solid');
  const others = refs.filter((r) => r.state !== 'solid');
  if (solid.length > 0) {
    if (others.length === 0) return { type: 'keep' };
    const dangling = others.filter((r) => r.state === 'dangling').map((r) => r.ref.uid);
    const waiting = others.filter((r) => r.state === 'waiting').map((r) => r.ref.uid);
    return { type: 'removeOwners', uids: [...dangling, ...waiting] };
  }
  if (refs.some((r) => r.state === 'waiting') && hasDependents) {
    return { type: 'delete', policy: 'Foreground', unblock: dependentDeletingDependents };
  }
  const finalizers = latest.finalizers ?? [];
  if (finalizers.includes(orphanFinalizer)) return { type: 'delete', policy: 'Orphan', unblock: false };
  if (finalizers.includes(foregroundFinalizer)) return { type: 'delete', policy: 'Foreground', unblock: false };
  return { type: 'delete', policy: 'Background', unblock: false };
}

type Versioned = Pick<ObjectMeta, 'uid' | 'resourceVersion' | 'ownerReferences' | 'finalizers'>;

/** A JSON merge patch dropping the references to `uids`, guarded by uid and resourceVersion. */
export function removeOwnersPatch(latest: Versioned, uids: readonly string[]): unknown {
  const remaining = (latest.ownerReferences ?? []).filter((r) => !uids.includes(r.uid));
  return { metadata: { ownerReferences: remaining.length ? remaining : null, uid: latest.uid, resourceVersion: latest.resourceVersion } };
}

/** A JSON merge patch setting blockOwnerDeletion to false on every blocking reference. */
export function unblockOwnersPatch(latest: Versioned): unknown {
  const refs = (latest.ownerReferences ?? []).map((r) => (r.blockOwnerDeletion ? { ...r, blockOwnerDeletion: false } : r));
  return { metadata: { ownerReferences: refs, uid: latest.uid, resourceVersion: latest.resourceVersion } };
}

/** A JSON merge patch removing one finalizer, guarded by resourceVersion. */
export function removeFinalizerPatch(latest: Versioned, finalizer: string): unknown {
  const remaining = (latest.finalizers ?? []).filter((f) => f !== finalizer);
  return { metadata: { finalizers: remaining.length ? remaining : null, resourceVersion: latest.resourceVersion } };
}
