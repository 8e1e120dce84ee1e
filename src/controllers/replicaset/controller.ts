import type { ResourceDefinition } from '../../api/resource.js';
import { pods, replicaSets, type PodObject, type ReplicaSetObject } from '../../api/resources/index.js';
import { isNotFound, isStatusError } from '../../api/errors.js';
import type { Controller } from '../../client/run-controller.js';
import type { Informer } from '../../client/informer.js';
import type { Key } from '../../client/work-queue.js';
import { keyOf } from '../../client/object-key.js';
import { Expectations } from '../../client/expectations.js';
import { controllerKey, controllerRefOf, newControllerRef, planClaims, withControllerRef, withoutOwner } from '../../client/controller-ref.js';
import { labelSelectorAsSelector, type Selector } from '../../client/label-selector.js';
import type { ControllerDeps } from '../controller-deps.js';
import { isPodActive } from '../podutil/index.js';
import { podControl, isNamespaceTerminating, slowStartBatch, slowStartInitialBatchSize } from '../podcontrol/index.js';
import { planReplicas } from './replicas.js';
import { replicaStatus, replicaStatusChanged, type ReplicaOwner } from './status.js';

/** What differs between the ReplicaSet and ReplicationController controllers. */
export interface ReplicaKind<T extends ReplicaOwner> {
  readonly name: string;
  readonly res: ResourceDefinition<T>;
  /** The owner's pod selector; throws when it cannot be parsed. */
  selector(owner: T): Selector;
}

export const controllerUidIndex = 'controllerUid';

/** Pods indexed by the uid of their controller (an index every workload controller shares). */
export function indexPodsByController(podCache: Informer<PodObject>): void {
  podCache.addIndex(controllerUidIndex, (p) => {
    const ref = controllerRefOf(p);
    return ref ? [ref.uid] : [];
  });
}

/**
 * The replica manager shared by ReplicaSets and ReplicationControllers (replica_set.go):
 * claims pods by selector, creates or deletes pods toward spec.replicas with expectations
 * and slow-start batches, and writes status.
 */
export function replicaManager<T extends ReplicaOwner>(kind: ReplicaKind<T>, deps: ControllerDeps): Controller {
  const { client, informers, queue, clock, recorder } = deps;
  const log = deps.log.child({ controller: kind.name });
  const owners = informers.for(kind.res);
  const podCache = informers.for(pods);
  indexPodsByController(podCache);
  const expectations = new Expectations(clock);
  const control = podControl(client, recorder);

  owners.onChange((o) => queue.add(keyOf(o)));

  function ownersMatching(pod: PodObject): Key[] {
    const out: Key[] = [];
    for (const o of owners.list(pod.metadata.namespace)) {
      try {
        if (kind.selector(o).matches(pod.metadata.labels)) out.push(keyOf(o));
      } catch { /* an unparsable selector selects nothing (validation keeps these out) */ }
    }
    return out;
  }

  podCache.onAdd((pod) => {
    const owner = controllerKey(pod, kind.res);
    if (pod.metadata.deletionTimestamp) {
      if (owner) { expectations.deletionObserved(owner, pod.metadata.uid ?? ''); queue.add(owner); }
      return;
    }
    if (owner) {
      if (!owners.get(owner)) return;
      expectations.creationObserved(owner);
      queue.add(owner);
      return;
    }
    for (const k of ownersMatching(pod)) queue.add(k);
  });
  podCache.onUpdate((old, pod) => {
    if (old.metadata.resourceVersion === pod.metadata.resourceVersion) return; // resync
    const oldOwner = controllerKey(old, kind.res);
    const owner = controllerKey(pod, kind.res);
    if (pod.metadata.deletionTimestamp && owner) expectations.deletionObserved(owner, pod.metadata.uid ?? '');
    if (oldOwner && oldOwner !== owner) queue.add(oldOwner);
    if (owner) { queue.add(owner); return; }
    const labelsChanged = JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(pod.metadata.labels ?? {});
    if (labelsChanged || oldOwner !== owner) for (const k of ownersMatching(pod)) queue.add(k);
  });
  podCache.onDelete((pod) => {
    const owner = controllerKey(pod, kind.res);
    if (!owner) return;
    expectations.deletionObserved(owner, pod.metadata.uid ?? '');
    queue.add(owner);
  });

  /** Pods of the owner's family (sibling ReplicaSets under one Deployment), for ranking. */
  function relatedPods(owner: T, own: readonly PodObject[]): PodObject[] {
    const parent = controllerRefOf(owner);
    if (!parent) return [...own];
    const out: PodObject[] = [];
    for (const sibling of owners.list(owner.metadata.namespace)) {
      if (controllerRefOf(sibling)?.uid !== parent.uid) continue;
      for (const p of podCache.byIndex(controllerUidIndex, sibling.metadata.uid ?? '')) if (isPodActive(p)) out.push(p);
    }
    return out;
  }

  async function claimPods(owner: T, selector: Selector, signal: AbortSignal): Promise<PodObject[]> {
    const candidates = podCache.list(owner.metadata.namespace).filter(isPodActive);
    const plan = planClaims(owner, selector, candidates);
    if (plan.adopt.length) {
      // canAdopt: recheck with a live read that the owner is still the same and not deleting
      const fresh = await client.get(kind.res, owner.metadata.namespace ?? '', owner.metadata.name ?? '', { signal });
      if (fresh.metadata.uid !== owner.metadata.uid) throw new Error(`original ${kind.res.kind} ${keyOf(owner)} is gone: got uid ${fresh.metadata.uid}, wanted ${owner.metadata.uid}`);
      if (fresh.metadata.deletionTimestamp) throw new Error(`${kind.res.kind} ${keyOf(owner)} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
    }
    const ref = newControllerRef(owner, kind.res);
    const adopted: PodObject[] = [];
    for (const p of plan.adopt) {
      try {
        adopted.push(await client.update(pods, withControllerRef(p, ref), { signal }));
      } catch (err) {
        if (isNotFound(err)) continue; // gone meanwhile: nothing to adopt
        throw err;
      }
    }
    for (const p of plan.release) {
      try {
        await client.update(pods, withoutOwner(p, owner.metadata.uid ?? ''), { signal });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    const adoptedUids = new Set(plan.adopt.map((p) => p.metadata.uid));
    return [...plan.claimed.filter((p) => !adoptedUids.has(p.metadata.uid)), ...adopted];
  }

  async function manageReplicas(key: Key, owner: T, active: readonly PodObject[], signal: AbortSignal): Promise<{ error?: Error; diff: number }> {
    const plan = planReplicas(owner.spec?.replicas ?? 1, active, relatedPods(owner, active), clock.now());
    const ref = newControllerRef(owner, kind.res);
    const ns = owner.metadata.namespace ?? '';
    const who = { res: kind.res, obj: owner };
    if (plan.create > 0) {
      expectations.expect(key, plan.create);
      log.debug('too few replicas', { key, need: owner.spec?.replicas, creating: plan.create });
      const { successes, error } = await slowStartBatch(plan.create, slowStartInitialBatchSize, async () => {
        try {
          await control.createPod(ns, owner.spec?.template, who, ref, signal);
        } catch (err) {
          expectations.creationObserved(key); // this create will never be observed
          if (isNamespaceTerminating(err)) return;
          throw err;
        }
      });
      const skipped = plan.create - successes - (error ? 1 : 0);
      if (skipped > 0) expectations.lowerCreations(key, skipped);
      if (error) return { error: error as Error, diff: plan.diff };
    } else if (plan.remove.length > 0) {
      expectations.expect(key, 0, plan.remove.map((p) => p.metadata.uid ?? ''));
      log.debug('too many replicas', { key, need: owner.spec?.replicas, deleting: plan.remove.length });
      const results = await Promise.allSettled(plan.remove.map(async (p) => {
        try {
          await control.deletePod(ns, p.metadata.name ?? '', who, signal);
        } catch (err) {
          expectations.deletionObserved(key, p.metadata.uid ?? '');
          if (!isNotFound(err)) throw err;
        }
      }));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) return { error: failed.reason as Error, diff: plan.diff };
    }
    return { diff: plan.diff };
  }

  async function sync(key: Key, signal: AbortSignal): Promise<void> {
    const owner = owners.get(key);
    if (!owner) { expectations.forget(key); return; }
    let selector: Selector;
    try {
      selector = kind.selector(owner);
    } catch (err) {
      log.warn('invalid selector', { key, err }); // only a user edit can fix it
      return;
    }
    const needsSync = expectations.satisfied(key) && !owner.metadata.deletionTimestamp;
    const active = await claimPods(owner, selector, signal);
    let manage: { error?: Error; diff: number } = { diff: 0 };
    if (needsSync) manage = await manageReplicas(key, owner, active, signal);
    const now = clock.now();
    const status = replicaStatus(owner, active, manage.error, manage.diff, now);
    let written = owner;
    if (replicaStatusChanged(owner.status, status)) {
      written = await client.updateStatus(kind.res, { ...owner, status } as T, { signal });
    }
    const minReady = owner.spec?.minReadySeconds ?? 0;
    const desired = owner.spec?.replicas ?? 1;
    if (!manage.error && minReady > 0 && (written.status?.readyReplicas ?? 0) === desired && (written.status?.availableReplicas ?? 0) !== desired) {
      queue.addAfter(key, minReady * 1000);
    }
    if (manage.error) {
      if (isStatusError(manage.error)) throw manage.error;
      throw new Error(`syncing ${kind.res.kind} ${key}`, { cause: manage.error });
    }
  }

  return { name: kind.name, queue, informers: [owners, podCache], sync, workers: 5 };
}

/** The ReplicaSet controller (kube-controller-manager's `replicaset`). */
export function replicaSetController(deps: ControllerDeps): Controller {
  return replicaManager<ReplicaSetObject>({
    name: 'replicaset', res: replicaSets,
    selector: (rs) => labelSelectorAsSelector(rs.spec?.selector),
  }, deps);
}

