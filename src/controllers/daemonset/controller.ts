import { controllerRevisions, daemonSets, nodes, pods, type DaemonSetObject, type PodObject } from '../../api/resources/index.js';
import { labelSelectorAsRequirements, matchesLabels } from '../../api/selectors/index.js';
import { isNotFound, isStatusError } from '../../api/errors.js';
import type { Controller } from '../../client/run-controller.js';
import type { Key } from '../../client/work-queue.js';
import { keyOf } from '../../client/object-key.js';
import { Expectations } from '../../client/expectations.js';
import { labelSelectorAsSelector } from '../../client/label-selector.js';
import { controllerKey, controllerRefOf, newControllerRef, planClaims, withControllerRef, withoutOwner } from '../../client/controller-ref.js';
import type { ControllerDeps } from '../controller-deps.js';
import { podControl, isNamespaceTerminating, slowStartBatch, slowStartInitialBatchSize } from '../podcontrol/index.js';
import { ensureUpdateRevision, revisionsToPrune, revisionHashLabel as crHashLabel } from '../statefulset/index.js';
import { pinnedToNode, revisionHashLabel, targetNode, templateGeneration, templateGenerationLabel, withDaemonTolerations } from './daemon-pod.js';
import { daemonSetStatus, daemonSetStatusChanged, planManage, planRollingUpdate, podsByNode, type DaemonPlan } from './plan.js';

/**
 * The DaemonSet controller: one pod per eligible node (node selector, required affinity, taints
 * against the daemon tolerations), pinned with `metadata.name In [node]` node affinity for the
 * scheduler to bind, ControllerRevisions, RollingUpdate within maxUnavailable/maxSurge or
 * OnDelete, and the status `kubectl rollout status ds` follows.
 */
export function daemonSetController(deps: ControllerDeps): Controller {
  const { client, informers, queue, clock, recorder } = deps;
  const log = deps.log.child({ controller: 'daemonset' });
  const dsCache = informers.for(daemonSets);
  const podCache = informers.for(pods);
  const nodeCache = informers.for(nodes);
  const revCache = informers.for(controllerRevisions);
  const expectations = new Expectations(clock);
  const control = podControl(client, recorder);

  const enqueueAll = () => { for (const ds of dsCache.list()) queue.add(keyOf(ds)); };
  dsCache.onChange((ds) => queue.add(keyOf(ds)));
  nodeCache.onAdd(enqueueAll);
  nodeCache.onDelete(enqueueAll);
  nodeCache.onUpdate((old, n) => {
    if (old.metadata.resourceVersion === n.metadata.resourceVersion) return;
    const relevant = (x: typeof n) => JSON.stringify([x.metadata.labels, x.spec?.taints, x.spec?.unschedulable]);
    if (relevant(old) !== relevant(n)) enqueueAll();
  });
  revCache.onChange((r) => { const k = controllerKey(r, daemonSets); if (k) queue.add(k); });
  podCache.onAdd((p) => {
    const owner = controllerKey(p, daemonSets);
    if (owner) { if (!p.metadata.deletionTimestamp) expectations.creationObserved(owner); else expectations.deletionObserved(owner, p.metadata.uid ?? ''); queue.add(owner); }
  });
  podCache.onUpdate((old, p) => {
    if (old.metadata.resourceVersion === p.metadata.resourceVersion) return;
    const owner = controllerKey(p, daemonSets);
    if (owner && p.metadata.deletionTimestamp) expectations.deletionObserved(owner, p.metadata.uid ?? '');
    if (owner) queue.add(owner);
    const oldOwner = controllerKey(old, daemonSets);
    if (oldOwner && oldOwner !== owner) queue.add(oldOwner);
    if (!controllerRefOf(p)) {
      for (const ds of dsCache.list(p.metadata.namespace)) if (matchesLabels(labelSelectorAsRequirements(ds.spec?.selector), p.metadata.labels)) queue.add(keyOf(ds));
    }
  });
  podCache.onDelete((p) => {
    const owner = controllerKey(p, daemonSets);
    if (!owner) return;
    expectations.deletionObserved(owner, p.metadata.uid ?? '');
    queue.add(owner);
  });

  async function claimPods(ds: DaemonSetObject, signal: AbortSignal): Promise<PodObject[]> {
    const plan = planClaims(ds, labelSelectorAsSelector(ds.spec?.selector), podCache.list(ds.metadata.namespace));
    const ref = newControllerRef(ds, daemonSets);
    const adopted: PodObject[] = [];
    if (plan.adopt.length) {
      const fresh = await client.get(daemonSets, ds.metadata.namespace ?? '', ds.metadata.name ?? '', { signal });
      if (fresh.metadata.uid !== ds.metadata.uid || fresh.metadata.deletionTimestamp) return plan.claimed.filter((p) => !plan.adopt.includes(p));
    }
    for (const p of plan.adopt) {
      try { adopted.push(await client.update(pods, withControllerRef(p, ref), { signal })); } catch (err) { if (!isNotFound(err)) throw err; }
    }
    for (const p of plan.release) {
      try { await client.update(pods, withoutOwner(p, ds.metadata.uid ?? ''), { signal }); } catch (err) { if (!isNotFound(err)) throw err; }
    }
    const adoptedUids = new Set(plan.adopt.map((p) => p.metadata.uid));
    return [...plan.claimed.filter((p) => !adoptedUids.has(p.metadata.uid)), ...adopted];
  }

  /** syncNodes: deletes, then creates pinned to their nodes in slow-start batches, under expectations. */
  async function syncNodes(key: Key, ds: DaemonSetObject, plan: DaemonPlan, hash: string, signal: AbortSignal): Promise<unknown> {
    const ns = ds.metadata.namespace ?? '';
    const who = { res: daemonSets, obj: ds };
    expectations.expect(key, plan.create.length, plan.remove.map((p) => p.metadata.uid ?? ''));
    for (const p of plan.failed) {
      recorder.event(daemonSets, ds, 'Warning', 'FailedDaemonPod', `Found failed daemon pod ${p.metadata.namespace}/${p.metadata.name} on node ${p.spec?.nodeName ?? ''}, will try to kill it`);
    }
    let error: unknown;
    await Promise.all(plan.remove.map(async (p) => {
      try {
        await control.deletePod(ns, p.metadata.name ?? '', who, signal);
      } catch (err) {
        expectations.deletionObserved(key, p.metadata.uid ?? '');
        if (!isNotFound(err)) error ??= err;
      }
    }));
    const template = withDaemonTolerations(ds.spec?.template);
    const generation = templateGeneration(ds);
    const ref = newControllerRef(ds, daemonSets);
    const { successes, error: createError } = await slowStartBatch(plan.create.length, slowStartInitialBatchSize, async (i) => {
      try {
        await control.createPod(ns, template, who, ref, signal, (pod) => {
          pod.metadata.labels = { ...pod.metadata.labels, [revisionHashLabel]: hash, ...(generation !== undefined ? { [templateGenerationLabel]: generation } : {}) };
          pod.spec!.affinity = pinnedToNode(pod.spec!.affinity, plan.create[i]!);
        });
      } catch (err) {
        expectations.creationObserved(key);
        if (isNamespaceTerminating(err)) return;
        throw err;
      }
    });
    const skipped = plan.create.length - successes - (createError ? 1 : 0);
    if (skipped > 0) expectations.lowerCreations(key, skipped);
    return error ?? createError;
  }

  async function sync(key: Key, signal: AbortSignal): Promise<void> {
    const cached = dsCache.get(key);
    if (!cached) { expectations.forget(key); return; }
    const ds = structuredClone(cached) as DaemonSetObject;
    const spec = ds.spec!;
    const owned = await claimPods(ds, signal);
    const revisions = revCache.list(ds.metadata.namespace).filter((r) => controllerRefOf(r)?.uid === ds.metadata.uid);
    const { update, collisionCount } = await ensureUpdateRevision(client, daemonSets, ds, spec.template, revisions, ds.status?.collisionCount ?? 0, signal);
    const hash = update.metadata.labels?.[crHashLabel] ?? '';
    const allNodes = nodeCache.list();
    const byNode = podsByNode(owned, targetNode);
    const now = clock.now();
    let failure: unknown;
    if (expectations.satisfied(key) && !ds.metadata.deletionTimestamp) {
      let plan = planManage(ds, allNodes, byNode, hash);
      if (!plan.create.length && !plan.remove.length && spec.updateStrategy?.type !== 'OnDelete') {
        plan = planRollingUpdate(ds, allNodes, byNode, hash, now);
      }
      if (plan.create.length || plan.remove.length) {
        log.debug('syncing nodes', { key, create: plan.create.length, delete: plan.remove.length });
        failure = await syncNodes(key, ds, plan, hash, signal);
      }
    }
    const status = daemonSetStatus(ds, allNodes, byNode, hash, collisionCount, now);
    if (daemonSetStatusChanged(cached.status, status)) {
      await client.updateStatus(daemonSets, { ...ds, status }, { signal });
    }
    const live = new Set<string>([update.metadata.name ?? '']);
    for (const p of owned) {
      const h = p.metadata.labels?.[revisionHashLabel];
      const r = revisions.find((x) => x.metadata.labels?.[crHashLabel] === h);
      if (r) live.add(r.metadata.name ?? '');
    }
    const known = [...revisions.filter((r) => r.metadata.name !== update.metadata.name), update];
    for (const r of revisionsToPrune(known, live, spec.revisionHistoryLimit ?? 10)) {
      try { await client.delete(controllerRevisions, r.metadata.namespace ?? '', r.metadata.name ?? '', { signal }); } catch (err) { if (!isNotFound(err)) throw err; }
    }
    const minReady = spec.minReadySeconds ?? 0;
    if (minReady > 0 && (status.numberAvailable ?? 0) < (status.numberReady ?? 0)) queue.addAfter(key, minReady * 1000);
    if (failure) {
      if (isStatusError(failure)) throw failure;
      throw new Error(`syncing DaemonSet ${key}`, { cause: failure });
    }
  }

  return { name: 'daemonset', queue, informers: [dsCache, podCache, nodeCache, revCache], sync, workers: 2 };
}
