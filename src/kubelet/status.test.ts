import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { computePodStatus } from './status.js';
import type { PodRuntimeState, RuntimeContainer } from './runtime-state.js';

const t0 = Date.parse('2025-01-01T00:00:00Z');
const pod = (spec: Partial<NonNullable<Pod['spec']>>): Pod => ({
  metadata: { name: 'p', namespace: 'default', uid: 'u1' },
  spec: { containers: [{ name: 'app', image: 'nginx' }], ...spec },
});
const sandbox = { id: 's1', attempt: 0, ready: true, createdAt: t0, ips: ['10.42.0.5'], namespace: 'default', name: 'p', uid: 'u1' };
function ctr(name: string, over: Partial<RuntimeContainer>): RuntimeContainer {
  return {
    id: `${name}-id`, sandboxId: 's1', name, restartCount: 0, hash: '', state: 'CONTAINER_RUNNING', createdAt: t0 + 1000,
    startedAt: t0 + 1000, finishedAt: 0, exitCode: 0, reason: '', message: '', image: 'nginx', imageRef: 'sha256:abc', logPath: '', ...over,
  };
}
const state = (...containers: RuntimeContainer[]): PodRuntimeState => ({ sandboxes: [sandbox], containers });

test('running container: phase Running, all conditions True, ids and times as Kubernetes writes them', () => {
  const s = computePodStatus({ pod: pod({}), runtime: state(ctr('app', {})), hostIP: '192.0.2.2', now: t0 + 2000 });
  assert.equal(s.phase, 'Running');
  assert.equal(s.podIP, '10.42.0.5');
  assert.deepEqual(s.podIPs, [{ ip: '10.42.0.5' }]);
  assert.equal(s.hostIP, '192.0.2.2');
  assert.equal(s.qosClass, 'BestEffort');
  assert.deepEqual(s.containerStatuses, [{
    name: 'app', image: 'nginx', imageID: 'sha256:abc', restartCount: 0, containerID: 'containerd://app-id',
    ready: true, started: true, state: { running: { startedAt: '2025-01-01T00:00:01Z' } }, lastState: {},
  }]);
  assert.deepEqual(s.conditions?.map((c) => [c.type, c.status]), [
    ['PodReadyToStartContainers', 'True'], ['Initialized', 'True'], ['Ready', 'True'], ['ContainersReady', 'True'], ['PodScheduled', 'True']]);
});

test('no container yet: ContainerCreating, Pending; with init containers: PodInitializing', () => {
  let s = computePodStatus({ pod: pod({}), runtime: state(), now: t0 });
  assert.equal(s.phase, 'Pending');
  assert.equal(s.containerStatuses?.[0]?.state?.waiting?.reason, 'ContainerCreating');
  const ready = s.conditions?.find((c) => c.type === 'Ready');
  assert.equal(ready?.reason, 'ContainersNotReady');
  assert.equal(ready?.message, 'containers with unready status: [app]');

  s = computePodStatus({ pod: pod({ initContainers: [{ name: 'init', image: 'x' }] }), runtime: state(ctr('init', {})), now: t0 });
  assert.equal(s.phase, 'Pending');
  assert.equal(s.containerStatuses?.[0]?.state?.waiting?.reason, 'PodInitializing');
  const init = s.conditions?.find((c) => c.type === 'Initialized');
  assert.deepEqual([init?.status, init?.reason, init?.message], ['False', 'ContainersNotInitialized', 'containers with incomplete status: [init]']);
});

test('crash loop: waiting CrashLoopBackOff with the dead run as lastState; phase stays Running', () => {
  const dead = ctr('app', { state: 'CONTAINER_EXITED', exitCode: 137, reason: 'OOMKilled', finishedAt: t0 + 5000, restartCount: 2 });
  const s = computePodStatus({
    pod: pod({}), runtime: state(dead), now: t0 + 6000,
    waiting: new Map([['app', { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container=app pod=p_default(u1)' }]]),
  });
  const c = s.containerStatuses![0]!;
  assert.equal(s.phase, 'Running');
  assert.equal(c.restartCount, 2);
  assert.equal(c.state?.waiting?.reason, 'CrashLoopBackOff');
  assert.equal(c.lastState?.terminated?.reason, 'OOMKilled');
  assert.equal(c.lastState?.terminated?.exitCode, 137);
  assert.equal(c.lastState?.terminated?.finishedAt, '2025-01-01T00:00:05Z');
});

test('completed job: Succeeded, Ready False with PodCompleted; failures with Never: Failed', () => {
  const done = ctr('app', { state: 'CONTAINER_EXITED', exitCode: 0, reason: 'Completed', finishedAt: t0 + 3000 });
  let s = computePodStatus({ pod: pod({ restartPolicy: 'Never' }), runtime: state(done), now: t0 + 4000 });
  assert.equal(s.phase, 'Succeeded');
  assert.deepEqual(s.conditions?.filter((c) => c.reason === 'PodCompleted').map((c) => c.type), ['Initialized', 'Ready', 'ContainersReady']);
  const failed = ctr('app', { state: 'CONTAINER_EXITED', exitCode: 2, reason: 'Error' });
  s = computePodStatus({ pod: pod({ restartPolicy: 'Never' }), runtime: state(failed), now: t0 });
  assert.equal(s.phase, 'Failed');
  s = computePodStatus({ pod: pod({ restartPolicy: 'OnFailure' }), runtime: state(failed), now: t0 });
  assert.equal(s.phase, 'Running');
  // A terminal phase never changes back.
  const p = pod({ restartPolicy: 'Always' });
  s = computePodStatus({ pod: { ...p, status: { phase: 'Failed' } }, runtime: state(ctr('app', {})), now: t0 });
  assert.equal(s.phase, 'Failed');
});

test('an init container failing with restartPolicy Never fails the pod', () => {
  const s = computePodStatus({
    pod: pod({ restartPolicy: 'Never', initContainers: [{ name: 'init', image: 'x' }] }),
    runtime: state(ctr('init', { state: 'CONTAINER_EXITED', exitCode: 1, reason: 'Error' })), now: t0,
  });
  assert.equal(s.phase, 'Failed');
});

test('lastTransitionTime is kept while a condition keeps its status; readiness comes from probes', () => {
  const p = pod({});
  const first = computePodStatus({ pod: p, runtime: state(ctr('app', {})), now: t0, readiness: new Map([['app', false]]) });
  assert.equal(first.conditions?.find((c) => c.type === 'Ready')?.status, 'False');
  const later = computePodStatus({ pod: { ...p, status: first }, runtime: state(ctr('app', {})), now: t0 + 60_000, readiness: new Map([['app', false]]) });
  assert.equal(later.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime, '2025-01-01T00:00:00Z');
  assert.equal(later.startTime, first.startTime);
  const ready = computePodStatus({ pod: { ...p, status: later }, runtime: state(ctr('app', {})), now: t0 + 120_000 });
  assert.equal(ready.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime, '2025-01-01T00:02:00Z');
});
