import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Expectations, expectationsTimeoutMs } from './expectations.js';
import { FakeClock } from '../base/clock.js';

test('satisfied once creations and deletions are observed, or after the timeout', () => {
  const clock = new FakeClock();
  const e = new Expectations(clock);
  assert.equal(e.satisfied('ns/a'), true);
  e.expect('ns/a', 2, ['u1']);
  assert.equal(e.satisfied('ns/a'), false);
  e.creationObserved('ns/a');
  e.creationObserved('ns/a');
  assert.equal(e.satisfied('ns/a'), false);
  e.deletionObserved('ns/a', 'u1');
  assert.equal(e.satisfied('ns/a'), true);
  e.expect('ns/a', 1);
  clock.advance(expectationsTimeoutMs + 1);
  assert.equal(e.satisfied('ns/a'), true);
  e.expect('ns/b', 3);
  e.lowerCreations('ns/b', 3);
  assert.equal(e.satisfied('ns/b'), true);
  e.forget('ns/b');
  assert.equal(e.pending('ns/b'), undefined);
});
