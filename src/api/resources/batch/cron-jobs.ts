import type { CronJob } from 'kubernetes-types/batch/v1.js';
import type { FieldError, ObjectMeta, Writable } from '../../types.js';
import { defineResource } from '../../resource.js';
import { fieldErr } from '../../errors.js';
import { age } from '../../printers.js';
import { semanticEqual, validateNonnegative } from '../../validation/index.js';
import { formatLabelSelector } from '../../selectors/index.js';
import { ageColumn, defaultPodTemplateSpec, templateColumns } from '../core/index.js';
import { validateJobTemplateSpec } from './jobs.js';
import { cronScheduleError, timeZoneError } from './cron-schedule.js';

export type CronJobObject = Omit<Writable<CronJob>, 'metadata'> & { metadata: ObjectMeta };

/** SetDefaults_CronJob: Allow, not suspended, keep 3 successful and 1 failed job. */
export function defaultCronJob(cj: CronJobObject): void {
  cj.spec ??= { schedule: '', jobTemplate: {} };
  const spec = cj.spec;
  spec.concurrencyPolicy ||= 'Allow';
  spec.suspend ??= false;
  spec.successfulJobsHistoryLimit ??= 3;
  spec.failedJobsHistoryLimit ??= 1;
  spec.jobTemplate ??= {};
  spec.jobTemplate.spec ??= { template: {} };
  defaultPodTemplateSpec(spec.jobTemplate.spec.template);
}

function validateSchedule(schedule: string, allowTZ: boolean, timeZone: string | undefined): FieldError[] {
  const errs: FieldError[] = [];
  const err = cronScheduleError(schedule);
  if (err) errs.push(fieldErr.invalid('spec.schedule', schedule, err));
  if (allowTZ && schedule.includes('TZ') && timeZone != null) {
    errs.push(fieldErr.invalid('spec.schedule', schedule, 'cannot use both timeZone field and TZ or CRON_TZ in schedule'));
  } else if (!allowTZ && schedule.includes('TZ')) {
    errs.push(fieldErr.invalid('spec.schedule', schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
  }
  return errs;
}

function validateTimeZone(tz: string | undefined): FieldError[] {
  if (tz == null) return [];
  const path = 'spec.timeZone';
  if (tz === '') return [fieldErr.invalid(path, tz, 'timeZone must be nil or non-empty string')];
  for (const part of tz.split('/')) {
    if (part === '.' || part === '..' || part.startsWith('-') || !/^[A-Za-z.\-_0-9+]{1,14}$/.test(part)) {
      return [fieldErr.invalid(path, tz, `unknown time zone ${tz}`)];
    }
  }
  if (tz.toLowerCase() === 'local') return [fieldErr.invalid(path, tz, 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones')];
  const err = timeZoneError(tz);
  return err ? [fieldErr.invalid(path, tz, err)] : [];
}

/** ValidateCronJobCreate/Update's spec rules. */
export function validateCronJob(cj: CronJobObject, old?: CronJobObject): FieldError[] {
  const spec = cj.spec;
  if (!spec) return [fieldErr.required('spec', '')];
  const errs: FieldError[] = [];
  if (!spec.schedule) errs.push(fieldErr.required('spec.schedule', ''));
  else errs.push(...validateSchedule(spec.schedule, !!old?.spec?.schedule.includes('TZ'), spec.timeZone));
  errs.push(...validateNonnegative(spec.startingDeadlineSeconds, 'spec.startingDeadlineSeconds'));
  if (!old || old.spec?.timeZone !== spec.timeZone) errs.push(...validateTimeZone(spec.timeZone));
  const cp = spec.concurrencyPolicy ?? '';
  if (cp === '') errs.push(fieldErr.required('spec.concurrencyPolicy', ''));
  else if (!['Allow', 'Forbid', 'Replace'].includes(cp)) errs.push(fieldErr.notSupported('spec.concurrencyPolicy', cp, ['Allow', 'Forbid', 'Replace']));
  errs.push(...validateJobTemplateSpec(spec.jobTemplate, 'spec.jobTemplate'));
  errs.push(...validateNonnegative(spec.successfulJobsHistoryLimit, 'spec.successfulJobsHistoryLimit'));
  errs.push(...validateNonnegative(spec.failedJobsHistoryLimit, 'spec.failedJobsHistoryLimit'));
  return errs;
}

export const cronJobs = defineResource<CronJobObject>({
  group: 'batch', version: 'v1', kind: 'CronJob', plural: 'cronjobs', scope: 'Namespaced',
  shortNames: ['cj'], categories: ['all'], schema: 'io.k8s.api.batch.v1.CronJob',
  subresources: { status: true },
  defaults: defaultCronJob,
  validate: validateCronJob,
  prepareForCreate(cj) { cj.status = {}; cj.metadata.generation = 1; },
  prepareForUpdate(cj, old) {
    cj.status = old.status;
    if (!semanticEqual(cj.spec, old.spec)) cj.metadata.generation = (old.metadata.generation ?? 0) + 1;
  },
  printerColumns: [
    { name: 'Schedule', type: 'string', description: 'The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.', cell: (cj) => cj.spec?.schedule ?? '' },
    { name: 'Timezone', type: 'string', description: 'The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones.', cell: (cj) => cj.spec?.timeZone ?? '<none>' },
    { name: 'Suspend', type: 'boolean', description: 'This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.', cell: (cj) => (cj.spec?.suspend == null ? '<unset>' : cj.spec.suspend ? 'True' : 'False') },
    { name: 'Active', type: 'integer', description: 'A list of pointers to currently running jobs.', cell: (cj) => cj.status?.active?.length ?? 0 },
    { name: 'Last Schedule', type: 'string', description: 'Information when was the last time the job was successfully scheduled.', cell: (cj, now) => (cj.status?.lastScheduleTime ? age(cj.status.lastScheduleTime, now) : '<none>') },
    ageColumn<CronJobObject>(),
    ...templateColumns<CronJobObject>((cj) => cj.spec?.jobTemplate?.spec?.template),
    { name: 'Selector', type: 'string', priority: 1, description: 'A label query over pods that should match the pod count.', cell: (cj) => formatLabelSelector(cj.spec?.jobTemplate?.spec?.selector) },
  ],
});

