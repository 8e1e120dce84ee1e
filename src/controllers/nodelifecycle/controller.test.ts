import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeLifecycleController } from './controller.js';
import { evictionTime, reconcileTaints, tolerates } from './node-health.js';
import { fixture } from '../testing/fixture.js';
import { FakeClock } from '../../base/clock.js';
import { leases, nodes, pods } from '../../api/resources/index.js';
import type { ControllerDeps } from '../controller-deps.js';

const t0 = Date.parse('2025-01-01T00:00:00Z');
const make = (deps: ControllerDeps) => nodeLifecycleController(deps, { nodeMonitorGracePeriodMs: 10_000 });
const node = { metadata: { name: 'n1' }, status: { conditions: [
  { type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: '2025-01-01T00:00:00Z', lastTransitionTime: '2025-01-01T00:00:00Z' },
  { type: 'MemoryPressure', status: 'False', lastHeartbeatTime: '2025-01-01T00:00:00Z', lastTransitionTime: '2025-01-01T00:00:00Z' },
] } };
const lease = { metadata: { name: 'n1', namespace: 'kube-node-lease' }, spec: { holderIdentity: 'n1', renewTime: '2025-01-01T00:00:00.000000Z' } };
const pod = (name: string, tolerations?: unknown[]) => ({
  metadata: { name, namespace: 'default' },
  spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'x' }], tolerations },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
});

test('silence past the grace period: conditions Unknown, pods not ready, unreachable taints, evictions', async () => {
  const clock = new FakeClock(t0);
  const f = await fixture(make, [[nodes, node], [leases, lease], [pods, pod('plain'), pod('patient', [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 }])]], { clock });
  await f.sync('node/n1');
  assert.deepEqual(f.actions(), [], 'within the grace period');
  // a renewed lease moves the probe
  clock.advance(8_000);
  const l = f.client.peek(leases, 'kube-node-lease', 'n1')!;
  await f.client.update(leases, { ...l, spec: { ...l.spec, renewTime: '2025-01-01T00:00:08.000000Z' } });
  await f.settle();
  await f.sync('node/n1');
  clock.advance(8_000);
  await f.sync('node/n1');
  assert.deepEqual(f.actions(), ['update leases kube-node-lease/n1'], 'the lease kept it alive');
  f.clearActions();
  clock.advance(3_000);
  await f.sync('node/n1');
  assert.deepEqual(f.actions(), ['update nodes/status n1', 'update pods/status default/patient', 'update pods/status default/plain', 'update nodes n1']);
  const n = f.client.peek(nodes, '', 'n1')!;
  assert.deepEqual(n.status?.conditions?.map((c) => [c.type, c.status, c.reason, c.message]), [
    ['Ready', 'Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.'],
    ['MemoryPressure', 'Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.'],
    ['DiskPressure', 'Unknown', 'NodeStatusNeverUpdated', 'Kubelet never posted node status.'],
    ['PIDPressure', 'Unknown', 'NodeStatusNeverUpdated', 'Kubelet never posted node status.'],
  ]);
  assert.deepEqual(n.spec?.taints?.map((t) => `${t.key}:${t.effect}`), ['node.kubernetes.io/unreachable:NoSchedule', 'node.kubernetes.io/unreachable:NoExecute']);
  assert.equal(f.client.peek(pods, 'default', 'plain')?.status?.conditions?.[0]?.status, 'False');
  // eviction: the intolerant pod goes now, the patient one after 30 s
  f.clearActions();
  await f.sync('pod/default/plain');
  await f.sync('pod/default/patient');
  assert.deepEqual(f.actions(), ['update pods/status default/plain', 'delete pods default/plain']);
  assert.deepEqual((f.writes()[0]!.object as { status: { conditions: { type: string; reason?: string }[] } }).status.conditions.at(-1), {
    type: 'DisruptionTarget', status: 'True', lastTransitionTime: '2025-01-01T00:00:19Z', reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint',
  });
  clock.advance(30_000);
  f.clearActions();
  await f.sync('pod/default/patient');
  assert.deepEqual(f.actions(), ['update pods/status default/patient', 'delete pods default/patient']);
  assert.ok((await f.events()).includes('Normal TaintManagerEviction Marking for deletion Pod default/plain'));
  assert.ok((await f.events()).includes('Warning NodeNotReady Node is not ready'));
  await f.stop();
});

test('taints follow Ready: False → not-ready, True → none', () => {
  const added = reconcileTaints([{ key: 'x', effect: 'NoSchedule' }], 'False', t0)!;
  assert.deepEqual(added.map((t) => `${t.key}:${t.effect}`), ['x:NoSchedule', 'node.kubernetes.io/not-ready:NoSchedule', 'node.kubernetes.io/not-ready:NoExecute']);
  assert.equal(reconcileTaints(added, 'False', t0 + 5000), undefined);
  assert.deepEqual(reconcileTaints(added, 'True', t0), [{ key: 'x', effect: 'NoSchedule' }]);
  assert.deepEqual(reconcileTaints(added, 'Unknown', t0)!.map((t) => t.key), ['x', 'node.kubernetes.io/unreachable', 'node.kubernetes.io/unreachable']);
});

test('tolerations and eviction times', () => {
  const taint = { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute', timeAdded: '2025-01-01T00:00:00Z' };
  assert.equal(tolerates({ operator: 'Exists' }, taint), true);
  assert.equal(tolerates({ key: 'other', operator: 'Exists' }, taint), false);
  assert.equal(evictionTime([], [taint], t0), 'now');
  assert.equal(evictionTime([{ key: taint.key, operator: 'Exists', effect: 'NoExecute' }], [taint], t0), undefined);
  assert.equal(evictionTime([{ key: taint.key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }], [taint], t0), t0 + 300_000);
  assert.equal(evictionTime([], [{ key: 'k', effect: 'NoSchedule' }], t0), undefined);
});
