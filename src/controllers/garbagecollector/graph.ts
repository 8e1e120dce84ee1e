import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { ObjectMeta } from '../../api/types.js';

/** The finalizers the garbage collector acts on (metav1.FinalizerDeleteDependents / FinalizerOrphanDependents). */
export const foregroundFinalizer = 'foregroundDeletion';
export const orphanFinalizer = 'orphan';

/** Where an object lives: its coordinates plus uid (upstream's objectReference). */
export interface ObjectIdentity {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly uid: string;
  /** '' for cluster-scoped objects. */
  readonly namespace: string;
}

/** One object in the owner graph; `virtual` until an informer has shown it. */
export interface GraphNode {
  identity: ObjectIdentity;
  owners: readonly OwnerReference[];
  readonly dependents: Set<GraphNode>;
  observed: boolean;
  /** Created from an ownerReference, not from an informer event. */
  virtual: boolean;
  beingDeleted: boolean;
  deletingDependents: boolean;
}

/** Uids the caller should process next. */
export interface GraphWork {
  attemptToDelete: string[];
  attemptToOrphan: string[];
}

type Meta = Pick<ObjectMeta, 'deletionTimestamp' | 'finalizers' | 'ownerReferences'>;

export function sameIdentity(a: ObjectIdentity, b: ObjectIdentity): boolean {
  return a.uid === b.uid && a.apiVersion === b.apiVersion && a.kind === b.kind && a.name === b.name && a.namespace === b.namespace;
}

function identityKey(i: ObjectIdentity): string {
  return [i.apiVersion, i.kind, i.namespace, i.name, i.uid].join('\u0000');
}

function hasFinalizer(meta: Meta | undefined, f: string): boolean {
  return (meta?.finalizers ?? []).includes(f);
}

/** deletionStartsWithFinalizer: `obj` is being deleted with `f`, and `old` was not (or is unknown). */
function startsDeletionWith(old: Meta | undefined, obj: Meta, f: string): boolean {
  if (!obj.deletionTimestamp || !hasFinalizer(obj, f)) return false;
  if (!old) return true;
  return !old.deletionTimestamp || !hasFinalizer(old, f);
}

/** The owner named by `ref` as seen from a dependent in `namespace` (the namespace is a guess for cluster-scoped owners). */
export function ownerIdentity(ref: OwnerReference, namespace: string): ObjectIdentity {
  return { apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name, uid: ref.uid, namespace };
}

function refMatches(ref: OwnerReference, id: ObjectIdentity): boolean {
  return ref.uid === id.uid && ref.apiVersion === id.apiVersion && ref.kind === id.kind && ref.name === id.name;
}

/**
 * The dependency graph the garbage collector keeps (graph_builder.go): nodes by uid with
 * their owners and dependents, fed by informer events. Each change returns the uids whose
 * deletion or orphaning should be attempted; the graph itself does no I/O.
 */
export class OwnerGraph {
  readonly #nodes = new Map<string, GraphNode>();
  readonly #absent = new Map<string, true>();
  readonly #absentMax: number;

  constructor(opts: { absentOwnerCacheSize?: number } = {}) {
    this.#absentMax = opts.absentOwnerCacheSize ?? 500;
  }

  node(uid: string): GraphNode | undefined { return this.#nodes.get(uid); }
  get size(): number { return this.#nodes.size; }

  /** Dependents holding a blockOwnerDeletion reference to `node` (node.blockingDependents). */
  blockingDependents(node: GraphNode): GraphNode[] {
    return [...node.dependents].filter((d) => d.owners.some((r) => r.uid === node.identity.uid && r.blockOwnerDeletion === true));
  }

  /** Owners verified absent (upstream's absentOwnerCache, an LRU of identities). */
  isAbsent(id: ObjectIdentity): boolean {
    const k = identityKey(id);
    if (!this.#absent.has(k)) return false;
    this.#absent.delete(k);
    this.#absent.set(k, true);
    return true;
  }

  markAbsent(id: ObjectIdentity): void {
    const k = identityKey(id);
    this.#absent.delete(k);
    this.#absent.set(k, true);
    if (this.#absent.size > this.#absentMax) this.#absent.delete(this.#absent.keys().next().value!);
  }

  /** An informer event (processGraphChanges). `old` is the previous state on update. */
  observe(type: 'add' | 'update' | 'delete', identity: ObjectIdentity, obj: Meta, old?: Meta): GraphWork {
    const work: GraphWork = { attemptToDelete: [], attemptToOrphan: [] };
    let existing = this.#nodes.get(identity.uid);
    if (existing && !existing.observed && type !== 'delete') {
      if (!sameIdentity(existing.identity, identity)) {
        // dependents that named this owner by other coordinates may now be wrong: re-check them
        for (const dep of existing.dependents) {
          if (!dep.owners.some((r) => r.uid === identity.uid && refMatches(r, identity))) work.attemptToDelete.push(dep.identity.uid);
        }
        existing.identity = identity;
      }
      existing.observed = true;
      existing.virtual = false;
    }
    if (type === 'delete') {
      if (!existing) return work;
      this.#removeAndNotify(existing, work);
      return work;
    }
    const owners = [...(obj.ownerReferences ?? [])];
    const beingDeleted = !!obj.deletionTimestamp;
    if (!existing) {
      const node: GraphNode = {
        identity, owners, dependents: new Set(), observed: true, virtual: false,
        beingDeleted, deletingDependents: beingDeleted && hasFinalizer(obj, foregroundFinalizer),
      };
      this.#nodes.set(identity.uid, node);
      this.#addToOwners(node, owners, work);
      this.#transitions(old, obj, node, work);
      return work;
    }
    if (existing.identity.apiVersion !== identity.apiVersion || existing.identity.kind !== identity.kind) existing.identity = identity;
    const { added, removed, changed } = referenceDiffs(existing.owners, owners);
    if (added.length || removed.length || changed.length) {
      // owners waiting on this dependent may be unblocked
      for (const r of removed) if (r.blockOwnerDeletion === true) this.#queueIfPresent(r.uid, work);
      for (const [was, now] of changed) if (was.blockOwnerDeletion === true && now.blockOwnerDeletion !== true) this.#queueIfPresent(now.uid, work);
      existing.owners = owners;
      this.#addToOwners(existing, added, work);
      for (const r of removed) this.#nodes.get(r.uid)?.dependents.delete(existing);
    }
    if (beingDeleted) existing.beingDeleted = true;
    this.#transitions(old, obj, existing, work);
    return work;
  }

  /**
   * The item was looked up and is gone (or has another uid): a delete event not seen by an
   * informer. A node observed under other coordinates stays; dependents that named the
   * absent coordinates are re-checked.
   */
  virtualDelete(identity: ObjectIdentity): GraphWork {
    const work: GraphWork = { attemptToDelete: [], attemptToOrphan: [] };
    const existing = this.#nodes.get(identity.uid);
    if (!existing) return work;
    const matching = [...existing.dependents].filter((d) => this.#namesOwner(d, identity));
    const nonMatching = [...existing.dependents].filter((d) => !this.#namesOwner(d, identity));
    if (!existing.virtual && !sameIdentity(existing.identity, identity)) {
      if (matching.length) {
        this.markAbsent(identity);
        for (const d of matching) work.attemptToDelete.push(d.identity.uid);
      }
      return work;
    }
    if (existing.virtual && nonMatching.length > 0) {
      // some dependents name this uid by other coordinates: keep the node under one of them
      if (matching.length) {
        this.markAbsent(identity);
        for (const d of matching) work.attemptToDelete.push(d.identity.uid);
      }
      if (sameIdentity(existing.identity, identity)) {
        const dep = nonMatching[0]!;
        const ref = dep.owners.find((r) => r.uid === identity.uid)!;
        existing.identity = ownerIdentity(ref, identity.namespace ? dep.identity.namespace : '');
        work.attemptToDelete.push(identity.uid);
      }
      return work;
    }
    this.#removeAndNotify(existing, work);
    return work;
  }

  #namesOwner(dep: GraphNode, id: ObjectIdentity): boolean {
    if (id.namespace && dep.identity.namespace !== id.namespace) return false;
    return dep.owners.some((r) => refMatches(r, id));
  }

  #removeAndNotify(node: GraphNode, work: GraphWork): void {
    this.#nodes.delete(node.identity.uid);
    for (const r of node.owners) this.#nodes.get(r.uid)?.dependents.delete(node);
    if (node.dependents.size > 0) this.markAbsent(node.identity);
    for (const d of node.dependents) work.attemptToDelete.push(d.identity.uid);
    for (const r of node.owners) {
      const owner = this.#nodes.get(r.uid);
      if (owner?.deletingDependents) work.attemptToDelete.push(owner.identity.uid);
    }
  }

  #queueIfPresent(uid: string, work: GraphWork): void {
    if (this.#nodes.has(uid)) work.attemptToDelete.push(uid);
  }

  /** addDependentToOwners: owners not seen yet become virtual nodes to verify. */
  #addToOwners(node: GraphNode, refs: readonly OwnerReference[], work: GraphWork): void {
    for (const ref of refs) {
      let owner = this.#nodes.get(ref.uid);
      if (!owner) {
        owner = {
          identity: ownerIdentity(ref, node.identity.namespace), owners: [], dependents: new Set(),
          observed: false, virtual: true, beingDeleted: false, deletingDependents: false,
        };
        this.#nodes.set(ref.uid, owner);
        work.attemptToDelete.push(ref.uid);
      } else if (owner.observed && !this.#namesOwner(node, owner.identity)) {
        // the reference disagrees with the observed owner (other coordinates or namespace): verify it
        work.attemptToDelete.push(node.identity.uid);
      }
      owner.dependents.add(node);
    }
  }

  /** processTransitions: deletion starting with the orphan or foregroundDeletion finalizer. */
  #transitions(old: Meta | undefined, obj: Meta, node: GraphNode, work: GraphWork): void {
    if (startsDeletionWith(old, obj, orphanFinalizer)) {
      work.attemptToOrphan.push(node.identity.uid);
      return;
    }
    if (startsDeletionWith(old, obj, foregroundFinalizer)) {
      node.deletingDependents = true;
      for (const d of node.dependents) work.attemptToDelete.push(d.identity.uid);
      work.attemptToDelete.push(node.identity.uid);
    }
  }
}

/** referencesDiffs: by uid, which references were added, removed, or changed. */
export function referenceDiffs(old: readonly OwnerReference[], next: readonly OwnerReference[]): {
  added: OwnerReference[]; removed: OwnerReference[]; changed: [OwnerReference, OwnerReference][];
} {
  const oldByUid = new Map(old.map((r) => [r.uid, r]));
  const added: OwnerReference[] = [];
  const changed: [OwnerReference, OwnerReference][] = [];
  for (const r of next) {
    const was = oldByUid.get(r.uid);
    if (!was) added.push(r);
    else {
      if (JSON.stringify(was) !== JSON.stringify(r)) changed.push([was, r]);
      oldByUid.delete(r.uid);
    }
  }
  return { added, removed: [...oldByUid.values()], changed };
}
