import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nodes, pods, type NodeObject, type PodObject } from '../../api/resources/index.js';
import { fixture } from '../testing/fixture.js';
import { podGCController, podGCKey } from './controller.js';
import { terminatedToDelete } from './gc-plan.js';

const pod = (name: string, opts: { phase?: string; node?: string; created?: string; deleting?: boolean } = {}): PodObject => ({
  metadata: { name, namespace: 'default', uid: `uid-${name}`, creationTimestamp: opts.created ?? '2025-01-01T00:00:00Z', ...(opts.deleting ? { finalizers: ['test/hold'] } : {}) },
  spec: { ...(opts.node ? { nodeName: opts.node } : {}), containers: [{ name: 'c', image: 'i' }] },
  status: { phase: opts.phase ?? 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
});
const node = (name: string): NodeObject => ({ metadata: { name }, status: { conditions: [{ type: 'Ready', status: 'True' }] } });

test('terminated pods beyond the threshold go oldest first', async () => {
  const f = await fixture((d) => podGCController(d, { terminatedPodThreshold: 2 }), [
    [nodes, node('n1')],
    [pods,
      pod('done-new', { phase: 'Succeeded', node: 'n1', created: '2025-01-01T00:03:00Z' }),
      pod('done-old', { phase: 'Failed', node: 'n1', created: '2025-01-01T00:01:00Z' }),
      pod('done-mid', { phase: 'Succeeded', node: 'n1', created: '2025-01-01T00:02:00Z' }),
      pod('running', { node: 'n1', created: '2024-01-01T00:00:00Z' })],
  ]);
  await f.sync(podGCKey);
  assert.deepEqual(f.actions(), ['delete pods default/done-old']);
  assert.deepEqual(f.writes()[0]!.options, { gracePeriodSeconds: 0 });
  await f.stop();
});

test('pods on a node that stays missing through the quarantine are marked DisruptionTarget, failed and deleted', async () => {
  const f = await fixture((d) => podGCController(d, { quarantineMs: 40_000 }), [[nodes, node('n1')], [pods, pod('alive', { node: 'n1' }), pod('orphan', { node: 'gone' })]]);
  await f.sync(podGCKey);
  assert.deepEqual(f.actions(), [], 'first sighting starts the quarantine');
  f.clock.advance(40_000);
  await f.sync(podGCKey);
  assert.deepEqual(f.actions(), ['patch pods/status default/orphan', 'delete pods default/orphan']);
  const patch = f.writes()[0]!.patch as { status: { phase: string; conditions: { type: string; reason: string; message: string }[] } };
  assert.equal(patch.status.phase, 'Failed');
  assert.deepEqual(patch.status.conditions.map((c) => [c.type, c.reason, c.message]), [['Ready', undefined, undefined], ['DisruptionTarget', 'DeletionByPodGC', 'PodGC: node no longer exists']]);
  await f.stop();
});

test('a node that reappears ends the quarantine', async () => {
  const f = await fixture((d) => podGCController(d, { quarantineMs: 1000 }), [[pods, pod('p', { node: 'late' })]]);
  await f.sync(podGCKey);
  await f.client.create(nodes, node('late'));
  f.clock.advance(5000);
  await f.sync(podGCKey);
  assert.deepEqual(f.actions().filter((a) => a.includes('pods')), []);
  await f.stop();
});

test('unscheduled terminating pods are failed and force-deleted', async () => {
  const f = await fixture(podGCController, [[pods, pod('stuck', { phase: 'Pending', deleting: true })]]);
  await f.client.delete(pods, 'default', 'stuck');
  await f.settle();
  f.clearActions();
  await f.sync(podGCKey);
  assert.deepEqual(f.actions(), ['patch pods/status default/stuck', 'delete pods default/stuck']);
  assert.deepEqual((f.writes()[0]!.patch as { status: unknown }).status, { phase: 'Failed' });
  await f.stop();
});

test('threshold 0 disables the terminated pass', () => {
  assert.deepEqual(terminatedToDelete([pod('a', { phase: 'Failed' })], 0), []);
});
