import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { silentLogger } from '../base/log.js';
import { sleep } from '../base/async.js';
import { systemClock } from '../base/clock.js';
import { awaitBeforeStop, createPodWorker } from './pod-worker.js';
import type { CriClient } from './cri/client.js';
import type { RuntimeCache } from './runtime-cache.js';
import type { PodRuntimeState } from './runtime-state.js';
import { nodeRuntimeConfig } from './node-config.js';

const pod: Pod = { metadata: { namespace: 'default', name: 'web-1', deletionTimestamp: '2025-01-01T00:00:00Z' } };

test('a deleted pod waits for the hook, and no longer than it takes', async () => {
  let seen: Pod | undefined;
  const waited = await awaitBeforeStop(async (p) => { seen = p; await sleep(50); }, pod, 2000, silentLogger);
  assert.equal(seen, pod);
  assert.ok(waited >= 45 && waited < 1000, `waited ${waited} ms`);
});

test('the wait is bounded by the timeout, and the hook is told to stop waiting', async () => {
  let hookSignal: AbortSignal | undefined;
  const waited = await awaitBeforeStop((_p, s) => { hookSignal = s; return new Promise(() => undefined); }, pod, 100, silentLogger);
  assert.ok(waited >= 95 && waited < 1000, `waited ${waited} ms`);
  assert.equal(hookSignal?.aborted, true);
});

test('a failing hook does not hold the pod', async () => {
  const waited = await awaitBeforeStop(() => Promise.reject(new Error('proxy gone')), pod, 2000, silentLogger);
  assert.ok(waited < 500);
});

test('the caller aborting ends the wait with its reason', async () => {
  const ctl = new AbortController();
  const reason = new Error('kubelet stopping');
  setTimeout(() => ctl.abort(reason), 30);
  await assert.rejects(awaitBeforeStop(() => new Promise(() => undefined), pod, 2000, silentLogger, ctl.signal), (err) => err === reason);
});

/** A pod worker over a fake runtime holding one running container, recording what happens in order. */
function workerWithOneContainer(beforeStop?: (pod: Pod, signal: AbortSignal) => Promise<void>) {
  const events: string[] = [];
  const state: PodRuntimeState = {
    sandboxes: [{ id: 's1', attempt: 0, ready: true, createdAt: 1, ips: ['10.42.0.5'], namespace: 'default', name: 'web-1', uid: 'u1' }],
    containers: [{ id: 'c1', sandboxId: 's1', name: 'web', restartCount: 0, hash: '', state: 'CONTAINER_RUNNING', createdAt: 1, startedAt: 1, finishedAt: 0, exitCode: 0, reason: '', message: '', image: 'nginx', imageRef: 'nginx', logPath: '' }],
  };
  const cri = {
    runtime: {
      stopContainer: async (req: { containerId: string; timeout: number }) => { events.push(`stop ${req.containerId} ${req.timeout}`); },
      stopPodSandbox: async (req: { podSandboxId: string }) => { events.push(`stop sandbox ${req.podSandboxId}`); },
    },
  } as unknown as CriClient;
  const runtime = {
    state: async () => state,
    refreshSandbox: async () => undefined,
    refreshContainer: async () => undefined,
  } as unknown as RuntimeCache;
  const worker = createPodWorker({
    cri, runtime, clock: systemClock, log: silentLogger,
    node: nodeRuntimeConfig('/nonexistent', { nodeName: 'node-a', memoryCapacityBytes: 1 << 30 }),
    ...(beforeStop ? { beforeStop: async (p: Pod, s: AbortSignal) => { events.push('beforeStop'); await beforeStop(p, s); events.push('drained'); } } : {}),
  });
  return { worker, events };
}

test('terminate: a deleted pod is stopped only after beforeStop, with the wait taken from its grace period', async () => {
  const { worker, events } = workerWithOneContainer(() => sleep(1100));
  await worker.terminate({ ...pod, metadata: { ...pod.metadata, uid: 'u1' }, spec: { containers: [{ name: 'web' }] } }, 30);
  assert.deepEqual(events, ['beforeStop', 'drained', 'stop c1 29', 'stop sandbox s1']);
});

test('terminate: a pod that is not being deleted (finished, or stopped for another reason) does not wait', async () => {
  let called = false;
  const { worker, events } = workerWithOneContainer(async () => { called = true; });
  const finished: Pod = { metadata: { namespace: 'default', name: 'web-1', uid: 'u1' }, spec: { containers: [{ name: 'web' }] } };
  await worker.terminate(finished, 30);
  assert.equal(called, false);
  assert.deepEqual(events, ['stop c1 30', 'stop sandbox s1']);
});

test('terminate: a grace period of 0 (force delete) does not wait', async () => {
  let called = false;
  const { worker } = workerWithOneContainer(async () => { called = true; });
  await worker.terminate({ ...pod, metadata: { ...pod.metadata, uid: 'u1' }, spec: { containers: [{ name: 'web' }] } }, 0);
  assert.equal(called, false);
});
