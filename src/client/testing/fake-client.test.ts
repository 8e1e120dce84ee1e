import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClient } from './fake-client.js';
import { testPods as pods, testNamespaces as namespaces, testConfigMaps as configMaps } from './resources.js';
import { isAlreadyExists, isConflict, isNotFound, isForbidden, StatusError } from '../../api/errors.js';
import type { Kube } from '../../api/types.js';
import type { Pod } from 'kubernetes-types/core/v1.js';

const pod = (name: string, extra: Partial<Kube<Pod>> = {}): Kube<Pod> => ({
  metadata: { name, namespace: 'default', labels: { app: 'web' } },
  spec: { containers: [{ name: 'c', image: 'nginx' }] },
  ...extra,
});

test('create assigns uid, resourceVersion, generation; duplicates are 409 AlreadyExists', async () => {
  const c = new FakeClient();
  const p = await c.create(pods, pod('a'));
  assert.ok(p.metadata.uid);
  assert.equal(p.metadata.resourceVersion, '1');
  assert.equal(p.metadata.generation, 1);
  assert.equal(p.kind, 'Pod');
  await assert.rejects(c.create(pods, pod('a')), isAlreadyExists);
  assert.deepEqual(c.actions.map((a) => `${a.verb} ${a.resource} ${a.namespace}`), ['create pods default', 'create pods default']);
});

test('update checks resourceVersion, bumps generation only on spec changes, keeps status', async () => {
  const c = new FakeClient();
  const p = await c.create(pods, pod('a'));
  const labelled = await c.update(pods, { ...p, metadata: { ...p.metadata, labels: { x: 'y' } }, status: { phase: 'Running' } });
  assert.equal(labelled.metadata.generation, 1);
  assert.deepEqual(labelled.status, {});
  await assert.rejects(c.update(pods, p), isConflict, 'stale resourceVersion');
  const changed = await c.update(pods, { ...labelled, spec: { ...labelled.spec!, activeDeadlineSeconds: 5 } });
  assert.equal(changed.metadata.generation, 2);
  const st = await c.updateStatus(pods, { ...changed, spec: { containers: [] }, status: { phase: 'Running' } });
  assert.equal(st.status?.phase, 'Running');
  assert.equal(st.spec?.containers.length, 1, 'status writes ignore spec');
  await assert.rejects(c.update(pods, pod('missing')), isNotFound);
});

test('delete: background removes, foreground and orphan add finalizers and set deletionTimestamp', async () => {
  const c = new FakeClient();
  await c.create(configMaps, { metadata: { name: 'a', namespace: 'default' } });
  await c.create(configMaps, { metadata: { name: 'b', namespace: 'default' } });
  await c.create(configMaps, { metadata: { name: 'c', namespace: 'default' } });
  await c.delete(configMaps, 'default', 'a');
  assert.equal(c.peek(configMaps, 'default', 'a'), undefined);
  await c.delete(configMaps, 'default', 'b', { propagationPolicy: 'Foreground' });
  const b = c.peek(configMaps, 'default', 'b')!;
  assert.deepEqual(b.metadata.finalizers, ['foregroundDeletion']);
  assert.ok(b.metadata.deletionTimestamp);
  await c.delete(configMaps, 'default', 'c', { propagationPolicy: 'Orphan' });
  const cm = c.peek(configMaps, 'default', 'c')!;
  assert.deepEqual(cm.metadata.finalizers, ['orphan']);
  await c.update(configMaps, { ...cm, metadata: { ...cm.metadata, finalizers: [] } });
  assert.equal(c.peek(configMaps, 'default', 'c'), undefined, 'removing the last finalizer deletes');
  await assert.rejects(c.delete(configMaps, 'default', 'zz'), isNotFound);
  await assert.rejects(c.delete(configMaps, 'default', 'b', { preconditions: { uid: 'other' } }), isConflict);
});

test('bound pods terminate gracefully; unbound pods go at once', async () => {
  const c = new FakeClient();
  await c.create(pods, pod('bound', { spec: { nodeName: 'n1', containers: [{ name: 'c' }] } }));
  await c.create(pods, pod('pending'));
  await c.delete(pods, 'default', 'bound');
  assert.equal(c.peek(pods, 'default', 'bound')!.metadata.deletionGracePeriodSeconds, 30);
  await c.delete(pods, 'default', 'pending');
  assert.equal(c.peek(pods, 'default', 'pending'), undefined);
  await c.delete(pods, 'default', 'bound', { gracePeriodSeconds: 0 });
  assert.equal(c.peek(pods, 'default', 'bound'), undefined);
});

test('namespaces: delete marks Terminating, finalizing spec.finalizers removes; creates in it are forbidden', async () => {
  const c = new FakeClient();
  const ns = await c.create(namespaces, { metadata: { name: 'team' } });
  assert.deepEqual(ns.spec?.finalizers, ['kubernetes']);
  await c.delete(namespaces, '', 'team');
  const t = c.peek(namespaces, '', 'team')!;
  assert.equal(t.status?.phase, 'Terminating');
  await assert.rejects(c.create(configMaps, { metadata: { name: 'x', namespace: 'team' } }), isForbidden);
  await c.update(namespaces, { ...t, spec: { finalizers: [] } });
  assert.equal(c.peek(namespaces, '', 'team'), undefined);
});

test('watch replays history from a resourceVersion, follows live events, 410 after compaction', async () => {
  const c = new FakeClient();
  await c.create(configMaps, { metadata: { name: 'a', namespace: 'default' } });
  const rv = String(c.resourceVersion);
  await c.create(configMaps, { metadata: { name: 'b', namespace: 'default' } });
  const ac = new AbortController();
  const seen: string[] = [];
  const done = (async () => {
    for await (const ev of c.watch(configMaps, { resourceVersion: rv }, ac.signal)) {
      seen.push(`${ev.type} ${ev.object.metadata.name}`);
      if (seen.length === 3) ac.abort();
    }
  })();
  await c.delete(configMaps, 'default', 'a');
  await c.create(pods, pod('ignored'));
  await c.create(configMaps, { metadata: { name: 'c', namespace: 'default' } });
  await done;
  assert.deepEqual(seen, ['ADDED b', 'DELETED a', 'ADDED c']);
  c.compact();
  const events = [];
  for await (const ev of c.watch(configMaps, { resourceVersion: rv }, new AbortController().signal)) events.push(ev);
  assert.equal(events.length, 1);
  assert.equal(events[0]!.type, 'ERROR');
  assert.equal((events[0]!.object as unknown as { code: number }).code, 410);
});

test('list filters by namespace and label selector; failNext injects errors', async () => {
  const c = new FakeClient();
  await c.create(pods, pod('a'));
  await c.create(pods, { ...pod('b'), metadata: { name: 'b', namespace: 'other', labels: { app: 'db' } } });
  assert.deepEqual((await c.list(pods, { labelSelector: 'app=web' })).items.map((p) => p.metadata.name), ['a']);
  assert.deepEqual((await c.list(pods, { namespace: 'other' })).items.map((p) => p.metadata.name), ['b']);
  c.failNext('create', 'pods', new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 500, reason: 'InternalError' }));
  await assert.rejects(c.create(pods, pod('c')));
  await c.create(pods, pod('c'));
});

test('pods/binding sets nodeName once', async () => {
  const c = new FakeClient();
  await c.create(pods, pod('a'));
  await c.createSubresource(pods, 'default', 'a', 'binding', { target: { kind: 'Node', name: 'n1' } });
  assert.equal(c.peek(pods, 'default', 'a')!.spec?.nodeName, 'n1');
  await assert.rejects(c.createSubresource(pods, 'default', 'a', 'binding', { target: { name: 'n2' } }), isConflict);
});

test('generateName makes a name', async () => {
  const c = new FakeClient();
  const a = await c.create(pods, { ...pod(''), metadata: { generateName: 'web-', namespace: 'default' } });
  const b = await c.create(pods, { ...pod(''), metadata: { generateName: 'web-', namespace: 'default' } });
  assert.match(a.metadata.name!, /^web-[a-z0-9]{5}$/);
  assert.notEqual(a.metadata.name, b.metadata.name);
});
