import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cronJobs, jobs, type CronJobObject, type JobObject } from '../../api/resources/index.js';
import { newControllerRef } from '../../client/controller-ref.js';
import type { WorkQueue } from '../../client/work-queue.js';
import type { ControllerDeps } from '../controller-deps.js';
import { fixture } from '../testing/fixture.js';
import { cronJobController, jobFromTemplate } from './controller.js';

const t0 = Date.parse('2025-01-01T00:00:00Z');

function cron(spec: Partial<NonNullable<CronJobObject['spec']>> = {}, status?: CronJobObject['status']): CronJobObject {
  return {
    metadata: { name: 'hello', namespace: 'default', uid: 'cj-uid', creationTimestamp: '2024-12-31T23:58:00Z' },
    spec: {
      schedule: '*/5 * * * *', concurrencyPolicy: 'Allow', suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1,
      jobTemplate: { metadata: { labels: { app: 'hello' } }, spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox' }] } } } },
      ...spec,
    },
    ...(status ? { status } : {}),
  };
}

function ownedJob(name: string, opts: { done?: 'Complete' | 'Failed'; start?: string; completion?: string } = {}): JobObject {
  return {
    metadata: { name, namespace: 'default', uid: `uid-${name}`, ownerReferences: [newControllerRef(cron(), cronJobs)] },
    spec: { template: {} },
    status: {
      ...(opts.start ? { startTime: opts.start } : {}),
      ...(opts.completion ? { completionTime: opts.completion } : {}),
      ...(opts.done ? { conditions: [{ type: opts.done, status: 'True' }] } : {}),
    },
  };
}

function spying(deps: ControllerDeps, delays: [string, number][]): ControllerDeps {
  const q = deps.queue;
  const queue: WorkQueue = { ...q, addAfter(key, ms) { delays.push([key, ms]); q.addAfter(key, ms); } };
  return { ...deps, queue };
}

test('the Job of an activation: name in minutes, scheduled-timestamp annotation in the zone, owner and labels', () => {
  const j = jobFromTemplate(cron({ timeZone: 'Asia/Tokyo' }), t0);
  assert.equal(j.metadata.name, `hello-${t0 / 60000}`);
  assert.deepEqual(j.metadata.annotations, { 'batch.kubernetes.io/cronjob-scheduled-timestamp': '2025-01-01T09:00:00+09:00' });
  assert.deepEqual(j.metadata.labels, { app: 'hello' });
  assert.deepEqual(j.metadata.ownerReferences, [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'hello', uid: 'cj-uid', controller: true, blockOwnerDeletion: true }]);
});

test('creates the Job of the due activation, records it as active and requeues for the next one', async () => {
  const delays: [string, number][] = [];
  const f = await fixture((d) => cronJobController(spying(d, delays)), [[cronJobs, cron()]]);
  f.clock.set(t0 + 10_000);
  await f.sync('default/hello');
  assert.deepEqual(f.actions(), [`create jobs default/hello-${t0 / 60000}`, 'update cronjobs/status default/hello']);
  const status = f.client.peek(cronJobs, 'default', 'hello')!.status!;
  assert.equal(status.lastScheduleTime, '2025-01-01T00:00:00Z');
  assert.deepEqual(status.active!.map((r) => [r.kind, r.name, r.apiVersion]), [['Job', `hello-${t0 / 60000}`, 'batch/v1']]);
  assert.deepEqual(delays, [['default/hello', 290_000 + 100]]);
  assert.deepEqual(await f.events(), [`Normal SuccessfulCreate Created job hello-${t0 / 60000}`]);
  f.clearActions();
  await f.sync('default/hello');
  assert.deepEqual(f.actions(), [], 'the same activation is not run twice');
  await f.stop();
});

test('nothing due: no write, just the requeue', async () => {
  const delays: [string, number][] = [];
  const f = await fixture((d) => cronJobController(spying(d, delays)), [[cronJobs, cron({}, { lastScheduleTime: '2025-01-01T00:00:00Z' })]]);
  f.clock.set(t0 + 60_000);
  await f.sync('default/hello');
  assert.deepEqual(f.actions(), []);
  assert.deepEqual(delays, [['default/hello', 240_100]]);
  await f.stop();
});

test('Forbid skips while a Job is active; Replace deletes it first', async () => {
  const running = ownedJob('hello-old');
  const active = [{ kind: 'Job', name: 'hello-old', namespace: 'default', uid: 'uid-hello-old', apiVersion: 'batch/v1' }];
  const f = await fixture(cronJobController, [[cronJobs, cron({ concurrencyPolicy: 'Forbid' }, { active, lastScheduleTime: '2024-12-31T23:55:00Z' })], [jobs, running]]);
  f.clock.set(t0 + 1000);
  await f.sync('default/hello');
  assert.deepEqual(f.actions(), []);
  assert.deepEqual(await f.events(), ['Normal JobAlreadyActive Not starting job because prior execution is running and concurrency policy is Forbid']);
  await f.stop();

  const g = await fixture(cronJobController, [[cronJobs, cron({ concurrencyPolicy: 'Replace' }, { active, lastScheduleTime: '2024-12-31T23:55:00Z' })], [jobs, running]]);
  g.clock.set(t0 + 1000);
  await g.sync('default/hello');
  assert.deepEqual(g.actions(), ['delete jobs default/hello-old', `create jobs default/hello-${t0 / 60000}`, 'update cronjobs/status default/hello']);
  assert.deepEqual(g.writes()[0]!.options, { propagationPolicy: 'Background' });
  assert.deepEqual(g.client.peek(cronJobs, 'default', 'hello')!.status!.active!.map((r) => r.name), [`hello-${t0 / 60000}`]);
  await g.stop();
});

test('a finished Job leaves status.active, sets lastSuccessfulTime, and history beyond the limits is deleted oldest first', async () => {
  const active = [{ kind: 'Job', name: 'hello-4', namespace: 'default', uid: 'uid-hello-4', apiVersion: 'batch/v1' }];
  const f = await fixture(cronJobController, [
    [cronJobs, cron({ successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 0 }, { active, lastScheduleTime: '2025-01-01T00:00:00Z' })],
    [jobs,
      ownedJob('hello-1', { done: 'Complete', start: '2024-12-31T20:00:00Z', completion: '2024-12-31T20:01:00Z' }),
      ownedJob('hello-2', { done: 'Failed', start: '2024-12-31T21:00:00Z' }),
      ownedJob('hello-3', { done: 'Complete', start: '2024-12-31T22:00:00Z', completion: '2024-12-31T22:01:00Z' }),
      ownedJob('hello-4', { done: 'Complete', start: '2024-12-31T23:00:00Z', completion: '2024-12-31T23:01:00Z' })],
  ]);
  f.clock.set(t0 + 1000);
  await f.sync('default/hello');
  assert.deepEqual(f.actions(), ['delete jobs default/hello-1', 'delete jobs default/hello-3', 'delete jobs default/hello-2', 'update cronjobs/status default/hello']);
  const status = f.client.peek(cronJobs, 'default', 'hello')!.status!;
  assert.equal(status.active, undefined);
  assert.equal(status.lastSuccessfulTime, '2024-12-31T23:01:00Z');
  assert.ok((await f.events()).includes('Normal SawCompletedJob Saw completed job: hello-4, condition: Complete'));
  await f.stop();
});

test('startingDeadlineSeconds: a too-late activation is skipped with MissSchedule; too many misses warn', async () => {
  const f = await fixture(cronJobController, [[cronJobs, cron({ schedule: '0 * * * *', startingDeadlineSeconds: 60 }, { lastScheduleTime: '2024-12-31T23:00:00Z' })]]);
  f.clock.set(t0 + 61_000);
  await f.sync('default/hello');
  assert.deepEqual(f.actions(), []);
  await f.stop();

  const g = await fixture(cronJobController, [[cronJobs, cron({ schedule: '* * * * *' })]]);
  g.clock.set(t0 + 200 * 60_000);
  await g.sync('default/hello');
  assert.deepEqual(g.actions(), [`create jobs default/hello-${t0 / 60000 + 200}`, 'update cronjobs/status default/hello']);
  assert.ok((await g.events()).includes('Warning TooManyMissedTimes too many missed start times: 202. Set or decrease .spec.startingDeadlineSeconds or check clock skew'));
  await g.stop();
});

test('suspended CronJobs and unparseable schedules create nothing', async () => {
  const f = await fixture(cronJobController, [[cronJobs, cron({ suspend: true })]]);
  f.clock.set(t0 + 1000);
  await f.sync('default/hello');
  assert.deepEqual(f.actions(), []);
  await f.stop();
  const g = await fixture(cronJobController, [[cronJobs, cron({ timeZone: 'Mars/Olympus' })]]);
  g.clock.set(t0 + 1000);
  await g.sync('default/hello');
  assert.deepEqual(g.actions(), []);
  assert.deepEqual(await g.events(), ['Warning UnknownTimeZone invalid timeZone: "Mars/Olympus": unknown time zone Mars/Olympus']);
  await g.stop();
});
