import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OwnerGraph, referenceDiffs, type ObjectIdentity } from './graph.js';
import { planDependent, removeOwnersPatch } from './dependent-plan.js';
import { deletableResources } from './deletable-resources.js';
import { builtinResources } from '../../api/resources/index.js';

const id = (kind: string, name: string, uid: string, namespace = 'ns'): ObjectIdentity => ({ apiVersion: kind === 'Pod' ? 'v1' : 'apps/v1', kind, name, uid, namespace });
const ref = (kind: string, name: string, uid: string, blockOwnerDeletion?: boolean) => ({ apiVersion: 'apps/v1', kind, name, uid, blockOwnerDeletion });

test('a dependent seen before its owner creates a virtual owner to verify; the owner event makes it real', () => {
  const g = new OwnerGraph();
  const work = g.observe('add', id('Pod', 'p', 'p1'), { ownerReferences: [ref('ReplicaSet', 'rs', 'r1')] });
  assert.deepEqual(work, { attemptToDelete: ['r1'], attemptToOrphan: [] });
  assert.equal(g.node('r1')?.virtual, true);
  assert.deepEqual(g.observe('add', id('ReplicaSet', 'rs', 'r1'), {}), { attemptToDelete: [], attemptToOrphan: [] });
  assert.equal(g.node('r1')?.observed, true);
  assert.equal(g.node('r1')?.dependents.size, 1);
});

test('deleting an owner queues its dependents and marks it absent', () => {
  const g = new OwnerGraph();
  g.observe('add', id('ReplicaSet', 'rs', 'r1'), {});
  g.observe('add', id('Pod', 'p', 'p1'), { ownerReferences: [ref('ReplicaSet', 'rs', 'r1')] });
  assert.deepEqual(g.observe('delete', id('ReplicaSet', 'rs', 'r1'), {}).attemptToDelete, ['p1']);
  assert.equal(g.isAbsent(id('ReplicaSet', 'rs', 'r1')), true);
  assert.equal(g.node('r1'), undefined);
});

test('deletion transitions: orphan → attemptToOrphan; foregroundDeletion → dependents and the owner', () => {
  const g = new OwnerGraph();
  g.observe('add', id('Deployment', 'd', 'd1'), {});
  g.observe('add', id('ReplicaSet', 'rs', 'r1'), { ownerReferences: [ref('Deployment', 'd', 'd1', true)] });
  const orphan = g.observe('update', id('Deployment', 'd', 'd1'), { deletionTimestamp: 'now', finalizers: ['orphan'] }, {});
  assert.deepEqual(orphan, { attemptToDelete: [], attemptToOrphan: ['d1'] });
  // a resync of the same state starts nothing
  assert.deepEqual(g.observe('update', id('Deployment', 'd', 'd1'), { deletionTimestamp: 'now', finalizers: ['orphan'] }, { deletionTimestamp: 'now', finalizers: ['orphan'] }), { attemptToDelete: [], attemptToOrphan: [] });
  const g2 = new OwnerGraph();
  g2.observe('add', id('Deployment', 'd', 'd1'), {});
  g2.observe('add', id('ReplicaSet', 'rs', 'r1'), { ownerReferences: [ref('Deployment', 'd', 'd1', true)] });
  const fg = g2.observe('update', id('Deployment', 'd', 'd1'), { deletionTimestamp: 'now', finalizers: ['foregroundDeletion'] }, {});
  assert.deepEqual(fg.attemptToDelete, ['r1', 'd1']);
  assert.equal(g2.node('d1')?.deletingDependents, true);
  assert.deepEqual(g2.blockingDependents(g2.node('d1')!).map((n) => n.identity.uid), ['r1']);
  // unblocking the reference re-queues the waiting owner
  assert.deepEqual(g2.observe('update', id('ReplicaSet', 'rs', 'r1'), { ownerReferences: [ref('Deployment', 'd', 'd1', false)] }).attemptToDelete, ['d1']);
  assert.deepEqual(g2.blockingDependents(g2.node('d1')!), []);
  // the dependent's deletion re-queues an owner deleting its dependents
  assert.deepEqual(g2.observe('delete', id('ReplicaSet', 'rs', 'r1'), {}).attemptToDelete, ['d1']);
});

test('a virtual delete of a never-observed owner removes it and queues the dependents', () => {
  const g = new OwnerGraph();
  g.observe('add', id('Pod', 'p', 'p1'), { ownerReferences: [ref('ReplicaSet', 'rs', 'r1')] });
  assert.deepEqual(g.virtualDelete(id('ReplicaSet', 'rs', 'r1')).attemptToDelete, ['p1']);
  assert.equal(g.node('r1'), undefined);
});

test('a virtual delete under other coordinates than the observed node keeps the node', () => {
  const g = new OwnerGraph();
  g.observe('add', id('ReplicaSet', 'rs', 'r1'), {});
  g.observe('add', id('Pod', 'p', 'p1'), { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'wrong', uid: 'r1' }] });
  const work = g.virtualDelete({ ...id('ReplicaSet', 'wrong', 'r1') });
  assert.deepEqual(work.attemptToDelete, ['p1']);
  assert.ok(g.node('r1'));
});

test('referenceDiffs by uid', () => {
  const a = ref('X', 'a', '1', true);
  const d = referenceDiffs([a, ref('X', 'b', '2')], [ref('X', 'a', '1', false), ref('X', 'c', '3')]);
  assert.deepEqual(d.added.map((r) => r.uid), ['3']);
  assert.deepEqual(d.removed.map((r) => r.uid), ['2']);
  assert.deepEqual(d.changed.map(([o]) => o.uid), ['1']);
});

test('planDependent follows attemptToDeleteItem', () => {
  const r = (uid: string) => ref('X', uid, uid);
  assert.deepEqual(planDependent({}, [], false, false), { type: 'keep' });
  assert.deepEqual(planDependent({}, [{ ref: r('a'), state: 'solid' }], false, false), { type: 'keep' });
  assert.deepEqual(planDependent({}, [{ ref: r('a'), state: 'solid' }, { ref: r('b'), state: 'waiting' }, { ref: r('c'), state: 'dangling' }], false, false), { type: 'removeOwners', uids: ['c', 'b'] });
  assert.deepEqual(planDependent({}, [{ ref: r('a'), state: 'waiting' }], true, true), { type: 'delete', policy: 'Foreground', unblock: true });
  assert.deepEqual(planDependent({}, [{ ref: r('a'), state: 'waiting' }], false, false), { type: 'delete', policy: 'Background', unblock: false });
  assert.deepEqual(planDependent({ finalizers: ['orphan'] }, [{ ref: r('a'), state: 'dangling' }], false, false), { type: 'delete', policy: 'Orphan', unblock: false });
  assert.deepEqual(planDependent({ finalizers: ['foregroundDeletion'] }, [{ ref: r('a'), state: 'dangling' }], false, false), { type: 'delete', policy: 'Foreground', unblock: false });
  assert.deepEqual(removeOwnersPatch({ uid: 'u', resourceVersion: '5', ownerReferences: [r('a')] }, ['a']), { metadata: { ownerReferences: null, uid: 'u', resourceVersion: '5' } });
});

test('deletable resources: preferred versions with delete/list/watch, without events and virtual kinds', () => {
  const names = deletableResources(builtinResources).map((d) => (d.group ? `${d.plural}.${d.group}` : d.plural));
  for (const n of ['pods', 'replicasets.apps', 'deployments.apps', 'namespaces', 'customresourcedefinitions.apiextensions.k8s.io', 'leases.coordination.k8s.io']) assert.ok(names.includes(n), n);
  for (const n of ['events', 'events.events.k8s.io', 'bindings', 'componentstatuses', 'tokenreviews.authentication.k8s.io']) assert.ok(!names.includes(n), n);
  assert.equal(new Set(names).size, names.length);
});
