import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatFieldError } from '../../errors.js';
import { jobs, jobStatusCell, jobCompletionsCell, jobDurationCell, type JobObject } from './jobs.js';
import { cronJobs, type CronJobObject } from './cron-jobs.js';
import { cronScheduleError, parseCronSchedule } from './cron-schedule.js';

function createJob(j: Partial<JobObject['spec']> = {}): JobObject {
  const job: JobObject = {
    metadata: { name: 'pi', namespace: 'default', uid: '1234-uid' },
    spec: { template: { spec: { containers: [{ name: 'pi', image: 'perl' }], restartPolicy: 'Never' } }, ...j },
  };
  jobs.defaults!(job);
  jobs.prepareForCreate!(job);
  return job;
}

test('Job defaults and the generated selector and labels', () => {
  const job = createJob();
  const s = job.spec!;
  assert.deepEqual([s.completions, s.parallelism, s.backoffLimit, s.completionMode, s.suspend, s.manualSelector, s.podReplacementPolicy],
    [1, 1, 6, 'NonIndexed', false, false, 'TerminatingOrFailed']);
  assert.deepEqual(s.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': '1234-uid' } });
  assert.deepEqual(s.template.metadata!.labels, {
    'job-name': 'pi', 'batch.kubernetes.io/job-name': 'pi', 'controller-uid': '1234-uid', 'batch.kubernetes.io/controller-uid': '1234-uid',
  });
  assert.deepEqual(job.metadata.labels, s.template.metadata!.labels);
  assert.deepEqual(job.status, {});
  assert.deepEqual(jobs.validate!(job), []);
});

test('Job validation: restartPolicy must be Never/OnFailure; tampered labels and selectors are refused', () => {
  const always = createJob();
  always.spec!.template.spec!.restartPolicy = 'Always';
  assert.deepEqual(jobs.validate!(always).map(formatFieldError), ['spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"']);
  const tampered = createJob();
  tampered.spec!.template.metadata!.labels!['job-name'] = 'x';
  const errs = jobs.validate!(tampered).map(formatFieldError);
  assert.ok(errs.some((e) => e.startsWith('spec.template.metadata.labels[job-name]: Invalid value:') && e.endsWith("must be 'pi'")), errs.join('\n'));
  const manual = createJob({ manualSelector: true, selector: { matchLabels: { app: 'x' } } });
  assert.deepEqual(jobs.validate!(manual).map(formatFieldError), ['spec.template.metadata.labels: Invalid value: {}: `selector` does not match template `labels`']);
});

test('Job update: template immutable unless suspended before start; completions immutable', () => {
  const old = createJob();
  const changed = structuredClone(old);
  changed.spec!.template.spec!.containers[0]!.image = 'perl:2';
  assert.ok(jobs.validate!(changed, old).map(formatFieldError).some((e) => e.startsWith('spec.template: Invalid value:') && e.endsWith('field is immutable')));
  const suspendedOld = createJob({ suspend: true });
  const sched = structuredClone(suspendedOld);
  sched.spec!.template.spec!.nodeSelector = { zone: 'a' };
  assert.deepEqual(jobs.validate!(sched, suspendedOld), []);
  const more = structuredClone(old);
  more.spec!.completions = 3;
  assert.deepEqual(jobs.validate!(more, old).map(formatFieldError), ['spec.completions: Invalid value: 3: field is immutable']);
});

test('Job printer: Status, Completions, Duration', () => {
  const job = createJob();
  const now = Date.parse('2025-01-01T00:10:00Z');
  assert.equal(jobStatusCell(job), 'Running');
  assert.equal(jobCompletionsCell(job), '0/1');
  assert.equal(jobDurationCell(job, now), '');
  job.status = { succeeded: 1, startTime: '2025-01-01T00:00:00Z', completionTime: '2025-01-01T00:00:42Z', conditions: [{ type: 'Complete', status: 'True' }] };
  assert.deepEqual([jobStatusCell(job), jobCompletionsCell(job), jobDurationCell(job, now)], ['Complete', '1/1', '42s']);
  const queue = createJob({ parallelism: 4 });
  delete queue.spec!.completions;
  assert.equal(jobCompletionsCell(queue), '0/1 of 4');
  assert.equal(jobs.fieldSelectors['status.successful']!(job), '1');
  assert.deepEqual(jobs.printerColumns!.map((c) => c.name), ['Status', 'Completions', 'Duration', 'Age', 'Containers', 'Images', 'Selector']);
});

test('cron schedules parse like robfig/cron ParseStandard', () => {
  assert.equal(cronScheduleError('*/5 * * * *'), undefined);
  assert.equal(cronScheduleError('0 9 * * mon-fri'), undefined);
  assert.equal(cronScheduleError('@hourly'), undefined);
  assert.deepEqual([...parseCronSchedule('0,30 9-10 * * *').minute], [0, 30]);
  assert.equal(cronScheduleError('* * * *'), 'expected exactly 5 fields, found 4: [* * * *]');
  assert.equal(cronScheduleError('61 * * * *'), 'end of range (61) above maximum (59): 61');
  assert.equal(cronScheduleError('@fortnightly'), 'unrecognized descriptor: @fortnightly');
  assert.equal(cronScheduleError(''), 'empty spec string');
});

function cronJob(spec: Partial<CronJobObject['spec']> = {}): CronJobObject {
  const cj: CronJobObject = {
    metadata: { name: 'tick', namespace: 'default' },
    spec: { schedule: '*/1 * * * *', jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox' }], restartPolicy: 'OnFailure' } } } }, ...spec },
  };
  cronJobs.defaults!(cj);
  return cj;
}

test('CronJob defaults and validation: TZ= rejected, timeZone checked', () => {
  const cj = cronJob();
  assert.deepEqual([cj.spec!.concurrencyPolicy, cj.spec!.suspend, cj.spec!.successfulJobsHistoryLimit, cj.spec!.failedJobsHistoryLimit], ['Allow', false, 3, 1]);
  assert.deepEqual(cronJobs.validate!(cj), []);
  assert.deepEqual(cronJobs.validate!(cronJob({ schedule: 'TZ=UTC 0 * * * *' })).map(formatFieldError),
    ['spec.schedule: Invalid value: "TZ=UTC 0 * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead']);
  assert.deepEqual(cronJobs.validate!(cronJob({ timeZone: 'Mars/Olympus' })).map(formatFieldError), ['spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus']);
  assert.deepEqual(cronJobs.validate!(cronJob({ timeZone: 'Europe/Berlin' })), []);
  assert.deepEqual(cronJobs.validate!(cronJob({ schedule: 'every minute' })).map(formatFieldError), ['spec.schedule: Invalid value: "every minute": expected exactly 5 fields, found 2: [every minute]']);
  const sel = cronJob();
  sel.spec!.jobTemplate.spec!.selector = { matchLabels: { a: 'b' } };
  assert.ok(cronJobs.validate!(sel).map(formatFieldError)[0]!.endsWith('`selector` will be auto-generated'));
});

test('CronJob printer: Schedule, Timezone, Suspend, Active, Last Schedule', () => {
  const cj = cronJob();
  cj.status = { active: [{ name: 'tick-1' }], lastScheduleTime: '2025-01-01T00:09:00Z' };
  cj.metadata.creationTimestamp = '2025-01-01T00:00:00Z';
  const cells = cronJobs.printerColumns!.map((c) => c.cell(cj, Date.parse('2025-01-01T00:10:00Z')));
  assert.deepEqual(cells, ['*/1 * * * *', '<none>', 'False', 1, '60s', '10m', 'c', 'busybox', '<none>']);
});
