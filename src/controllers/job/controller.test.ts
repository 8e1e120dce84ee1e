import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jobs, pods, type JobObject, type PodObject } from '../../api/resources/index.js';
import { newControllerRef } from '../../client/controller-ref.js';
import type { WorkQueue } from '../../client/work-queue.js';
import { rfc3339 } from '../../base/clock.js';
import type { ControllerDeps } from '../controller-deps.js';
import { fixture } from '../testing/fixture.js';
import { jobController } from './controller.js';
import { ttlAfterFinishedController } from './ttl-after-finished.js';
import { jobTrackingFinalizer } from './job-state.js';

const start = Date.parse('2025-01-01T00:00:00Z');
const uid = 'job-uid';
const labels = { 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': 'pi' };

function job(spec: Partial<NonNullable<JobObject['spec']>> = {}, status?: JobObject['status']): JobObject {
  return {
    metadata: { name: 'pi', namespace: 'default', uid, generation: 1 },
    spec: {
      completions: 1, parallelism: 1, backoffLimit: 6, completionMode: 'NonIndexed', suspend: false,
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } },
      template: { metadata: { labels }, spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl' }] } },
      ...spec,
    },
    ...(status ? { status } : {}),
  };
}

function pod(name: string, phase: string, opts: { finishedAt?: number; finalizer?: boolean; ready?: boolean; index?: number } = {}): PodObject {
  const idx: Record<string, string> = opts.index === undefined ? {} : { 'batch.kubernetes.io/job-completion-index': String(opts.index) };
  return {
    metadata: {
      name, namespace: 'default', uid: `uid-${name}`, labels: { ...labels, ...idx }, annotations: idx,
      ownerReferences: [newControllerRef(job(), jobs)],
      ...(opts.finalizer === false ? {} : { finalizers: [jobTrackingFinalizer] }),
    },
    spec: { nodeName: 'n1', restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl' }] },
    status: {
      phase,
      conditions: [{ type: 'Ready', status: opts.ready ? 'True' : 'False' }],
      ...(opts.finishedAt !== undefined ? { containerStatuses: [{
        name: 'pi', image: 'perl', imageID: '', ready: false, restartCount: 0,
        state: { terminated: { exitCode: phase === 'Succeeded' ? 0 : 1, finishedAt: rfc3339(opts.finishedAt) } },
      }] } : {}),
    },
  };
}

/** A queue that records addAfter calls. */
function spying(deps: ControllerDeps, delays: [string, number][]): ControllerDeps {
  const q = deps.queue;
  const queue: WorkQueue = { ...q, addAfter(key, ms) { delays.push([key, ms]); q.addAfter(key, ms); } };
  return { ...deps, queue };
}

test('creates parallelism pods with the tracking finalizer, owner and template labels', async () => {
  const f = await fixture(jobController, [[jobs, job({ completions: 5, parallelism: 2 })]]);
  await f.sync('default/pi');
  assert.deepEqual(f.actions(), ['create pods default/pi-', 'create pods default/pi-', 'update jobs/status default/pi']);
  const created = f.writes()[0]!.object as PodObject;
  assert.deepEqual(created.metadata.finalizers, [jobTrackingFinalizer]);
  assert.deepEqual(created.metadata.labels, labels);
  assert.deepEqual(created.metadata.ownerReferences, [{ apiVersion: 'batch/v1', kind: 'Job', name: 'pi', uid, controller: true, blockOwnerDeletion: true }]);
  const status = f.client.peek(jobs, 'default', 'pi')!.status!;
  assert.equal(status.active, 2);
  assert.equal(status.ready, 0);
  assert.equal(status.startTime, '2025-01-01T00:00:00Z');
  assert.deepEqual((await f.events()).filter((e) => e.startsWith('Normal SuccessfulCreate')).length, 2);
  f.clearActions();
  await f.sync('default/pi');
  assert.deepEqual(f.actions(), [], 'pods observed: nothing more to do, status unchanged');
  await f.stop();
});

test('a succeeded pod is recorded as uncounted, its finalizer removed, then counted and the Job completes', async () => {
  const f = await fixture(jobController, [
    [jobs, job({}, { startTime: '2025-01-01T00:00:00Z', active: 1, ready: 0 })],
    [pods, pod('pi-abc', 'Succeeded', { finishedAt: start })],
  ]);
  f.clock.advance(5000);
  await f.sync('default/pi');
  assert.deepEqual(f.actions(), ['update jobs/status default/pi', 'patch pods default/pi-abc', 'update jobs/status default/pi']);
  const first = f.writes()[0]!.object as JobObject;
  assert.deepEqual(first.status!.uncountedTerminatedPods, { succeeded: ['uid-pi-abc'] });
  assert.deepEqual(first.status!.conditions!.map((c) => [c.type, c.status, c.reason, c.message]),
    [['SuccessCriteriaMet', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods']]);
  assert.deepEqual(f.writes()[1]!.patch, [
    { op: 'test', path: '/metadata/finalizers/0', value: jobTrackingFinalizer },
    { op: 'remove', path: '/metadata/finalizers/0' },
  ]);
  const status = f.client.peek(jobs, 'default', 'pi')!.status!;
  assert.equal(status.succeeded, 1);
  assert.equal(status.active, 0);
  assert.deepEqual(status.uncountedTerminatedPods, {});
  assert.deepEqual(status.conditions!.map((c) => [c.type, c.status, c.reason]), [['SuccessCriteriaMet', 'True', 'CompletionsReached'], ['Complete', 'True', 'CompletionsReached']]);
  assert.equal(status.completionTime, '2025-01-01T00:00:05Z');
  assert.ok(!(f.client.peek(pods, 'default', 'pi-abc')!.metadata.finalizers ?? []).includes(jobTrackingFinalizer));
  assert.deepEqual(await f.events(), ['Normal Completed Job completed']);
  f.clearActions();
  await f.sync('default/pi');
  assert.deepEqual(f.actions(), [], 'a finished Job is left alone');
  await f.stop();
});

test('backoffLimit exceeded: FailureTarget first, then Failed with BackoffLimitExceeded and a Warning', async () => {
  const f = await fixture(jobController, [
    [jobs, job({ backoffLimit: 0 }, { startTime: '2025-01-01T00:00:00Z', active: 1 })],
    [pods, pod('pi-x', 'Failed', { finishedAt: start })],
  ]);
  await f.sync('default/pi');
  assert.deepEqual(f.actions(), ['update jobs/status default/pi', 'patch pods default/pi-x', 'update jobs/status default/pi']);
  assert.deepEqual((f.writes()[0]!.object as JobObject).status!.uncountedTerminatedPods, { failed: ['uid-pi-x'] });
  const status = f.client.peek(jobs, 'default', 'pi')!.status!;
  assert.equal(status.failed, 1);
  assert.deepEqual(status.conditions!.map((c) => [c.type, c.reason, c.message]), [
    ['FailureTarget', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'],
    ['Failed', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'],
  ]);
  assert.equal(status.completionTime, undefined);
  assert.deepEqual(await f.events(), ['Warning BackoffLimitExceeded Job has reached the specified backoff limit']);
  await f.stop();
});

test('a failed pod is replaced only after the pod failure backoff (10 s, doubling)', async () => {
  const delays: [string, number][] = [];
  const f = await fixture((d) => jobController(spying(d, delays)), [
    [jobs, job({}, { startTime: '2025-01-01T00:00:00Z', active: 1 })],
    [pods, pod('pi-a', 'Failed', { finishedAt: start })],
  ]);
  f.clock.advance(2000);
  await f.sync('default/pi');
  assert.deepEqual(f.actions(), ['update jobs/status default/pi', 'patch pods default/pi-a', 'update jobs/status default/pi']);
  assert.deepEqual(delays, [['default/pi', 8000]]);
  assert.equal(f.client.peek(jobs, 'default', 'pi')!.status!.failed, 1);
  f.clearActions();
  f.clock.advance(8000);
  await f.sync('default/pi');
  assert.deepEqual(f.actions(), ['create pods default/pi-', 'update jobs/status default/pi']);
  await f.stop();
});

test('activeDeadlineSeconds: active pods are deleted and the Job fails with DeadlineExceeded once they are gone', async () => {
  const delays: [string, number][] = [];
  const f = await fixture((d) => jobController(spying(d, delays)), [
    [jobs, job({ activeDeadlineSeconds: 10 }, { startTime: '2025-01-01T00:00:00Z', active: 1, ready: 1, terminating: 0, uncountedTerminatedPods: {} })],
    [pods, pod('pi-run', 'Running', { ready: true })],
  ]);
  f.clock.advance(4000);
  await f.sync('default/pi');
  assert.deepEqual(delays, [['default/pi', 6000]], 'rechecked when the deadline passes');
  assert.deepEqual(f.actions(), []);
  f.clock.advance(6000);
  await f.sync('default/pi');
  assert.deepEqual(f.actions(), ['delete pods default/pi-run', 'update jobs/status default/pi', 'patch pods default/pi-run', 'update jobs/status default/pi']);
  let status = f.client.peek(jobs, 'default', 'pi')!.status!;
  assert.deepEqual(status.conditions!.map((c) => [c.type, c.reason]), [['FailureTarget', 'DeadlineExceeded']]);
  assert.equal(status.failed, 1);
  assert.equal(status.terminating, 1);
  assert.equal(status.active, 0);
  // the kubelet finishes the pod (the fake drops it as soon as its last finalizer goes)
  if (f.client.peek(pods, 'default', 'pi-run')) await f.client.delete(pods, 'default', 'pi-run', { gracePeriodSeconds: 0 });
  await f.settle();
  f.clearActions();
  await f.sync('default/pi');
  assert.deepEqual(f.actions(), ['update jobs/status default/pi']);
  status = f.client.peek(jobs, 'default', 'pi')!.status!;
  assert.deepEqual(status.conditions!.map((c) => [c.type, c.reason, c.message]), [
    ['FailureTarget', 'DeadlineExceeded', 'Job was active longer than specified deadline'],
    ['Failed', 'DeadlineExceeded', 'Job was active longer than specified deadline'],
  ]);
  assert.ok((await f.events()).includes('Warning DeadlineExceeded Job was active longer than specified deadline'));
  await f.stop();
});

test('Indexed jobs create one pod per pending index with the index annotation, label, hostname and env', async () => {
  const f = await fixture(jobController, [
    [jobs, job({ completions: 3, parallelism: 2, completionMode: 'Indexed' }, { completedIndexes: '0', succeeded: 1 })],
  ]);
  await f.sync('default/pi');
  const creates = f.writes().filter((w) => w.verb === 'create').map((w) => w.object as PodObject);
  assert.deepEqual(creates.map((p) => p.metadata.generateName), ['pi-1-', 'pi-2-']);
  assert.equal(creates[0]!.metadata.annotations!['batch.kubernetes.io/job-completion-index'], '1');
  assert.equal(creates[0]!.metadata.labels!['batch.kubernetes.io/job-completion-index'], '1');
  assert.equal(creates[1]!.spec!.hostname, 'pi-2');
  assert.deepEqual(creates[0]!.spec!.containers[0]!.env, [{ name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } }]);
  await f.stop();
});

test('Indexed: a succeeded index is recorded in completedIndexes', async () => {
  const f = await fixture(jobController, [
    [jobs, job({ completions: 2, parallelism: 2, completionMode: 'Indexed' }, { startTime: '2025-01-01T00:00:00Z', active: 2 })],
    [pods, pod('pi-1-a', 'Succeeded', { finishedAt: start, index: 1 }), pod('pi-0-b', 'Running', { index: 0 })],
  ]);
  await f.sync('default/pi');
  assert.deepEqual(f.actions(), ['update jobs/status default/pi', 'patch pods default/pi-1-a']);
  const status = f.client.peek(jobs, 'default', 'pi')!.status!;
  assert.equal(status.completedIndexes, '1');
  assert.equal(status.succeeded, 1);
  assert.equal(status.active, 1);
  await f.stop();
});

test('suspend deletes active pods and sets Suspended; resuming resets startTime', async () => {
  const f = await fixture(jobController, [
    [jobs, job({ suspend: true }, { startTime: '2024-12-31T00:00:00Z', active: 1 })],
    [pods, pod('pi-s', 'Pending', {})],
  ]);
  await f.sync('default/pi');
  assert.deepEqual(f.actions(), ['patch pods default/pi-s', 'delete pods default/pi-s', 'update jobs/status default/pi']);
  let status = f.client.peek(jobs, 'default', 'pi')!.status!;
  assert.deepEqual(status.conditions!.map((c) => [c.type, c.status, c.reason, c.message]), [['Suspended', 'True', 'JobSuspended', 'Job suspended']]);
  assert.equal(status.active, 0);
  assert.ok((await f.events()).includes('Normal Suspended Job suspended'));
  const j = f.client.peek(jobs, 'default', 'pi')!;
  j.spec!.suspend = false;
  await f.client.update(jobs, j);
  await f.settle();
  f.clock.advance(60_000);
  f.clearActions();
  await f.sync('default/pi');
  status = f.client.peek(jobs, 'default', 'pi')!.status!;
  assert.deepEqual(status.conditions!.map((c) => [c.type, c.status, c.reason]), [['Suspended', 'False', 'JobResumed']]);
  assert.equal(status.startTime, '2025-01-01T00:01:00Z');
  await f.stop();
});

test('podFailurePolicy FailJob fails the Job with reason PodFailurePolicy', async () => {
  const failed = pod('pi-f', 'Failed', { finishedAt: start });
  failed.status!.containerStatuses![0]!.state!.terminated!.exitCode = 42;
  const f = await fixture(jobController, [
    [jobs, job({ podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [42] } }] }, podReplacementPolicy: 'Failed' })],
    [pods, failed],
  ]);
  await f.sync('default/pi');
  const status = f.client.peek(jobs, 'default', 'pi')!.status!;
  assert.deepEqual(status.conditions!.map((c) => [c.type, c.reason, c.message]), [
    ['FailureTarget', 'PodFailurePolicy', 'Container pi for pod default/pi-f failed with exit code 42 matching FailJob rule at index 0'],
    ['Failed', 'PodFailurePolicy', 'Container pi for pod default/pi-f failed with exit code 42 matching FailJob rule at index 0'],
  ]);
  await f.stop();
});

test('pods left with the finalizer by a deleted Job get it removed', async () => {
  const f = await fixture(jobController, [[pods, pod('pi-orphan', 'Succeeded', { finishedAt: start })]]);
  await f.sync('default/pi');
  assert.deepEqual(f.actions(), ['patch pods default/pi-orphan']);
  await f.stop();
});

test('ttlSecondsAfterFinished: deletes the Job in the foreground with a uid precondition once expired', async () => {
  const finished = job({ ttlSecondsAfterFinished: 30 }, {
    conditions: [{ type: 'Complete', status: 'True', lastTransitionTime: '2025-01-01T00:00:00Z' }],
  });
  const delays: [string, number][] = [];
  const f = await fixture((d) => ttlAfterFinishedController(spying(d, delays)), [[jobs, finished]]);
  f.clock.advance(10_000);
  await f.sync('default/pi');
  assert.deepEqual(f.actions(), []);
  assert.deepEqual(delays, [['default/pi', 20_000]]);
  f.clock.advance(20_000);
  await f.sync('default/pi');
  assert.deepEqual(f.actions(), ['delete jobs default/pi']);
  assert.deepEqual(f.writes()[0]!.options, { propagationPolicy: 'Foreground', preconditions: { uid } });
  await f.stop();
});
