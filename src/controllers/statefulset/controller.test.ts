import { test } from 'node:test';
import assert from 'node:assert/strict';
import { controllerRevisions, persistentVolumeClaims, pods, statefulSets, type ControllerRevisionObject, type PodObject, type StatefulSetObject } from '../../api/resources/index.js';
import type { FakeClient } from '../../client/testing/fake-client.js';
import { fixture } from '../testing/fixture.js';
import { statefulSetController } from './controller.js';
import { hashRevisionData, safeEncode, templatePatch, templateOfRevision, revisionsToPrune } from './history.js';

function sts(spec: Partial<NonNullable<StatefulSetObject['spec']>> = {}): StatefulSetObject {
  return {
    metadata: { name: 'web', namespace: 'default', uid: 'sts-uid', generation: 1 },
    spec: {
      replicas: 3, serviceName: 'nginx', podManagementPolicy: 'OrderedReady', revisionHistoryLimit: 10,
      selector: { matchLabels: { app: 'nginx' } },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }] } },
      ...spec,
    },
  };
}

/** Plays the kubelet: every pod of the set becomes Running and Ready. */
async function runAll(client: FakeClient): Promise<void> {
  for (const p of client.all(pods)) {
    if (p.status?.phase === 'Running') continue;
    await client.updateStatus(pods, { ...p, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2025-01-01T00:00:00Z' }] } });
  }
}

test('OrderedReady creates web-0, waits until it is Running and Ready, then web-1', async () => {
  const f = await fixture(statefulSetController, [[statefulSets, sts({
    volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
  })]]);
  await f.sync('default/web');
  assert.deepEqual(f.actions(), ['create controllerrevisions default/web-' + f.client.all(controllerRevisions)[0]!.metadata.name!.slice(4),
    'create persistentvolumeclaims default/www-web-0', 'create pods default/web-0', 'update statefulsets/status default/web']);
  const pod = f.client.peek(pods, 'default', 'web-0')!;
  const rev = f.client.all(controllerRevisions)[0]!;
  assert.deepEqual(pod.metadata.labels, { app: 'nginx', 'statefulset.kubernetes.io/pod-name': 'web-0', 'apps.kubernetes.io/pod-index': '0', 'controller-revision-hash': rev.metadata.name });
  assert.equal(pod.spec!.hostname, 'web-0');
  assert.equal(pod.spec!.subdomain, 'nginx');
  assert.deepEqual(pod.spec!.volumes, [{ name: 'www', persistentVolumeClaim: { claimName: 'www-web-0' } }]);
  assert.deepEqual(f.client.peek(persistentVolumeClaims, 'default', 'www-web-0')!.metadata.labels, { app: 'nginx' });
  assert.equal(rev.revision, 1);
  assert.deepEqual(rev.data, templatePatch(sts().spec!.template));
  const status = f.client.peek(statefulSets, 'default', 'web')!.status!;
  assert.equal(status.updateRevision, rev.metadata.name);
  assert.equal(status.currentRevision, rev.metadata.name);
  assert.equal(status.observedGeneration, 1);
  f.clearActions();
  await f.sync('default/web');
  assert.deepEqual(f.actions().filter((a) => a.startsWith('create')), [], 'web-0 is not ready yet');
  await runAll(f.client);
  await f.settle();
  f.clearActions();
  await f.sync('default/web');
  assert.deepEqual(f.actions().filter((a) => a.startsWith('create')), ['create persistentvolumeclaims default/www-web-1', 'create pods default/web-1']);
  assert.ok((await f.events()).includes('Normal SuccessfulCreate create Pod web-0 in StatefulSet web successful'));
  await f.stop();
});

test('Parallel creates every missing pod at once; scale down removes the highest ordinals', async () => {
  const f = await fixture(statefulSetController, [[statefulSets, sts({ podManagementPolicy: 'Parallel' })]]);
  await f.sync('default/web');
  assert.deepEqual(f.actions().filter((a) => a.includes(' pods ')), ['create pods default/web-0', 'create pods default/web-1', 'create pods default/web-2']);
  await runAll(f.client);
  const s = f.client.peek(statefulSets, 'default', 'web')!;
  s.spec!.replicas = 1;
  s.spec!.podManagementPolicy = 'OrderedReady';
  await f.client.update(statefulSets, s);
  await f.settle();
  f.clearActions();
  await f.sync('default/web');
  assert.deepEqual(f.actions().filter((a) => a.includes(' pods ')), ['delete pods default/web-2'], 'OrderedReady: one at a time, highest first');
  await f.stop();
});

test('a rolling update replaces the highest ordinal first, and status reaches the new revision', async () => {
  const f = await fixture(statefulSetController, [[statefulSets, sts({ replicas: 2 })]]);
  await f.sync('default/web');
  await runAll(f.client); await f.settle();
  await f.sync('default/web');
  await runAll(f.client); await f.settle();
  await f.sync('default/web');
  const oldRev = f.client.peek(statefulSets, 'default', 'web')!.status!.currentRevision!;
  assert.equal(f.client.peek(statefulSets, 'default', 'web')!.status!.readyReplicas, 2);
  const s = f.client.peek(statefulSets, 'default', 'web')!;
  s.spec!.template!.spec!.containers[0]!.image = 'nginx:1.27';
  await f.client.update(statefulSets, s);
  await f.settle();
  f.clearActions();
  await f.sync('default/web');
  const revs = f.client.all(controllerRevisions);
  const newRev = revs.find((r) => r.revision === 2)!;
  assert.deepEqual(f.actions(), [`create controllerrevisions default/${newRev.metadata.name}`, 'delete pods default/web-1', 'update statefulsets/status default/web']);
  let status = f.client.peek(statefulSets, 'default', 'web')!.status!;
  assert.equal(status.currentRevision, oldRev);
  assert.equal(status.updateRevision, newRev.metadata.name);
  // web-1 is gone (the fake deletes unscheduled pods at once); it comes back at the new revision
  for (let i = 0; i < 6; i++) { await f.sync('default/web'); await runAll(f.client); await f.settle(); }
  assert.equal(f.client.peek(pods, 'default', 'web-1')!.metadata.labels!['controller-revision-hash'], newRev.metadata.name);
  assert.equal(f.client.peek(pods, 'default', 'web-0')!.metadata.labels!['controller-revision-hash'], newRev.metadata.name);
  await f.sync('default/web');
  status = f.client.peek(statefulSets, 'default', 'web')!.status!;
  assert.equal(status.currentRevision, newRev.metadata.name, 'rollout complete');
  assert.equal(status.updatedReplicas, 2);
  assert.equal(status.currentReplicas, 2);
  await f.stop();
});

test('partition keeps ordinals below it at the current revision', async () => {
  const f = await fixture(statefulSetController, [[statefulSets, sts({ replicas: 2, podManagementPolicy: 'Parallel' })]]);
  await f.sync('default/web');
  await runAll(f.client); await f.settle();
  await f.sync('default/web');
  const s = f.client.peek(statefulSets, 'default', 'web')!;
  s.spec!.template!.spec!.containers[0]!.image = 'nginx:1.27';
  s.spec!.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { partition: 1 } };
  await f.client.update(statefulSets, s);
  await f.settle();
  f.clearActions();
  await f.sync('default/web');
  assert.deepEqual(f.actions().filter((a) => a.includes(' pods ')), ['delete pods default/web-1']);
  await f.stop();
});

test('revision helpers: FNV-1 hash safe-encoded, template round trip, pruning keeps live revisions', () => {
  assert.equal(safeEncode('12'), '56', "'1' is byte 49, 49 % 27 = 22 → '5', as rand.SafeEncodeString");
  assert.match(hashRevisionData({ a: 1 }), /^[bcdfghjklmnpqrstvwxz2456789]+$/);
  assert.notEqual(hashRevisionData({ a: 1 }), hashRevisionData({ a: 1 }, 1));
  const t = { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } };
  assert.deepEqual(templateOfRevision({ data: templatePatch(t) }), t);
  assert.equal((templatePatch(t).spec.template as { $patch?: string }).$patch, 'replace');
  const rev = (name: string, revision: number): ControllerRevisionObject => ({ metadata: { name }, revision });
  assert.deepEqual(revisionsToPrune([rev('a', 1), rev('b', 2), rev('c', 3), rev('d', 4)], new Set(['d', 'a']), 1).map((r) => r.metadata.name), ['b']);
});

test('a failed pod is deleted so it can be recreated', async () => {
  const failed: PodObject = {
    metadata: { name: 'web-0', namespace: 'default', uid: 'p0', labels: { app: 'nginx' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'sts-uid', controller: true }] },
    spec: { containers: [{ name: 'nginx', image: 'nginx' }] },
    status: { phase: 'Failed' },
  };
  const f = await fixture(statefulSetController, [[statefulSets, sts({ replicas: 1 })], [pods, failed]]);
  await f.sync('default/web');
  assert.ok(f.actions().includes('delete pods default/web-0'));
  await f.stop();
});
