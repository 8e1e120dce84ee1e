import { jobs, pods, jobNameLabel, type JobObject, type PodObject } from '../../api/resources/index.js';
import { labelSelectorAsRequirements, matchesLabels } from '../../api/selectors/index.js';
import { isNotFound, isStatusError } from '../../api/errors.js';
import { rfc3339 } from '../../base/clock.js';
import type { Controller } from '../../client/run-controller.js';
import type { Key } from '../../client/work-queue.js';
import { keyFor, keyOf, splitKey } from '../../client/object-key.js';
import { Expectations } from '../../client/expectations.js';
import { labelSelectorAsSelector, type Selector } from '../../client/label-selector.js';
import { controllerKey, controllerRefOf, newControllerRef, planClaims, refersTo, withControllerRef, withoutOwner } from '../../client/controller-ref.js';
import type { ControllerDeps } from '../controller-deps.js';
import { isPodActive, isPodReady } from '../podutil/index.js';
import { podControl, isNamespaceTerminating, slowStartBatch, slowStartInitialBatchSize } from '../podcontrol/index.js';
import { podsToDelete } from '../replicaset/index.js';
import { backoffRemainingMs, nextBackoffRecord, type BackoffRecord } from './backoff.js';
import { completionIndexEnv, completionIndexKey, completionIndexOf, duplicateOrInvalidIndexPods, firstPendingIndexes, formatIndexes, parseIndexes } from './indexes.js';
import {
  activeDeadlineRemainingMs, ensureCondition, findCondition, hasTrackingFinalizer, isJobFinished, isPodFailed, isPodTerminating,
  isSuspended, jobTrackingFinalizer, messages, newCondition, pastBackoffLimitOnFailure, reasons, type Condition,
} from './job-state.js';
import { matchPodFailurePolicy } from './pod-failure-policy.js';
import { jobStatusChanged } from './job-status.js';

/** MaxPodCreateDeletePerSync and MaxUncountedPods. */
export const maxPodCreateDeletePerSync = 500;
export const maxUncountedPods = 500;
/** spec.managedBy of Jobs this controller reconciles (unset means the same). */
export const jobControllerName = 'kubernetes.io/job-controller';

/** The `[{test},{remove}]` JSON patch dropping the tracking finalizer, or undefined when absent. */
export function removeFinalizerPatch(pod: Pick<PodObject, 'metadata'>): unknown[] | undefined {
  const i = (pod.metadata.finalizers ?? []).indexOf(jobTrackingFinalizer);
  if (i < 0) return undefined;
  return [
    { op: 'test', path: `/metadata/finalizers/${i}`, value: jobTrackingFinalizer },
    { op: 'remove', path: `/metadata/finalizers/${i}` },
  ];
}

interface SyncState {
  job: JobObject;
  pods: PodObject[];
  active: PodObject[];
  finished?: Condition;
  succeeded: number;
  prevSucceededIndexes: Set<number>;
  succeededIndexes: Set<number>;
  expectedRemovals: ReadonlySet<string>;
  terminating: number;
  backoff: BackoffRecord;
}

/**
 * The Job controller (pkg/controller/job): pods toward parallelism and completions with
 * expectations, pod failure backoff, Indexed completion, podFailurePolicy, suspend,
 * activeDeadlineSeconds and backoffLimit; finished pods are counted through
 * status.uncountedTerminatedPods and the batch.kubernetes.io/job-tracking finalizer, and the
 * interim SuccessCriteriaMet/FailureTarget conditions precede Complete/Failed.
 */
export function jobController(deps: ControllerDeps): Controller {
  const { client, informers, queue, clock, recorder } = deps;
  const log = deps.log.child({ controller: 'job' });
  const jobCache = informers.for(jobs);
  const podCache = informers.for(pods);
  const expectations = new Expectations(clock);
  /** Pod uids whose finalizer removal was sent but not yet seen (uidTrackingExpectations). */
  const finalizerRemovals = new Map<Key, Set<string>>();
  /** Pod failure backoff per Job (the backoffStore). */
  const backoffs = new Map<Key, BackoffRecord>();
  const control = podControl(client, recorder);
  const who = (job: JobObject) => ({ res: jobs, obj: job });

  function removalObserved(key: Key, uid: string): void {
    const s = finalizerRemovals.get(key);
    s?.delete(uid);
    if (s?.size === 0) finalizerRemovals.delete(key);
  }

  /** The Job key a pod belongs to: its controller, or (orphans with the finalizer) its job-name label. */
  function jobKeyOfPod(pod: PodObject): Key | undefined {
    const owner = controllerKey(pod, jobs);
    if (owner) return owner;
    if (controllerRefOf(pod)) return undefined;
    const name = pod.metadata.labels?.[jobNameLabel];
    return name && hasTrackingFinalizer(pod) ? keyFor(pod.metadata.namespace, name) : undefined;
  }

  function jobsMatching(pod: PodObject): Key[] {
    return jobCache.list(pod.metadata.namespace)
      .filter((j) => matchesLabels(labelSelectorAsRequirements(j.spec?.selector), pod.metadata.labels))
      .map((j) => keyOf(j));
  }

  jobCache.onChange((j) => queue.add(keyOf(j)));
  podCache.onAdd((pod) => {
    const owner = controllerKey(pod, jobs);
    if (owner && !pod.metadata.deletionTimestamp) expectations.creationObserved(owner);
    if (owner && pod.metadata.deletionTimestamp) expectations.deletionObserved(owner, pod.metadata.uid ?? '');
    const key = jobKeyOfPod(pod);
    if (key) queue.add(key);
    if (!controllerRefOf(pod)) for (const k of jobsMatching(pod)) queue.add(k);
  });
  podCache.onUpdate((old, pod) => {
    if (old.metadata.resourceVersion === pod.metadata.resourceVersion) return;
    const owner = controllerKey(pod, jobs);
    const oldOwner = controllerKey(old, jobs);
    const uid = pod.metadata.uid ?? '';
    if (owner && pod.metadata.deletionTimestamp) expectations.deletionObserved(owner, uid);
    if (!hasTrackingFinalizer(pod)) {
      if (owner) removalObserved(owner, uid);
      if (oldOwner && oldOwner !== owner) removalObserved(oldOwner, uid);
    }
    if (oldOwner && oldOwner !== owner) queue.add(oldOwner);
    const key = jobKeyOfPod(pod);
    if (key) queue.add(key);
    if (!controllerRefOf(pod) && JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(pod.metadata.labels ?? {})) {
      for (const k of jobsMatching(pod)) queue.add(k);
    }
  });
  podCache.onDelete((pod) => {
    const owner = controllerKey(pod, jobs);
    if (!owner) return;
    expectations.deletionObserved(owner, pod.metadata.uid ?? '');
    removalObserved(owner, pod.metadata.uid ?? '');
    queue.add(owner);
  });

  async function removeFinalizers(key: Key | undefined, list: readonly PodObject[], signal: AbortSignal): Promise<{ removed: Set<string>; error?: unknown }> {
    const removed = new Set<string>();
    if (key && list.length) {
      let s = finalizerRemovals.get(key);
      if (!s) finalizerRemovals.set(key, (s = new Set()));
      for (const p of list) s.add(p.metadata.uid ?? '');
    }
    let error: unknown;
    await Promise.all(list.map(async (p) => {
      const uid = p.metadata.uid ?? '';
      const patch = removeFinalizerPatch(p);
      if (!patch) { removed.add(uid); return; }
      try {
        await client.patch(pods, p.metadata.namespace ?? '', p.metadata.name ?? '', 'json', patch, { signal });
        removed.add(uid);
      } catch (err) {
        if (key) removalObserved(key, uid);
        if (isNotFound(err)) { removed.add(uid); return; }
        error ??= err;
      }
    }));
    return { removed, error };
  }

  /** Pods left with the tracking finalizer by a Job that is gone (the orphan worker's job). */
  async function cleanOrphans(namespace: string, name: string, uid: string | undefined, signal: AbortSignal): Promise<void> {
    const stale = podCache.list(namespace).filter((p) => {
      if (!hasTrackingFinalizer(p)) return false;
      const ref = controllerRefOf(p);
      if (ref) return refersTo(ref, jobs) && ref.name === name && ref.uid !== uid;
      return p.metadata.labels?.[jobNameLabel] === name;
    });
    if (!stale.length) return;
    const { error } = await removeFinalizers(undefined, stale, signal);
    if (error) throw error;
  }

  async function claimPods(job: JobObject, selector: Selector, signal: AbortSignal): Promise<PodObject[]> {
    const plan = planClaims(job, selector, podCache.list(job.metadata.namespace));
    if (plan.adopt.length) {
      const fresh = await client.get(jobs, job.metadata.namespace ?? '', job.metadata.name ?? '', { signal });
      if (fresh.metadata.uid !== job.metadata.uid) throw new Error(`original Job ${keyOf(job)} is gone: got uid ${fresh.metadata.uid}, wanted ${job.metadata.uid}`);
      if (fresh.metadata.deletionTimestamp) throw new Error(`Job ${keyOf(job)} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
    }
    const ref = newControllerRef(job, jobs);
    const adopted: PodObject[] = [];
    for (const p of plan.adopt) {
      try { adopted.push(await client.update(pods, withControllerRef(p, ref), { signal })); } catch (err) { if (!isNotFound(err)) throw err; }
    }
    for (const p of plan.release) {
      const released = withoutOwner(p, job.metadata.uid ?? '');
      released.metadata.finalizers = (released.metadata.finalizers ?? []).filter((f) => f !== jobTrackingFinalizer);
      try { await client.update(pods, released, { signal }); } catch (err) { if (!isNotFound(err)) throw err; }
    }
    const adoptedUids = new Set(plan.adopt.map((p) => p.metadata.uid));
    return [...plan.claimed.filter((p) => !adoptedUids.has(p.metadata.uid)), ...adopted];
  }

  /** deleteJobPods: drop the finalizer, then delete; returns how many deletes went through and how many were ready. */
  async function deleteJobPods(key: Key | undefined, job: JobObject, list: readonly PodObject[], signal: AbortSignal): Promise<{ deleted: number; deletedReady: number; error?: unknown }> {
    let deleted = 0, deletedReady = 0;
    let error: unknown;
    await Promise.all(list.map(async (p) => {
      const uid = p.metadata.uid ?? '';
      try {
        const patch = removeFinalizerPatch(p);
        if (patch) await client.patch(pods, p.metadata.namespace ?? '', p.metadata.name ?? '', 'json', patch, { signal });
        await control.deletePod(job.metadata.namespace ?? '', p.metadata.name ?? '', who(job), signal);
      } catch (err) {
        if (key) expectations.deletionObserved(key, uid);
        if (!isNotFound(err)) { error ??= err; return; }
      }
      deleted++;
      if (isPodReady(p)) deletedReady++;
    }));
    return { deleted, deletedReady, error };
  }

  /** deleteActivePods: on failure the pods keep their finalizer until counted. */
  async function deleteActivePods(job: JobObject, list: readonly PodObject[], signal: AbortSignal): Promise<{ deleted: number; deletedReady: number; error?: unknown }> {
    let deleted = 0, deletedReady = 0;
    let error: unknown;
    await Promise.all(list.map(async (p) => {
      try {
        await control.deletePod(job.metadata.namespace ?? '', p.metadata.name ?? '', who(job), signal);
      } catch (err) {
        if (!isNotFound(err)) { error ??= err; return; }
      }
      deleted++;
      if (isPodReady(p)) deletedReady++;
    }));
    return { deleted, deletedReady, error };
  }

  /** manageJob: one step toward the wanted number of active pods; returns the active count after it. */
  async function manageJob(key: Key, st: SyncState, signal: AbortSignal): Promise<{ active: number; error?: unknown }> {
    const { job, active } = st;
    const spec = job.spec!;
    const now = clock.now();
    if (isSuspended(job)) {
      const victims = active.slice(0, maxPodCreateDeletePerSync);
      expectations.expect(key, 0, victims.map((p) => p.metadata.uid ?? ''));
      const r = await deleteJobPods(key, job, victims, signal);
      st.terminating += r.deleted;
      return { active: active.length - r.deleted, error: r.error };
    }
    const parallelism = spec.parallelism ?? 1;
    let wantActive: number;
    if (spec.completions == null) wantActive = st.succeeded > 0 ? active.length : parallelism;
    else wantActive = Math.max(0, Math.min(parallelism, spec.completions - st.succeeded));

    const indexed = spec.completionMode === 'Indexed';
    let remove: PodObject[] = [];
    let remaining = active;
    if (indexed) {
      remove = duplicateOrInvalidIndexPods(active, st.succeededIndexes, spec.completions ?? 0);
      const gone = new Set(remove);
      remaining = active.filter((p) => !gone.has(p));
    }
    const surplus = remaining.length - wantActive;
    if (surplus > 0) remove = [...remove, ...podsToDelete(remaining, remaining, surplus, now)];
    remove = remove.slice(0, maxPodCreateDeletePerSync);
    if (remove.length) {
      expectations.expect(key, 0, remove.map((p) => p.metadata.uid ?? ''));
      log.debug('too many pods running', { key, deleting: remove.length, wantActive });
      const r = await deleteJobPods(key, job, remove, signal);
      st.terminating += r.deleted;
      return { active: active.length - r.deleted, error: r.error };
    }
    if (active.length >= wantActive) return { active: active.length };

    const wait = backoffRemainingMs(st.backoff, now);
    if (wait > 0) {
      log.debug('pod failure backoff', { key, waitMs: wait });
      queue.addAfter(key, wait);
      return { active: active.length };
    }
    // With podReplacementPolicy Failed, terminating pods still hold their place.
    const holding = spec.podReplacementPolicy === 'Failed' ? st.terminating : 0;
    let diff = Math.min(wantActive - active.length - holding, maxPodCreateDeletePerSync);
    if (diff <= 0) return { active: active.length };
    let indexes: number[] = [];
    if (indexed) {
      indexes = firstPendingIndexes(active, st.succeededIndexes, diff, spec.completions ?? 0);
      diff = indexes.length;
      if (diff === 0) return { active: active.length };
    }
    expectations.expect(key, diff);
    const ref = newControllerRef(job, jobs);
    const ns = job.metadata.namespace ?? '';
    const { successes, error } = await slowStartBatch(diff, slowStartInitialBatchSize, async (i) => {
      try {
        await control.createPod(ns, spec.template, who(job), ref, signal, (pod) => {
          pod.metadata.finalizers = [...(pod.metadata.finalizers ?? []).filter((f) => f !== jobTrackingFinalizer), jobTrackingFinalizer];
          if (indexed) withCompletionIndex(pod, job, indexes[i]!);
        });
      } catch (err) {
        expectations.creationObserved(key);
        if (isNamespaceTerminating(err)) return;
        throw err;
      }
    });
    const skipped = diff - successes - (error ? 1 : 0);
    if (skipped > 0) expectations.lowerCreations(key, skipped);
    return { active: active.length + successes, error };
  }

  async function writeStatus(job: JobObject, signal: AbortSignal): Promise<JobObject> {
    return client.updateStatus(jobs, job, { signal });
  }

  /**
   * trackJobStatusAndRemoveFinalizers: record finished pods in uncountedTerminatedPods (and the
   * interim condition), remove their finalizers, move them to the counters, then finish the Job.
   */
  async function trackStatus(key: Key, st: SyncState, cachedStatus: JobObject['status'], signal: AbortSignal): Promise<void> {
    let job = st.job;
    const spec = job.spec!;
    const status = job.status!;
    const uncounted = (status.uncountedTerminatedPods ??= {});
    const indexed = spec.completionMode === 'Indexed';
    const completions = spec.completions ?? 0;
    const withFinalizer = new Set<string>();
    for (const p of st.pods) if (hasTrackingFinalizer(p) && !st.expectedRemovals.has(p.metadata.uid ?? '')) withFinalizer.add(p.metadata.uid ?? '');
    moveCounted(status, withFinalizer);

    const inSucceeded = new Set(uncounted.succeeded ?? []);
    const inFailed = new Set(uncounted.failed ?? []);
    const toRemove: PodObject[] = [];
    const newIndexes: number[] = [];
    let reachedMax = false;
    const ordered = indexed ? [...st.pods].sort((a, b) => (completionIndexOf(a) ?? -1) - (completionIndexOf(b) ?? -1)) : st.pods;
    for (const pod of ordered) {
      const uid = pod.metadata.uid ?? '';
      if (!hasTrackingFinalizer(pod) || st.expectedRemovals.has(uid)) continue;
      const failedNow = isPodFailed(pod, job);
      if (!(job.metadata.deletionTimestamp || st.finished || pod.status?.phase === 'Succeeded' || failedNow)) continue;
      toRemove.push(pod);
      if (pod.status?.phase === 'Succeeded' && !inFailed.has(uid)) {
        if (indexed) {
          const ix = completionIndexOf(pod);
          if (ix !== undefined && ix < completions && !st.prevSucceededIndexes.has(ix)) newIndexes.push(ix);
        } else if (!inSucceeded.has(uid)) {
          (uncounted.succeeded ??= []).push(uid);
        }
      } else if (failedNow || (st.finished && st.finished.type !== 'SuccessCriteriaMet')) {
        const ix = completionIndexOf(pod);
        if (!inFailed.has(uid) && (!indexed || (ix !== undefined && ix < completions))) {
          if (!spec.podFailurePolicy || matchPodFailurePolicy(spec.podFailurePolicy, pod).countFailed) (uncounted.failed ??= []).push(uid);
        }
      }
      if (newIndexes.length + (uncounted.succeeded?.length ?? 0) + (uncounted.failed?.length ?? 0) >= maxUncountedPods) { reachedMax = true; break; }
    }
    if (indexed) {
      for (const ix of newIndexes) st.succeededIndexes.add(ix);
      status.succeeded = st.succeededIndexes.size;
      status.completedIndexes = formatIndexes(st.succeededIndexes);
    }
    let finished = st.finished;
    const conditions = (status.conditions ??= []) as Condition[];
    if (finished?.type === 'FailureTarget') {
      conditions.push(finished);
      finished = newCondition('Failed', 'True', finished.reason ?? '', finished.message ?? '', clock.now());
    } else if (finished?.type === 'SuccessCriteriaMet') {
      if (!findCondition(conditions, 'SuccessCriteriaMet')) conditions.push(finished);
      finished = newCondition('Complete', 'True', finished.reason ?? '', finished.message ?? '', clock.now());
    }

    let written = cachedStatus;
    // What is about to lose its finalizer must be on record first (a crash must not lose a count).
    if (toRemove.length > 0 && jobStatusChanged(written, status)) {
      job = await writeStatus(job, signal);
      written = structuredClone(job.status);
      job.status ??= {};
    }
    backoffs.set(key, st.backoff);
    const live = job.status!;
    live.uncountedTerminatedPods ??= {};
    const { removed, error } = await removeFinalizers(key, toRemove, signal);
    for (const uid of removed) withFinalizer.delete(uid);
    moveCounted(live, withFinalizer);
    if (error) {
      if (jobStatusChanged(written, live)) await writeStatus(job, signal);
      throw error;
    }
    let finishedNow = false;
    const u = live.uncountedTerminatedPods;
    if (finished && !reachedMax && (u.succeeded?.length ?? 0) + (u.failed?.length ?? 0) === 0 && st.terminating === 0) {
      const conds = (live.conditions ??= []) as Condition[];
      ensureCondition(conds, finished.type, finished.status, finished.reason ?? '', finished.message ?? '', clock.now());
      if (finished.type === 'Complete') live.completionTime = findCondition(conds, 'Complete')?.lastTransitionTime;
      finishedNow = true;
    }
    if (jobStatusChanged(written, live)) {
      job = await writeStatus(job, signal);
      if (finishedNow) {
        if (finished!.type === 'Complete') {
          if (spec.completions != null && (job.status?.succeeded ?? 0) > spec.completions) {
            recorder.event(jobs, job, 'Warning', 'TooManySucceededPods', 'Too many succeeded pods running after completion count reached');
          }
          recorder.event(jobs, job, 'Normal', 'Completed', 'Job completed');
        } else {
          recorder.event(jobs, job, 'Warning', finished!.reason ?? '', finished!.message ?? '');
        }
      }
    }
  }

  async function sync(key: Key, signal: AbortSignal): Promise<void> {
    const cached = jobCache.get(key);
    const { namespace, name } = splitKey(key);
    if (!cached) {
      expectations.forget(key);
      finalizerRemovals.delete(key);
      backoffs.delete(key);
      await cleanOrphans(namespace, name, undefined, signal);
      return;
    }
    const managedBy = cached.spec?.managedBy;
    if (managedBy && managedBy !== jobControllerName) return;
    if (isJobFinished(cached)) {
      backoffs.delete(key);
      await cleanOrphans(namespace, name, cached.metadata.uid, signal);
      return;
    }
    const mode = cached.spec?.completionMode;
    if (mode && mode !== 'NonIndexed' && mode !== 'Indexed') {
      recorder.event(jobs, cached, 'Warning', 'UnknownCompletionMode', 'Skipped Job sync because completion mode is unknown');
      return;
    }
    const job = structuredClone(cached) as JobObject;
    const spec = (job.spec ??= { template: {} });
    const status = (job.status ??= {});
    status.uncountedTerminatedPods ??= {};
    const now = clock.now();
    const satisfied = expectations.satisfied(key);

    const claimed = await claimPods(job, labelSelectorAsSelector(spec.selector), signal);
    await cleanOrphans(namespace, name, job.metadata.uid, signal);
    const active = claimed.filter(isPodActive);
    const expectedRemovals = new Set(finalizerRemovals.get(key) ?? []);
    const uncountedSucceeded = new Set(status.uncountedTerminatedPods.succeeded ?? []);
    const uncountedFailed = new Set(status.uncountedTerminatedPods.failed ?? []);
    const tracked = claimed.filter((p) => hasTrackingFinalizer(p) && !expectedRemovals.has(p.metadata.uid ?? ''));
    const newSucceeded = tracked.filter((p) => p.status?.phase === 'Succeeded' && !uncountedSucceeded.has(p.metadata.uid ?? ''));
    const newFailed = tracked.filter((p) => isPodFailed(p, job) && !uncountedFailed.has(p.metadata.uid ?? ''));
    const countedNewFailed = spec.podFailurePolicy ? newFailed.filter((p) => matchPodFailurePolicy(spec.podFailurePolicy, p).countFailed).length : newFailed.length;
    const st: SyncState = {
      job, pods: claimed, active, expectedRemovals,
      succeeded: (status.succeeded ?? 0) + newSucceeded.length + uncountedSucceeded.size,
      prevSucceededIndexes: new Set(), succeededIndexes: new Set(),
      terminating: claimed.filter(isPodTerminating).length,
      backoff: nextBackoffRecord(backoffs.get(key), newSucceeded, newFailed, now),
    };
    const failed = (status.failed ?? 0) + countedNewFailed + uncountedFailed.size;
    let ready = active.filter(isPodReady).length;
    if (!status.startTime && !isSuspended(job)) status.startTime = rfc3339(now);

    const conds = (status.conditions ??= []) as Condition[];
    const successMet = findCondition(conds, 'SuccessCriteriaMet');
    if (successMet?.status === 'True') st.finished = { ...successMet };
    if (!st.finished) {
      const target = findCondition(conds, 'FailureTarget');
      if (target?.status === 'True') st.finished = newCondition('Failed', 'True', target.reason ?? '', target.message ?? '', now);
      else {
        const msg = failJobMessage(job, claimed);
        if (msg) st.finished = newCondition('FailureTarget', 'True', reasons.podFailurePolicy, msg, now);
      }
    }
    if (!st.finished) {
      const deadline = activeDeadlineRemainingMs(job, now);
      if (failed > (spec.backoffLimit ?? 6) || pastBackoffLimitOnFailure(job, claimed)) {
        st.finished = newCondition('FailureTarget', 'True', reasons.backoffLimitExceeded, messages.backoffLimitExceeded, now);
      } else if (deadline !== undefined && deadline <= 0) {
        st.finished = newCondition('FailureTarget', 'True', reasons.deadlineExceeded, messages.deadlineExceeded, now);
      } else if (deadline !== undefined) {
        queue.addAfter(key, deadline);
      }
    }
    if (spec.completionMode === 'Indexed') {
      const completions = spec.completions ?? 0;
      st.prevSucceededIndexes = parseIndexes(status.completedIndexes, completions);
      st.succeededIndexes = new Set(st.prevSucceededIndexes);
      for (const p of claimed) {
        const ix = completionIndexOf(p);
        if (p.status?.phase === 'Succeeded' && hasTrackingFinalizer(p) && ix !== undefined && ix < completions) st.succeededIndexes.add(ix);
      }
      st.succeeded = st.succeededIndexes.size;
    }

    let activeCount = active.length;
    let manageError: unknown;
    if (st.finished) {
      const r = await deleteActivePods(job, active, signal);
      if (r.deleted !== active.length || !satisfied) st.finished = undefined;
      activeCount -= r.deleted;
      st.terminating += r.deleted;
      ready -= r.deletedReady;
      manageError = r.error;
    } else {
      let managed = false;
      if (satisfied && !job.metadata.deletionTimestamp) {
        const r = await manageJob(key, st, signal);
        activeCount = r.active;
        manageError = r.error;
        managed = true;
      }
      const complete = spec.completions == null ? st.succeeded > 0 && activeCount === 0 : st.succeeded >= spec.completions && activeCount === 0;
      if (complete) {
        st.finished = newCondition('SuccessCriteriaMet', 'True', reasons.completionsReached, messages.completionsReached, now);
      } else if (managed) {
        if (isSuspended(job)) {
          if (ensureCondition(conds, 'Suspended', 'True', 'JobSuspended', 'Job suspended', now)) {
            recorder.event(jobs, job, 'Normal', 'Suspended', 'Job suspended');
          }
        } else if (ensureCondition(conds, 'Suspended', 'False', 'JobResumed', 'Job resumed', now)) {
          recorder.event(jobs, job, 'Normal', 'Resumed', 'Job resumed');
          status.startTime = rfc3339(now);
        }
      }
    }
    status.active = activeCount;
    status.ready = ready;
    status.terminating = st.terminating;
    await trackStatus(key, st, cached.status, signal);
    if (manageError) {
      if (isStatusError(manageError)) throw manageError;
      throw new Error(`syncing Job ${key}`, { cause: manageError });
    }
  }

  return { name: 'job', queue, informers: [jobCache, podCache], sync, workers: 5 };
}

/** getFailJobMessage: the first failed pod matching a FailJob rule of the podFailurePolicy. */
export function failJobMessage(job: JobObject, list: readonly PodObject[]): string | undefined {
  const policy = job.spec?.podFailurePolicy;
  if (!policy) return undefined;
  for (const p of list) {
    if (!isPodFailed(p, job)) continue;
    const m = matchPodFailurePolicy(policy, p);
    if (m.action === 'FailJob' && m.message) return m.message;
  }
  return undefined;
}

/** cleanUncountedPodsWithoutFinalizers: uids whose finalizer is gone move into the counters. */
export function moveCounted(status: NonNullable<JobObject['status']>, withFinalizer: ReadonlySet<string>): void {
  const u = (status.uncountedTerminatedPods ??= {});
  const keepS = (u.succeeded ?? []).filter((uid) => withFinalizer.has(uid));
  status.succeeded = (status.succeeded ?? 0) + (u.succeeded ?? []).length - keepS.length;
  const keepF = (u.failed ?? []).filter((uid) => withFinalizer.has(uid));
  status.failed = (status.failed ?? 0) + (u.failed ?? []).length - keepF.length;
  if (keepS.length) u.succeeded = keepS; else delete u.succeeded;
  if (keepF.length) u.failed = keepF; else delete u.failed;
}

/** The Indexed-mode additions to a new pod: name, annotation, label, hostname and env (as upstream). */
export function withCompletionIndex(pod: PodObject, job: JobObject, index: number): void {
  const name = job.metadata.name ?? '';
  pod.metadata.generateName = `${name}-${index}-`;
  pod.metadata.annotations = { ...pod.metadata.annotations, [completionIndexKey]: String(index) };
  pod.metadata.labels = { ...pod.metadata.labels, [completionIndexKey]: String(index) };
  const spec = pod.spec!;
  if (!spec.hostname) spec.hostname = `${name}-${index}`;
  const env = { name: completionIndexEnv, valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${completionIndexKey}']` } } };
  for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
    if (!(c.env ?? []).some((e) => e.name === completionIndexEnv)) c.env = [...(c.env ?? []), env];
  }
}
