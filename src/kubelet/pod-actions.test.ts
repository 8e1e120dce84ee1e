import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { FakeClock } from '../base/index.js';
import { Backoff } from './backoff.js';
import { containerHash } from './container-config.js';
import { computePodActions } from './pod-actions.js';
import type { PodRuntimeState, RuntimeContainer, RuntimeSandbox } from './runtime-state.js';

const t0 = Date.parse('2025-01-01T00:00:00Z');
const app = { name: 'app', image: 'nginx:1.20' };
const pod = (spec: Partial<NonNullable<Pod['spec']>> = {}): Pod => ({ metadata: { name: 'p', namespace: 'default', uid: 'u1' }, spec: { containers: [app], ...spec } });
const sb = (over: Partial<RuntimeSandbox> = {}): RuntimeSandbox => ({ id: 's1', attempt: 0, ready: true, createdAt: t0, ips: ['10.42.0.5'], namespace: 'default', name: 'p', uid: 'u1', ...over });
const ctr = (over: Partial<RuntimeContainer>): RuntimeContainer => ({
  id: 'c1', sandboxId: 's1', name: 'app', restartCount: 0, hash: containerHash(app), state: 'CONTAINER_RUNNING', createdAt: t0,
  startedAt: t0, finishedAt: 0, exitCode: 0, reason: '', message: '', image: 'nginx', imageRef: '', logPath: '', ...over,
});
const st = (sandboxes: RuntimeSandbox[], containers: RuntimeContainer[] = []): PodRuntimeState => ({ sandboxes, containers });

test('new pod: create the sandbox and start the first init container only', () => {
  const a = computePodActions(pod({ initContainers: [{ name: 'i1', image: 'x' }, { name: 'i2', image: 'x' }] }), st([]), new Backoff(new FakeClock()));
  assert.equal(a.createSandbox, true);
  assert.equal(a.sandboxAttempt, 0);
  assert.deepEqual(a.start.map((s) => s.container.name), ['i1']);
});

test('init containers run in order; the app starts after the last succeeded', () => {
  const p = pod({ initContainers: [{ name: 'i1', image: 'x' }, { name: 'i2', image: 'x' }] });
  const b = new Backoff(new FakeClock());
  let a = computePodActions(p, st([sb()], [ctr({ id: 'i1', name: 'i1', state: 'CONTAINER_EXITED' })]), b);
  assert.deepEqual(a.start.map((s) => s.container.name), ['i2']);
  a = computePodActions(p, st([sb()], [ctr({ id: 'i2', name: 'i2', state: 'CONTAINER_RUNNING' }), ctr({ id: 'i1', name: 'i1', state: 'CONTAINER_EXITED' })]), b);
  assert.deepEqual(a.start, []);
  a = computePodActions(p, st([sb()], [ctr({ id: 'i2', name: 'i2', state: 'CONTAINER_EXITED' }), ctr({ id: 'i1', name: 'i1', state: 'CONTAINER_EXITED' })]), b);
  assert.deepEqual(a.start.map((s) => [s.container.name, s.type]), [['app', 'regular']]);
});

test('crash: first restart at once, then CrashLoopBackOff until the back-off passes', () => {
  const clock = new FakeClock(t0 + 10_000);
  const b = new Backoff(clock);
  const dead = ctr({ state: 'CONTAINER_EXITED', exitCode: 1, finishedAt: clock.now() });
  let a = computePodActions(pod(), st([sb()], [dead]), b);
  assert.deepEqual(a.start.map((s) => s.restartCount), [1]);
  const dead2 = ctr({ id: 'c2', restartCount: 1, state: 'CONTAINER_EXITED', exitCode: 1, finishedAt: clock.now() });
  a = computePodActions(pod(), st([sb()], [dead2, dead]), b);
  assert.deepEqual(a.start, []);
  assert.equal(a.waiting.get('app')?.reason, 'CrashLoopBackOff');
  assert.equal(a.waiting.get('app')?.message, 'back-off 10s restarting failed container=app pod=p_default(u1)');
  assert.equal(a.requeueAfterMs, 10_000);
  clock.advance(10_000);
  a = computePodActions(pod(), st([sb()], [dead2, dead]), b);
  assert.deepEqual(a.start.map((s) => s.restartCount), [2]);
});

test('restart policies: Never leaves a failed container and stops the sandbox; OnFailure keeps successes', () => {
  const b = new Backoff(new FakeClock());
  const failed = ctr({ state: 'CONTAINER_EXITED', exitCode: 1 });
  let a = computePodActions(pod({ restartPolicy: 'Never' }), st([sb()], [failed]), b);
  assert.deepEqual(a.start, []);
  assert.deepEqual(a.stopSandboxes, ['s1']);
  const ok = ctr({ state: 'CONTAINER_EXITED', exitCode: 0 });
  a = computePodActions(pod({ restartPolicy: 'OnFailure' }), st([sb()], [ok]), b);
  assert.deepEqual(a.start, []);
  // Once done and the sandbox stopped, nothing starts over.
  a = computePodActions(pod({ restartPolicy: 'OnFailure' }), st([sb({ ready: false })], [ok]), b);
  assert.equal(a.createSandbox, false);
});

test('a changed image replaces the running container; a dead sandbox is recreated with the next attempt', () => {
  const b = new Backoff(new FakeClock());
  const running = ctr({ hash: 'old-hash' });
  let a = computePodActions(pod(), st([sb()], [running]), b);
  assert.deepEqual(a.killContainers.map((k) => k.reason), ['Container spec hash changed']);
  assert.deepEqual(a.start.map((s) => s.restartCount), [1]);
  a = computePodActions(pod(), st([sb({ ready: false, attempt: 2 })], [ctr({})]), b);
  assert.equal(a.createSandbox, true);
  assert.equal(a.sandboxAttempt, 3);
  assert.deepEqual(a.killContainers.map((k) => k.id), ['c1']);
  assert.deepEqual(a.start.map((s) => s.restartCount), [1]);
});

test('old exited runs beyond the last two are removed', () => {
  const runs = [3, 2, 1, 0].map((n) => ctr({ id: `c${n}`, restartCount: n, state: n === 3 ? 'CONTAINER_RUNNING' : 'CONTAINER_EXITED', createdAt: t0 + n }));
  const a = computePodActions(pod(), st([sb()], runs), new Backoff(new FakeClock()));
  assert.deepEqual(a.removeContainers, ['c1', 'c0']);
});
