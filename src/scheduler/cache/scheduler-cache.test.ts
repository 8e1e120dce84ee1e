import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SchedulerCache } from './scheduler-cache.js';
import { makeNode, makePod } from '../testing/fixtures.js';
import { newPodInfo, samePodInfoInputs } from '../framework/node-info.js';

test('an assumed pod counts on its node at once, is forgotten when binding fails', () => {
  const c = new SchedulerCache();
  c.addNode(makeNode('n1', { cpu: '2' }));
  const pod = makePod('p1', { cpu: '500m' });
  c.assume(pod, 'n1');
  assert.equal(c.get('n1')!.requested.milliCPU, 500);
  assert.equal(c.get('n1')!.podCount, 1);
  assert.ok(c.isAssumed('default/p1'));
  assert.throws(() => c.assume(pod, 'n1'), /already in the cache/);
  c.forget('default/p1');
  assert.equal(c.get('n1')!.requested.milliCPU, 0);
  assert.equal(c.get('n1')!.podCount, 0);
  assert.equal(c.isAssumed('default/p1'), false);
});

test('the bound pod from the informer confirms the assumption (also on another node)', () => {
  const c = new SchedulerCache();
  c.addNode(makeNode('n1'));
  c.addNode(makeNode('n2'));
  const pod = makePod('p1', { cpu: '1' });
  c.assume(pod, 'n1');
  c.finishBinding('default/p1');
  c.addPod({ ...pod, spec: { ...pod.spec!, nodeName: 'n1' } });
  assert.equal(c.isAssumed('default/p1'), false);
  assert.equal(c.get('n1')!.requested.milliCPU, 1000);
  c.forget('default/p1'); // confirmed pods are not forgotten
  assert.equal(c.get('n1')!.podCount, 1);

  const other = makePod('p2', { cpu: '1' });
  c.assume(other, 'n1');
  c.addPod({ ...other, spec: { ...other.spec!, nodeName: 'n2' } });
  assert.equal(c.get('n1')!.requested.milliCPU, 1000);
  assert.equal(c.get('n2')!.requested.milliCPU, 1000);
  c.removePod(other);
  assert.equal(c.get('n2')!.podCount, 0);
});

test('pods of a node not yet seen are kept; the snapshot lists only real nodes, sorted', () => {
  const c = new SchedulerCache();
  c.addPod({ ...makePod('p1', { cpu: '1' }), spec: { ...makePod('p1').spec!, nodeName: 'late' } });
  assert.equal(c.nodes.length, 0);
  c.addNode(makeNode('b'));
  c.addNode(makeNode('late', { cpu: '4' }));
  assert.deepEqual(c.nodes.map((n) => n.name), ['b', 'late']);
  assert.equal(c.get('late')!.podCount, 1);
  assert.equal(c.get('late')!.allocatable.milliCPU, 4000);
  c.removeNode('b');
  assert.deepEqual(c.nodes.map((n) => n.name), ['late']);
});

test('nodes with affinity pods are tracked for InterPodAffinity', () => {
  const c = new SchedulerCache();
  c.addNode(makeNode('n1'));
  c.addNode(makeNode('n2'));
  const anti = makePod('a', {}, { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'x' } } }] } } });
  c.assume(anti, 'n2');
  assert.deepEqual(c.nodesWithRequiredAntiAffinityPods.map((n) => n.name), ['n2']);
  assert.deepEqual(c.nodesWithAffinityPods.map((n) => n.name), ['n2']);
  c.forget('default/a');
  assert.equal(c.nodesWithRequiredAntiAffinityPods.length, 0);
});

test('the affinity node lists follow pods with (anti-)affinity terms joining and leaving nodes', () => {
  const c = new SchedulerCache();
  for (const n of ['n1', 'n2', 'n3']) c.addNode(makeNode(n));
  const anti = makePod('anti', {}, { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'x' } } }] } } });
  const pref = makePod('pref', {}, { affinity: { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: {} } }] } } });
  const names = (l: readonly { name: string }[]) => l.map((n) => n.name);
  c.assume(makePod('plain'), 'n1');
  assert.deepEqual(names(c.nodesWithAffinityPods), []);
  assert.deepEqual(names(c.nodesWithRequiredAntiAffinityPods), []);
  c.assume(anti, 'n3');
  c.addPod({ ...pref, spec: { ...pref.spec!, nodeName: 'n2' } });
  assert.deepEqual(names(c.nodesWithAffinityPods), ['n2', 'n3']);
  assert.deepEqual(names(c.nodesWithRequiredAntiAffinityPods), ['n3']);
  // Confirmed on another node than assumed: moves.
  c.addPod({ ...anti, spec: { ...anti.spec!, nodeName: 'n1' } });
  assert.deepEqual(names(c.nodesWithAffinityPods), ['n1', 'n2']);
  assert.deepEqual(names(c.nodesWithRequiredAntiAffinityPods), ['n1']);
  c.removePod(anti);
  assert.deepEqual(names(c.nodesWithRequiredAntiAffinityPods), []);
  assert.deepEqual(names(c.nodesWithAffinityPods), ['n2']);
  c.removeNode('n2');
  assert.deepEqual(names(c.nodesWithAffinityPods), []);
  c.addNode(makeNode('n2'));
  assert.deepEqual(names(c.nodesWithAffinityPods), ['n2']);
});

test('assume reuses the PodInfo parsed in the cycle (with the pod bound to the node)', () => {
  const c = new SchedulerCache();
  c.addNode(makeNode('n1', { cpu: '2' }));
  const pod = makePod('p1', { cpu: '500m' });
  const info = newPodInfo(pod);
  c.assume(pod, 'n1', info);
  const placed = c.get('n1')!.getPod('default/p1')!;
  assert.equal(placed.requests, info.requests);
  assert.equal(placed.pod.spec?.nodeName, 'n1');
  assert.equal(pod.spec?.nodeName, undefined);
  // A PodInfo of another object is not trusted: parsed again.
  const other = makePod('p2', { cpu: '1' });
  c.assume(other, 'n1', info);
  assert.equal(c.get('n1')!.getPod('default/p2')!.requests.milliCPU, 1000);
  assert.equal(c.get('n1')!.requested.milliCPU, 1500);
});

test('counts of cordoned and NoSchedule/NoExecute-tainted nodes follow node adds, updates and removals', () => {
  const c = new SchedulerCache();
  const counts = () => [c.unschedulableNodeCount, c.noScheduleTaintedNodeCount, c.preferNoScheduleTaintedNodeCount];
  c.assume(makePod('early'), 'n1'); // a pod on a node not seen yet counts nothing
  assert.deepEqual(counts(), [0, 0, 0]);
  c.addNode(makeNode('n1', {}, { unschedulable: true }));
  c.addNode(makeNode('n2', {}, { taints: [{ key: 'k', effect: 'NoSchedule' }] }));
  c.addNode(makeNode('n3', {}, { taints: [{ key: 'k', effect: 'PreferNoSchedule' }] }));
  assert.deepEqual(counts(), [1, 1, 1]);
  c.updateNode(makeNode('n1', {}, { taints: [{ key: 'x', effect: 'NoExecute' }, { key: 'y', effect: 'PreferNoSchedule' }] }));
  assert.deepEqual(counts(), [0, 2, 2]);
  c.updateNode(makeNode('n1', {}, { taints: [{ key: 'x', effect: 'NoExecute' }] }));
  assert.deepEqual(counts(), [0, 2, 1]);
  c.removeNode('n1');
  c.removeNode('n1');
  assert.deepEqual(counts(), [0, 1, 1]);
  c.removeNode('n2');
  c.removeNode('n3');
  assert.deepEqual(counts(), [0, 0, 0]);
});

test('the informer\'s bound copy of an assumed pod reuses its parsed figures; a changed pod is parsed again', () => {
  const c = new SchedulerCache();
  c.addNode(makeNode('n1', { cpu: '4' }));
  const pod = makePod('p1', { cpu: '500m' }, {}, { app: 'a' });
  c.assume(pod, 'n1');
  const assumed = c.get('n1')!.getPod('default/p1')!;
  // As decoded from the watch: equal values, other objects, plus fields the scheduler does not parse.
  const fromWatch = JSON.parse(JSON.stringify({ ...pod, spec: { ...pod.spec, nodeName: 'n1' }, status: { phase: 'Pending' } })) as typeof pod;
  c.addPod(fromWatch);
  const confirmed = c.get('n1')!.getPod('default/p1')!;
  assert.equal(confirmed.pod, fromWatch);
  assert.equal(confirmed.requests, assumed.requests);
  // Resized: parsed again, and the node's sum follows.
  const resized = { ...fromWatch, spec: { ...fromWatch.spec!, containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu: '1' } } }] } };
  c.updatePod(resized);
  assert.equal(c.get('n1')!.getPod('default/p1')!.requests.milliCPU, 1000);
  assert.equal(c.get('n1')!.requested.milliCPU, 1000);
  // New labels: parsed again too (affinity terms may read them through matchLabelKeys).
  const before = c.get('n1')!.getPod('default/p1')!.requests;
  const relabelled = { ...resized, metadata: { ...resized.metadata, labels: { app: 'b' } } };
  c.updatePod(relabelled);
  assert.notEqual(c.get('n1')!.getPod('default/p1')!.requests, before);
  assert.equal(c.get('n1')!.getPod('default/p1')!.pod, relabelled);
});

test('samePodInfoInputs compares what newPodInfo parses, as JSON values', () => {
  const a = makePod('p', { cpu: '1' }, { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'k', labelSelector: { matchLabels: { x: 'y' } } }] } } }, { app: 'a' });
  const copy = JSON.parse(JSON.stringify(a)) as typeof a;
  assert.ok(samePodInfoInputs(a, copy));
  assert.ok(samePodInfoInputs(a, { ...copy, spec: { ...copy.spec!, nodeName: 'n', schedulerName: 'other' }, status: { phase: 'Running' } }));
  assert.ok(!samePodInfoInputs(a, { ...copy, metadata: { ...copy.metadata, namespace: 'other' } }));
  assert.ok(!samePodInfoInputs(a, { ...copy, metadata: { ...copy.metadata, labels: { app: 'a', extra: '' } } }));
  assert.ok(!samePodInfoInputs(a, { ...copy, spec: { ...copy.spec!, overhead: { cpu: '1m' } } }));
  assert.ok(!samePodInfoInputs(a, { ...copy, spec: { ...copy.spec!, affinity: {} } }));
  const ported = JSON.parse(JSON.stringify(a)) as typeof a;
  ported.spec!.containers[0]!.ports = [{ containerPort: 80, hostPort: 80 }];
  assert.ok(!samePodInfoInputs(a, ported));
  const unset = JSON.parse(JSON.stringify(a)) as typeof a;
  unset.spec!.containers[0]!.resources = { ...unset.spec!.containers[0]!.resources, limits: undefined };
  assert.ok(!samePodInfoInputs(a, unset)); // inside a value, an explicit undefined is not an absent field: parsed again, never wrong
});
