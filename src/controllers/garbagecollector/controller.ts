import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { ResourceDefinition } from '../../api/resource.js';
import { apiVersionOfResource } from '../../api/resource.js';
import type { KubeObject } from '../../api/types.js';
import { parseApiVersion } from '../../api/types.js';
import { builtinResources, customResourceDefinitions } from '../../api/resources/index.js';
import { isNotFound } from '../../api/errors.js';
import type { Controller, SyncSource } from '../../client/run-controller.js';
import type { Key } from '../../client/work-queue.js';
import type { ControllerDeps } from '../controller-deps.js';
import { OwnerGraph, foregroundFinalizer, orphanFinalizer, ownerIdentity, type GraphNode, type GraphWork, type ObjectIdentity } from './graph.js';
import { planDependent, removeFinalizerPatch, removeOwnersPatch, unblockOwnersPatch, type OwnerState } from './dependent-plan.js';
import { customResource, deletableResources, isEstablished } from './deletable-resources.js';

export interface GarbageCollectorOptions {
  /** Resources to consider (default: every built-in one); CRDs are added as they become established. */
  resources?: readonly ResourceDefinition[];
  /** Longest wait between looks at an owner that was found by GET but not yet seen by an informer. */
  maxVirtualRecheckMs?: number;
}

/** Queue keys: `delete/<uid>` (attemptToDelete) and `orphan/<uid>` (attemptToOrphan). */
export const deleteKey = (uid: string): Key => `delete/${uid}`;
export const orphanKey = (uid: string): Key => `orphan/${uid}`;

/**
 * The garbage collector (pkg/controller/garbagecollector): an owner graph built from the
 * ownerReferences of every deletable resource; dependents whose owners are all gone are
 * deleted, owners deleted in the foreground wait for their blocking dependents, owners
 * deleted with `orphan` get their dependents released. Every decision rests on a live GET.
 */
export function garbageCollector(deps: ControllerDeps, opts: GarbageCollectorOptions = {}): Controller {
  const { client, informers, queue } = deps;
  const log = deps.log.child({ controller: 'garbagecollector' });
  const graph = new OwnerGraph();
  const byGroupKind = new Map<string, ResourceDefinition>();
  const monitored = new Set<string>();
  const sources: SyncSource[] = [];
  const virtualRetries = new Map<string, number>();
  const maxVirtualRecheckMs = opts.maxVirtualRecheckMs ?? 60_000;

  function enqueue(work: GraphWork): void {
    for (const uid of work.attemptToDelete) queue.add(deleteKey(uid));
    for (const uid of work.attemptToOrphan) queue.add(orphanKey(uid));
  }

  function monitor(res: ResourceDefinition): SyncSource | undefined {
    const id = `${res.group}/${res.plural}`;
    if (monitored.has(id)) return undefined;
    monitored.add(id);
    byGroupKind.set(`${res.group}/${res.kind}`, res);
    const apiVersion = apiVersionOfResource(res);
    const identity = (o: KubeObject): ObjectIdentity => ({
      apiVersion, kind: res.kind, name: o.metadata.name ?? '', uid: o.metadata.uid ?? '',
      namespace: res.scope === 'Namespaced' ? o.metadata.namespace ?? '' : '',
    });
    const inf = informers.for(res);
    inf.onAdd((o) => enqueue(graph.observe('add', identity(o), o.metadata)));
    inf.onUpdate((old, o) => {
      if (old === o) return; // resync
      enqueue(graph.observe('update', identity(o), o.metadata, old.metadata));
    });
    inf.onDelete((o) => enqueue(graph.observe('delete', identity(o), o.metadata)));
    return inf;
  }

  for (const res of deletableResources(opts.resources ?? builtinResources)) {
    const s = monitor(res);
    if (s) sources.push(s);
  }
  const crds = informers.for(customResourceDefinitions);
  crds.onChange((crd) => {
    if (!isEstablished(crd) || crd.metadata.deletionTimestamp) return;
    const res = customResource(crd);
    if (res && monitor(res)) log.info('monitoring custom resource', { resource: `${res.plural}.${res.group}` });
  });
  if (!sources.includes(crds)) sources.push(crds);

  /** The resource serving `apiVersion`/`kind` (any version of its group). */
  function resourceFor(apiVersion: string, kind: string): ResourceDefinition {
    const res = byGroupKind.get(`${parseApiVersion(apiVersion).group}/${kind}`);
    if (!res) throw new Error(`unable to get REST mapping for ${apiVersion}/${kind}`);
    return res;
  }

  const nsOf = (res: ResourceDefinition, namespace: string) => (res.scope === 'Namespaced' ? namespace : '');

  /** A live GET; undefined when absent or when the uid differs. */
  async function lookup(id: ObjectIdentity, signal: AbortSignal): Promise<KubeObject | undefined> {
    const res = resourceFor(id.apiVersion, id.kind);
    try {
      const obj = await client.get(res, nsOf(res, id.namespace), id.name, { signal });
      return obj.metadata.uid === id.uid ? obj : undefined;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** isDangling + classifyReferences, with a live GET of each owner not known to be absent. */
  async function classify(item: GraphNode, refs: readonly OwnerReference[], signal: AbortSignal): Promise<{ ref: OwnerReference; state: OwnerState }[] | 'invalid'> {
    const out: { ref: OwnerReference; state: OwnerState }[] = [];
    for (const ref of refs) {
      if (graph.isAbsent(ownerIdentity(ref, '')) || graph.isAbsent(ownerIdentity(ref, item.identity.namespace))) {
        out.push({ ref, state: 'dangling' });
        continue;
      }
      const res = resourceFor(ref.apiVersion, ref.kind);
      if (res.scope === 'Namespaced' && !item.identity.namespace) {
        log.info('cluster-scoped object refers to a namespaced owner', { item: item.identity.name, owner: ref.name });
        return 'invalid';
      }
      const id = ownerIdentity(ref, nsOf(res, item.identity.namespace));
      const owner = await lookup(id, signal);
      if (!owner) {
        graph.markAbsent(id);
        out.push({ ref, state: 'dangling' });
      } else if (owner.metadata.deletionTimestamp && (owner.metadata.finalizers ?? []).includes(foregroundFinalizer)) {
        out.push({ ref, state: 'waiting' });
      } else {
        out.push({ ref, state: 'solid' });
      }
    }
    return out;
  }

  async function attemptToDelete(key: Key, item: GraphNode, signal: AbortSignal): Promise<void> {
    if (item.beingDeleted && !item.deletingDependents) return; // on its way out: wait for the delete event
    const res = resourceFor(item.identity.apiVersion, item.identity.kind);
    const ns = nsOf(res, item.identity.namespace);
    const latest = await lookup(item.identity, signal);
    if (!latest) return enqueue(graph.virtualDelete(item.identity));
    if (item.deletingDependents) {
      // processDeletingDependentsItem
      const blocking = graph.blockingDependents(item);
      if (blocking.length === 0) {
        if ((latest.metadata.finalizers ?? []).includes(foregroundFinalizer)) {
          log.debug('removing foregroundDeletion finalizer', { item: `${ns}/${item.identity.name}` });
          await patchTolerant(res, ns, item.identity.name, removeFinalizerPatch(latest.metadata, foregroundFinalizer), signal);
        }
        return;
      }
      for (const d of blocking) if (!d.deletingDependents) queue.add(deleteKey(d.identity.uid));
      return;
    }
    const refs = latest.metadata.ownerReferences ?? [];
    if (refs.length > 0) {
      const classified = await classify(item, refs, signal);
      if (classified === 'invalid') return;
      const action = planDependent(latest.metadata, classified, item.dependents.size > 0, [...item.dependents].some((d) => d.deletingDependents));
      if (action.type === 'removeOwners') {
        log.debug('removing dangling and waiting owner references', { item: `${ns}/${item.identity.name}`, owners: action.uids });
        await patchTolerant(res, ns, item.identity.name, removeOwnersPatch(latest.metadata, action.uids), signal);
      } else if (action.type === 'delete') {
        let rv = latest.metadata.resourceVersion;
        if (action.unblock) {
          const patched = await client.patch(res, ns, item.identity.name, 'merge', unblockOwnersPatch(latest.metadata), { signal });
          rv = patched.metadata.resourceVersion;
        }
        log.debug('deleting dependent', { item: `${ns}/${item.identity.name}`, kind: item.identity.kind, propagationPolicy: action.policy });
        try {
          await client.delete(res, ns, item.identity.name, { propagationPolicy: action.policy, preconditions: { uid: item.identity.uid, resourceVersion: rv }, signal });
        } catch (err) {
          if (!isNotFound(err)) throw err;
          return enqueue(graph.virtualDelete(item.identity));
        }
      }
    }
    if (!item.observed) {
      // found by GET but not yet seen by an informer: look again later (issue 56121)
      const n = virtualRetries.get(item.identity.uid) ?? 0;
      virtualRetries.set(item.identity.uid, n + 1);
      queue.addAfter(key, Math.min(maxVirtualRecheckMs, 1000 * 2 ** n));
    } else {
      virtualRetries.delete(item.identity.uid);
    }
  }

  /** Patches tolerating a vanished object (its delete event will follow). */
  async function patchTolerant(res: ResourceDefinition, ns: string, name: string, patch: unknown, signal: AbortSignal): Promise<void> {
    try {
      await client.patch(res, ns, name, 'merge', patch, { signal });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** attemptToOrphanWorker: drop the owner from every dependent, then the `orphan` finalizer. */
  async function attemptToOrphan(owner: GraphNode, signal: AbortSignal): Promise<void> {
    const uid = owner.identity.uid;
    const results = await Promise.allSettled([...owner.dependents].map(async (dep) => {
      const res = resourceFor(dep.identity.apiVersion, dep.identity.kind);
      const latest = await lookup(dep.identity, signal);
      if (!latest || !(latest.metadata.ownerReferences ?? []).some((r) => r.uid === uid)) return;
      await patchTolerant(res, nsOf(res, dep.identity.namespace), dep.identity.name, removeOwnersPatch(latest.metadata, [uid]), signal);
    }));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length) throw new Error(`failed to orphan dependents of owner ${owner.identity.kind} ${owner.identity.name}`, { cause: failed[0]!.reason });
    const res = resourceFor(owner.identity.apiVersion, owner.identity.kind);
    const latest = await lookup(owner.identity, signal);
    if (!latest || !(latest.metadata.finalizers ?? []).includes(orphanFinalizer)) return;
    await patchTolerant(res, nsOf(res, owner.identity.namespace), owner.identity.name, removeFinalizerPatch(latest.metadata, orphanFinalizer), signal);
  }

  async function sync(key: Key, signal: AbortSignal): Promise<void> {
    const i = key.indexOf('/');
    const verb = key.slice(0, i);
    const uid = key.slice(i + 1);
    const node = graph.node(uid);
    if (!node) { virtualRetries.delete(uid); return; }
    if (verb === 'orphan') return attemptToOrphan(node, signal);
    return attemptToDelete(key, node, signal);
  }

  return { name: 'garbagecollector', queue, informers: sources, sync, workers: 20 };
}
