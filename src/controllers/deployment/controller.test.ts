import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deploymentController } from './controller.js';
import { fixture } from '../testing/fixture.js';
import { deployments, replicaSets, type DeploymentObject, type ReplicaSetObject } from '../../api/resources/index.js';
import { newControllerRef } from '../../client/controller-ref.js';
import { computeHash } from './pod-template-hash.js';

const template = (image: string) => ({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image }] } });
const deploy = (replicas: number, image = 'nginx:1', extra: Partial<DeploymentObject['spec']> = {}): DeploymentObject => ({
  metadata: { name: 'web', namespace: 'default', uid: 'd-uid', generation: 1 },
  spec: {
    replicas, selector: { matchLabels: { app: 'web' } }, template: template(image),
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
    revisionHistoryLimit: 10, progressDeadlineSeconds: 600, ...extra,
  },
});

function ownedSet(d: DeploymentObject, image: string, replicas: number, available: number, revision: number): ReplicaSetObject {
  const t = template(image);
  const hash = computeHash(t);
  return {
    metadata: {
      name: `web-${hash}`, namespace: 'default', uid: `rs-${hash}`, creationTimestamp: `2024-0${revision}-01T00:00:00Z`,
      labels: { app: 'web', 'pod-template-hash': hash }, ownerReferences: [newControllerRef(d, deployments)],
      annotations: { 'deployment.kubernetes.io/revision': String(revision), 'deployment.kubernetes.io/desired-replicas': String(d.spec!.replicas), 'deployment.kubernetes.io/max-replicas': String(d.spec!.replicas! + 1) },
    },
    spec: { replicas, selector: { matchLabels: { app: 'web', 'pod-template-hash': hash } }, template: { ...t, metadata: { labels: { app: 'web', 'pod-template-hash': hash } } } },
    status: { replicas, readyReplicas: available, availableReplicas: available, observedGeneration: 1 },
  };
}

test('a new Deployment gets a ReplicaSet named by its pod-template-hash, revision 1', async () => {
  const d = deploy(3);
  const f = await fixture(deploymentController, [[deployments, d]]);
  await f.sync('default/web');
  const hash = computeHash(d.spec!.template);
  // As upstream: getNewReplicaSet writes the revision and NewReplicaSetCreated, then syncRolloutStatus the counts.
  assert.deepEqual(f.actions(), [`create replicasets default/web-${hash}`, 'update deployments/status default/web', 'update deployments/status default/web']);
  const rs = f.client.peek(replicaSets, 'default', `web-${hash}`)!;
  assert.equal(rs.spec!.replicas, 3);
  assert.deepEqual(rs.spec!.selector!.matchLabels, { app: 'web', 'pod-template-hash': hash });
  assert.equal(rs.spec!.template!.metadata!.labels!['pod-template-hash'], hash);
  assert.deepEqual(rs.metadata.annotations, {
    'deployment.kubernetes.io/revision': '1', 'deployment.kubernetes.io/desired-replicas': '3', 'deployment.kubernetes.io/max-replicas': '4',
  });
  const stored = f.client.peek(deployments, 'default', 'web')!;
  assert.equal(stored.metadata.annotations?.['deployment.kubernetes.io/revision'], '1');
  const progressing = stored.status!.conditions!.find((c) => c.type === 'Progressing')!;
  assert.equal(progressing.reason, 'NewReplicaSetCreated');
  assert.equal(progressing.message, `Created new replica set "web-${hash}"`);
  assert.deepEqual(await f.events(), [`Normal ScalingReplicaSet Scaled up replica set web-${hash} from 0 to 3`]);
  await f.stop();
});

test('a template change starts a rolling update within maxSurge, then scales the old set down within maxUnavailable', async () => {
  const d = deploy(4, 'nginx:2');
  const old = ownedSet(deploy(4), 'nginx:1', 4, 4, 1);
  const f = await fixture(deploymentController, [[deployments, d], [replicaSets, old]]);
  await f.sync('default/web');
  const hash = computeHash(d.spec!.template);
  // Same sync: the old set may lose maxUnavailable (1) pods while the new one starts.
  assert.deepEqual(f.actions(), [
    `create replicasets default/web-${hash}`, 'update deployments/status default/web',
    `update replicasets default/${old.metadata.name}`, 'update deployments/status default/web',
  ]);
  const created = f.client.peek(replicaSets, 'default', `web-${hash}`)!;
  assert.equal(created.spec!.replicas, 1, 'maxSurge 25% of 4 = 1 extra pod');
  assert.equal(created.metadata.annotations!['deployment.kubernetes.io/revision'], '2');
  f.clearActions();
  // Next step: 3 old + 1 new leaves room for one more surge pod on the new set, nothing goes down.
  await f.sync('default/web');
  assert.deepEqual(f.actions().filter((a) => a.includes('replicasets')), [`update replicasets default/web-${hash}`]);
  assert.equal(f.client.peek(replicaSets, 'default', `web-${hash}`)!.spec!.replicas, 2);
  assert.equal(f.client.peek(replicaSets, 'default', old.metadata.name!)!.spec!.replicas, 3);
  assert.ok((await f.events()).includes(`Normal ScalingReplicaSet Scaled down replica set ${old.metadata.name} from 4 to 3`));
  await f.stop();
});

test('scaling a settled Deployment scales its only active set', async () => {
  const d = deploy(5);
  const rs = ownedSet(deploy(3), 'nginx:1', 3, 3, 1);
  const f = await fixture(deploymentController, [[deployments, { ...d, metadata: { ...d.metadata, annotations: { 'deployment.kubernetes.io/revision': '1' } } }], [replicaSets, rs]]);
  await f.sync('default/web');
  assert.equal(f.client.peek(replicaSets, 'default', rs.metadata.name!)!.spec!.replicas, 5);
  assert.deepEqual(await f.events(), [`Normal ScalingReplicaSet Scaled up replica set ${rs.metadata.name} from 3 to 5`]);
  assert.equal(f.client.peek(replicaSets, 'default', rs.metadata.name!)!.metadata.annotations!['deployment.kubernetes.io/desired-replicas'], '5');
  await f.stop();
});

test('a complete rollout reports NewReplicaSetAvailable and Available, and prunes history beyond the limit', async () => {
  const d = deploy(2, 'nginx:3', { revisionHistoryLimit: 1 });
  const current = ownedSet(d, 'nginx:3', 2, 2, 3);
  const old1 = ownedSet(d, 'nginx:1', 0, 0, 1);
  const old2 = ownedSet(d, 'nginx:2', 0, 0, 2);
  const f = await fixture(deploymentController, [[deployments, { ...d, metadata: { ...d.metadata, annotations: { 'deployment.kubernetes.io/revision': '3' } }, status: { observedGeneration: 1, replicas: 2, updatedReplicas: 2, availableReplicas: 2, readyReplicas: 2 } }], [replicaSets, current, old1, old2]]);
  await f.sync('default/web');
  assert.deepEqual(f.actions(), ['update deployments/status default/web', `delete replicasets default/${old1.metadata.name}`, 'update deployments/status default/web']);
  const st = f.client.peek(deployments, 'default', 'web')!.status!;
  assert.equal(st.conditions!.find((c) => c.type === 'Progressing')!.reason, 'NewReplicaSetAvailable');
  assert.equal(st.conditions!.find((c) => c.type === 'Available')!.status, 'True');
  assert.equal(st.observedGeneration, 1);
  await f.stop();
});

test('Recreate scales old sets to zero before creating the new one', async () => {
  const d = deploy(2, 'nginx:2', { strategy: { type: 'Recreate' } });
  const old = ownedSet(deploy(2), 'nginx:1', 2, 2, 1);
  const f = await fixture(deploymentController, [[deployments, d], [replicaSets, old]]);
  await f.sync('default/web');
  assert.deepEqual(f.actions().slice(0, 1), [`update replicasets default/${old.metadata.name}`]);
  assert.equal(f.client.peek(replicaSets, 'default', old.metadata.name!)!.spec!.replicas, 0);
  assert.equal(f.client.all(replicaSets).length, 1, 'no new set while old pods may run');
  await f.stop();
});

test('pausing sets Progressing Unknown DeploymentPaused and stops rollouts', async () => {
  const d = deploy(2, 'nginx:2', { paused: true });
  const old = ownedSet(deploy(2), 'nginx:1', 2, 2, 1);
  const f = await fixture(deploymentController, [[deployments, d], [replicaSets, old]]);
  await f.sync('default/web');
  assert.equal(f.client.all(replicaSets).length, 1);
  const c = f.client.peek(deployments, 'default', 'web')!.status!.conditions!.find((x) => x.type === 'Progressing')!;
  assert.deepEqual([c.status, c.reason, c.message], ['Unknown', 'DeploymentPaused', 'Deployment is paused']);
  await f.stop();
});
