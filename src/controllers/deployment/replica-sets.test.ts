import { test } from 'node:test';
import assert from 'node:assert/strict';
import { equalIgnoreHash, resolveFenceposts, scaledValue } from './replica-sets.js';
import { computeHash, fnv32a, safeEncodeString } from './pod-template-hash.js';
import { setNewReplicaSetAnnotations } from './annotations.js';
import type { DeploymentObject, ReplicaSetObject } from '../../api/resources/index.js';

test('maxSurge rounds up, maxUnavailable rounds down, both zero → one unavailable', () => {
  assert.deepEqual(resolveFenceposts('25%', '25%', 10), { surge: 3, unavailable: 2 });
  assert.deepEqual(resolveFenceposts('25%', '25%', 1), { surge: 1, unavailable: 0 });
  assert.deepEqual(resolveFenceposts(0, '10%', 5), { surge: 0, unavailable: 1 });
  assert.deepEqual(resolveFenceposts(2, 0, 5), { surge: 2, unavailable: 0 });
  assert.equal(scaledValue('50%', 3, true), 2);
  assert.equal(scaledValue('50%', 3, false), 1);
});

test('FNV-32a and the safe encoding', () => {
  assert.equal(fnv32a(new TextEncoder().encode('')), 0x811c9dc5);
  assert.equal(fnv32a(new TextEncoder().encode('a')), 0xe40c292c);
  assert.equal(safeEncodeString('0123'), '4567');
  const t = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'i' }] } };
  assert.equal(computeHash(t), computeHash(structuredClone(t)));
  assert.notEqual(computeHash(t), computeHash(t, 1));
  assert.match(computeHash(t), /^[bcdfghjklmnpqrstvwxz2456789]{6,10}$/);
});

test('rolling back to an old set moves its revision to the top and keeps history', () => {
  const d = { metadata: { name: 'web', annotations: { team: 'a', 'kubectl.kubernetes.io/last-applied-configuration': '{}' } }, spec: { replicas: 3 } } as unknown as DeploymentObject;
  const rs = { metadata: { name: 'web-x', annotations: { 'deployment.kubernetes.io/revision': '1' } } } as ReplicaSetObject;
  assert.equal(setNewReplicaSetAnnotations(d, rs, 3, true, 1), true);
  assert.deepEqual(rs.metadata.annotations, { team: 'a', 'deployment.kubernetes.io/revision': '3', 'deployment.kubernetes.io/revision-history': '1' });
  setNewReplicaSetAnnotations(d, rs, 5, true, 1);
  assert.equal(rs.metadata.annotations!['deployment.kubernetes.io/revision-history'], '1,3');
});

test('templates equal up to null, {} and [] are equal (kubectl rollout undo sends resources: {} and creationTimestamp: null)', () => {
  const a = { metadata: { labels: { app: 'x', 'pod-template-hash': 'abc' } }, spec: { containers: [{ name: 'c', image: 'i' }] } };
  const b = { metadata: { creationTimestamp: null as unknown as string, labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'i', resources: {} }], volumes: [] } };
  assert.ok(equalIgnoreHash(a, b));
  assert.ok(!equalIgnoreHash(a, { ...b, spec: { containers: [{ name: 'c', image: 'j' }] } }));
});
