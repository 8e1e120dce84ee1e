import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileJsonPath, evaluateJsonPath } from './jsonpath.js';

const obj = {
  spec: { replicas: 3, containers: [{ name: 'a', image: 'nginx' }, { name: 'b', image: 'busybox' }] },
  status: { conditions: [{ type: 'Ready', status: 'True' }, { type: 'Synced', status: 'False' }] },
  metadata: { labels: { 'app.kubernetes.io/name': 'web' } },
};
const run = (p: string) => evaluateJsonPath(compileJsonPath(p), obj);

test('field, index, wildcard and filter paths', () => {
  assert.deepEqual(run('.spec.replicas'), [3]);
  assert.deepEqual(run('{.spec.containers[1].name}'), ['b']);
  assert.deepEqual(run('.spec.containers[-1].image'), ['busybox']);
  assert.deepEqual(run('.spec.containers[*].image'), ['nginx', 'busybox']);
  assert.deepEqual(run('.status.conditions[?(@.type=="Ready")].status'), ['True']);
  assert.deepEqual(run(".metadata.labels['app.kubernetes.io/name']"), ['web']);
  assert.deepEqual(run('..image'), ['nginx', 'busybox']);
  assert.deepEqual(run('.spec.missing'), []);
});
