import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PodObject } from '../../api/resources/index.js';
import { rfc3339 } from '../../base/clock.js';
import { backoffRemainingMs, nextBackoffRecord, podFinishTime } from './backoff.js';

const t0 = Date.parse('2025-01-01T00:00:00Z');
const finished = (name: string, phase: string, at: number, exitCode = 1): PodObject => ({
  metadata: { name, namespace: 'ns', uid: name },
  spec: { containers: [] },
  status: { phase, containerStatuses: [{ name: 'c', image: 'i', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode, finishedAt: rfc3339(at) } } }] },
});

test('pod failure backoff doubles from 10 s and is capped at 10 minutes', () => {
  let rec = nextBackoffRecord(undefined, [], [finished('a', 'Failed', t0)], t0);
  assert.deepEqual(rec, { failuresAfterLastSuccess: 1, lastFailureTime: t0 });
  assert.equal(backoffRemainingMs(rec, t0 + 3000), 7000);
  rec = nextBackoffRecord(rec, [], [finished('b', 'Failed', t0 + 1000)], t0);
  assert.equal(backoffRemainingMs(rec, t0 + 1000), 20_000);
  rec = { failuresAfterLastSuccess: 12, lastFailureTime: t0 };
  assert.equal(backoffRemainingMs(rec, t0), 600_000);
  assert.equal(backoffRemainingMs(rec, t0 + 600_000), 0);
});

test('a success resets the backoff to failures after it', () => {
  const rec = nextBackoffRecord({ failuresAfterLastSuccess: 4, lastFailureTime: t0 }, [finished('s', 'Succeeded', t0 + 5000, 0)], [finished('f', 'Failed', t0 + 9000)], t0);
  assert.deepEqual(rec, { failuresAfterLastSuccess: 1, lastFailureTime: t0 + 9000 });
  assert.deepEqual(nextBackoffRecord(rec, [finished('s2', 'Succeeded', t0 + 10_000, 0)], [], t0), { failuresAfterLastSuccess: 0 });
});

test('finish time falls back to the Ready=False transition, then to now', () => {
  const p: PodObject = { metadata: {}, status: { phase: 'Failed', conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: '2025-01-01T00:00:07Z' }] } };
  assert.equal(podFinishTime(p, 0), t0 + 7000);
  assert.equal(podFinishTime({ metadata: {}, status: { phase: 'Failed' } }, 42), 42);
});
