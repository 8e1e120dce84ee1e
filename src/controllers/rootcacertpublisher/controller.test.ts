import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rootCaConfigMapFor } from './controller.js';

test('the published ConfigMap carries the CA under ca.crt with upstream\'s description', () => {
  const cm = rootCaConfigMapFor('team-a', 'PEM');
  assert.equal(cm.metadata.name, 'kube-root-ca.crt');
  assert.equal(cm.metadata.namespace, 'team-a');
  assert.deepEqual(cm.data, { 'ca.crt': 'PEM' });
  assert.match(cm.metadata.annotations!['kubernetes.io/description']!, /CA bundle/);
});
