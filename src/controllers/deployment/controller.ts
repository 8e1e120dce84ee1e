import type { DeploymentStatus } from 'kubernetes-types/apps/v1.js';
import { deployments, pods, replicaSets, type DeploymentObject, type ReplicaSetObject } from '../../api/resources/index.js';
import { isAlreadyExists, isNotFound } from '../../api/errors.js';
import type { Controller } from '../../client/run-controller.js';
import type { Key } from '../../client/work-queue.js';
import { keyOf } from '../../client/object-key.js';
import { controllerKey, controllerRefOf, newControllerRef, planClaims, withControllerRef, withoutOwner } from '../../client/controller-ref.js';
import { labelSelectorAsSelector, type Selector } from '../../client/label-selector.js';
import type { ControllerDeps } from '../controller-deps.js';
import { computeHash, podTemplateHashLabel } from './pod-template-hash.js';
import { annotatedInt, desiredReplicasAnnotation, maxRevision, replicasAnnotationsNeedUpdate, revisionAnnotation, setNewReplicaSetAnnotations, setReplicasAnnotations } from './annotations.js';
import {
  byCreation, byRevision, desiredOf, findActiveOrLatest, findNewReplicaSet, isActive, isRollingUpdate, isSaturated,
  maxSurge, maxUnavailable, newReplicaSetReplicas, proportionalSizes, specReplicas, availableReplicas, equalIgnoreHash,
} from './replica-sets.js';
import { deploymentStatus, getCondition, hasProgressDeadline, isComplete, newCondition, progressRecheckMs, reasons, rolloutStatus, sameStatus, setCondition } from './progress.js';

const replicasOf = (rs: ReplicaSetObject | undefined) => rs?.spec?.replicas ?? 0;

/**
 * The Deployment controller (pkg/controller/deployment): owns ReplicaSets named
 * `<deployment>-<pod-template-hash>`, rolls out RollingUpdate or Recreate one step per sync,
 * scales proportionally, keeps revisionHistoryLimit, and reports Progressing and Available.
 */
export function deploymentController(deps: ControllerDeps): Controller {
  const { client, informers, queue, clock, recorder } = deps;
  const log = deps.log.child({ controller: 'deployment' });
  const deploys = informers.for(deployments);
  const sets = informers.for(replicaSets);
  const podCache = informers.for(pods);

  deploys.onChange((d) => queue.add(keyOf(d)));

  function deploymentsSelecting(rs: ReplicaSetObject): Key[] {
    return deploys.list(rs.metadata.namespace).filter((d) => {
      try {
        const sel = labelSelectorAsSelector(d.spec?.selector);
        return !sel.isEmpty() && sel.matches(rs.metadata.labels);
      } catch { return false; /* invalid selectors select nothing */ }
    }).map(keyOf);
  }
  sets.onAdd((rs) => {
    const owner = controllerKey(rs, deployments);
    if (owner) queue.add(owner);
    else if (!rs.metadata.deletionTimestamp) for (const k of deploymentsSelecting(rs)) queue.add(k);
  });
  sets.onUpdate((old, rs) => {
    if (old.metadata.resourceVersion === rs.metadata.resourceVersion) return;
    const oldOwner = controllerKey(old, deployments);
    const owner = controllerKey(rs, deployments);
    if (oldOwner && oldOwner !== owner) queue.add(oldOwner);
    if (owner) queue.add(owner);
    else for (const k of deploymentsSelecting(rs)) queue.add(k);
  });
  sets.onDelete((rs) => {
    const owner = controllerKey(rs, deployments);
    if (owner) queue.add(owner);
  });
  // Recreate waits for old pods to go: a pod deletion may unblock it.
  podCache.onDelete((pod) => {
    const rsKey = controllerKey(pod, replicaSets);
    const rs = rsKey ? sets.get(rsKey) : undefined;
    const dKey = rs ? controllerKey(rs, deployments) : undefined;
    const d = dKey ? deploys.get(dKey) : undefined;
    if (d && !isRollingUpdate(d)) queue.add(dKey!);
  });

  async function sync(key: Key, signal: AbortSignal): Promise<void> {
    const cached = deploys.get(key);
    if (!cached) return;
    const now = () => clock.now();
    let d: DeploymentObject = structuredClone(cached);
    const ns = d.metadata.namespace ?? '';

    let selector: Selector;
    try {
      selector = labelSelectorAsSelector(d.spec?.selector);
    } catch (err) {
      log.warn('invalid selector', { key, err });
      return;
    }
    if (selector.isEmpty()) {
      recorder.event(deployments, d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      if (d.status?.observedGeneration !== d.metadata.generation) {
        await client.updateStatus(deployments, { ...d, status: { ...d.status, observedGeneration: d.metadata.generation } }, { signal });
      }
      return;
    }

    // ---- writes, each keeping `d` and the set list current ----
    async function writeStatus(status: DeploymentStatus): Promise<void> {
      d = await client.updateStatus(deployments, { ...d, status }, { signal });
    }
    const latest = new Map<string, ReplicaSetObject>();
    async function updateSet(rs: ReplicaSetObject): Promise<ReplicaSetObject> {
      const updated = await client.update(replicaSets, rs, { signal });
      latest.set(updated.metadata.name ?? '', updated);
      return updated;
    }
    /** scaleReplicaSet (+ the ScalingReplicaSet event). */
    async function scale(rs: ReplicaSetObject, size: number): Promise<{ scaled: boolean; rs: ReplicaSetObject }> {
      const desired = desiredOf(d);
      const max = desired + maxSurge(d);
      const sizeChange = replicasOf(rs) !== size;
      if (!sizeChange && !replicasAnnotationsNeedUpdate(rs, desired, max)) return { scaled: false, rs };
      const copy = structuredClone(rs);
      const from = replicasOf(rs);
      copy.spec = { ...copy.spec!, replicas: size };
      setReplicasAnnotations(copy, desired, max);
      const updated = await updateSet(copy);
      if (sizeChange) {
        recorder.event(deployments, d, 'Normal', 'ScalingReplicaSet', `Scaled ${from < size ? 'up' : 'down'} replica set ${rs.metadata.name} from ${from} to ${size}`);
      }
      return { scaled: sizeChange, rs: updated };
    }

    // ---- claim ReplicaSets ----
    async function claimSets(): Promise<ReplicaSetObject[]> {
      const candidates = sets.list(ns);
      const plan = planClaims(d, selector, candidates);
      if (plan.adopt.length) {
        const fresh = await client.get(deployments, ns, d.metadata.name ?? '', { signal });
        if (fresh.metadata.uid !== d.metadata.uid) throw new Error(`original Deployment ${key} is gone`);
        if (fresh.metadata.deletionTimestamp) throw new Error(`Deployment ${key} has just been deleted`);
      }
      const ref = newControllerRef(d, deployments);
      const out = plan.claimed.filter((rs) => !plan.adopt.includes(rs)).map((rs) => structuredClone(rs));
      for (const rs of plan.adopt) {
        try { out.push(await updateSet(withControllerRef(rs, ref))); } catch (err) { if (!isNotFound(err)) throw err; }
      }
      for (const rs of plan.release) {
        try { await updateSet(withoutOwner(rs, d.metadata.uid ?? '')); } catch (err) { if (!isNotFound(err)) throw err; }
      }
      return out;
    }

    let all = await claimSets();

    /** getAllReplicaSetsAndSyncRevision: the new set (created when asked) and the old ones. */
    async function newAndOld(create: boolean): Promise<{ newRS?: ReplicaSetObject; old: ReplicaSetObject[] }> {
      const existing = findNewReplicaSet(d, all);
      const old = all.filter((rs) => rs !== existing);
      const newRevision = maxRevision(old) + 1;
      if (existing) {
        let rs = existing;
        const copy = structuredClone(existing);
        const annotationsChanged = setNewReplicaSetAnnotations(d, copy, newRevision, true, maxSurge(d));
        const minReadyChanged = (copy.spec?.minReadySeconds ?? 0) !== (d.spec?.minReadySeconds ?? 0);
        if (annotationsChanged || minReadyChanged) {
          copy.spec = { ...copy.spec!, minReadySeconds: d.spec?.minReadySeconds ?? 0 };
          rs = await updateSet(copy);
          all = all.map((x) => (x === existing ? rs : x));
        }
        let needsStatus = false;
        const revision = rs.metadata.annotations?.[revisionAnnotation];
        if (revision !== undefined && d.metadata.annotations?.[revisionAnnotation] !== revision) {
          d.metadata.annotations = { ...d.metadata.annotations, [revisionAnnotation]: revision };
          needsStatus = true;
        }
        const status: DeploymentStatus = structuredClone(d.status ?? {});
        if (hasProgressDeadline(d) && !getCondition(d.status, 'Progressing')) {
          setCondition(status, newCondition('Progressing', 'True', reasons.FoundNewReplicaSet, `Found new replica set "${rs.metadata.name}"`, now()));
          needsStatus = true;
        }
        if (needsStatus) await writeStatus(status);
        return { newRS: rs, old };
      }
      if (!create) return { old };

      const hash = computeHash(d.spec?.template, d.status?.collisionCount);
      const template = structuredClone(d.spec?.template ?? {});
      template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, [podTemplateHashLabel]: hash } };
      const sel = structuredClone(d.spec?.selector ?? {});
      sel.matchLabels = { ...sel.matchLabels, [podTemplateHashLabel]: hash };
      const fresh: ReplicaSetObject = {
        apiVersion: 'apps/v1', kind: 'ReplicaSet',
        metadata: { name: `${d.metadata.name}-${hash}`, namespace: ns, ownerReferences: [newControllerRef(d, deployments)], labels: template.metadata.labels },
        spec: { replicas: 0, minReadySeconds: d.spec?.minReadySeconds ?? 0, selector: sel, template },
      };
      const size = newReplicaSetReplicas(d, [...old, fresh], fresh);
      fresh.spec!.replicas = size;
      setNewReplicaSetAnnotations(d, fresh, newRevision, false, maxSurge(d));
      let created: ReplicaSetObject;
      let alreadyExisted = false;
      try {
        created = await client.create(replicaSets, fresh, { signal });
      } catch (err) {
        if (isAlreadyExists(err)) {
          const rs = await client.get(replicaSets, ns, fresh.metadata.name!, { signal });
          if (controllerRefOf(rs)?.uid === d.metadata.uid && equalIgnoreHash(d.spec?.template, rs.spec?.template)) {
            created = rs;
            alreadyExisted = true;
          } else {
            // A hash collision: bump collisionCount so the next sync computes another name.
            const status = structuredClone(d.status ?? {});
            status.collisionCount = (status.collisionCount ?? 0) + 1;
            await writeStatus(status);
            throw err;
          }
        } else {
          const msg = `Failed to create new replica set "${fresh.metadata.name}": ${(err as Error).message}`;
          if (hasProgressDeadline(d)) {
            const status = structuredClone(d.status ?? {});
            setCondition(status, newCondition('Progressing', 'False', reasons.FailedReplicaSetCreate, msg, now()));
            await writeStatus(status);
          }
          recorder.event(deployments, d, 'Warning', 'FailedCreate', msg);
          throw err;
        }
      }
      if (!alreadyExisted && size > 0) {
        recorder.event(deployments, d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata.name} from 0 to ${size}`);
      }
      all = [...all, created];
      let needsStatus = false;
      const revision = String(newRevision);
      if (d.metadata.annotations?.[revisionAnnotation] !== revision) {
        d.metadata.annotations = { ...d.metadata.annotations, [revisionAnnotation]: revision };
        needsStatus = true;
      }
      const status: DeploymentStatus = structuredClone(d.status ?? {});
      if (!alreadyExisted && hasProgressDeadline(d)) {
        setCondition(status, newCondition('Progressing', 'True', reasons.NewReplicaSetCreated, `Created new replica set "${created.metadata.name}"`, now()));
        needsStatus = true;
      }
      if (needsStatus) await writeStatus(status);
      return { newRS: created, old };
    }

    /** syncDeploymentStatus: write calculateStatus when it changed. */
    async function syncStatus(newRS: ReplicaSetObject | undefined, old: readonly ReplicaSetObject[]): Promise<void> {
      const status = deploymentStatus([...old, newRS], newRS, d, now());
      if (!sameStatus(d.status, status)) await writeStatus(status);
    }

    /** syncRolloutStatus, then requeue a stuck rollout at its deadline. */
    async function syncRolloutStatus(newRS: ReplicaSetObject | undefined, old: readonly ReplicaSetObject[]): Promise<void> {
      const status = rolloutStatus([...old, newRS], newRS, d, now());
      if (sameStatus(d.status, status)) {
        const after = progressRecheckMs(d, status, now());
        if (after !== undefined) {
          if (after < 1000) queue.addRateLimited(key); else queue.addAfter(key, after);
        }
        return;
      }
      await writeStatus(status);
    }

    /** cleanupDeployment: delete the oldest unused sets beyond revisionHistoryLimit. */
    async function cleanup(old: readonly ReplicaSetObject[]): Promise<void> {
      const limit = d.spec?.revisionHistoryLimit;
      if (limit === undefined || limit === null) return;
      const cleanable = old.filter((rs) => !rs.metadata.deletionTimestamp);
      const diff = cleanable.length - limit;
      if (diff <= 0) return;
      const sorted = [...cleanable].sort(byRevision);
      for (const rs of sorted.slice(0, diff)) {
        if ((rs.status?.replicas ?? 0) !== 0 || replicasOf(rs) !== 0 || (rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
        try {
          await client.delete(replicaSets, ns, rs.metadata.name ?? '', { signal });
        } catch (err) { if (!isNotFound(err)) throw err; }
      }
    }

    /** scale(): a change of spec.replicas outside a rollout, proportional while one is under way. */
    async function scaleDeployment(newRS: ReplicaSetObject | undefined, old: ReplicaSetObject[]): Promise<void> {
      const target = findActiveOrLatest(newRS, old);
      if (target) {
        if (replicasOf(target) !== desiredOf(d)) await scale(target, desiredOf(d));
        return;
      }
      if (isSaturated(d, newRS)) {
        for (const rs of old.filter(isActive)) await scale(rs, 0);
        return;
      }
      if (isRollingUpdate(d)) {
        const active = [...old, newRS].filter(isActive);
        const sizes = proportionalSizes(d, active);
        for (const rs of active) await scale(rs, sizes.get(rs.metadata.name ?? '') ?? replicasOf(rs));
      }
    }

    /** sync(): scaling and paused Deployments. */
    async function syncScaleOrPaused(): Promise<void> {
      const { newRS, old } = await newAndOld(false);
      await scaleDeployment(newRS, old);
      const current = old.map(refresh) as ReplicaSetObject[];
      if (d.spec?.paused) await cleanup(current);
      await syncStatus(refresh(newRS), current);
    }

    /** reconcileOldReplicaSets: scale old sets down within maxUnavailable, unhealthy ones first. */
    async function reconcileOld(newRS: ReplicaSetObject, oldActive: ReplicaSetObject[]): Promise<boolean> {
      const oldCount = specReplicas(oldActive);
      if (oldCount === 0) return false;
      const allCount = specReplicas([...oldActive, newRS]);
      const minAvailable = desiredOf(d) - maxUnavailable(d);
      const newUnavailable = replicasOf(newRS) - (newRS.status?.availableReplicas ?? 0);
      const maxScaledDown = allCount - minAvailable - newUnavailable;
      if (maxScaledDown <= 0) return false;
      // cleanupUnhealthyReplicas
      let cleaned = 0;
      const olds = [...oldActive].sort(byCreation);
      for (let i = 0; i < olds.length; i++) {
        if (cleaned >= maxScaledDown) break;
        const rs = olds[i]!;
        if (replicasOf(rs) === 0 || replicasOf(rs) === (rs.status?.availableReplicas ?? 0)) continue;
        const down = Math.min(maxScaledDown - cleaned, replicasOf(rs) - (rs.status?.availableReplicas ?? 0));
        olds[i] = (await scale(rs, replicasOf(rs) - down)).rs;
        cleaned += down;
      }
      // scaleDownOldReplicaSetsForRollingUpdate
      let scaledDown = 0;
      const available = availableReplicas([...olds, newRS]);
      if (available > minAvailable) {
        const total = available - minAvailable;
        for (const rs of olds.sort(byCreation)) {
          if (scaledDown >= total) break;
          if (replicasOf(rs) === 0) continue;
          const down = Math.min(replicasOf(rs), total - scaledDown);
          await scale(rs, replicasOf(rs) - down);
          scaledDown += down;
        }
      }
      return cleaned + scaledDown > 0;
    }

    async function rolloutRolling(): Promise<void> {
      const { newRS, old } = await newAndOld(true);
      const all2 = [...old, newRS!];
      // reconcileNewReplicaSet
      let scaledUp = false;
      if (replicasOf(newRS) > desiredOf(d)) scaledUp = (await scale(newRS!, desiredOf(d))).scaled;
      else if (replicasOf(newRS) < desiredOf(d)) scaledUp = (await scale(newRS!, newReplicaSetReplicas(d, all2, newRS!))).scaled;
      if (scaledUp) return syncRolloutStatus(refresh(newRS), old.map(refresh) as ReplicaSetObject[]);
      const scaledDown = await reconcileOld(newRS!, old.filter(isActive));
      if (scaledDown) return syncRolloutStatus(refresh(newRS), old.map(refresh) as ReplicaSetObject[]);
      if (isComplete(d, d.status ?? {})) await cleanup(old);
      return syncRolloutStatus(newRS, old);
    }

    async function rolloutRecreate(): Promise<void> {
      let { newRS, old } = await newAndOld(false);
      let scaledDown = false;
      for (const rs of old.filter(isActive)) if ((await scale(rs, 0)).scaled) scaledDown = true;
      if (scaledDown) return syncRolloutStatus(newRS, old.map(refresh) as ReplicaSetObject[]);
      if (oldPodsRunning(newRS, old)) return syncRolloutStatus(newRS, old);
      if (!newRS) ({ newRS, old } = await newAndOld(true));
      await scale(newRS!, desiredOf(d));
      if (isComplete(d, d.status ?? {})) await cleanup(old);
      return syncRolloutStatus(refresh(newRS), old);
    }

    function oldPodsRunning(newRS: ReplicaSetObject | undefined, old: readonly ReplicaSetObject[]): boolean {
      if (old.reduce((s, rs) => s + (rs.status?.replicas ?? 0), 0) > 0) return true;
      for (const rs of old) {
        if (rs === newRS) continue;
        for (const pod of podCache.list(ns)) {
          if (controllerRefOf(pod)?.uid !== rs.metadata.uid) continue;
          const phase = pod.status?.phase;
          if (phase !== 'Failed' && phase !== 'Succeeded') return true;
        }
      }
      return false;
    }

    /** The copy of a set as this sync last wrote it. */
    function refresh(rs: ReplicaSetObject | undefined): ReplicaSetObject | undefined {
      return rs ? latest.get(rs.metadata.name ?? '') ?? rs : rs;
    }

    // ---- syncDeployment's decision list ----
    if (d.metadata.deletionTimestamp) {
      const { newRS, old } = await newAndOld(false);
      return syncStatus(newRS, old);
    }
    // checkPausedConditions
    if (hasProgressDeadline(d)) {
      const cond = getCondition(d.status, 'Progressing');
      if (cond?.reason !== reasons.ProgressDeadlineExceeded) {
        const paused = cond?.reason === reasons.DeploymentPaused;
        if (d.spec?.paused && !paused) {
          const status = structuredClone(d.status ?? {});
          setCondition(status, newCondition('Progressing', 'Unknown', reasons.DeploymentPaused, 'Deployment is paused', now()));
          await writeStatus(status);
        } else if (!d.spec?.paused && paused) {
          const status = structuredClone(d.status ?? {});
          setCondition(status, newCondition('Progressing', 'Unknown', reasons.DeploymentResumed, 'Deployment is resumed', now()));
          await writeStatus(status);
        }
      }
    }
    if (d.spec?.paused) return syncScaleOrPaused();
    // isScalingEvent: an active set whose desired-replicas annotation differs from spec.replicas
    {
      const { newRS, old } = await newAndOld(false);
      const scaling = [...old, newRS].filter(isActive).some((rs) => {
        const desired = annotatedInt(rs, desiredReplicasAnnotation);
        return desired !== undefined && desired !== desiredOf(d);
      });
      if (scaling) return syncScaleOrPaused();
    }
    return isRollingUpdate(d) ? rolloutRolling() : rolloutRecreate();
  }

  return { name: 'deployment', queue, informers: [deploys, sets, podCache], sync, workers: 5 };
}
