import { test } from 'node:test';
import assert from 'node:assert/strict';
import { messageForKind, protobufKinds } from './kinds.js';
import { loadProtobufSchema } from './schema.js';

test('every decodable kind names a message of the schema', () => {
  const schema = loadProtobufSchema();
  for (const k of protobufKinds) assert.equal(schema.type(k.message).name, k.kind, `${k.apiVersion} ${k.kind}`);
});

test('messageForKind maps group versions to upstream packages', () => {
  assert.equal(messageForKind('v1', 'ConfigMap'), 'k8s.io.api.core.v1.ConfigMap');
  assert.equal(messageForKind('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding'), 'k8s.io.api.rbac.v1.ClusterRoleBinding');
  assert.equal(messageForKind('autoscaling/v2', 'HorizontalPodAutoscaler'), 'k8s.io.api.autoscaling.v2.HorizontalPodAutoscaler');
  assert.equal(messageForKind('apps/v1', 'DeleteOptions'), 'k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions');
  assert.equal(messageForKind('apps/v1', 'ConfigMap'), undefined);
  assert.equal(messageForKind('example.com/v1', 'Widget'), undefined);
});
