import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { silentLogger } from '../base/log.js';
import { sleep } from '../base/async.js';
import { awaitBeforeStop } from './pod-worker.js';

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
