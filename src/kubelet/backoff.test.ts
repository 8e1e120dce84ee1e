import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../base/index.js';
import { Backoff, formatDuration } from './backoff.js';

test('Backoff doubles from 10s to a 5m cap', () => {
  const clock = new FakeClock();
  const b = new Backoff(clock);
  const seen = [];
  for (let i = 0; i < 8; i++) seen.push(b.next('k'));
  assert.deepEqual(seen, [10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
});

test('Backoff: in back-off until the delay after the failure has passed', () => {
  const clock = new FakeClock();
  const b = new Backoff(clock);
  assert.equal(b.isInBackOffSince('k', clock.now()), false); // first failure restarts at once
  b.next('k');
  const died = clock.now();
  clock.advance(9_000);
  assert.equal(b.isInBackOffSince('k', died), true);
  assert.equal(b.remaining('k', died), 1_000);
  clock.advance(1_000);
  assert.equal(b.isInBackOffSince('k', died), false);
});

test('Backoff resets after 10 minutes without a failure', () => {
  const clock = new FakeClock();
  const b = new Backoff(clock);
  b.next('k'); b.next('k'); b.next('k');
  assert.equal(b.get('k'), 40_000);
  clock.advance(600_001);
  assert.equal(b.get('k'), 0);
  assert.equal(b.next('k'), 10_000);
  b.forgetPrefix('k');
  assert.equal(b.get('k'), 0);
});

test('formatDuration prints Go durations', () => {
  assert.equal(formatDuration(10_000), '10s');
  assert.equal(formatDuration(80_000), '1m20s');
  assert.equal(formatDuration(300_000), '5m0s');
});
