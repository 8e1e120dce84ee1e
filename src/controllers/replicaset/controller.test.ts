import { test } from 'node:test';
import assert from 'node:assert/strict';
import { replicaSetController } from './controller.js';
import { fixture } from '../testing/fixture.js';
import { pods, replicaSets, type PodObject, type ReplicaSetObject } from '../../api/resources/index.js';
import { newControllerRef } from '../../client/controller-ref.js';
import { internal } from '../../api/errors.js';

const rs = (replicas: number, extra: Partial<ReplicaSetObject['spec']> = {}): ReplicaSetObject => ({
  metadata: { name: 'web', namespace: 'default', uid: 'rs-uid', generation: 1 },
  spec: {
    replicas, selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } },
    ...extra,
  },
});

const pod = (name: string, opts: { owned?: boolean; ready?: boolean; node?: string; phase?: string; labels?: Record<string, string>; created?: string } = {}): PodObject => ({
  metadata: {
    name, namespace: 'default', uid: `uid-${name}`, labels: opts.labels ?? { app: 'web' },
    creationTimestamp: opts.created ?? '2024-12-31T00:00:00Z',
    ...(opts.owned === false ? {} : { ownerReferences: [newControllerRef(rs(0), replicaSets)] }),
  },
  spec: { nodeName: opts.node, containers: [{ name: 'nginx', image: 'nginx' }] },
  status: {
    phase: opts.phase ?? 'Running',
    conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True', lastTransitionTime: '2024-12-31T00:00:00Z' }],
  },
});

test('creates missing pods in slow-start batches and records status and events', async () => {
  const f = await fixture(replicaSetController, [[replicaSets, rs(3)]]);
  await f.sync('default/web');
  assert.deepEqual(f.actions(), ['create pods default/web-', 'create pods default/web-', 'create pods default/web-', 'update replicasets/status default/web']);
  const created = f.writes()[0]!.object as PodObject;
  assert.deepEqual(created.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs-uid', controller: true, blockOwnerDeletion: true }]);
  assert.deepEqual(created.metadata.labels, { app: 'web' });
  const status = f.client.peek(replicaSets, 'default', 'web')!.status!;
  assert.equal(status.replicas, 0, 'status counts the pods it saw at the start of the sync');
  assert.equal(status.observedGeneration, 1);
  assert.equal((await f.events()).filter((e) => e.startsWith('Normal SuccessfulCreate Created pod: web-')).length, 3);
  f.clearActions();
  await f.sync('default/web');
  assert.deepEqual(f.actions(), ['update replicasets/status default/web'], 'expectations satisfied by the informer; nothing more to create');
  assert.equal(f.client.peek(replicaSets, 'default', 'web')!.status!.replicas, 3);
  await f.stop();
});

test('waits for expectations before acting again', async () => {
  const f = await fixture(replicaSetController, [[replicaSets, rs(2)]]);
  f.client.react((a) => (a.verb === 'create' && a.resource === 'pods' ? undefined : undefined));
  // Block the informer from seeing the creates: sync twice with no settle in between.
  await f.controller.sync('default/web', new AbortController().signal);
  const first = f.actions().filter((a) => a.startsWith('create pods')).length;
  await f.controller.sync('default/web', new AbortController().signal);
  const second = f.actions().filter((a) => a.startsWith('create pods')).length;
  assert.equal(first, 2);
  assert.ok(second === 2, 'no double create while the creates are not yet observed');
  await f.stop();
});

test('deletes surplus pods: unscheduled, then not ready, then newer', async () => {
  const f = await fixture(replicaSetController, [
    [replicaSets, rs(1)],
    [pods,
      pod('old-ready', { node: 'n3', created: '2024-01-01T00:00:00Z' }),
      pod('unscheduled', { node: undefined, phase: 'Pending', ready: false }),
      pod('not-ready', { node: 'n1', ready: false }),
      pod('new-ready', { node: 'n2', created: '2024-12-31T23:59:00Z' })],
  ], {});
  await f.sync('default/web');
  assert.deepEqual(f.actions(), [
    'delete pods default/unscheduled', 'delete pods default/not-ready', 'delete pods default/new-ready',
    'update replicasets/status default/web',
  ]);
  assert.deepEqual((await f.events()).sort(), [
    'Normal SuccessfulDelete Deleted pod: new-ready', 'Normal SuccessfulDelete Deleted pod: not-ready', 'Normal SuccessfulDelete Deleted pod: unscheduled',
  ]);
  await f.stop();
});

test('adopts matching orphans and releases owned pods that no longer match', async () => {
  const f = await fixture(replicaSetController, [
    [replicaSets, rs(2)],
    [pods, pod('orphan', { owned: false }), pod('strayed', { labels: { app: 'other' } }), pod('mine')],
  ]);
  await f.sync('default/web');
  assert.deepEqual(f.actions(), ['update pods default/orphan', 'update pods default/strayed', 'update replicasets/status default/web']);
  assert.equal(f.client.peek(pods, 'default', 'orphan')!.metadata.ownerReferences?.[0]?.uid, 'rs-uid');
  assert.equal(f.client.peek(pods, 'default', 'strayed')!.metadata.ownerReferences, undefined);
  await f.stop();
});

test('a failed create sets ReplicaFailure, an Event, and asks for a retry', async () => {
  const f = await fixture(replicaSetController, [[replicaSets, rs(1)]]);
  f.client.failNext('create', 'pods', internal(new Error('quota exceeded'), 'pods "web-" is forbidden: exceeded quota'));
  await assert.rejects(f.sync('default/web'), /exceeded quota/);
  const cond = f.client.peek(replicaSets, 'default', 'web')!.status!.conditions!;
  assert.equal(cond[0]!.type, 'ReplicaFailure');
  assert.equal(cond[0]!.reason, 'FailedCreate');
  assert.deepEqual(await f.events(), ['Warning FailedCreate Error creating: pods "web-" is forbidden: exceeded quota']);
  await f.sync('default/web');
  assert.equal(f.client.peek(replicaSets, 'default', 'web')!.status!.conditions, undefined, 'cleared after success');
  await f.stop();
});

test('a deleted ReplicaSet is a quiet no-op', async () => {
  const f = await fixture(replicaSetController, []);
  await f.sync('default/gone');
  assert.deepEqual(f.actions(), []);
  await f.stop();
});
