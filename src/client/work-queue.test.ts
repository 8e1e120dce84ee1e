import { test } from 'node:test';
import assert from 'node:assert/strict';
import { workQueue, defaultRateLimiter } from './work-queue.js';
import { FakeClock } from '../base/clock.js';
import { sleep } from '../base/async.js';

test('de-duplicates keys waiting in the queue', async () => {
  const q = workQueue();
  q.add('a'); q.add('b'); q.add('a');
  assert.equal(q.len(), 2);
  assert.equal(await q.get(), 'a');
  assert.equal(await q.get(), 'b');
  assert.equal(q.len(), 0);
  q.done('a'); q.done('b');
  await q.shutDown();
});

test('a key being processed is not handed out again until done', async () => {
  const q = workQueue();
  q.add('a');
  const k = await q.get();
  assert.equal(k, 'a');
  q.add('a');
  assert.equal(q.len(), 0, 're-added while processing waits for done');
  q.done('a');
  assert.equal(q.len(), 1);
  assert.equal(await q.get(), 'a');
  q.done('a');
  await q.shutDown();
});

test('get waits for an add and returns undefined after shutdown', async () => {
  const q = workQueue();
  const p = q.get();
  q.add('x');
  assert.equal(await p, 'x');
  q.done('x');
  const waiting = q.get();
  await q.shutDown();
  assert.equal(await waiting, undefined);
  q.add('y');
  assert.equal(await q.get(), undefined);
});

test('get resolves undefined when its signal aborts', async () => {
  const q = workQueue();
  const ac = new AbortController();
  const p = q.get(ac.signal);
  ac.abort();
  assert.equal(await p, undefined);
  q.add('z');
  assert.equal(await q.get(), 'z', 'the aborted waiter did not swallow the key');
  q.done('z');
  await q.shutDown();
});

test('addAfter delivers later and keeps the earliest time', async () => {
  const q = workQueue();
  q.addAfter('a', 40);
  q.addAfter('a', 10);
  q.addAfter('b', 200);
  assert.equal(q.len(), 0);
  await sleep(30);
  assert.equal(q.len(), 1);
  assert.equal(await q.get(), 'a');
  q.done('a');
  await q.shutDown();
});

test('shutDown waits for keys being processed', async () => {
  const q = workQueue();
  q.add('a');
  await q.get();
  let finished = false;
  const stopping = q.shutDown().then(() => { finished = true; });
  await sleep(5);
  assert.equal(finished, false);
  q.done('a');
  await stopping;
  assert.equal(finished, true);
});

test('rate limiter: per-item exponential backoff from 5 ms, capped, and forget', () => {
  const clock = new FakeClock();
  const rl = defaultRateLimiter({ clock, maxDelayMs: 100 });
  assert.deepEqual([rl.when('a'), rl.when('a'), rl.when('a'), rl.when('a')], [5, 10, 20, 40]);
  assert.equal(rl.when('b'), 5);
  rl.when('a'); rl.when('a');
  assert.equal(rl.when('a'), 100);
  assert.equal(rl.failures('a'), 7);
  rl.forget('a');
  assert.equal(rl.when('a'), 5);
});

test('rate limiter: the overall bucket (10 qps, burst 100) spaces a storm', () => {
  const clock = new FakeClock();
  const rl = defaultRateLimiter({ clock });
  for (let i = 0; i < 100; i++) assert.equal(rl.when(`k${i}`), 5);
  assert.equal(rl.when('k100'), 100);
  assert.equal(rl.when('k101'), 200);
  clock.advance(1000);
  assert.equal(rl.when('k102'), 5, 'one second refilled ten tokens');
});
