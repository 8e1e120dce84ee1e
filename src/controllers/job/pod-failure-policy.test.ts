import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PodObject } from '../../api/resources/index.js';
import { rfc3339 } from '../../base/clock.js';
import { matchPodFailurePolicy } from './pod-failure-policy.js';

const t0 = Date.parse('2025-01-01T00:00:00Z');
const finished = (name: string, phase: string, at: number, exitCode = 1): PodObject => ({
  metadata: { name, namespace: 'ns', uid: name },
  spec: { containers: [] },
  status: { phase, containerStatuses: [{ name: 'c', image: 'i', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode, finishedAt: rfc3339(at) } } }] },
});

test('podFailurePolicy: first matching rule decides; Ignore does not count; conditions match', () => {
  const policy = { rules: [
    { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
    { action: 'FailJob', onExitCodes: { containerName: 'c', operator: 'NotIn', values: [1, 2] } },
  ] };
  const p = finished('p', 'Failed', t0, 3);
  assert.deepEqual(matchPodFailurePolicy(policy, p), { countFailed: true, action: 'FailJob', message: 'Container c for pod ns/p failed with exit code 3 matching FailJob rule at index 1' });
  assert.deepEqual(matchPodFailurePolicy(policy, finished('q', 'Failed', t0, 2)), { countFailed: true });
  const disrupted = finished('r', 'Failed', t0, 3);
  disrupted.status!.conditions = [{ type: 'DisruptionTarget', status: 'True' }];
  assert.deepEqual(matchPodFailurePolicy(policy, disrupted), { countFailed: false, action: 'Ignore' });
});
