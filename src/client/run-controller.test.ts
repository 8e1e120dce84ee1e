import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runController, type Controller } from './run-controller.js';
import { workQueue } from './work-queue.js';
import { conflict } from '../api/errors.js';
import { silentLogger } from '../base/log.js';

function source(synced: Promise<void>) {
  let done = false;
  void synced.then(() => { done = true; });
  return { hasSynced: () => done, waitForSync: () => synced };
}

test('waits for caches, syncs keys, retries failures with backoff, forgets on success, stops on abort', async () => {
  let release!: () => void;
  const synced = new Promise<void>((r) => { release = r; });
  const queue = workQueue();
  const calls: string[] = [];
  let failuresLeft = 2;
  const ac = new AbortController();
  const controller: Controller = {
    name: 'test', queue, informers: [source(synced)],
    async sync(key) {
      calls.push(key);
      if (key === 'flaky' && failuresLeft-- > 0) throw new Error('boom');
      if (key === 'racy' && failuresLeft === -1) { failuresLeft--; throw conflict({ resource: 'pods', name: 'racy' }); }
      if (calls.length >= 6) ac.abort();
    },
  };
  queue.add('a'); queue.add('flaky');
  const running = runController(controller, ac.signal, { log: silentLogger, workers: 2 });
  await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(calls, [], 'no sync before the caches have synced');
  release();
  while (calls.filter((c) => c === 'flaky').length < 3) await new Promise((r) => setTimeout(r, 2));
  queue.add('racy');
  await running;
  assert.deepEqual(calls, ['a', 'flaky', 'flaky', 'flaky', 'racy', 'racy']);
  assert.equal(queue.numRequeues('flaky'), 0, 'forgotten after success');
  assert.equal(queue.isShuttingDown(), true);
});

test('never runs one key on two workers at once', async () => {
  const queue = workQueue();
  let inFlight = 0;
  let maxInFlight = 0;
  let n = 0;
  const ac = new AbortController();
  const controller: Controller = {
    name: 'test', queue, informers: [],
    async sync() {
      inFlight++; maxInFlight = Math.max(maxInFlight, inFlight);
      if (++n < 5) queue.add('k');
      await new Promise((r) => setTimeout(r, 2));
      inFlight--;
      if (n >= 5) ac.abort();
    },
  };
  queue.add('k');
  await runController(controller, ac.signal, { log: silentLogger, workers: 4 });
  assert.equal(maxInFlight, 1);
  assert.equal(n, 5);
});
