import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NamespaceCondition } from 'kubernetes-types/core/v1.js';
import { namespaceController } from './controller.js';
import { namespaceConditions, emptyReport } from './conditions.js';
import { namespacedResources } from './namespaced-resources.js';
import { fixture } from '../testing/fixture.js';
import { builtinResources, configMaps, namespaces, pods, secrets } from '../../api/resources/index.js';
import { internal } from '../../api/errors.js';
import type { ControllerDeps } from '../controller-deps.js';

const make = (deps: ControllerDeps) => namespaceController(deps, { resources: [namespaces, pods, configMaps, secrets] });
const ns = { metadata: { name: 'team' }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } };
const cm = (name: string, finalizers?: string[]) => ({ metadata: { name, namespace: 'team', finalizers } });
const condition = (cs: readonly NamespaceCondition[] | undefined, type: string) => cs?.find((c) => c.type === type);

test('an active namespace is left alone', async () => {
  const f = await fixture(make, [[namespaces, ns], [configMaps, cm('a')]]);
  await f.sync('team');
  assert.deepEqual(f.actions(), []);
  await f.stop();
});

test('deleting a namespace deletes its content, reports it, then finalizes', async () => {
  const f = await fixture(make, [[namespaces, ns], [configMaps, cm('a'), cm('b')], [secrets, { metadata: { name: 's', namespace: 'team' } }]]);
  await f.client.delete(namespaces, '', 'team');
  await f.settle();
  f.clearActions();
  await f.sync('team');
  assert.deepEqual(f.actions(), [
    'deletecollection pods team/', 'deletecollection configmaps team/', 'deletecollection secrets team/',
    'update namespaces/status team', 'update namespaces team',
  ]);
  assert.ok(f.writes().slice(0, 3).every((a) => a.options?.propagationPolicy === 'Background'));
  const status = f.writes()[3]!.object as { status: { conditions: NamespaceCondition[] } };
  assert.deepEqual(status.status.conditions.map((c) => `${c.type}=${c.status}/${c.reason}`), [
    'NamespaceDeletionDiscoveryFailure=False/ResourcesDiscovered', 'NamespaceDeletionGroupVersionParsingFailure=False/ParsedGroupVersions',
    'NamespaceDeletionContentFailure=False/ContentDeleted', 'NamespaceContentRemaining=False/ContentRemoved', 'NamespaceFinalizersRemaining=False/ContentRemoved',
  ]);
  assert.equal(f.client.all(configMaps).length, 0);
  assert.equal(f.client.peek(namespaces, '', 'team'), undefined, 'the API server removes the finalized namespace');
  await f.stop();
});

test('content held by finalizers: conditions say so, the namespace waits and is rechecked', async () => {
  const f = await fixture(make, [[namespaces, ns], [configMaps, cm('held', ['example.com/hold']), cm('free')]]);
  await f.client.delete(namespaces, '', 'team');
  await f.settle();
  f.clearActions();
  await f.sync('team');
  assert.deepEqual(f.actions(), ['deletecollection pods team/', 'deletecollection configmaps team/', 'deletecollection secrets team/', 'update namespaces/status team']);
  const live = f.client.peek(namespaces, '', 'team')!;
  assert.equal(live.status?.phase, 'Terminating');
  assert.equal(condition(live.status?.conditions, 'NamespaceContentRemaining')?.message, 'Some resources are remaining: configmaps. has 1 resource instances');
  assert.equal(condition(live.status?.conditions, 'NamespaceFinalizersRemaining')?.message, 'Some finalizers are remaining: example.com/hold in 1 resource instances');
  assert.equal(condition(live.status?.conditions, 'NamespaceFinalizersRemaining')?.reason, 'SomeFinalizerRemain');
  // the finalizer goes: the next pass finalizes
  const held = f.client.peek(configMaps, 'team', 'held')!;
  await f.client.update(configMaps, { ...held, metadata: { ...held.metadata, finalizers: [] } });
  f.clearActions();
  await f.sync('team');
  assert.deepEqual(f.actions().slice(-2), ['update namespaces/status team', 'update namespaces team']);
  assert.equal(f.client.peek(namespaces, '', 'team'), undefined);
  await f.stop();
});

test('terminating pods: the estimate is their grace period; the namespace waits', async () => {
  const pod = { metadata: { name: 'p', namespace: 'team' }, spec: { nodeName: 'n1', terminationGracePeriodSeconds: 30, containers: [{ name: 'c', image: 'x' }] }, status: { phase: 'Running' } };
  const f = await fixture(make, [[namespaces, ns], [pods, pod]]);
  await f.client.delete(namespaces, '', 'team');
  await f.settle();
  await f.sync('team');
  assert.ok(f.client.peek(pods, 'team', 'p')?.metadata.deletionTimestamp);
  assert.ok(f.client.peek(namespaces, '', 'team'), 'not finalized while the pod terminates');
  assert.equal(condition(f.client.peek(namespaces, '', 'team')!.status?.conditions, 'NamespaceContentRemaining')?.message, 'Some resources are remaining: pods. has 1 resource instances');
  await f.stop();
});

test('a failing deletecollection is reported as ContentDeletionFailed and retried', async () => {
  const f = await fixture(make, [[namespaces, ns], [configMaps, cm('a')]]);
  await f.client.delete(namespaces, '', 'team');
  await f.settle();
  f.client.failNext('deletecollection', 'configmaps', internal(new Error('etcd down'), 'etcd down'));
  await assert.rejects(f.sync('team'), /deleting the content of namespace team/);
  const c = condition(f.client.peek(namespaces, '', 'team')!.status?.conditions, 'NamespaceDeletionContentFailure');
  assert.equal(c?.status, 'True');
  assert.equal(c?.reason, 'ContentDeletionFailed');
  assert.match(c?.message ?? '', /^Failed to delete all resource types, 1 remaining: /);
  await f.stop();
});

test('conditions: lastTransitionTime moves only when the status flips', () => {
  const r = emptyReport();
  const first = namespaceConditions(undefined, r, Date.parse('2025-01-01T00:00:00Z'));
  const again = namespaceConditions(first, r, Date.parse('2025-01-01T00:01:00Z'));
  assert.deepEqual(again, first);
  r.remainingByResource.set('pods.', 2);
  const flipped = namespaceConditions(first, r, Date.parse('2025-01-01T00:02:00Z'));
  assert.equal(condition(flipped, 'NamespaceContentRemaining')?.lastTransitionTime, '2025-01-01T00:02:00Z');
  assert.equal(condition(flipped, 'NamespaceContentRemaining')?.status, 'True');
});

test('namespaced resources: preferred versions of deletable namespaced kinds, plus established namespaced CRDs', () => {
  const crd = {
    metadata: { name: 'widgets.example.com' },
    spec: { group: 'example.com', scope: 'Namespaced', names: { plural: 'widgets', kind: 'Widget' }, versions: [{ name: 'v1', served: true, storage: true }] },
    status: { conditions: [{ type: 'Established', status: 'True' }] },
  };
  const names = namespacedResources(builtinResources, [crd as never]).map((d) => `${d.plural}.${d.group}/${d.version}`);
  for (const n of ['pods./v1', 'events./v1', 'deployments.apps/v1', 'widgets.example.com/v1', 'leases.coordination.k8s.io/v1']) assert.ok(names.includes(n), n);
  for (const n of ['nodes./v1', 'namespaces./v1', 'bindings./v1']) assert.ok(!names.includes(n), n);
});
