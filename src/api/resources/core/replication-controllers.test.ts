import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatFieldError } from '../../errors.js';
import { replicationControllers, type ReplicationControllerObject } from './replication-controllers.js';
import { bindings } from './bindings.js';
import { podTemplates } from './pod-templates.js';

test('RC defaults selector and labels from the template; mismatch is rejected with the upstream message', () => {
  const rc: ReplicationControllerObject = { metadata: { name: 'r' }, spec: { template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } };
  replicationControllers.defaults!(rc);
  assert.deepEqual(rc.spec!.selector, { app: 'web' });
  assert.deepEqual(rc.metadata.labels, { app: 'web' });
  assert.equal(rc.spec!.replicas, 1);
  assert.deepEqual(replicationControllers.validate!(rc), []);
  rc.spec!.selector = { app: 'other' };
  assert.deepEqual(replicationControllers.validate!(rc).map(formatFieldError), ['spec.template.metadata.labels: Invalid value: {"app":"web"}: `selector` does not match template `labels`']);
  rc.spec!.template!.spec!.restartPolicy = 'Never';
  assert.ok(replicationControllers.validate!(rc).map(formatFieldError).includes('spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"'));
});

test('RC generation bumps on spec change only, and scale maps spec.replicas/status.replicas', () => {
  const rc: ReplicationControllerObject = { metadata: { name: 'r' }, spec: { replicas: 1, selector: { a: 'b' } } };
  replicationControllers.prepareForCreate!(rc);
  assert.equal(rc.metadata.generation, 1);
  const meta = structuredClone(rc);
  meta.metadata.labels = { x: 'y' };
  replicationControllers.prepareForUpdate!(meta, rc);
  assert.equal(meta.metadata.generation, 1);
  const scaled = structuredClone(rc);
  scaled.spec!.replicas = 3;
  replicationControllers.prepareForUpdate!(scaled, rc);
  assert.equal(scaled.metadata.generation, 2);
  assert.equal(replicationControllers.subresources.scale!.specReplicasPath, 'spec.replicas');
  assert.equal(replicationControllers.fieldSelectors['status.replicas']!(rc), '0');
});

test('Binding is create-only, virtual, and needs a Node target with a name', () => {
  assert.deepEqual(bindings.verbs, ['create']);
  assert.equal(bindings.virtual, true);
  assert.deepEqual(bindings.validate!({ metadata: { name: 'p' }, target: { kind: 'Pod', name: '' } }).map(formatFieldError), [
    'target.kind: Unsupported value: "Pod": supported values: "Node", "<empty>"', 'target.name: Required value',
  ]);
  assert.deepEqual(bindings.validate!({ metadata: { name: 'p' }, target: { name: 'node-1' } }), []);
});

test('PodTemplate printer: containers, images, pod labels', () => {
  const t = { metadata: { name: 't' }, template: { metadata: { labels: { b: '2', a: '1' } }, spec: { containers: [{ name: 'x', image: 'i1' }, { name: 'y', image: 'i2' }] } } };
  assert.deepEqual(podTemplates.printerColumns!.map((c) => c.cell(t, 0)), ['x,y', 'i1,i2', 'a=1,b=2']);
});
