import { test } from 'node:test';
import assert from 'node:assert/strict';
import { garbageCollector, deleteKey } from './controller.js';
import { fixture, type Fixture } from '../testing/fixture.js';
import { configMaps, deployments, namespaces, nodes, pods, replicaSets } from '../../api/resources/index.js';
import type { ControllerDeps } from '../controller-deps.js';
import type { KubeObject } from '../../api/types.js';

const resources = [namespaces, nodes, pods, replicaSets, deployments, configMaps];
const make = (deps: ControllerDeps) => garbageCollector(deps, { resources });

const ref = (kind: string, apiVersion: string, name: string, uid: string, block = true) =>
  ({ apiVersion, kind, name, uid, controller: true, blockOwnerDeletion: block });

function family() {
  const deploy = { metadata: { name: 'web', namespace: 'default', uid: 'd-1' }, spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } };
  const rs = { metadata: { name: 'web-abc', namespace: 'default', uid: 'rs-1', ownerReferences: [ref('Deployment', 'apps/v1', 'web', 'd-1')] }, spec: { selector: { matchLabels: { app: 'web' } } } };
  const podsOf = ['web-abc-1', 'web-abc-2'].map((name, i) => ({ metadata: { name, namespace: 'default', uid: `p-${i + 1}`, ownerReferences: [ref('ReplicaSet', 'apps/v1', 'web-abc', 'rs-1')] }, spec: { containers: [{ name: 'c', image: 'nginx' }] } }));
  return { deploy, rs, pods: podsOf };
}

/** Runs every queued key until the queue is empty (delayed rechecks excluded). */
async function drain(f: Fixture): Promise<void> {
  for (let i = 0; i < 200 && f.queue.len() > 0; i++) {
    const key = (await f.queue.get())!;
    await f.sync(key);
    f.queue.done(key);
  }
  assert.equal(f.queue.len(), 0, 'queue drained');
}

async function start(seeds: Parameters<typeof fixture>[1]): Promise<Fixture> {
  const f = await fixture(make, seeds);
  await drain(f); // the initial graph: virtual owners checked
  f.clearActions();
  return f;
}

test('background: deleting a Deployment deletes its ReplicaSet, then its pods', async () => {
  const { deploy, rs, pods: ps } = family();
  const f = await start([[deployments, deploy], [replicaSets, rs], [pods, ...ps]]);
  assert.deepEqual(f.actions(), []);
  await f.client.delete(deployments, 'default', 'web', { propagationPolicy: 'Background' });
  await f.settle();
  f.clearActions();
  await drain(f);
  assert.deepEqual(f.actions(), ['delete replicasets default/web-abc', 'delete pods default/web-abc-1', 'delete pods default/web-abc-2']);
  assert.deepEqual(f.writes().map((a) => a.options?.propagationPolicy), ['Background', 'Background', 'Background']);
  assert.deepEqual(f.writes()[0]!.options?.preconditions?.uid, 'rs-1');
  assert.deepEqual(f.client.all(pods), []);
  await f.stop();
});

test('foreground: dependents go first, then the finalizers come off bottom-up', async () => {
  const { deploy, rs, pods: ps } = family();
  const f = await start([[deployments, deploy], [replicaSets, rs], [pods, ...ps]]);
  await f.client.delete(deployments, 'default', 'web', { propagationPolicy: 'Foreground' });
  await f.settle();
  assert.ok(f.client.peek(deployments, 'default', 'web')?.metadata.deletionTimestamp, 'the owner waits');
  f.clearActions();
  await drain(f);
  assert.deepEqual(f.actions(), [
    'delete replicasets default/web-abc', // it has dependents: Foreground
    'delete pods default/web-abc-1', 'delete pods default/web-abc-2',
    'patch replicasets default/web-abc', // finalizer removed once its pods are gone
    'patch deployments default/web',
  ]);
  assert.equal(f.writes()[0]!.options?.propagationPolicy, 'Foreground');
  assert.equal((f.writes()[3]!.patch as { metadata: { finalizers: unknown } }).metadata.finalizers, null);
  assert.equal(f.client.peek(deployments, 'default', 'web'), undefined);
  assert.equal(f.client.peek(replicaSets, 'default', 'web-abc'), undefined);
  await f.stop();
});

test('foreground: the owner waits while a blocking dependent remains; a non-blocking one does not hold it', async () => {
  const owner = { metadata: { name: 'cfg', namespace: 'default', uid: 'c-1' } };
  const blocking = { metadata: { name: 'b', namespace: 'default', uid: 'b-1', finalizers: ['example.com/hold'], ownerReferences: [ref('ConfigMap', 'v1', 'cfg', 'c-1', true)] } };
  const loose = { metadata: { name: 'l', namespace: 'default', uid: 'l-1', ownerReferences: [ref('ConfigMap', 'v1', 'cfg', 'c-1', false)] } };
  const f = await start([[configMaps, owner, blocking, loose]]);
  await f.client.delete(configMaps, 'default', 'cfg', { propagationPolicy: 'Foreground' });
  await f.settle();
  f.clearActions();
  await drain(f);
  assert.deepEqual(f.actions().sort(), ['delete configmaps default/b', 'delete configmaps default/l']);
  assert.ok(f.client.peek(configMaps, 'default', 'cfg'), 'held by b, which is still terminating');
  // b's own finalizer is released: its deletion completes and the owner's finalizer comes off
  const b = f.client.peek(configMaps, 'default', 'b')!;
  f.clearActions();
  await f.client.update(configMaps, { ...b, metadata: { ...b.metadata, finalizers: [] } });
  await f.settle();
  f.clearActions();
  await drain(f);
  assert.deepEqual(f.actions(), ['patch configmaps default/cfg']);
  assert.equal(f.client.peek(configMaps, 'default', 'cfg'), undefined);
  await f.stop();
});

test('orphan: the owner reference is removed from every dependent, then the finalizer', async () => {
  const { deploy, rs, pods: ps } = family();
  const f = await start([[deployments, deploy], [replicaSets, rs], [pods, ...ps]]);
  await f.client.delete(deployments, 'default', 'web', { propagationPolicy: 'Orphan' });
  await f.settle();
  f.clearActions();
  await drain(f);
  assert.deepEqual(f.actions(), ['patch replicasets default/web-abc', 'patch deployments default/web']);
  assert.equal(f.client.peek(deployments, 'default', 'web'), undefined);
  assert.equal(f.client.peek(replicaSets, 'default', 'web-abc')?.metadata.ownerReferences, undefined);
  assert.equal(f.client.all(pods).length, 2, 'pods stay with their ReplicaSet');
  await f.stop();
});

test('an owner never observed is checked by GET: absent → the dependent is deleted', async () => {
  const orphan = { metadata: { name: 'lost', namespace: 'default', uid: 'p-9', ownerReferences: [ref('ReplicaSet', 'apps/v1', 'gone', 'rs-9')] }, spec: { containers: [{ name: 'c', image: 'x' }] } };
  const f = await fixture(make, [[pods, orphan]]);
  assert.equal(f.queue.len(), 1);
  await drain(f);
  assert.deepEqual(f.actions(), ['delete pods default/lost']);
  await f.stop();
});

test('an owner with the same name but another uid counts as gone', async () => {
  const rs = { metadata: { name: 'web-abc', namespace: 'default', uid: 'rs-new' }, spec: { selector: { matchLabels: { app: 'web' } } } };
  const p = { metadata: { name: 'p', namespace: 'default', uid: 'p-1', ownerReferences: [ref('ReplicaSet', 'apps/v1', 'web-abc', 'rs-old')] }, spec: { containers: [{ name: 'c', image: 'x' }] } };
  const f = await fixture(make, [[replicaSets, rs], [pods, p]]);
  await drain(f);
  assert.deepEqual(f.actions(), ['delete pods default/p']);
  await f.stop();
});

test('a dependent with one live owner keeps it and loses only the dangling reference', async () => {
  const live = { metadata: { name: 'a', namespace: 'default', uid: 'a-1' } };
  const dep = { metadata: { name: 'dep', namespace: 'default', uid: 'x-1', ownerReferences: [
    { apiVersion: 'v1', kind: 'ConfigMap', name: 'a', uid: 'a-1' },
    { apiVersion: 'v1', kind: 'ConfigMap', name: 'b', uid: 'b-1' },
  ] } };
  const f = await fixture(make, [[configMaps, live, dep]]);
  await drain(f);
  assert.deepEqual(f.actions(), ['patch configmaps default/dep']);
  assert.deepEqual(f.client.peek(configMaps, 'default', 'dep')?.metadata.ownerReferences?.map((r) => r.uid), ['a-1']);
  await f.stop();
});

test('a live owner keeps its dependents; a cluster-scoped owner is found without a namespace', async () => {
  const node = { metadata: { name: 'n1', uid: 'n-1' } };
  const cm = { metadata: { name: 'x', namespace: 'default', uid: 'x-1', ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'n1', uid: 'n-1' }] } };
  const f = await fixture(make, [[nodes, node], [configMaps, cm]]);
  await drain(f);
  f.queue.add(deleteKey('x-1'));
  await drain(f);
  assert.deepEqual(f.actions(), []);
  await f.client.delete(nodes, '', 'n1');
  await f.settle();
  await drain(f);
  assert.deepEqual(f.actions(), ['delete nodes n1', 'delete configmaps default/x']);
  await f.stop();
});

test('objects being deleted are left alone until their delete event', async () => {
  const { deploy, rs } = family();
  const doomed = { ...rs, metadata: { ...rs.metadata, deletionTimestamp: '2025-01-01T00:00:00Z', finalizers: ['example.com/x'] } };
  const f = await fixture(make, [[deployments, { ...deploy, metadata: { ...deploy.metadata, uid: 'other' } }], [replicaSets, doomed as KubeObject]]);
  await drain(f);
  assert.deepEqual(f.actions(), []);
  await f.stop();
});
