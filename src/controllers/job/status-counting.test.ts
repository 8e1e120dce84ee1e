import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PodObject } from '../../api/resources/index.js';
import { rfc3339 } from '../../base/clock.js';
import { moveCounted } from './controller.js';


test('uncounted uids without a finalizer move into the counters', () => {
  const status = { succeeded: 2, failed: 1, uncountedTerminatedPods: { succeeded: ['a', 'b'], failed: ['c'] } };
  moveCounted(status, new Set(['b']));
  assert.deepEqual(status, { succeeded: 3, failed: 2, uncountedTerminatedPods: { succeeded: ['b'] } });
});
