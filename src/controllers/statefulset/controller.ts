import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import {
  controllerRevisions, persistentVolumeClaims, pods, statefulSets, intOrPercentValue,
  type ControllerRevisionObject, type PodObject, type StatefulSetObject,
} from '../../api/resources/index.js';
import { labelSelectorAsRequirements, matchesLabels } from '../../api/selectors/index.js';
import { isAlreadyExists, isNotFound } from '../../api/errors.js';
import type { Controller } from '../../client/run-controller.js';
import type { Key } from '../../client/work-queue.js';
import { keyOf } from '../../client/object-key.js';
import { labelSelectorAsSelector } from '../../client/label-selector.js';
import { controllerKey, controllerRefOf, newControllerRef, planClaims, withControllerRef, withoutOwner } from '../../client/controller-ref.js';
import type { ControllerDeps } from '../controller-deps.js';
import { ensureUpdateRevision, revisionsToPrune, templateOfRevision } from './history.js';
import {
  claimsFor, isHealthy, isRunningAndAvailable, isRunningAndReady, isTerminal, isTerminating, ordinalOf, revisionOf,
  startOrdinal, statefulPod,
} from './stateful-pod.js';
import { statefulSetStatus, statefulSetStatusChanged } from './status.js';

/** The pods of a set split by ordinal: `replicas[i]` holds ordinal start+i; the rest are condemned. */
export interface OrdinalPlan {
  replicas: (PodObject | undefined)[];
  /** Pods with an ordinal outside the range, highest ordinal first. */
  condemned: PodObject[];
}

export function splitByOrdinal(set: StatefulSetObject, owned: readonly PodObject[]): OrdinalPlan {
  const n = set.spec?.replicas ?? 1;
  const start = startOrdinal(set);
  const replicas: (PodObject | undefined)[] = Array.from({ length: n }, () => undefined);
  const condemned: PodObject[] = [];
  for (const p of owned) {
    const ord = ordinalOf(set, p);
    if (ord < 0) continue;
    if (ord >= start && ord < start + n) replicas[ord - start] = p;
    else condemned.push(p);
  }
  condemned.sort((a, b) => ordinalOf(set, b) - ordinalOf(set, a));
  return { replicas, condemned };
}

/** getStatefulSetMaxUnavailable: scaled against replicas rounding up, at least 1. */
export function maxUnavailableOf(set: StatefulSetObject): number {
  const v = set.spec?.updateStrategy?.rollingUpdate?.maxUnavailable ?? 1;
  const n = set.spec?.replicas ?? 1;
  const scaled = typeof v === 'string' && v.endsWith('%') ? Math.ceil((intOrPercentValue(v) * n) / 100) : intOrPercentValue(v);
  return Math.max(1, scaled);
}

/**
 * The StatefulSet controller: stable pod identities `<set>-<ordinal>` with claims from
 * volumeClaimTemplates, OrderedReady (one pod at a time, in order; removal in reverse) or
 * Parallel management, ControllerRevisions for rollout history, RollingUpdate with partition
 * and maxUnavailable (highest ordinal first) or OnDelete, and status for `kubectl rollout status`.
 */
export function statefulSetController(deps: ControllerDeps): Controller {
  const { client, informers, queue, clock, recorder } = deps;
  const log = deps.log.child({ controller: 'statefulset' });
  const setCache = informers.for(statefulSets);
  const podCache = informers.for(pods);
  const revCache = informers.for(controllerRevisions);
  const claimCache = informers.for(persistentVolumeClaims);

  setCache.onChange((s) => queue.add(keyOf(s)));
  revCache.onChange((r) => { const k = controllerKey(r, statefulSets); if (k) queue.add(k); });
  podCache.onChange((p) => {
    const owner = controllerKey(p, statefulSets);
    if (owner) { queue.add(owner); return; }
    if (controllerRefOf(p)) return;
    for (const s of setCache.list(p.metadata.namespace)) {
      if (matchesLabels(labelSelectorAsRequirements(s.spec?.selector), p.metadata.labels)) queue.add(keyOf(s));
    }
  });

  async function claimPods(set: StatefulSetObject, signal: AbortSignal): Promise<PodObject[]> {
    const plan = planClaims(set, labelSelectorAsSelector(set.spec?.selector), podCache.list(set.metadata.namespace));
    const ref = newControllerRef(set, statefulSets);
    if (plan.adopt.length) {
      const fresh = await client.get(statefulSets, set.metadata.namespace ?? '', set.metadata.name ?? '', { signal });
      if (fresh.metadata.uid !== set.metadata.uid || fresh.metadata.deletionTimestamp) return plan.claimed.filter((p) => !plan.adopt.includes(p));
    }
    const adopted: PodObject[] = [];
    for (const p of plan.adopt) {
      try { adopted.push(await client.update(pods, withControllerRef(p, ref), { signal })); } catch (err) { if (!isNotFound(err)) throw err; }
    }
    for (const p of plan.release) {
      try { await client.update(pods, withoutOwner(p, set.metadata.uid ?? ''), { signal }); } catch (err) { if (!isNotFound(err)) throw err; }
    }
    const adoptedUids = new Set(plan.adopt.map((p) => p.metadata.uid));
    return [...plan.claimed.filter((p) => !adoptedUids.has(p.metadata.uid)), ...adopted];
  }

  function claimOwnerRefs(set: StatefulSetObject): OwnerReference[] {
    if (set.spec?.persistentVolumeClaimRetentionPolicy?.whenDeleted !== 'Delete') return [];
    return [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: set.metadata.name ?? '', uid: set.metadata.uid ?? '', controller: true, blockOwnerDeletion: true }];
  }

  async function createPod(set: StatefulSetObject, pod: PodObject, signal: AbortSignal): Promise<void> {
    for (const claim of claimsFor(set, ordinalOf(set, pod))) {
      if (claimCache.get(keyOf(claim))) continue;
      const refs = claimOwnerRefs(set);
      if (refs.length) claim.metadata.ownerReferences = refs;
      try {
        await client.create(persistentVolumeClaims, claim, { signal });
        recorder.event(statefulSets, set, 'Normal', 'SuccessfulCreate', `create Claim ${claim.metadata.name} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} success`);
      } catch (err) {
        if (isAlreadyExists(err)) continue;
        recorder.event(statefulSets, set, 'Warning', 'FailedCreate', `create Claim ${claim.metadata.name} for Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${(err as Error).message}`);
        throw err;
      }
    }
    try {
      await client.create(pods, pod, { signal });
      recorder.event(statefulSets, set, 'Normal', 'SuccessfulCreate', `create Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`);
    } catch (err) {
      if (isAlreadyExists(err)) return;
      recorder.event(statefulSets, set, 'Warning', 'FailedCreate', `create Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${(err as Error).message}`);
      throw err;
    }
  }

  async function deletePod(set: StatefulSetObject, pod: PodObject, signal: AbortSignal): Promise<void> {
    try {
      await client.delete(pods, pod.metadata.namespace ?? '', pod.metadata.name ?? '', { preconditions: { uid: pod.metadata.uid ?? '' }, signal });
      recorder.event(statefulSets, set, 'Normal', 'SuccessfulDelete', `delete Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`);
    } catch (err) {
      if (isNotFound(err)) return;
      recorder.event(statefulSets, set, 'Warning', 'FailedDelete', `delete Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${(err as Error).message}`);
      throw err;
    }
  }

  /** whenScaled: Delete — a condemned pod's claims become owned by the pod, so they go with it. */
  async function releaseClaimsToPod(set: StatefulSetObject, pod: PodObject, signal: AbortSignal): Promise<void> {
    if (set.spec?.persistentVolumeClaimRetentionPolicy?.whenScaled !== 'Delete') return;
    for (const claim of claimsFor(set, ordinalOf(set, pod))) {
      const live = claimCache.get(keyOf(claim));
      if (!live || live.metadata.ownerReferences?.some((r) => r.uid === pod.metadata.uid)) continue;
      const ref: OwnerReference = { apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name ?? '', uid: pod.metadata.uid ?? '' };
      await client.update(persistentVolumeClaims, { ...structuredClone(live), metadata: { ...structuredClone(live.metadata), ownerReferences: [...(live.metadata.ownerReferences ?? []), ref] } }, { signal });
    }
  }

  /** One step of updateStatefulSet: create, recreate, condemn or update at most what the policy allows. */
  async function step(key: Key, set: StatefulSetObject, plan: OrdinalPlan, current: ControllerRevisionObject, update: ControllerRevisionObject, signal: AbortSignal): Promise<void> {
    const spec = set.spec!;
    const monotonic = spec.podManagementPolicy !== 'Parallel';
    const start = startOrdinal(set);
    const minReady = spec.minReadySeconds ?? 0;
    const now = clock.now();
    const rolling = spec.updateStrategy?.type !== 'OnDelete';
    const partition = rolling ? spec.updateStrategy?.rollingUpdate?.partition ?? 0 : 0;
    const ref = newControllerRef(set, statefulSets);
    const currentTemplate = templateOfRevision(current);
    const updateTemplate = templateOfRevision(update);
    const firstUnhealthy = [...plan.replicas, ...[...plan.condemned].reverse()].find((p) => p && !isHealthy(p));

    for (let i = 0; i < plan.replicas.length; i++) {
      const ord = start + i;
      const pod = plan.replicas[i];
      if (pod && isTerminal(pod) && !isTerminating(pod)) {
        log.info('recreating terminated pod', { key, pod: pod.metadata.name, phase: pod.status?.phase });
        await deletePod(set, pod, signal);
        if (monotonic) return;
        continue;
      }
      if (!pod) {
        const useCurrent = rolling && ord < start + partition;
        const fresh = statefulPod(set, useCurrent ? currentTemplate : updateTemplate, useCurrent ? current.metadata.name ?? '' : update.metadata.name ?? '', ord, ref);
        await createPod(set, fresh, signal);
        if (monotonic) return;
        continue;
      }
      if (!monotonic) continue;
      if (isTerminating(pod) || !isRunningAndReady(pod)) return;
      if (!isRunningAndAvailable(pod, minReady, now)) { queue.addAfter(key, minReady * 1000); return; }
    }
    for (const pod of plan.condemned) {
      if (isTerminating(pod)) { if (monotonic) return; continue; }
      if (monotonic && firstUnhealthy && firstUnhealthy !== pod) return;
      await releaseClaimsToPod(set, pod, signal);
      await deletePod(set, pod, signal);
      if (monotonic) return;
    }
    if (!rolling) return;
    let budget = maxUnavailableOf(set);
    for (let i = partition; i < plan.replicas.length; i++) {
      const p = plan.replicas[i];
      if (!p || isTerminating(p) || !isRunningAndAvailable(p, minReady, now)) budget--;
    }
    for (let i = plan.replicas.length - 1; i >= partition; i--) {
      const pod = plan.replicas[i];
      if (!pod) continue;
      if (revisionOf(pod) !== update.metadata.name && !isTerminating(pod)) {
        if (budget <= 0) return;
        log.debug('updating pod', { key, pod: pod.metadata.name, revision: update.metadata.name });
        await deletePod(set, pod, signal);
        budget--;
        continue;
      }
      if (!isHealthy(pod) && budget <= 0) return;
    }
  }

  async function sync(key: Key, signal: AbortSignal): Promise<void> {
    const cached = setCache.get(key);
    if (!cached) return;
    const set = structuredClone(cached) as StatefulSetObject;
    const spec = set.spec!;
    const owned = await claimPods(set, signal);
    const revisions = revCache.list(set.metadata.namespace).filter((r) => controllerRefOf(r)?.uid === set.metadata.uid);
    const { update, collisionCount } = await ensureUpdateRevision(client, statefulSets, set, spec.template, revisions, set.status?.collisionCount ?? 0, signal);
    const known = [...revisions.filter((r) => r.metadata.name !== update.metadata.name), update];
    const current = known.find((r) => r.metadata.name === set.status?.currentRevision) ?? update;
    const plan = splitByOrdinal(set, owned);
    if (!set.metadata.deletionTimestamp) await step(key, set, plan, current, update, signal);

    const status = statefulSetStatus(set, [...plan.replicas.filter((p): p is PodObject => !!p), ...plan.condemned],
      current.metadata.name ?? '', update.metadata.name ?? '', collisionCount, clock.now());
    if (statefulSetStatusChanged(cached.status, status)) {
      await client.updateStatus(statefulSets, { ...set, status: { ...set.status, ...status } }, { signal });
    }
    // truncateHistory: keep revisionHistoryLimit revisions besides the live ones.
    const live = new Set<string>([status.currentRevision ?? '', status.updateRevision ?? '']);
    for (const p of owned) { const r = revisionOf(p); if (r) live.add(r); }
    for (const r of revisionsToPrune(known, live, spec.revisionHistoryLimit ?? 10)) {
      try { await client.delete(controllerRevisions, r.metadata.namespace ?? '', r.metadata.name ?? '', { signal }); } catch (err) { if (!isNotFound(err)) throw err; }
    }
    if (minReadyRecheck(set, status)) queue.addAfter(key, (spec.minReadySeconds ?? 0) * 1000);
  }

  return { name: 'statefulset', queue, informers: [setCache, podCache, revCache, claimCache], sync, workers: 5 };
}

function minReadyRecheck(set: StatefulSetObject, status: { readyReplicas?: number; availableReplicas?: number }): boolean {
  return (set.spec?.minReadySeconds ?? 0) > 0 && (status.availableReplicas ?? 0) < (status.readyReplicas ?? 0);
}
