import type { PodObject } from '../../api/resources/index.js';

/** DefaultJobPodFailureBackOff: the delay after the first failed pod, doubling with each one. */
export const podFailureBackoffMs = 10_000;
/** MaxJobPodFailureBackOff (10 minutes upstream since 1.28; it was 6 minutes before). */
export const maxPodFailureBackoffMs = 10 * 60_000;

/** What the backoff store keeps per Job: failures since the last success and when the last was. */
export interface BackoffRecord {
  failuresAfterLastSuccess: number;
  /** ms since epoch; undefined when there was no failure. */
  lastFailureTime?: number;
}

/** When a finished pod finished: its last container termination, else its Ready=False transition, else its deletion. */
export function podFinishTime(pod: PodObject, now: number): number {
  let latest: number | undefined;
  for (const s of [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])]) {
    const t = s.state?.terminated?.finishedAt ? Date.parse(s.state.terminated.finishedAt) : NaN;
    if (!Number.isNaN(t) && (latest === undefined || t > latest)) latest = t;
  }
  if (latest !== undefined) return latest;
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready?.status === 'False' && ready.lastTransitionTime) return Date.parse(ready.lastTransitionTime);
  if (pod.metadata.deletionTimestamp) {
    return Date.parse(pod.metadata.deletionTimestamp) - (pod.metadata.deletionGracePeriodSeconds ?? 0) * 1000;
  }
  return now;
}

/**
 * newBackoffRecord: folds this sync's newly finished pods into the record. A success resets
 * the count to the failures that finished after the latest success.
 */
export function nextBackoffRecord(prev: BackoffRecord | undefined, newSucceeded: readonly PodObject[], newFailed: readonly PodObject[], now: number): BackoffRecord {
  const base = prev ?? { failuresAfterLastSuccess: 0 };
  const failTimes = newFailed.map((p) => podFinishTime(p, now));
  if (newSucceeded.length === 0) {
    if (failTimes.length === 0) return base;
    const last = Math.max(...failTimes, base.lastFailureTime ?? -Infinity);
    return { failuresAfterLastSuccess: base.failuresAfterLastSuccess + failTimes.length, lastFailureTime: last };
  }
  const lastSuccess = Math.max(...newSucceeded.map((p) => podFinishTime(p, now)));
  const after = failTimes.filter((t) => t > lastSuccess);
  if (after.length === 0) return { failuresAfterLastSuccess: 0 };
  return { failuresAfterLastSuccess: after.length, lastFailureTime: Math.max(...after) };
}

/** getRemainingTime: how long pod creation still waits (10 s · 2^(failures−1), capped). */
export function backoffRemainingMs(record: BackoffRecord | undefined, now: number): number {
  if (!record || record.failuresAfterLastSuccess === 0 || record.lastFailureTime === undefined) return 0;
  const exp = Math.min(record.failuresAfterLastSuccess - 1, 30);
  const backoff = Math.min(podFailureBackoffMs * 2 ** exp, maxPodFailureBackoffMs);
  const elapsed = now - record.lastFailureTime;
  return elapsed >= backoff ? 0 : backoff - elapsed;
}
