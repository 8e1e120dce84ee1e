import type { ObjectReference } from 'kubernetes-types/core/v1.js';
import { cronJobs, jobs, parseCronSchedule, CronParseError, type CronJobObject, type CronSchedule, type JobObject } from '../../api/resources/index.js';
import { isAlreadyExists, isNotFound } from '../../api/errors.js';
import { apiVersionOfResource } from '../../api/resource.js';
import { rfc3339 } from '../../base/clock.js';
import type { Controller } from '../../client/run-controller.js';
import type { Key } from '../../client/work-queue.js';
import { keyOf } from '../../client/object-key.js';
import { controllerKey, controllerRefOf, newControllerRef } from '../../client/controller-ref.js';
import type { ControllerDeps } from '../controller-deps.js';
import { mostRecentSchedule, nextActivation, rfc3339In } from './schedule.js';

/** batch.kubernetes.io/cronjob-scheduled-timestamp: when the Job was scheduled, RFC 3339 in the CronJob's zone. */
export const scheduledTimestampAnnotation = 'batch.kubernetes.io/cronjob-scheduled-timestamp';
/** More missed activations than this get the TooManyMissedTimes warning. */
export const tooManyMissed = 100;
/** nextScheduleTimeDuration's slack after the activation. */
export const requeueSlackMs = 100;

/** `<cronjob>-<scheduled time in minutes since the epoch>` (getJobName). */
export function jobNameFor(cj: Pick<CronJobObject, 'metadata'>, scheduled: number): string {
  return `${cj.metadata.name}-${Math.floor(scheduled / 60_000)}`;
}

/** getJobFromTemplate2: the Job a CronJob creates for one activation. */
export function jobFromTemplate(cj: CronJobObject, scheduled: number): JobObject {
  const t = structuredClone(cj.spec?.jobTemplate ?? {});
  const annotations = { ...t.metadata?.annotations, [scheduledTimestampAnnotation]: rfc3339In(scheduled, cj.spec?.timeZone) };
  const metadata: JobObject['metadata'] = {
    name: jobNameFor(cj, scheduled), namespace: cj.metadata.namespace,
    annotations, ownerReferences: [newControllerRef(cj, cronJobs)],
  };
  if (t.metadata?.labels) metadata.labels = t.metadata.labels;
  return { apiVersion: 'batch/v1', kind: 'Job', metadata, spec: t.spec ?? { template: {} } };
}

function finishedCondition(job: JobObject): 'Complete' | 'Failed' | undefined {
  const c = job.status?.conditions?.find((x) => (x.type === 'Complete' || x.type === 'Failed') && x.status === 'True');
  return c?.type as 'Complete' | 'Failed' | undefined;
}

/** formatSchedule + cron.ParseStandard: spec.timeZone applies unless the schedule names its own zone. */
export function scheduleOf(cj: CronJobObject): { schedule: CronSchedule; zone?: string } {
  const schedule = parseCronSchedule(cj.spec?.schedule ?? '');
  return { schedule, zone: schedule.timeZone ?? cj.spec?.timeZone ?? undefined };
}

function jobRef(job: JobObject): ObjectReference {
  return {
    kind: 'Job', namespace: job.metadata.namespace, name: job.metadata.name,
    uid: job.metadata.uid, apiVersion: apiVersionOfResource(jobs), resourceVersion: job.metadata.resourceVersion,
  };
}

/** byJobStartTime: by status.startTime (unset last), then name. */
function byStartTime(a: JobObject, b: JobObject): number {
  const sa = a.status?.startTime, sb = b.status?.startTime;
  if (sa && sb && sa !== sb) return sa < sb ? -1 : 1;
  if (!sa !== !sb) return sa ? -1 : 1;
  return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1;
}

/**
 * The CronJob controller (controllerv2): reconciles status.active with the Jobs it owns,
 * creates the Job of the most recent unmet activation (honouring startingDeadlineSeconds,
 * concurrencyPolicy and suspend), trims finished Jobs to the history limits, and requeues
 * itself for the next activation.
 */
export function cronJobController(deps: ControllerDeps): Controller {
  const { client, informers, queue, clock, recorder } = deps;
  const log = deps.log.child({ controller: 'cronjob' });
  const cronCache = informers.for(cronJobs);
  const jobCache = informers.for(jobs);

  cronCache.onChange((cj) => queue.add(keyOf(cj)));
  jobCache.onChange((job) => {
    const owner = controllerKey(job, cronJobs);
    if (owner) queue.add(owner);
  });

  async function deleteJob(cj: CronJobObject, job: JobObject, signal: AbortSignal): Promise<boolean> {
    try {
      await client.delete(jobs, job.metadata.namespace ?? '', job.metadata.name ?? '', { propagationPolicy: 'Background', signal });
    } catch (err) {
      if (!isNotFound(err)) {
        recorder.event(cronJobs, cj, 'Warning', 'FailedDelete', `Deleted job: ${(err as Error).message}`);
        throw err;
      }
    }
    recorder.event(cronJobs, cj, 'Normal', 'SuccessfulDelete', `Deleted job ${job.metadata.name}`);
    return true;
  }

  function requeueForNext(key: Key, schedule: CronSchedule, zone: string | undefined, now: number): void {
    const next = nextActivation(schedule, now, zone);
    if (next !== undefined) queue.addAfter(key, next - now + requeueSlackMs);
  }

  /** The activation to act on now, or undefined (with the warning for too many misses). */
  function unmetActivation(cj: CronJobObject, schedule: CronSchedule, zone: string | undefined, now: number): number | undefined {
    let earliest = Date.parse(cj.status?.lastScheduleTime ?? cj.metadata.creationTimestamp ?? '');
    if (Number.isNaN(earliest)) earliest = now;
    const deadline = cj.spec?.startingDeadlineSeconds;
    if (deadline != null) earliest = Math.max(earliest, now - deadline * 1000);
    const { mostRecent, missed } = mostRecentSchedule(schedule, earliest, now, zone);
    if (missed > tooManyMissed) {
      recorder.event(cronJobs, cj, 'Warning', 'TooManyMissedTimes', `too many missed start times: ${missed}. Set or decrease .spec.startingDeadlineSeconds or check clock skew`);
      log.info('too many missed times', { key: keyOf(cj), missed });
    }
    return mostRecent;
  }

  async function sync(key: Key, signal: AbortSignal): Promise<void> {
    const cached = cronCache.get(key);
    if (!cached) return;
    const cj = structuredClone(cached) as CronJobObject;
    const status = (cj.status ??= {});
    const now = clock.now();
    const owned = jobCache.list(cj.metadata.namespace).filter((j) => controllerRefOf(j)?.uid === cj.metadata.uid);

    // 1. status.active and lastSuccessfulTime from the Jobs it owns.
    const active = [...(status.active ?? [])];
    const activeUids = () => new Set(active.map((r) => r.uid));
    const ownedUids = new Set(owned.map((j) => j.metadata.uid));
    for (const j of owned) {
      const found = activeUids().has(j.metadata.uid);
      const done = finishedCondition(j);
      if (!found && !done) {
        recorder.event(cronJobs, cj, 'Warning', 'UnexpectedJob', `Saw a job that the controller did not create or forgot: ${j.metadata.name}`);
      } else if (found && done) {
        active.splice(active.findIndex((r) => r.uid === j.metadata.uid), 1);
        recorder.event(cronJobs, cj, 'Normal', 'SawCompletedJob', `Saw completed job: ${j.metadata.name}, condition: ${done}`);
      }
      if (done === 'Complete' && j.status?.completionTime) {
        if (!status.lastSuccessfulTime || j.status.completionTime > status.lastSuccessfulTime) status.lastSuccessfulTime = j.status.completionTime;
      }
    }
    for (const ref of [...active]) {
      if (ownedUids.has(ref.uid)) continue;
      try {
        await client.get(jobs, ref.namespace ?? cj.metadata.namespace ?? '', ref.name ?? '', { signal });
      } catch (err) {
        if (!isNotFound(err)) throw err;
        recorder.event(cronJobs, cj, 'Normal', 'MissingJob', `Active job went missing: ${ref.name}`);
        active.splice(active.findIndex((r) => r.uid === ref.uid), 1);
      }
    }
    status.active = active;

    // 2. Decide about the next Job.
    let scheduleInfo: { schedule: CronSchedule; zone?: string } | undefined;
    if (!cj.metadata.deletionTimestamp && !cj.spec?.suspend) {
      scheduleInfo = parseSchedule(cj);
    }
    if (scheduleInfo) {
      const { schedule, zone } = scheduleInfo;
      const scheduled = unmetActivation(cj, schedule, zone, now);
      const deadline = cj.spec?.startingDeadlineSeconds;
      const name = scheduled !== undefined ? jobNameFor(cj, scheduled) : '';
      if (scheduled === undefined) {
        // nothing due yet
      } else if (deadline != null && scheduled + deadline * 1000 < now) {
        recorder.event(cronJobs, cj, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${new Date(scheduled).toUTCString().replace('GMT', '+0000')}`);
      } else if (active.some((r) => r.name === name) || status.lastScheduleTime === rfc3339(scheduled)) {
        // already handled
      } else if (cj.spec?.concurrencyPolicy === 'Forbid' && active.length > 0) {
        recorder.event(cronJobs, cj, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
      } else {
        if (cj.spec?.concurrencyPolicy === 'Replace') {
          for (const ref of [...active]) {
            const j = owned.find((x) => x.metadata.uid === ref.uid) ?? { metadata: { name: ref.name, namespace: ref.namespace } } as JobObject;
            await deleteJob(cj, j, signal);
            active.splice(active.findIndex((r) => r.uid === ref.uid), 1);
          }
        }
        try {
          const created = await client.create(jobs, jobFromTemplate(cj, scheduled), { signal });
          recorder.event(cronJobs, cj, 'Normal', 'SuccessfulCreate', `Created job ${created.metadata.name}`);
          active.push(jobRef(created));
          status.lastScheduleTime = rfc3339(scheduled);
        } catch (err) {
          if (isAlreadyExists(err)) {
            log.info('job already exists', { key, job: name });
          } else {
            recorder.event(cronJobs, cj, 'Warning', 'FailedCreate', `Error creating job: ${(err as Error).message}`);
            await writeStatus(cached, cj, signal);
            throw err;
          }
        }
      }
    }

    // 3. History limits.
    await cleanupFinished(cj, owned.filter((j) => !active.some((r) => r.uid === j.metadata.uid)), signal);
    await writeStatus(cached, cj, signal);
    if (scheduleInfo) requeueForNext(key, scheduleInfo.schedule, scheduleInfo.zone, now);
  }

  function parseSchedule(cj: CronJobObject): { schedule: CronSchedule; zone?: string } | undefined {
    const tz = cj.spec?.timeZone;
    if (tz) {
      try { new Intl.DateTimeFormat('en-US', { timeZone: tz }); } catch {
        recorder.event(cronJobs, cj, 'Warning', 'UnknownTimeZone', `invalid timeZone: "${tz}": unknown time zone ${tz}`);
        return undefined;
      }
    }
    const spec = cj.spec?.schedule ?? '';
    if (spec.includes('TZ')) {
      recorder.event(cronJobs, cj, 'Warning', 'UnsupportedSchedule', `CRON_TZ or TZ used in schedule "${spec}" is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details`);
    }
    try {
      return scheduleOf(cj);
    } catch (err) {
      if (!(err instanceof CronParseError)) throw err;
      recorder.event(cronJobs, cj, 'Warning', 'UnparseableSchedule', `unparseable schedule: "${spec}" : ${err.message}`);
      return undefined;
    }
  }

  async function cleanupFinished(cj: CronJobObject, candidates: readonly JobObject[], signal: AbortSignal): Promise<void> {
    const okLimit = cj.spec?.successfulJobsHistoryLimit;
    const failLimit = cj.spec?.failedJobsHistoryLimit;
    if (okLimit == null && failLimit == null) return;
    const succeeded = candidates.filter((j) => finishedCondition(j) === 'Complete').sort(byStartTime);
    const failed = candidates.filter((j) => finishedCondition(j) === 'Failed').sort(byStartTime);
    if (okLimit != null) for (const j of succeeded.slice(0, Math.max(0, succeeded.length - okLimit))) await deleteJob(cj, j, signal);
    if (failLimit != null) for (const j of failed.slice(0, Math.max(0, failed.length - failLimit))) await deleteJob(cj, j, signal);
  }

  async function writeStatus(cached: CronJobObject, cj: CronJobObject, signal: AbortSignal): Promise<void> {
    const norm = (s: CronJobObject['status']) => JSON.stringify({
      active: (s?.active ?? []).map((r) => r.uid), lastScheduleTime: s?.lastScheduleTime, lastSuccessfulTime: s?.lastSuccessfulTime,
    });
    if (norm(cached.status) === norm(cj.status)) return;
    const status = { ...cj.status };
    if (!status.active?.length) delete status.active;
    await client.updateStatus(cronJobs, { ...cj, status }, { signal });
  }

  return { name: 'cronjob', queue, informers: [cronCache, jobCache], sync, workers: 5 };
}
