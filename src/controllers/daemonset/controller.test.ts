import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Taint } from 'kubernetes-types/core/v1.js';
import { daemonSets, nodes, pods, type DaemonSetObject, type NodeObject, type PodObject } from '../../api/resources/index.js';
import type { FakeClient } from '../../client/testing/fake-client.js';
import { fixture } from '../testing/fixture.js';
import { daemonSetController } from './controller.js';
import { nodeShouldRunDaemonPod, targetNode, withDaemonTolerations } from './daemon-pod.js';

function ds(spec: Partial<NonNullable<DaemonSetObject['spec']>> = {}): DaemonSetObject {
  return {
    metadata: { name: 'agent', namespace: 'kube-system', uid: 'ds-uid', generation: 1, annotations: { 'deprecated.daemonset.template.generation': '1' } },
    spec: {
      selector: { matchLabels: { app: 'agent' } }, revisionHistoryLimit: 10,
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
      template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'a', image: 'agent:1' }] } },
      ...spec,
    },
  };
}

const node = (name: string, extra: { labels?: Record<string, string>; taints?: Taint[]; unschedulable?: boolean } = {}): NodeObject => ({
  metadata: { name, labels: { 'kubernetes.io/hostname': name, ...extra.labels } },
  spec: { taints: extra.taints, unschedulable: extra.unschedulable },
});

/** Plays scheduler and kubelet: pinned pods are bound to their node, Running and Ready; deleted pods finish. */
async function bindAndRun(client: FakeClient): Promise<void> {
  for (const p of client.all(pods)) {
    if (p.metadata.deletionTimestamp) { await client.delete(pods, p.metadata.namespace!, p.metadata.name!, { gracePeriodSeconds: 0 }); continue; }
    if (p.status?.phase === 'Running') continue;
    const bound = await client.update(pods, { ...p, spec: { ...p.spec!, nodeName: targetNode(p) } });
    await client.updateStatus(pods, { ...bound, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2025-01-01T00:00:00Z' }] } });
  }
}

test('placement: node selector, taints vs template and daemon tolerations, NoExecute evicts', () => {
  const d = ds({ template: { metadata: { labels: { app: 'agent' } }, spec: { nodeSelector: { role: 'edge' }, containers: [{ name: 'a', image: 'i' }] } } });
  assert.deepEqual(nodeShouldRunDaemonPod(node('n1', { labels: { role: 'edge' } }), d), { shouldRun: true, shouldContinueRunning: true });
  assert.deepEqual(nodeShouldRunDaemonPod(node('n2'), d), { shouldRun: false, shouldContinueRunning: false });
  const plain = ds();
  assert.equal(nodeShouldRunDaemonPod(node('n3', { taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] }), plain).shouldRun, true, 'daemon pods tolerate cordoned nodes');
  assert.equal(nodeShouldRunDaemonPod(node('n4', { taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }] }), plain).shouldRun, true);
  assert.deepEqual(nodeShouldRunDaemonPod(node('n5', { taints: [{ key: 'gpu', value: 'yes', effect: 'NoSchedule' }] }), plain), { shouldRun: false, shouldContinueRunning: true });
  assert.deepEqual(nodeShouldRunDaemonPod(node('n6', { taints: [{ key: 'dedicated', effect: 'NoExecute' }] }), plain), { shouldRun: false, shouldContinueRunning: false });
  const tolerations = withDaemonTolerations({ spec: { hostNetwork: true, containers: [] } }).spec!.tolerations!;
  assert.deepEqual(tolerations.map((t) => `${t.key}:${t.effect}`), [
    'node.kubernetes.io/not-ready:NoExecute', 'node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/disk-pressure:NoSchedule',
    'node.kubernetes.io/memory-pressure:NoSchedule', 'node.kubernetes.io/pid-pressure:NoSchedule', 'node.kubernetes.io/unschedulable:NoSchedule',
    'node.kubernetes.io/network-unavailable:NoSchedule',
  ]);
});

test('one pod per eligible node, pinned with matchFields metadata.name, with revision labels', async () => {
  const f = await fixture(daemonSetController, [[daemonSets, ds()], [nodes, node('n1'), node('n2'), node('n3', { taints: [{ key: 'x', effect: 'NoSchedule' }] })]]);
  await f.sync('kube-system/agent');
  const actions = f.actions();
  assert.equal(actions[0]!.startsWith('create controllerrevisions kube-system/agent-'), true);
  assert.deepEqual(actions.slice(1), ['create pods kube-system/agent-', 'create pods kube-system/agent-', 'update daemonsets/status kube-system/agent']);
  const created = f.writes().filter((w) => w.resource === 'pods').map((w) => w.object as PodObject);
  assert.deepEqual(created.map((p) => p.spec!.affinity!.nodeAffinity!.requiredDuringSchedulingIgnoredDuringExecution), [
    { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }] },
    { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n2'] }] }] },
  ]);
  const rev = f.writes()[0]!.object as { metadata: { labels: Record<string, string> } };
  assert.equal(created[0]!.metadata.labels!['controller-revision-hash'], rev.metadata.labels['controller.kubernetes.io/hash']);
  assert.equal(created[0]!.metadata.labels!['pod-template-generation'], '1');
  assert.equal(created[0]!.spec!.nodeName, undefined, 'the scheduler binds daemon pods');
  const status = f.client.peek(daemonSets, 'kube-system', 'agent')!.status!;
  assert.equal(status.desiredNumberScheduled, 2);
  assert.equal(status.currentNumberScheduled, 0);
  await bindAndRun(f.client);
  await f.settle();
  f.clearActions();
  await f.sync('kube-system/agent');
  assert.deepEqual(f.actions(), ['update daemonsets/status kube-system/agent']);
  const after = f.client.peek(daemonSets, 'kube-system', 'agent')!.status!;
  assert.deepEqual([after.currentNumberScheduled, after.numberReady, after.numberAvailable, after.updatedNumberScheduled, after.numberMisscheduled],
    [2, 2, 2, 2, 0]);
  await f.stop();
});

test('rolling update with maxUnavailable 1 replaces one node at a time until rollout status is done', async () => {
  const f = await fixture(daemonSetController, [[daemonSets, ds()], [nodes, node('n1'), node('n2')]]);
  await f.sync('kube-system/agent');
  await bindAndRun(f.client); await f.settle();
  await f.sync('kube-system/agent');
  const d = f.client.peek(daemonSets, 'kube-system', 'agent')!;
  d.spec!.template!.spec!.containers[0]!.image = 'agent:2';
  d.metadata.annotations = { 'deprecated.daemonset.template.generation': '2' };
  await f.client.update(daemonSets, d);
  await f.settle();
  f.clearActions();
  await f.sync('kube-system/agent');
  assert.equal(f.actions().filter((a) => a.startsWith('delete pods')).length, 1, 'one old pod at a time');
  assert.equal(f.actions().filter((a) => a.startsWith('create pods')).length, 0);
  for (let i = 0; i < 8; i++) { await f.sync('kube-system/agent'); await bindAndRun(f.client); await f.settle(); }
  const live = f.client.all(pods).filter((p) => !p.metadata.deletionTimestamp);
  assert.equal(live.length, 2);
  assert.ok(live.every((p) => p.metadata.labels!['pod-template-generation'] === '2'));
  const s = f.client.peek(daemonSets, 'kube-system', 'agent')!;
  assert.equal(s.status!.observedGeneration, s.metadata.generation);
  assert.equal(s.status!.updatedNumberScheduled, 2);
  assert.equal(s.status!.numberAvailable, 2);
  await f.stop();
});

test('a node that no longer qualifies loses its daemon pod; a failed pod is killed with a warning', async () => {
  const failed: PodObject = {
    metadata: { name: 'agent-f', namespace: 'kube-system', uid: 'pf', labels: { app: 'agent' }, creationTimestamp: '2025-01-01T00:00:00Z',
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: 'ds-uid', controller: true }] },
    spec: { nodeName: 'n1', containers: [{ name: 'a', image: 'agent:1' }] }, status: { phase: 'Failed' },
  };
  const evicted: PodObject = { ...structuredClone(failed), metadata: { ...structuredClone(failed.metadata), name: 'agent-e', uid: 'pe' }, spec: { nodeName: 'n2', containers: [] }, status: { phase: 'Running' } };
  const f = await fixture(daemonSetController, [[daemonSets, ds()], [nodes, node('n1'), node('n2', { taints: [{ key: 'dedicated', effect: 'NoExecute' }] })], [pods, failed, evicted]]);
  await f.sync('kube-system/agent');
  assert.deepEqual(f.actions().filter((a) => a.includes(' pods ')).sort(), ['create pods kube-system/agent-', 'delete pods kube-system/agent-e', 'delete pods kube-system/agent-f'],
    'the failed pod on n1 is replaced; n2 (NoExecute) loses its pod');
  assert.ok((await f.events()).includes('Warning FailedDaemonPod Found failed daemon pod kube-system/agent-f on node n1, will try to kill it'));
  await f.stop();
});
