import type { JobCondition } from 'kubernetes-types/batch/v1.js';
import type { JobObject, PodObject } from '../../api/resources/index.js';
import { rfc3339 } from '../../base/clock.js';

/** The finalizer every Job pod carries until the controller has counted it. */
export const jobTrackingFinalizer = 'batch.kubernetes.io/job-tracking';

/** Condition reasons and messages as the job controller words them (1.33). */
export const reasons = {
  backoffLimitExceeded: 'BackoffLimitExceeded',
  deadlineExceeded: 'DeadlineExceeded',
  podFailurePolicy: 'PodFailurePolicy',
  completionsReached: 'CompletionsReached',
} as const;
export const messages = {
  backoffLimitExceeded: 'Job has reached the specified backoff limit',
  deadlineExceeded: 'Job was active longer than specified deadline',
  completionsReached: 'Reached expected number of succeeded pods',
} as const;

export type Condition = Omit<JobCondition, 'type' | 'status'> & { type: string; status: string };

export function newCondition(type: string, status: string, reason: string, message: string, now: number): Condition {
  const t = rfc3339(now);
  return { type, status, lastProbeTime: t, lastTransitionTime: t, reason, message };
}

export function findCondition(conds: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conds?.find((c) => c.type === type);
}

/** IsJobFinished: Complete or Failed is True. */
export function isJobFinished(job: Pick<JobObject, 'status'>): boolean {
  return (job.status?.conditions ?? []).some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
}

/**
 * ensureJobConditionStatus: sets a condition, replacing it when status, reason or message
 * differ; a missing condition is only added when not False. Returns whether it changed.
 */
export function ensureCondition(conds: Condition[], type: string, status: string, reason: string, message: string, now: number): boolean {
  const i = conds.findIndex((c) => c.type === type);
  if (i >= 0) {
    const c = conds[i]!;
    if (c.status === status && (c.reason ?? '') === reason && (c.message ?? '') === message) return false;
    conds[i] = newCondition(type, status, reason, message, now);
    return true;
  }
  if (status === 'False') return false;
  conds.push(newCondition(type, status, reason, message, now));
  return true;
}

export function isSuspended(job: JobObject): boolean {
  return job.spec?.suspend === true;
}

export function hasTrackingFinalizer(pod: Pick<PodObject, 'metadata'>): boolean {
  return (pod.metadata.finalizers ?? []).includes(jobTrackingFinalizer);
}

/** onlyReplaceFailedPods: podReplacementPolicy Failed, or a podFailurePolicy. */
export function onlyReplaceFailedPods(job: JobObject): boolean {
  return job.spec?.podReplacementPolicy === 'Failed' || !!job.spec?.podFailurePolicy;
}

/** isPodFailed: Failed, or (unless only failed pods are replaced) deleted before succeeding. */
export function isPodFailed(pod: PodObject, job: JobObject): boolean {
  if (pod.status?.phase === 'Failed') return true;
  if (onlyReplaceFailedPods(job)) return false;
  return !!pod.metadata.deletionTimestamp && pod.status?.phase !== 'Succeeded';
}

/** CountTerminatingPods: being deleted and not yet terminal. */
export function isPodTerminating(pod: PodObject): boolean {
  const phase = pod.status?.phase;
  return !!pod.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed';
}

/** pastBackoffLimitOnFailure: for restartPolicy OnFailure, container restarts of running pods reach backoffLimit. */
export function pastBackoffLimitOnFailure(job: JobObject, pods: readonly PodObject[]): boolean {
  if (job.spec?.template?.spec?.restartPolicy !== 'OnFailure') return false;
  let restarts = 0;
  for (const p of pods) {
    if (p.status?.phase !== 'Running' && p.status?.phase !== 'Pending') continue;
    for (const s of [...(p.status.initContainerStatuses ?? []), ...(p.status.containerStatuses ?? [])]) restarts += s.restartCount ?? 0;
  }
  const limit = job.spec.backoffLimit ?? 6;
  return limit === 0 ? restarts > 0 : restarts >= limit;
}

/** ms left before activeDeadlineSeconds passes; undefined when there is no running deadline. */
export function activeDeadlineRemainingMs(job: JobObject, now: number): number | undefined {
  const secs = job.spec?.activeDeadlineSeconds;
  const start = job.status?.startTime;
  if (secs == null || !start || isSuspended(job)) return undefined;
  return Date.parse(start) + secs * 1000 - now;
}
